"""Where an import's records stand with Bayzat, per company: what its asset page and ``hr-assets attendance show``
both show, read through the one query of the records' push statuses."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from hr_assets.defs.shared import attendance_pushes
from hr_assets.defs.shared.companies import all_companies

COLUMNS = ("company", *attendance_pushes.STATUSES)


def import_sync_status(connection: Connection, import_id: int) -> list[dict[str, Any]]:
    """One row per company with valid records in the import: its slug and how many records have each status."""
    status = attendance_pushes.import_company_status(connection, [import_id]).get(import_id, {})
    slugs = {company["id"]: company["slug"] for company in all_companies(connection)}
    return [
        {"company": slugs.get(company_id, "-"), **{name: counts[name] for name in attendance_pushes.STATUSES}}
        for company_id, counts in sorted(status.items())
    ]
