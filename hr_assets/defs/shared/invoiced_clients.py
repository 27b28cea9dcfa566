"""Each month's invoiced Holded clients, and their matching to another system's records (4Geeks students, Notion
pages) by contact id or email."""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import dagster as dg
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.defs.shared.partitions import partition_months
from hr_assets.lib.range_metadata import MonthlyTally
from hr_assets.lib.records import upsert_with_errors
from hr_assets.lib.row_errors import RowError
from hr_assets.warehouse.metadata import row_count
from hr_assets.warehouse.resource import WarehouseResource
from hr_assets.warehouse.tables import holded_contacts, holded_invoices


def month_contacts(connection: Connection, month: dt.date) -> dict[str, str | None]:
    """The clients invoiced in the month, by contact id, with their email (None when unknown)."""
    query = (
        sa.select(holded_invoices.c.contact_id, holded_contacts.c.email)
        .select_from(holded_invoices.outerjoin(holded_contacts, holded_contacts.c.id == holded_invoices.c.contact_id))
        .where(holded_invoices.c.invoice_month == month)
        .distinct()
    )
    return dict(connection.execute(query).tuples().all())


def normalise_email(email: Any) -> str | None:
    """4Geeks and Holded spell one address differently (case, stray spaces)."""
    return email.strip().casefold() or None if isinstance(email, str) else None


Match = Callable[[Mapping[str, str | None]], tuple[Sequence[Mapping[str, Any]], list[RowError]]]


def match_clients_by_month(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    match: Match,
    *,
    source: str,
    table: sa.Table,
    key_columns: Iterable[str],
    counted: tuple[str, str],
    stored: tuple[str, str] | None = None,
    now: dt.datetime,
) -> dg.MaterializeResult[Any]:
    """For each month of the run, ``match`` its clients (contact id -> email) into rows and reasons; each month's
    rows are upserted with its errors in one transaction. ``counted`` names the matched and unmatched figures,
    ``stored`` (if given) the figures of the rows stored anew and of those stored already; the metadata ends with
    ``table``'s row count, the asset's table."""
    tally = MonthlyTally()
    matched, unmatched = counted
    for month in partition_months(context):
        with warehouse.begin() as connection:
            contacts = month_contacts(connection, month)
        rows, errors = match(contacts)
        upserted = upsert_with_errors(
            context,
            warehouse,
            source=source,
            table=table,
            key_columns=key_columns,
            rows=rows,
            errors=errors,
            now=now,
            partition_key=month.isoformat(),
        )
        figures = {"clients": len(contacts), matched: len(rows), unmatched: len(errors)}
        if stored is not None:
            figures |= dict(zip(stored, upserted, strict=True))
        tally.add(month, figures, errors)
    with warehouse.engine.connect() as connection:
        rows_now = row_count(connection, table)
    return dg.MaterializeResult(metadata={**tally.metadata(), **rows_now})
