"""The invoice lines accruals book, read from the tables Holded's import writes."""

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.warehouse.tables import holded_invoice_lines, holded_invoices, holded_services


class InvoiceLine(NamedTuple):
    """A tuple: a run reads a hundred thousand."""

    invoice_id: str
    line_no: int
    net_amount: Decimal
    invoice_date: dt.date
    contact_id: str
    service_code: str | None


def lines_invoiced_up_to(connection: Connection, month: dt.date) -> list[InvoiceLine]:
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
    return list(map(InvoiceLine._make, connection.execute(query).all()))
