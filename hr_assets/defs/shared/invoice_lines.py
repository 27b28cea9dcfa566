"""The invoice and credit note lines accruals book, read from the tables Holded's import writes.

A cancelled invoice's lines are never read. A credit note line is read negative, with the invoice line it credits
(``credited_line``): the accruals recognise it over that line's service period, or in its own month, unmatched, when
it credits none. A credit note names its invoice by id or by docNumber (``credited_invoices``), found when the note is
read, so whichever of the two arrived first; when that invoice is cancelled, the line is marked ``credits_cancelled``
and the accruals do not recognise it (``matching.accrual_lines``).
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.warehouse.tables import (
    holded_credit_note_lines,
    holded_credit_notes,
    holded_invoice_lines,
    holded_invoices,
    holded_services,
)

LineKey = tuple[str, int]
"""(invoice_id, line_no); a credit note line's invoice_id is its credit note's id."""


class InvoiceLine(NamedTuple):
    """A tuple: a run reads a hundred thousand."""

    invoice_id: str  # a credit note line's: its credit note's id
    line_no: int
    net_amount: Decimal  # a credit note line's is negative
    invoice_date: dt.date  # a credit note line's: its credit note's date
    contact_id: str
    service_code: str | None
    credit: bool = False  # a credit note line
    credits: LineKey | None = None  # a credit note line: the invoice line it credits, if any (``credited_line``)
    credits_cancelled: bool = False  # a credit note line whose invoice is cancelled


Reference = tuple[str | None, str | None]
"""How a credit note names its invoice: (``credited_invoice_id``, ``credited_invoice_number``), as stored."""


class CreditedInvoice(NamedTuple):
    id: str
    cancelled: bool


class CandidateLine(NamedTuple):
    """A line of a credited invoice, as ``credited_line`` compares it."""

    line_no: int
    service_id: str | None
    name: str | None


def credited_line(service_id: str | None, name: str | None, candidates: Iterable[CandidateLine]) -> int | None:
    """The number of the credited invoice's line a credit note line credits: the line of the same service (Holded's
    ``serviceId``), the one of the same name too when several are, else the first of them; None when the credit
    note line has no service in the catalog or the invoice no line of it."""
    if service_id is None:
        return None
    same_service = sorted(candidate for candidate in candidates if candidate.service_id == service_id)
    same_name = [candidate for candidate in same_service if candidate.name == name]
    chosen = same_name or same_service
    return chosen[0].line_no if chosen else None


def lines_invoiced_up_to(connection: Connection, month: dt.date) -> list[InvoiceLine]:
    """Every line invoiced or credited in ``month`` or before, with what accruals need to match it: the live
    invoices' lines, then the credit notes'."""
    return _invoice_lines(connection, month) + _credit_note_lines(connection, month)


def _invoice_lines(connection: Connection, month: dt.date) -> list[InvoiceLine]:
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
        .where(holded_invoice_lines.c.invoice_month <= month, sa.not_(holded_invoices.c.cancelled))
        .order_by(holded_invoice_lines.c.invoice_id, holded_invoice_lines.c.line_no)
    )
    return [InvoiceLine(*row) for row in connection.execute(query)]


def _credit_note_lines(connection: Connection, month: dt.date) -> list[InvoiceLine]:
    query = (
        sa.select(
            holded_credit_note_lines.c.credit_note_id,
            holded_credit_note_lines.c.line_no,
            holded_credit_note_lines.c.net_amount,
            holded_credit_notes.c.credit_note_date,
            holded_credit_notes.c.contact_id,
            holded_services.c.code,
            holded_credit_notes.c.credited_invoice_id,
            holded_credit_notes.c.credited_invoice_number,
            holded_credit_note_lines.c.service_id,
            holded_credit_note_lines.c.name,
        )
        .select_from(
            holded_credit_note_lines.join(
                holded_credit_notes, holded_credit_notes.c.id == holded_credit_note_lines.c.credit_note_id
            ).outerjoin(holded_services, holded_services.c.id == holded_credit_note_lines.c.service_id)
        )
        .where(holded_credit_note_lines.c.credit_note_month <= month)
        .order_by(holded_credit_note_lines.c.credit_note_id, holded_credit_note_lines.c.line_no)
    )
    found = connection.execute(query).all()
    invoices = credited_invoices(connection, {(row.credited_invoice_id, row.credited_invoice_number) for row in found})
    live = {invoice.id for invoice in invoices.values() if not invoice.cancelled}
    candidates = _live_invoices_lines(connection, month, live)
    lines = []
    for note_id, line_no, net, day, contact, code, invoice_id, invoice_number, service_id, name in found:
        invoice = invoices.get((invoice_id, invoice_number))
        if invoice is not None and invoice.cancelled:
            lines.append(InvoiceLine(note_id, line_no, -net, day, contact, code, credit=True, credits_cancelled=True))
            continue
        number = credited_line(service_id, name, candidates.get(invoice.id, ())) if invoice else None
        credits = (invoice.id, number) if invoice and number is not None else None
        lines.append(InvoiceLine(note_id, line_no, -net, day, contact, code, credit=True, credits=credits))
    return lines


def credited_invoices(connection: Connection, references: Iterable[Reference]) -> dict[Reference, CreditedInvoice]:
    """The stored invoice each reference names, cancelled or not: by id when it has one, else by docNumber when one
    invoice alone has it (two with the same number: none, never guessed). A reference to an invoice not stored (yet)
    is left out."""
    references = set(references)
    ids = sorted({invoice_id for invoice_id, _ in references if invoice_id})
    numbers = sorted({number for invoice_id, number in references if not invoice_id and number})
    by_id: dict[str, CreditedInvoice] = {}
    if ids:
        query = sa.select(holded_invoices.c.id, holded_invoices.c.cancelled).where(holded_invoices.c.id.in_(ids))
        by_id = {row.id: CreditedInvoice(*row) for row in connection.execute(query)}
    by_number: dict[str, list[CreditedInvoice]] = {}
    if numbers:
        query = sa.select(holded_invoices.c.doc_number, holded_invoices.c.id, holded_invoices.c.cancelled).where(
            holded_invoices.c.doc_number.in_(numbers)
        )
        for number, invoice_id, cancelled in connection.execute(query):
            by_number.setdefault(number, []).append(CreditedInvoice(invoice_id, cancelled))
    found = {}
    for invoice_id, number in references:
        if invoice_id:
            invoice = by_id.get(invoice_id)
        else:
            numbered = by_number.get(number, []) if number else []
            invoice = numbered[0] if len(numbered) == 1 else None
        if invoice is not None:
            found[(invoice_id, number)] = invoice
    return found


def _live_invoices_lines(
    connection: Connection, month: dt.date, invoice_ids: set[str]
) -> dict[str, list[CandidateLine]]:
    """The lines of the invoices ``invoice_ids`` (live ones) invoiced in ``month`` or before, by invoice."""
    wanted = sorted(invoice_ids)
    if not wanted:
        return {}
    query = sa.select(
        holded_invoice_lines.c.invoice_id,
        holded_invoice_lines.c.line_no,
        holded_invoice_lines.c.service_id,
        holded_invoice_lines.c.name,
    ).where(holded_invoice_lines.c.invoice_id.in_(wanted), holded_invoice_lines.c.invoice_month <= month)
    by_invoice: dict[str, list[CandidateLine]] = {}
    for invoice_id, line_no, service_id, name in connection.execute(query):
        by_invoice.setdefault(invoice_id, []).append(CandidateLine(line_no, service_id, name))
    return by_invoice
