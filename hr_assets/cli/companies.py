"""``hr-assets companies``: the companies attendance is pushed for, and the device departments of each."""

from typing import Any

import click

from hr_assets.cli.output import json_option, print_rows
from hr_assets.cli.warehouse import audited, warehouse
from hr_assets.defs.attendance.reassigning import reassign_department
from hr_assets.defs.shared.companies import (
    DateFormat,
    add_company,
    all_companies,
    company_by_slug,
    departments,
    map_department,
    set_date_format,
    slugs,
    unmap_department,
)
from hr_assets.lib.clock import Clock

LIST_COLUMNS = ("slug", "name_en", "departments", "timezone", "date_format")

DATE_FORMAT_OPTION = click.option(
    "--date-format",
    type=click.Choice([*DateFormat, "auto"], case_sensitive=False),
    default="auto",
    show_default=True,
    help=(
        "How the device writes dates NN/NN/YYYY: DMY (day first), MDY (month first), ISO (never); auto lets each "
        "file settle it by a day over 12."
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
@DATE_FORMAT_OPTION
def add(
    slug: str, name_en: str, name_ar: str | None, fingerprint_name: str | None, timezone: str, date_format: str
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
            {**row, "departments": names.get(row["id"], []), "date_format": row["date_format"] or "auto"}
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
@DATE_FORMAT_OPTION
def set_(slug: str, date_format: str) -> None:
    """Change a company's settings."""
    now = Clock().now()
    with warehouse().begin() as connection:
        old = company_by_slug(connection, slug)["date_format"]
        set_date_format(connection, slug, _stored(date_format), now)
        audited(
            connection,
            action="company.date_format",
            target=f"company {slug}",
            now=now,
            old={"date_format": old},
            new={"date_format": _stored(date_format)},
        )
    click.echo(f"{slug}: dates {'settled by each file' if date_format == 'auto' else date_format.upper()}")


def _stored(date_format: str) -> DateFormat | None:
    return None if date_format == "auto" else DateFormat(date_format.upper())
