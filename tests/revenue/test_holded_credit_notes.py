"""Holded's credit notes through the client against the Holded twin, on both databases: the credited invoice read in
each shape Holded may name it, stored, and found when the accruals read the notes; a refund of an invoice Holded then
cancels reverses nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from hr_assets.defs.accruals import ledger, store
from hr_assets.defs.accruals.matching import credits_of_cancelled_invoices
from hr_assets.defs.holded import store as holded_store
from hr_assets.defs.holded.invoices import invoices_by_month, parse_credit_notes, parse_invoices, service_row
from hr_assets.defs.holded.resources import HoldedResource
from hr_assets.defs.shared.invoice_lines import credited_invoices, lines_invoiced_up_to
from hr_assets.warehouse.engine import create_engine, migrate, upsert
from hr_assets.warehouse.tables import holded_credit_notes, holded_invoices, holded_services
from hr_sandbox.holded import REFERENCE_FIELDS, REFERENCE_SHAPES, CreditNoteReference, HoldedSandbox
from hr_sandbox.http_server import SandboxHttpServer
from hr_sandbox.revenue_data import RevenueData, generate_revenue_data
from tests.conftest import ON_SQLITE

pytestmark = pytest.mark.twins  # starts the Holded twin itself

KEY = "holded-secret-key"
UTC = ZoneInfo("UTC")  # the twin's days are UTC days
MONTHS = [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
AT = dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def data() -> RevenueData:
    return generate_revenue_data(MONTHS[0], len(MONTHS), 200)  # four refunds a month, most naming their invoice


@contextmanager
def holded(
    data: RevenueData, reference: CreditNoteReference, warehouse_url: str
) -> Iterator[tuple[HoldedSandbox, HoldedResource]]:
    api = HoldedSandbox(data, KEY, page_size=50, credit_note_reference=reference)
    with SandboxHttpServer(api) as server:
        yield (
            api,
            HoldedResource(
                api_key=KEY,
                base_url=f"{server.url}/api/invoicing/v1",
                backoff_initial_s=0.01,
                hr_warehouse_url=warehouse_url,
            ),
        )


def import_months(client: HoldedResource, engine: sa.Engine) -> list:
    """The three months' services, invoices and credit notes listed through the client and stored as the holded
    import stores them; the credit notes' parse errors returned."""
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    services = [service_row(raw, AT) for raw in client.services()]
    invoices = invoices_by_month(client.invoices(start, end), MONTHS, UTC)
    notes = invoices_by_month(client.credit_notes(start, end), MONTHS, UTC)
    errors = []
    with engine.begin() as connection:
        upsert(connection, holded_services, services, ["id"])
        known = holded_store.service_ids(connection)
        for month in MONTHS:
            parsed = parse_invoices(invoices[month], known, UTC)
            holded_store.replace_month(connection, month, parsed.invoices, parsed.lines, AT)
            credited = parse_credit_notes(notes[month], known, UTC)
            holded_store.replace_credit_notes_month(connection, month, credited.credit_notes, credited.lines, AT)
            errors += [error for error in credited.errors if not error.field.startswith("products")]
    return errors


def named(data: RevenueData) -> dict[str, str]:
    """The twin's credit notes made from an invoice: note id -> the invoice's id."""
    return {note["id"]: note["from"]["id"] for note in data.credit_notes if "from" in note}


READABLE = [CreditNoteReference(field, shape) for field in REFERENCE_FIELDS for shape in REFERENCE_SHAPES[:3]]


@pytest.mark.parametrize("reference", READABLE, ids=lambda reference: "-".join(reference))
def test_the_credited_invoice_is_found_however_holded_names_it(
    data: RevenueData, reference: CreditNoteReference, warehouse_url: str
) -> None:
    engine = create_engine(warehouse_url)
    migrate(engine)
    with holded(data, reference, warehouse_url) as (_, client):
        assert import_months(client, engine) == []
    with engine.begin() as connection:
        stored = connection.execute(
            sa.select(
                holded_credit_notes.c.id,
                holded_credit_notes.c.credited_invoice_id,
                holded_credit_notes.c.credited_invoice_number,
            )
        ).all()
        found = credited_invoices(connection, {(row[1], row[2]) for row in stored})
        lines = lines_invoiced_up_to(connection, MONTHS[-1])
    assert len(stored) == len(data.credit_notes) and len(named(data)) >= 8
    by_note = {note_id: found.get((invoice_id, number)) for note_id, invoice_id, number in stored}
    assert {note_id: invoice.id for note_id, invoice in by_note.items() if invoice} == named(data)
    if reference.shape == "docNumber":  # the reference is the invoice's number, as Holded would send it
        assert {invoice_id for _, invoice_id, _ in stored} == {None}
    credits = {line.invoice_id: line.credits for line in lines if line.credit}
    matched = {note_id: key[0] for note_id, key in credits.items() if key}
    assert matched and matched.items() <= named(data).items()


def test_a_reference_without_its_doctype_names_no_invoice_and_is_explained(
    data: RevenueData, warehouse_url: str
) -> None:
    """Never guessed: an ``{"id": ...}`` without ``docType`` may name an order or a quote as well as an invoice."""
    engine = create_engine(warehouse_url)
    migrate(engine)
    with holded(data, CreditNoteReference("fromDocument", "unreadable"), warehouse_url) as (_, client):
        errors = import_months(client, engine)
    assert sorted(error.record_key for error in errors) == sorted(named(data))
    assert {error.reason for error in errors} == {"fromDocument names no docType; the credit note names no invoice"}
    with engine.begin() as connection:
        references = connection.execute(
            sa.select(holded_credit_notes.c.credited_invoice_id, holded_credit_notes.c.credited_invoice_number)
        ).all()
        lines = lines_invoiced_up_to(connection, MONTHS[-1])
    assert set(references) == {(None, None)} and len(references) == len(data.credit_notes)
    assert [line for line in lines if line.credit and line.credits] == []


@pytest.mark.parametrize("shape", ["document", "docNumber"])
def test_a_refund_of_an_invoice_holded_then_cancels_reverses_nothing(
    data: RevenueData, shape: str, warehouse_url: str
) -> None:
    """Every refunded invoice cancelled in Holded after its refund, then read again: the refunds naming one are left
    out of the accruals and counted, and invoiced to date is the live invoices' less the other refunds'."""
    engine = create_engine(warehouse_url)
    migrate(engine)
    with holded(data, CreditNoteReference("from", shape), warehouse_url) as (api, client):
        import_months(client, engine)
        with engine.begin() as connection:
            before = ledger.recompute(connection, MONTHS, AT)
        for invoice_id in sorted(set(named(data).values())):
            api.cancel_invoice(invoice_id)
        import_months(client, engine)
    with engine.begin() as connection:
        after = ledger.recompute(connection, MONTHS, AT)
        invoiced = store.month_summary(connection, MONTHS[-1])["invoiced_to_date"]
        assert invoiced == store.net_invoiced_up_to(connection, MONTHS[-1])
    cancelled = set(named(data).values())
    live = sum(
        (_net(line) for invoice in data.invoices if invoice["id"] not in cancelled for line in invoice["products"]),
        Decimal(0),
    )
    unnamed = sum(
        (_net(line) for note in data.credit_notes if note["id"] not in named(data) for line in note["products"]),
        Decimal(0),
    )
    assert invoiced == live - unnamed
    assert credits_of_cancelled_invoices(before.inputs.lines).total() == 0
    counted = credits_of_cancelled_invoices(after.inputs.lines)
    assert counted.total() == len(named(data))  # one line a refund
    notes_months = {dt.datetime.fromtimestamp(note["date"], dt.UTC).date().replace(day=1) for note in data.credit_notes}
    assert set(counted) <= notes_months


def _net(line: dict) -> Decimal:
    gross = Decimal(str(line["price"])) * Decimal(str(line["units"]))
    net = gross * (100 - Decimal(str(line["discount"]))) / 100
    return net.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@ON_SQLITE
def test_a_docnumber_two_invoices_have_names_neither(data: RevenueData, warehouse_url: str) -> None:
    """Holded numbers invoices per series: should two stored invoices share a number, a refund naming it names
    neither."""
    engine = create_engine(warehouse_url)
    migrate(engine)
    with holded(data, CreditNoteReference("from", "docNumber"), warehouse_url) as (_, client):
        import_months(client, engine)
    with engine.begin() as connection:
        number = connection.execute(
            sa.select(holded_credit_notes.c.credited_invoice_number).where(
                holded_credit_notes.c.credited_invoice_number.is_not(None)
            )
        ).scalar()
        assert credited_invoices(connection, {(None, number)})
        two = connection.execute(sa.select(holded_invoices.c.id).order_by(holded_invoices.c.id).limit(2)).scalars()
        connection.execute(
            sa.update(holded_invoices).where(holded_invoices.c.id.in_(list(two))).values(doc_number=number)
        )
        assert credited_invoices(connection, {(None, number)}) == {}
