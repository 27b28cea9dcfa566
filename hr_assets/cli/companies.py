"""``hr-assets companies``: the companies attendance is pushed for, the device departments of each, and each one's
employee master."""

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from hr_assets.cli.output import json_option, print_rows
from hr_assets.cli.warehouse import audited, warehouse
from hr_assets.defs.attendance.employee_lists import import_employee_list
from hr_assets.defs.attendance.employee_masters import load_masters
from hr_assets.defs.attendance.reassigning import reassign_department, recode_device_id
from hr_assets.defs.shared.companies import (
    DateFormat,
    EmployeeMaster,
    add_company,
    all_companies,
    company_by_slug,
    departments,
    map_department,
    map_employee,
    set_date_format,
    set_employee_master,
    slugs,
    unmap_department,
)
from hr_assets.lib.clock import Clock

F = TypeVar("F", bound=Callable[..., Any])

LIST_COLUMNS = ("slug", "name_en", "departments", "timezone", "date_format", "employee_master")
AUTO = "auto"


def date_format_option(default: str | None) -> Callable[[F], F]:
    return click.option(
        "--date-format",
        type=click.Choice([*DateFormat, AUTO], case_sensitive=False),
        default=default,
        show_default=default is not None,
        help=(
            "How the device writes dates NN/NN/YYYY: DMY (day first), MDY (month first), ISO (never); auto lets each "
            "file settle it by a day over 12."
        ),
    )


def employee_master_option(default: str | None) -> Callable[[F], F]:
    return click.option(
        "--employee-master",
        type=click.Choice([*EmployeeMaster, AUTO], case_sensitive=False),
        default=default,
        show_default=default is not None,
        help=(
            "Whose codes the company's attendance rows are checked against: paycom (the roster), list (its own list, "
            "hr-assets companies import-employees), device (the device's ids are the codes); auto: the roster where "
            "Paycom is configured or synced, else the device's ids."
        ),
    )


@click.group()
def companies() -> None:
    """Companies and the fingerprint department names that map rows to each."""


@companies.command("add")
@click.option("--slug", required=True, help="Short name used everywhere else, e.g. advline.")
@click.option("--name-en", required=True, help="The company's name in English.")
@click.option("--name-ar", help="The company's name in Arabic.")
@click.option("--fingerprint-name", help='The department name the fingerprint device writes, e.g. "AdvLine".')
@click.option("--timezone", required=True, help="The company's IANA timezone, e.g. Asia/Dubai.")
@date_format_option(AUTO)
@employee_master_option(AUTO)
def add(
    slug: str,
    name_en: str,
    name_ar: str | None,
    fingerprint_name: str | None,
    timezone: str,
    date_format: str,
    employee_master: str,
) -> None:
    """Add a company."""
    now = Clock().now()
    values: dict[str, Any] = {
        "slug": slug,
        "name_en": name_en,
        "name_ar": name_ar,
        "fingerprint_report_name": fingerprint_name,
        "timezone": timezone,
        "date_format": _stored(date_format),
        "employee_master": _master(employee_master),
    }
    with warehouse().begin() as connection:
        add_company(connection, now=now, **values)
        audited(connection, action="company.add", target=f"company {slug}", now=now, new=values)
    click.echo(
        f"Added {slug}" + (f", mapped from fingerprint department {fingerprint_name!r}" if fingerprint_name else "")
    )


@companies.command("list")
@json_option
def list_(as_json: bool) -> None:
    """List the companies, each with every department mapped to it."""
    with warehouse().connect() as connection:
        names = departments(connection)
        rows = [
            {
                **row,
                "departments": names.get(row["id"], []),
                "date_format": row["date_format"] or AUTO,
                "employee_master": row["employee_master"] or AUTO,
            }
            for row in all_companies(connection)
        ]
    if not as_json:
        rows = [{**row, "departments": ", ".join(row["departments"]) or None} for row in rows]
    print_rows(rows, LIST_COLUMNS, as_json=as_json, empty="No companies yet (hr-assets companies add).")


@companies.command("map-department")
@click.argument("department")
@click.option("--company", "slug", required=True, help="The company's slug the department's rows belong to.")
def map_department_(department: str, slug: str) -> None:
    """Map the fingerprint DEPARTMENT to a company (or move it from another); earlier imports' rows follow."""
    now = Clock().now()
    with warehouse().begin() as connection:
        company_id = company_by_slug(connection, slug)["id"]
        old = map_department(connection, department, company_id, now)
        if old == company_id:
            click.echo(f"Department {department!r} already maps to {slug}; nothing changed")
            return
        moved = reassign_department(connection, department, old, now)
        old_slug = slugs(connection)[old] if old is not None else None
        audited(
            connection,
            action="company.department.map",
            target=f"company {slug}",
            now=now,
            old={"department": department, "company": old_slug},
            new={"department": department, "company": slug},
        )
    was = f" (was {old_slug})" if old_slug else ""
    click.echo(f"Department {department!r} maps to {slug}{was}; {moved} row(s) of earlier imports re-assigned")


@companies.command("unmap-department")
@click.argument("department")
def unmap_department_(department: str) -> None:
    """Remove the fingerprint DEPARTMENT's mapping; earlier imports' rows of it become errors."""
    now = Clock().now()
    with warehouse().begin() as connection:
        old = unmap_department(connection, department)
        moved = reassign_department(connection, department, old, now)
        old_slug = slugs(connection)[old]
        audited(
            connection,
            action="company.department.unmap",
            target=f"company {old_slug}",
            now=now,
            old={"department": department, "company": old_slug},
            new={"department": department, "company": None},
        )
    click.echo(
        f"Department {department!r} maps to no company (was {old_slug}); {moved} row(s) of earlier imports re-assigned"
    )


@companies.command("set")
@click.argument("slug")
@date_format_option(None)
@employee_master_option(None)
def set_(slug: str, date_format: str | None, employee_master: str | None) -> None:
    """Change a company's settings: the options given."""
    if date_format is None and employee_master is None:
        raise click.UsageError("say what to change: --date-format or --employee-master")
    now = Clock().now()
    said = []
    with warehouse().begin() as connection:
        company = company_by_slug(connection, slug)
        if date_format is not None:
            set_date_format(connection, slug, _stored(date_format), now)
            audited(
                connection,
                action="company.date_format",
                target=f"company {slug}",
                now=now,
                old={"date_format": company["date_format"]},
                new={"date_format": _stored(date_format)},
            )
            said.append(f"dates {'settled by each file' if date_format == AUTO else date_format.upper()}")
        if employee_master is not None:
            set_employee_master(connection, slug, _master(employee_master), now)
            audited(
                connection,
                action="company.employee_master",
                target=f"company {slug}",
                now=now,
                old={"employee_master": company["employee_master"]},
                new={"employee_master": _master(employee_master)},
            )
            said.append(f"employee master {employee_master.lower()}")
    click.echo(f"{slug}: {', '.join(said)}")


@companies.command("import-employees")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_employees(slug: str, file: Path) -> None:
    """Import FILE (CSV: Employee Code, and Name) as the company SLUG's own employee list: a new snapshot, which is
    its employee master while it chose list (hr-assets companies set SLUG --employee-master list)."""
    now = Clock().now()
    with warehouse().begin() as connection:
        imported = import_employee_list(
            connection,
            slug,
            lambda: file.open("rb"),
            file.name,
            now=now,
            command=click.get_current_context().command_path,
        )
        master = company_by_slug(connection, slug)["employee_master"]
    click.echo(
        f"{slug}: snapshot {imported.list_id} of {file.name}, {imported.valid} employee(s), "
        f"{imported.invalid} row(s) with errors"
    )
    for error in imported.first_errors:
        click.echo(f"  {error.describe()}")
    if master != EmployeeMaster.LIST:
        click.echo(f"Not used yet: {slug}'s employee master is {master or AUTO} (hr-assets companies set {slug} "
                   "--employee-master list)")  # fmt: skip


@companies.command("map-employee")
@click.argument("slug")
@click.argument("device_id")
@click.argument("employee_code")
def map_employee_(slug: str, device_id: str, employee_code: str) -> None:
    """The company SLUG's fingerprint device writes DEVICE_ID for the employee EMPLOYEE_CODE of its master; earlier
    imports' rows of DEVICE_ID are validated again."""
    now = Clock().now()
    with warehouse().begin() as connection:
        company_id = company_by_slug(connection, slug)["id"]
        old = map_employee(connection, company_id, device_id, employee_code, now)
        device_id, employee_code = device_id.strip(), employee_code.strip()
        if old == employee_code:
            click.echo(f"Device id {device_id!r} of {slug} already stands for {employee_code!r}; nothing changed")
            return
        changed = recode_device_id(connection, company_id, device_id, employee_code, now)
        codes = load_masters(connection, roster_required=False).codes_for(company_id)
        audited(
            connection,
            action="company.employee.map",
            target=f"company {slug}",
            now=now,
            old={"device_id": device_id, "employee_code": old},
            new={"device_id": device_id, "employee_code": employee_code},
        )
    was = f" (was {old!r})" if old else ""
    click.echo(
        f"Device id {device_id!r} of {slug} stands for {employee_code!r}{was}; "
        f"{changed} row(s) of earlier imports validated again"
    )
    if codes is not None and employee_code not in codes:
        click.echo(f"Note: {employee_code!r} is not in {slug}'s employee master: its rows are errors until it is")


def _stored(date_format: str) -> DateFormat | None:
    return None if date_format == AUTO else DateFormat(date_format.upper())


def _master(employee_master: str) -> EmployeeMaster | None:
    return None if employee_master == AUTO else EmployeeMaster(employee_master.lower())
