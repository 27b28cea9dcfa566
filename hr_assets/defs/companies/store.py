"""Companies, and the fingerprint department name that maps a device's rows to each; every function works
inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.lib.errors import OperatorError
from hr_assets.warehouse.tables import companies

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def normalise_department(name: str) -> str:
    """The key departments match by: trimmed, inner spaces single, case folded (`` Adv  Line`` is ``adv line``).

    Keys of ``companies_by_department`` are each company's ``fingerprint_report_name`` through this function.
    """
    return " ".join(name.split()).casefold()


class DateFormat(StrEnum):
    """How a company's device writes dates ``NN/NN/YYYY``: day first, month first, or never (``ISO``: such a date is
    wrong). A company without one has its files' dates settled by the file (``attendance.validation``)."""

    DMY = "DMY"
    MDY = "MDY"
    ISO = "ISO"


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
) -> int:
    """A new company's id; refuses a bad slug or timezone, and a slug or department name already taken."""
    if not _SLUG.fullmatch(slug):
        raise CompanyError(f"slug {slug!r}: use lower-case letters, digits and dashes, starting with a letter or digit")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CompanyError(f"timezone {timezone!r} is not an IANA timezone name such as Asia/Dubai") from None
    key = normalise_department(fingerprint_report_name) if fingerprint_report_name else None
    if connection.execute(sa.select(companies.c.id).where(companies.c.slug == slug)).first():
        raise CompanyError(f"a company with slug {slug!r} already exists")
    if key is not None:
        taken = connection.execute(
            sa.select(companies.c.slug).where(companies.c.fingerprint_report_key == key)
        ).scalar_one_or_none()
        if taken is not None:
            raise CompanyError(f"fingerprint department {fingerprint_report_name!r} already maps to company {taken!r}")
    return connection.execute(
        sa.insert(companies)
        .values(
            slug=slug,
            name_en=name_en,
            name_ar=name_ar,
            fingerprint_report_name=fingerprint_report_name,
            fingerprint_report_key=key,
            timezone=timezone,
            date_format=date_format,
            created_at=now,
            updated_at=now,
        )
        .returning(companies.c.id)
    ).scalar_one()


def all_companies(connection: Connection) -> list[dict[str, Any]]:
    return [dict(row) for row in connection.execute(sa.select(companies).order_by(companies.c.slug)).mappings()]


def company_by_slug(connection: Connection, slug: str) -> dict[str, Any]:
    row = connection.execute(sa.select(companies).where(companies.c.slug == slug)).mappings().first()
    if row is None:
        raise CompanyError(f"no company with slug {slug!r} (see: hr-assets companies list)")
    return dict(row)


def companies_by_department(connection: Connection) -> dict[str, int]:
    """Normalised fingerprint department name -> company id."""
    query = sa.select(companies.c.fingerprint_report_key, companies.c.id).where(
        companies.c.fingerprint_report_key.is_not(None)
    )
    return {key: company_id for key, company_id in connection.execute(query).all()}


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
    return dict(connection.execute(sa.select(companies.c.id, companies.c.slug)).all())
