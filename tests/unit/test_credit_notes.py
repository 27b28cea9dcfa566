"""Holded's credit notes and cancellations as read from its answers, and which invoice line a refund credits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from hr_assets.defs.holded.invoices import parse_credit_notes, parse_invoices
from hr_assets.defs.shared.invoice_lines import CandidateLine, credited_line

MADRID = ZoneInfo("Europe/Madrid")
COURSE = {"name": "Course", "price": 19.99, "units": 2, "tax": 21, "discount": 10, "serviceId": "svc"}


def document(status: int = 1, **extra: object) -> dict[str, object]:
    return {
        "id": "d1",
        "contact": "c1",
        "date": 1_767_225_600,  # 2026-01-01 00:00 UTC, 01:00 in Madrid
        "products": [COURSE],
        "subtotal": 39.98,
        "discount": 4.0,
        "tax": 7.14,
        "total": 43.12,
        "status": status,
        **extra,
    }


def test_an_invoice_with_status_3_is_cancelled_and_any_other_is_live() -> None:
    parsed = parse_invoices([document(3), document(2) | {"id": "d2"}], {"svc"}, MADRID)
    assert [(invoice["id"], invoice["cancelled"]) for invoice in parsed.invoices] == [("d1", True), ("d2", False)]
    assert len(parsed.lines) == 2 and not parsed.errors


def test_a_credit_note_names_the_invoice_holded_made_it_from_and_nothing_else() -> None:
    notes = [
        document(**{"from": {"id": "inv-7", "docType": "invoice"}}),
        document(**{"id": "d2", "from": {"id": "so-1", "docType": "salesorder"}}),
        document(**{"id": "d3"}),
    ]
    parsed = parse_credit_notes(notes, {"svc"}, MADRID)
    assert [(note["id"], note["credited_invoice_id"]) for note in parsed.credit_notes] == [
        ("d1", "inv-7"),
        ("d2", None),
        ("d3", None),
    ]
    assert parsed.credit_notes[0]["credit_note_date"] == dt.date(2026, 1, 1)
    assert parsed.lines[0]["credit_note_id"] == "d1" and parsed.lines[0]["net_amount"] == Decimal("35.98")
    assert parsed.lines_naming_no_invoice == 2


def test_the_credited_invoice_is_read_in_every_shape_holded_may_answer() -> None:
    """``from`` or ``fromDocument``: a document reference by id or by docNumber, or the id alone; both fields may
    be there if they agree."""
    shapes = [
        {"from": {"id": "inv-7", "docType": "invoice"}},
        {"fromDocument": {"id": "inv-7", "docType": "invoice"}},
        {"from": " inv-7 "},
        {"fromDocument": "inv-7"},
        {"from": {"docNumber": "F260007", "docType": "invoice"}},
        {"fromDocument": {"docNumber": "F260007", "docType": "invoice"}},
        {"from": {"id": "inv-7", "docNumber": "F260007", "docType": "invoice"}, "fromDocument": "inv-7"},
        {"from": {"id": "so-1", "docType": "salesorder"}},
        {"from": None, "fromDocument": ""},
    ]
    parsed = parse_credit_notes([document(id=f"n{k}", **shape) for k, shape in enumerate(shapes)], {"svc"}, MADRID)
    assert [(note["credited_invoice_id"], note["credited_invoice_number"]) for note in parsed.credit_notes] == [
        ("inv-7", None),
        ("inv-7", None),
        ("inv-7", None),
        ("inv-7", None),
        (None, "F260007"),
        (None, "F260007"),
        ("inv-7", "F260007"),
        (None, None),
        (None, None),
    ]
    assert not parsed.errors and parsed.lines_naming_no_invoice == 2


def test_a_reference_that_cannot_be_read_is_explained_and_the_note_kept_naming_no_invoice() -> None:
    unreadable = [
        ({"from": 7}, "from", "from is not an id or a document reference"),
        ({"from": ["inv-7"]}, "from", "from is not an id or a document reference"),
        ({"fromDocument": {"id": "inv-7"}}, "fromDocument", "fromDocument names no docType"),
        ({"from": {"docType": "invoice", "id": 7}}, "from", "from names neither an invoice id nor a docNumber"),
        ({"from": "inv-7", "fromDocument": "inv-8"}, "from/fromDocument", "from and fromDocument name different"),
        (
            {"from": {"id": "so-1", "docType": "salesorder"}, "fromDocument": "inv-7"},
            "from/fromDocument",
            "from and fromDocument name different",
        ),
    ]
    notes = [document(id=f"n{k}", **shape) for k, (shape, _, _) in enumerate(unreadable)]
    parsed = parse_credit_notes(notes, {"svc"}, MADRID)
    assert [note["id"] for note in parsed.credit_notes] == [f"n{k}" for k in range(len(unreadable))]
    assert all(note["credited_invoice_id"] is note["credited_invoice_number"] is None for note in parsed.credit_notes)
    assert parsed.lines_naming_no_invoice == len(unreadable)
    assert [(error.record_key, error.field) for error in parsed.errors] == [
        (f"n{k}", field) for k, (_, field, _) in enumerate(unreadable)
    ]
    for error, (_, _, reason) in zip(parsed.errors, unreadable, strict=True):
        assert error.reason.startswith(reason) and error.reason.endswith("; the credit note names no invoice")


def test_a_bad_credit_note_is_explained_as_one() -> None:
    parsed = parse_credit_notes([document(**{"products": "none"})], {"svc"}, MADRID)
    assert (
        parsed.credit_notes == []
        and parsed.errors[0].reason == "credit note not stored: products is not a list of lines"
    )
    assert parsed.errors[0].file_name == "holded:documents/creditnote"


def test_a_refund_credits_the_line_of_its_service_the_one_of_its_name_among_several() -> None:
    lines = [CandidateLine(1, "fees", "Matrícula"), CandidateLine(2, "svc", "Course"), CandidateLine(3, "svc", "Books")]
    assert credited_line("svc", "Books", lines) == 3
    assert credited_line("svc", "Something else", lines) == 2
    assert credited_line("fees", None, lines) == 1
    assert credited_line("other", "Course", lines) is None
    assert credited_line(None, "Course", lines) is None
