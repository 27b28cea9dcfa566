"""Holded invoices and credit notes turned into warehouse rows, exact to the cent, each bad record explained.

Holded sends prices and percentages as JSON floats; they are read through their shortest decimal
form (``Decimal(str(x))``), so 19.99 stays 19.99. A line's net is price x units less its discount,
before tax, rounded half-up to the cent; its tax is computed on that net. A credit note has an
invoice's shape, amounts positive, and is stored as such (accruals book it negative).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from hr_assets.lib.row_errors import RowError

SOURCE = "holded:documents/invoice"
CREDIT_NOTES_SOURCE = "holded:documents/creditnote"
REFERENCE_FIELDS = ("from", "fromDocument")
"""Where a credit note may name the invoice it credits. Holded's public reference lists neither: ``from`` is what
exports of real accounts show, ``fromDocument`` a name it may have too (both read, docs/revenue.md)."""
CANCELLED_STATUS = 3
"""An invoice's ``status`` when Holded reports it cancelled. Holded documents 0, 1 and 2 as payment states (unpaid,
paid, partially paid) and no value for a cancelled invoice: this reading is ours, written in docs/revenue.md."""
_DOCUMENT_FIGURES = ("contact_id", "doc_number", "currency", "subtotal", "discount", "tax", "total", "status")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class BadRecord(ValueError):
    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field = field


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def decimal(record: Mapping[str, Any], name: str, default: Any = None) -> Decimal:
    value = record.get(name, default)
    if value is None or isinstance(value, bool):
        raise BadRecord(name, f"{name} is missing")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise BadRecord(name, f"{name} is not a number") from None
    if not amount.is_finite():
        raise BadRecord(name, f"{name} is not a number")
    return amount


def _required(record: Mapping[str, Any], name: str) -> Any:
    value = record.get(name)
    if value in (None, ""):
        raise BadRecord(name, f"{name} is missing")
    return value


@dataclass
class ParsedInvoices:
    invoices: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def contact_ids(self) -> set[str]:
        return {invoice["contact_id"] for invoice in self.invoices}


@dataclass
class ParsedCreditNotes:
    credit_notes: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def contact_ids(self) -> set[str]:
        return {note["contact_id"] for note in self.credit_notes}

    @property
    def lines_naming_no_invoice(self) -> int:
        """Lines of credit notes that name no invoice: recognized in their own month, as unmatched."""
        unnamed = {
            note["id"]
            for note in self.credit_notes
            if note["credited_invoice_id"] is None and note["credited_invoice_number"] is None
        }
        return sum(line["credit_note_id"] in unnamed for line in self.lines)


def invoices_by_month(
    raw_invoices: Iterable[Mapping[str, Any]], months: Sequence[dt.date], tz: ZoneInfo
) -> dict[dt.date, list[Mapping[str, Any]]]:
    """One listing over a range of months, split into its months (first days) by invoice date.

    An invoice whose date cannot be read goes with the first month, whose parse explains it."""
    by_month: dict[dt.date, list[Mapping[str, Any]]] = {month: [] for month in months}
    for raw in raw_invoices:
        stamp = raw.get("date")
        month = (
            dt.datetime.fromtimestamp(stamp, tz).date().replace(day=1)
            if isinstance(stamp, int | float) and not isinstance(stamp, bool)
            else None
        )
        by_month[month if month in by_month else months[0]].append(raw)
    return by_month


def parse_invoices(raw_invoices: Iterable[Mapping[str, Any]], service_ids: set[str], tz: ZoneInfo) -> ParsedInvoices:
    def cancelled(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[BadRecord]]:
        return {"cancelled": raw.get("status") == CANCELLED_STATUS}, []

    return ParsedInvoices(*_parse(raw_invoices, service_ids, tz, SOURCE, "invoice", cancelled))


def parse_credit_notes(
    raw_notes: Iterable[Mapping[str, Any]], service_ids: set[str], tz: ZoneInfo
) -> ParsedCreditNotes:
    """Credit notes as invoices are parsed, each with the invoice it credits when Holded names one
    (``credited_invoice``); a reference that cannot be read is explained, and the note kept naming no invoice."""

    def credited(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[BadRecord]]:
        try:
            reference = credited_invoice(raw)
        except BadRecord as unreadable:
            reference, problems = None, [unreadable]
        else:
            problems = []
        return {
            "credited_invoice_id": reference.id if reference else None,
            "credited_invoice_number": reference.number if reference else None,
        }, problems

    notes, lines, errors = _parse(raw_notes, service_ids, tz, CREDIT_NOTES_SOURCE, "credit note", credited)
    return ParsedCreditNotes(
        [
            {
                "id": note["id"],
                "credit_note_month": note["invoice_month"],
                "credit_note_date": note["invoice_date"],
                **{name: note[name] for name in _DOCUMENT_FIGURES},
                "credited_invoice_id": note["credited_invoice_id"],
                "credited_invoice_number": note["credited_invoice_number"],
            }
            for note in notes
        ],
        [
            {
                "credit_note_id": line.pop("invoice_id"),
                "credit_note_month": line.pop("invoice_month"),
                **line,
            }
            for line in lines
        ],
        errors,
    )


class InvoiceReference(NamedTuple):
    """How a credit note names the invoice it credits: by Holded's id, or by the invoice's ``docNumber`` (the id,
    when it has both, is the one accruals follow)."""

    id: str | None
    number: str | None


def credited_invoice(raw: Mapping[str, Any]) -> InvoiceReference | None:
    """The invoice a credit note credits, from ``REFERENCE_FIELDS``, each in any of the shapes Holded may answer
    (``_reference``). None when the note names none, or names a document that is not an invoice. Raises
    ``BadRecord`` when a reference is there but cannot be read, or two name different invoices: never guessed."""
    found = {name: _reference(name, raw[name]) for name in REFERENCE_FIELDS if raw.get(name) not in (None, "")}
    named = [reference for reference in found.values() if reference is not None]
    ids = {reference.id for reference in named if reference.id}
    numbers = {reference.number for reference in named if reference.number}
    if len(ids) > 1 or len(numbers) > 1 or (named and None in found.values()):
        raise BadRecord(
            "/".join(found), f"{' and '.join(found)} name different documents; the credit note names no invoice"
        )
    return InvoiceReference(min(ids, default=None), min(numbers, default=None)) if named else None


def _reference(name: str, value: Any) -> InvoiceReference | None:
    """One reference field: a plain id string; or ``{"docType": "invoice", "id": ...}`` and/or ``"docNumber": ...``;
    None for a ``docType`` other than ``invoice``."""
    if isinstance(value, str):
        return InvoiceReference(_text(value), None) if _text(value) else None
    if not isinstance(value, Mapping):
        raise BadRecord(name, f"{name} is not an id or a document reference; the credit note names no invoice")
    if "docType" not in value:
        raise BadRecord(name, f"{name} names no docType; the credit note names no invoice")
    if value["docType"] != "invoice":
        return None
    reference = InvoiceReference(_text(value.get("id")), _text(value.get("docNumber")))
    if reference == (None, None):
        raise BadRecord(name, f"{name} names neither an invoice id nor a docNumber; the credit note names no invoice")
    return reference


def _text(value: Any) -> str | None:
    """A non-blank string, stripped; None for anything else (a number is no id: Holded's ids are strings)."""
    return value.strip() or None if isinstance(value, str) else None


def _parse(
    raw_documents: Iterable[Mapping[str, Any]],
    service_ids: set[str],
    tz: ZoneInfo,
    source: str,
    what: str,
    extra: Callable[[Mapping[str, Any]], tuple[dict[str, Any], list[BadRecord]]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[RowError]]:
    """Documents of invoice shape, each with its lines, as invoice rows plus what ``extra`` reads of each (and what
    it could not read, explained with the document kept); a bad one explained and left out."""
    documents: list[dict[str, Any]] = []
    all_lines: list[dict[str, Any]] = []
    errors: list[RowError] = []
    for position, raw in enumerate(raw_documents, start=1):
        key = str(raw.get("id") or raw.get("docNumber") or f"#{position}")
        try:
            document = _invoice_row(raw, tz)
            lines = [_line_row(document, line_no, product) for line_no, product in enumerate(_products(raw), start=1)]
        except BadRecord as exc:
            errors.append(RowError(source, position, exc.field, f"{what} not stored: {exc}", key))
            continue
        for line in lines:
            if line["service_id"] not in service_ids:
                what_service = (
                    f"service {line['service_id']!r} is not in the catalog" if line["service_id"] else "no service"
                )
                errors.append(
                    RowError(
                        source,
                        position,
                        f"products[{line['line_no']}].serviceId",
                        f"line {line['line_no']} has {what_service}; it is recognized in its {what} month",
                        key,
                    )
                )
                line["service_id"] = None
        read, unread = extra(raw)
        errors.extend(RowError(source, position, problem.field, str(problem), key) for problem in unread)
        documents.append(document | read)
        all_lines.extend(lines)
    return documents, all_lines, errors


def _products(raw: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    products = raw.get("products")
    if not isinstance(products, list) or not all(isinstance(p, Mapping) for p in products):
        raise BadRecord("products", "products is not a list of lines")
    return products


def _invoice_row(raw: Mapping[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    stamp = _required(raw, "date")
    if not isinstance(stamp, int | float) or isinstance(stamp, bool):
        raise BadRecord("date", "date is not unix seconds")
    invoice_date = dt.datetime.fromtimestamp(stamp, tz).date()
    due = raw.get("dueDate")
    return {
        "id": str(_required(raw, "id")),
        "invoice_month": invoice_date.replace(day=1),
        "invoice_date": invoice_date,
        "due_date": dt.datetime.fromtimestamp(due, tz).date() if isinstance(due, int | float) and due else None,
        "contact_id": str(_required(raw, "contact")),
        "doc_number": raw.get("docNumber"),
        "currency": raw.get("currency"),
        "subtotal": to_cents(decimal(raw, "subtotal")),
        "discount": to_cents(decimal(raw, "discount", 0)),
        "tax": to_cents(decimal(raw, "tax", 0)),
        "total": to_cents(decimal(raw, "total")),
        "status": raw.get("status") if isinstance(raw.get("status"), int) else None,
    }


def _line_row(invoice: Mapping[str, Any], line_no: int, product: Mapping[str, Any]) -> dict[str, Any]:
    price = decimal(product, "price")
    units = decimal(product, "units", 1)
    discount = decimal(product, "discount", 0)
    tax = decimal(product, "tax", 0)
    if not 0 <= discount <= HUNDRED:
        raise BadRecord(f"products[{line_no}].discount", f"line {line_no} discount {discount}% is not a percentage")
    net = to_cents(price * units * (HUNDRED - discount) / HUNDRED)
    return {
        "invoice_id": invoice["id"],
        "line_no": line_no,
        "invoice_month": invoice["invoice_month"],
        "name": (product.get("name") or "")[:200] or None,
        "service_id": str(product["serviceId"]) if product.get("serviceId") else None,
        "sku": product.get("sku") or None,
        "units": units,
        "unit_price": price,
        "discount_percent": discount,
        "tax_percent": tax,
        "gross_amount": to_cents(price * units),
        "net_amount": net,
        "tax_amount": to_cents(net * tax / HUNDRED),
    }


def service_row(raw: Mapping[str, Any], synced_at: dt.datetime) -> dict[str, Any]:
    return {
        "id": str(_required(raw, "id")),
        "name": str(_required(raw, "name"))[:200],
        "description": raw.get("desc") or None,
        "code": raw.get("code") or None,
        "tax_percent": decimal(raw, "tax", 0),
        "price": to_cents(decimal(raw, "subtotal", 0)),
        "cost": to_cents(decimal(raw, "cost", 0)),
        "for_sale": bool(raw.get("forSale", True)),
        "synced_at": synced_at,
    }


def contact_row(raw: Mapping[str, Any], synced_at: dt.datetime) -> dict[str, Any]:
    email = raw.get("email")
    return {
        "id": str(_required(raw, "id")),
        "custom_id": raw.get("customId") or None,
        "name": (raw.get("name") or "")[:200] or None,
        "trade_name": (raw.get("tradeName") or "")[:200] or None,
        "email": email.strip().casefold() if isinstance(email, str) and email.strip() else None,
        "type": raw.get("type") or None,
        "synced_at": synced_at,
    }


def totals_mismatch(document: Mapping[str, Any], lines: Iterable[Mapping[str, Any]]) -> str | None:
    """Why an invoice's (or a credit note's) totals disagree with its lines, or None.

    Holded sums the lines unrounded and rounds each total once, so that is what is recomputed here
    from the stored prices, units and percentages (per-line rounded amounts may differ by a cent).
    """
    gross = net = tax = Decimal(0)
    for line in lines:
        line_gross = line["unit_price"] * line["units"]
        line_net = line_gross * (HUNDRED - line["discount_percent"]) / HUNDRED
        gross, net, tax = gross + line_gross, net + line_net, tax + line_net * line["tax_percent"] / HUNDRED
    expected = {"subtotal": to_cents(gross), "discount": to_cents(gross - net), "tax": to_cents(tax)}
    expected["total"] = expected["subtotal"] - expected["discount"] + expected["tax"]
    wrong = [
        f"{name} {document[name]} != {amount} from lines"
        for name, amount in expected.items()
        if document[name] != amount
    ]
    return "; ".join(wrong) or None
