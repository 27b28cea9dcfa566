"""Reading and writing the Holded tables; each function works inside the caller's transaction."""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.warehouse.engine import insert_rows
from hr_assets.warehouse.tables import holded_contacts, holded_invoice_lines, holded_invoices, holded_services


def service_ids(connection: Connection) -> set[str]:
    return set(connection.execute(sa.select(holded_services.c.id)).scalars())


def replace_month(
    connection: Connection,
    month: dt.date,
    invoices: Iterable[Mapping[str, Any]],
    lines: Iterable[Mapping[str, Any]],
    synced_at: dt.datetime,
) -> None:
    """The month's invoices and lines, exactly as Holded has them now: a re-run leaves one copy."""
    connection.execute(sa.delete(holded_invoice_lines).where(holded_invoice_lines.c.invoice_month == month))
    connection.execute(sa.delete(holded_invoices).where(holded_invoices.c.invoice_month == month))
    insert_rows(connection, holded_invoices, [dict(invoice, synced_at=synced_at) for invoice in invoices])
    insert_rows(connection, holded_invoice_lines, list(lines))


def month_contacts(connection: Connection, month: dt.date) -> dict[str, str | None]:
    """The clients invoiced in the month, by contact id, with their email (None when unknown)."""
    query = (
        sa.select(holded_invoices.c.contact_id, holded_contacts.c.email)
        .select_from(holded_invoices.outerjoin(holded_contacts, holded_contacts.c.id == holded_invoices.c.contact_id))
        .where(holded_invoices.c.invoice_month == month)
        .distinct()
    )
    return dict(connection.execute(query).all())


def month_invoices_with_lines(connection: Connection, month: dt.date) -> list[tuple[dict, list[dict]]]:
    invoices = connection.execute(sa.select(holded_invoices).where(holded_invoices.c.invoice_month == month)).mappings()
    lines: dict[str, list[dict]] = {}
    for line in connection.execute(
        sa.select(holded_invoice_lines).where(holded_invoice_lines.c.invoice_month == month)
    ).mappings():
        lines.setdefault(line["invoice_id"], []).append(dict(line))
    return [(dict(invoice), lines.get(invoice["id"], [])) for invoice in invoices]


def lines_invoiced_up_to(connection: Connection, month: dt.date) -> list[dict[str, Any]]:
    """Every line invoiced in ``month`` or before, with what accruals need to match it."""
    query = (
        sa.select(
            holded_invoice_lines.c.invoice_id,
            holded_invoice_lines.c.line_no,
            holded_invoice_lines.c.net_amount,
            holded_invoices.c.invoice_date,
            holded_invoices.c.contact_id,
            holded_services.c.code.label("service_code"),
        )
        .select_from(
            holded_invoice_lines.join(
                holded_invoices, holded_invoices.c.id == holded_invoice_lines.c.invoice_id
            ).outerjoin(holded_services, holded_services.c.id == holded_invoice_lines.c.service_id)
        )
        .where(holded_invoice_lines.c.invoice_month <= month)
        .order_by(holded_invoice_lines.c.invoice_id, holded_invoice_lines.c.line_no)
    )
    return [dict(row) for row in connection.execute(query).mappings()]
