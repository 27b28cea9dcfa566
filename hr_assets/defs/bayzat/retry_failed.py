"""What a person asks of the push by hand, from the command line (``hr-assets bayzat retry-failed``) or the UI (the
``bayzat_retry_failed`` job): one function each, so both do exactly the same and audit it the same way."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Connection

from hr_assets.defs.bayzat import configs, store
from hr_assets.defs.shared.companies import company_by_slug
from hr_assets.warehouse import audit


def retry_failed(
    connection: Connection,
    *,
    now: dt.datetime,
    command: str,
    actor: str | None = None,
    slug: str | None = None,
    import_id: int | None = None,
    batch_id: int | None = None,
) -> tuple[int, str]:
    """Give failed records a fresh retry budget (one company's, one import's, one batch's, the records all the given
    ones name, or with none every one) and audit it in the caller's transaction; returns how many records and the
    target as the audit names it. An unknown company is ``CompanyError``."""
    company_id = company_by_slug(connection, slug)["id"] if slug else None
    count = store.reset_failed(connection, company_id, now, import_id=import_id, batch_id=batch_id)
    scope = {"company": slug, "import": import_id, "batch": batch_id}
    target = ", ".join(f"{name} {value}" for name, value in scope.items() if value is not None) or "every company"
    audit.record(
        connection,
        action="bayzat.retry_failed",
        target=target,
        command=command,
        now=now,
        new={"records": count},
        actor=actor,
    )
    return count, target


def companies_due(connection: Connection, now: dt.datetime) -> list[str]:
    """The slugs of the companies whose pushes may run and that have records due at ``now``, whatever their
    frequency: a person's retry pushes at once."""
    due = store.due_counts(connection, now)
    return [slug for slug, company_id in configs.slugs_with_ids(connection) if due.get(company_id)]
