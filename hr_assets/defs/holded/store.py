"""Reading and writing the Holded tables; each function works inside the caller's transaction."""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.warehouse.engine import insert_rows
from hr_assets.warehouse.tables import (
    holded_credit_note_lines,
    holded_credit_notes,
    holded_invoice_lines,
    holded_invoices,
    holded_services,
)


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


def replace_credit_notes_month(
    connection: Connection,
    month: dt.date,
    credit_notes: Iterable[Mapping[str, Any]],
    lines: Iterable[Mapping[str, Any]],
    synced_at: dt.datetime,
) -> None:
    """The month's credit notes and lines, exactly as Holded has them now: a re-run leaves one copy."""
    connection.execute(sa.delete(holded_credit_note_lines).where(holded_credit_note_lines.c.credit_note_month == month))
    connection.execute(sa.delete(holded_credit_notes).where(holded_credit_notes.c.credit_note_month == month))
    insert_rows(connection, holded_credit_notes, [dict(note, synced_at=synced_at) for note in credit_notes])
    insert_rows(connection, holded_credit_note_lines, list(lines))


class DocumentTables(NamedTuple):
    """Where documents of invoice shape are stored: invoices, or credit notes."""

    documents: sa.Table
    lines: sa.Table
    month: str  # both tables' month column
    document_id: str  # the lines' column naming their document


INVOICES = DocumentTables(holded_invoices, holded_invoice_lines, "invoice_month", "invoice_id")
CREDIT_NOTES = DocumentTables(holded_credit_notes, holded_credit_note_lines, "credit_note_month", "credit_note_id")


def month_documents_with_lines(
    connection: Connection, tables: DocumentTables, month: dt.date
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """The month's documents (invoices or credit notes), each with its lines."""
    documents = connection.execute(sa.select(tables.documents).where(tables.documents.c[tables.month] == month))
    lines: dict[str, list[dict[str, Any]]] = {}
    for line in connection.execute(sa.select(tables.lines).where(tables.lines.c[tables.month] == month)).mappings():
        lines.setdefault(line[tables.document_id], []).append(dict(line))
    return [(dict(document), lines.get(document["id"], [])) for document in documents.mappings()]
