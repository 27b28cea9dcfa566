"""Companies, the fingerprint department names that map a device's rows to each (``company_departments``: many
names to one company), each company's employee master and the device ids mapped to its employee codes
(``device_employee_codes``); every function works inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.lib.errors import OperatorError
from hr_assets.warehouse.tables import companies, company_departments, device_employee_codes, text_width

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def normalise_department(name: str) -> str:
    """The key departments match by: trimmed, inner spaces single, case folded (`` Adv  Line`` is ``adv line``).

    Keys of ``companies_by_department`` are the mapped department names through this function.
    """
    return " ".join(name.split()).casefold()


class DateFormat(StrEnum):
    """How a company's device writes dates ``NN/NN/YYYY``: day first, month first, or never (``ISO``: such a date is
    wrong). A company without one has its files' dates settled by the file (``attendance.validation``)."""

    DMY = "DMY"
    MDY = "MDY"
    ISO = "ISO"


class EmployeeMaster(StrEnum):
    """Whose codes a company's attendance rows are checked against: the Paycom roster, the company's own list (its
    newest imported snapshot), or none (the device's ids are the codes). A company without one follows the
    deployment's rule: the roster where Paycom is configured or has synced, else the device's ids."""

    PAYCOM = "paycom"
    LIST = "list"
    DEVICE = "device"


class CompanyError(OperatorError, ValueError):
    """A company cannot be saved or found; the message says why in one line."""


def add_company(
    connection: Connection,
    *,
    slug: str,
    name_en: str,
    name_ar: str | None,
    fingerprint_report_name: str | None,
    timezone: str,
    now: dt.datetime,
    date_format: DateFormat | None = None,
    employee_master: EmployeeMaster | None = None,
) -> int:
    """A new company's id; refuses a bad slug or timezone, and a slug or department name already taken."""
    if not _SLUG.fullmatch(slug):
        raise CompanyError(f"slug {slug!r}: use lower-case letters, digits and dashes, starting with a letter or digit")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CompanyError(f"timezone {timezone!r} is not an IANA timezone name such as Asia/Dubai") from None
    if connection.execute(sa.select(companies.c.id).where(companies.c.slug == slug)).first():
        raise CompanyError(f"a company with slug {slug!r} already exists")
    if fingerprint_report_name and (taken := department_company(connection, fingerprint_report_name)) is not None:
        raise CompanyError(
            f"fingerprint department {fingerprint_report_name!r} already maps to company {slugs(connection)[taken]!r}"
        )
    company_id: int = connection.execute(
        sa.insert(companies)
        .values(
            slug=slug,
            name_en=name_en,
            name_ar=name_ar,
            timezone=timezone,
            date_format=date_format,
            employee_master=employee_master,
            created_at=now,
            updated_at=now,
        )
        .returning(companies.c.id)
    ).scalar_one()
    if fingerprint_report_name:
        map_department(connection, fingerprint_report_name, company_id, now)
    return company_id


def all_companies(connection: Connection) -> list[dict[str, Any]]:
    return [dict(row) for row in connection.execute(sa.select(companies).order_by(companies.c.slug)).mappings()]


def company_by_slug(connection: Connection, slug: str) -> dict[str, Any]:
    row = connection.execute(sa.select(companies).where(companies.c.slug == slug)).mappings().first()
    if row is None:
        raise CompanyError(f"no company with slug {slug!r} (see: hr-assets companies list)")
    return dict(row)


def companies_by_department(connection: Connection) -> dict[str, int]:
    """Normalised fingerprint department name -> company id."""
    query = sa.select(company_departments.c.department_key, company_departments.c.company_id)
    return dict(connection.execute(query).tuples().all())


def department_key(name: str) -> str:
    """``name`` normalised; refuses a name that is only spaces."""
    key = normalise_department(name)
    if not key:
        raise CompanyError("the department name is empty")
    return key


def department_company(connection: Connection, name: str) -> int | None:
    """The id of the company ``name`` maps to, None when it maps to none."""
    query = sa.select(company_departments.c.company_id).where(
        company_departments.c.department_key == department_key(name)
    )
    return connection.execute(query).scalar_one_or_none()


def map_department(connection: Connection, name: str, company_id: int, now: dt.datetime) -> int | None:
    """Map the department ``name`` to the company: a new mapping, or one moved from another company, whose id is
    returned (None when ``name`` mapped to none). The name is kept as first written."""
    old = department_company(connection, name)
    if old is None:
        connection.execute(
            sa.insert(company_departments).values(
                department_key=department_key(name), department_name=name.strip(), company_id=company_id, created_at=now
            )
        )
    elif old != company_id:
        connection.execute(
            sa.update(company_departments)
            .where(company_departments.c.department_key == department_key(name))
            .values(company_id=company_id)
        )
    return old


def unmap_department(connection: Connection, name: str) -> int:
    """Remove the department's mapping; returns the id of the company it mapped to, refuses one that maps to none."""
    old = department_company(connection, name)
    if old is None:
        raise CompanyError(f"department {name!r} maps to no company (see: hr-assets companies list)")
    connection.execute(
        sa.delete(company_departments).where(company_departments.c.department_key == department_key(name))
    )
    return old


def departments(connection: Connection) -> dict[int, list[str]]:
    """Company id -> its department names as first written, oldest mapping first."""
    query = sa.select(company_departments.c.company_id, company_departments.c.department_name).order_by(
        company_departments.c.id
    )
    names: dict[int, list[str]] = {}
    for company_id, name in connection.execute(query):
        names.setdefault(company_id, []).append(name)
    return names


def set_date_format(connection: Connection, slug: str, date_format: DateFormat | None, now: dt.datetime) -> None:
    """How the company's device writes dates; None lets each file settle it."""
    company_by_slug(connection, slug)
    connection.execute(
        sa.update(companies).where(companies.c.slug == slug).values(date_format=date_format, updated_at=now)
    )


def date_formats(connection: Connection) -> dict[int, DateFormat]:
    """Company id -> its date format, for the companies that have one."""
    query = sa.select(companies.c.id, companies.c.date_format).where(companies.c.date_format.is_not(None))
    return {company_id: DateFormat(value) for company_id, value in connection.execute(query).all()}


def slugs(connection: Connection) -> dict[int, str]:
    return dict(connection.execute(sa.select(companies.c.id, companies.c.slug)).tuples().all())


def set_employee_master(
    connection: Connection, slug: str, employee_master: EmployeeMaster | None, now: dt.datetime
) -> None:
    """Whose codes the company's rows are checked against; None follows the deployment's rule."""
    company_by_slug(connection, slug)
    connection.execute(
        sa.update(companies).where(companies.c.slug == slug).values(employee_master=employee_master, updated_at=now)
    )


def employee_masters(connection: Connection) -> dict[int, EmployeeMaster]:
    """Company id -> its employee master, for the companies that chose one."""
    query = sa.select(companies.c.id, companies.c.employee_master).where(companies.c.employee_master.is_not(None))
    return {company_id: EmployeeMaster(value) for company_id, value in connection.execute(query).all()}


def device_id_key(device_id: str) -> str:
    """A device id as rows are matched by it (trimmed, as ``attendance_import_records.csv_employee_id``); refuses an
    empty one or one longer than any stored id."""
    return _id_text("device id", device_id, text_width(device_employee_codes.c.device_id))


def employee_code_key(code: str) -> str:
    """An employee code as masters store it: trimmed; refuses an empty one or one longer than any stored code."""
    return _id_text("employee code", code, text_width(device_employee_codes.c.employee_code))


def _id_text(what: str, text: str, width: int) -> str:
    trimmed = text.strip()
    if not trimmed:
        raise CompanyError(f"the {what} is empty")
    if len(trimmed) > width:
        raise CompanyError(f"the {what} is {len(trimmed)} characters long; at most {width} are stored")
    return trimmed


def map_employee(
    connection: Connection, company_id: int, device_id: str, employee_code: str, now: dt.datetime
) -> str | None:
    """The company's device writes ``device_id`` for the employee ``employee_code``: a new mapping or a changed
    one; returns the code it mapped to before (None when it mapped to none)."""
    device_id, employee_code = device_id_key(device_id), employee_code_key(employee_code)
    where = (device_employee_codes.c.company_id == company_id) & (device_employee_codes.c.device_id == device_id)
    old: str | None = connection.execute(sa.select(device_employee_codes.c.employee_code).where(where)).scalar()
    if old is None:
        connection.execute(
            sa.insert(device_employee_codes).values(
                company_id=company_id, device_id=device_id, employee_code=employee_code, created_at=now, updated_at=now
            )
        )
    elif old != employee_code:
        connection.execute(
            sa.update(device_employee_codes).where(where).values(employee_code=employee_code, updated_at=now)
        )
    return old


def device_codes(connection: Connection) -> dict[tuple[int, str], str]:
    """(company id, device id) -> the employee code the device's id stands for."""
    query = sa.select(
        device_employee_codes.c.company_id, device_employee_codes.c.device_id, device_employee_codes.c.employee_code
    )
    return {(company_id, device_id): code for company_id, device_id, code in connection.execute(query).all()}
