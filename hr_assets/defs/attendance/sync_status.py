"""Where an import's records stand with Bayzat, per company: what its asset page and ``hr-assets attendance show``
both show, read through the Bayzat store's one query (that store owns the push statuses)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from hr_assets.defs.bayzat import store as bayzat_store
from hr_assets.defs.shared.companies import all_companies

COLUMNS = ("company", *bayzat_store.STATUSES)


def import_sync_status(connection: Connection, import_id: int) -> list[dict[str, Any]]:
    """One row per company with valid records in the import: its slug and how many records have each status."""
    status = bayzat_store.import_company_status(connection, [import_id]).get(import_id, {})
    slugs = {company["id"]: company["slug"] for company in all_companies(connection)}
    return [
        {"company": slugs.get(company_id, "-"), **{name: counts[name] for name in bayzat_store.STATUSES}}
        for company_id, counts in sorted(status.items())
    ]
