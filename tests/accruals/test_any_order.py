"""Accruals in any order, on a real SQLite warehouse through the ledger the asset and the commands use.

Hypothesis generates invoice lines (nets, negative lines, unmatched lines, periods starting before or after their
invoice) over six months, credit notes of them (naming their invoice by id, by docNumber or not at all, dated up to
four months later) and cancellations, and what happens to them: each month's run in any order, re-runs, lines
invoiced into a month after it ran (back-dated), credit notes arriving before or after their invoice, invoices
cancelled (credited or not) after their months closed, months closed and re-opened. A cancelled invoice and the
credit notes naming it count nothing. Whatever happened, each line is invoiced in one month: the
months' invoiced_in_month add up to an open month's invoiced to date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Connection, Engine

from hr_assets.defs.accruals import ledger, store
from hr_assets.defs.accruals.booking import book_months
from hr_assets.defs.accruals.matching import accrual_lines, credits_of_cancelled_invoices
from hr_assets.defs.shared.invoice_lines import lines_invoiced_up_to
from hr_assets.warehouse.engine import create_engine, migrate
from hr_assets.warehouse.tables import (
    accrual_closes,
    accrual_months,
    accruals,
    holded_credit_note_lines,
    holded_credit_notes,
    holded_invoice_lines,
    holded_invoices,
    holded_services,
    service_periods,
)

if TYPE_CHECKING:
    import random

MONTHS = [dt.date(2026, month, 1) for month in range(1, 7)]
HORIZON = [dt.date(2026, month, 1) for month in range(1, 13)]  # every share of every line falls in 2026
AT = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)


@dataclass(frozen=True)
class CreditNote:
    id: str
    invoice_number: int
    credit_date: dt.date
    net_cents: int  # positive, as Holded sends it
    names_invoice: bool  # False: Holded's ``from`` names no invoice
    by_number: bool = False  # names it by its docNumber rather than its id

    @property
    def month(self) -> dt.date:
        return self.credit_date.replace(day=1)


@dataclass(frozen=True)
class Invoice:
    number: int
    invoice_date: dt.date
    net_cents: int
    period: tuple[dt.date, dt.date] | None  # None: unmatched
    credit_notes: tuple[CreditNote, ...] = ()

    @property
    def month(self) -> dt.date:
        return self.invoice_date.replace(day=1)


@st.composite
def invoices(draw: st.DrawFn) -> list[Invoice]:
    found = []
    for number in range(draw(st.integers(1, 10))):
        invoiced = MONTHS[0] + dt.timedelta(days=draw(st.integers(0, 180)))
        net = draw(st.one_of(st.integers(1, 500_000), st.integers(-50_000, -1)))
        period = None
        if draw(st.integers(0, 9)):
            start = invoiced + dt.timedelta(days=draw(st.integers(-60, 30)))
            period = (start, start + dt.timedelta(days=draw(st.integers(0, 120))))
        credits = []
        for k in range(draw(st.integers(0, 2)) if net > 0 else 0):  # a refund of part or all of the course
            credited = invoiced + dt.timedelta(days=draw(st.integers(0, 120)))
            names = draw(st.integers(0, 4)) > 0
            refund = CreditNote(
                f"CN-{number}-{k}", number, credited, draw(st.integers(1, net)), names, draw(st.booleans())
            )
            credits.append(refund)
        found.append(Invoice(number, invoiced, net, period, tuple(credits)))
    return found


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Invoice], list[tuple[str, Any]], set[int]]:
    """Invoices, and the steps that bring them in and book them: every month run at least once in a random order,
    some again; some invoices arriving only after their month ran; credit notes arriving at any point; some invoices
    cancelled; closes and re-opens among them; a run last."""
    found = draw(invoices())
    late = {invoice.number for invoice in found if draw(st.booleans()) and draw(st.booleans())}
    steps: list[tuple[str, Any]] = [("run", month) for month in draw(st.permutations(MONTHS))]
    steps += [("run", draw(st.sampled_from(MONTHS))) for _ in range(draw(st.integers(0, 3)))]
    steps += [("arrive", number) for number in sorted(late)]
    steps += [("credit", note.id) for invoice in found for note in invoice.credit_notes]
    steps += [("cancel", invoice.number) for invoice in found if draw(st.integers(0, 5)) == 0]
    steps += [(draw(st.sampled_from(["close", "reopen"])), draw(st.sampled_from(MONTHS))) for _ in range(3)]
    order = draw(st.permutations(steps))
    return found, [*order, ("run", draw(st.sampled_from(MONTHS)))], late


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine = create_engine(f"sqlite:///{Path(tmp_path_factory.mktemp('any_order')) / 'warehouse.db'}")
    migrate(engine)
    return engine


def emptied(engine: Engine) -> Engine:
    with engine.begin() as connection:
        for table in (
            accruals,
            accrual_months,
            accrual_closes,
            holded_invoice_lines,
            holded_invoices,
            holded_credit_note_lines,
            holded_credit_notes,
            service_periods,
        ):
            connection.execute(sa.delete(table))
        connection.execute(sa.delete(holded_services))
        connection.execute(sa.insert(holded_services).values(id="svc", name="Course", code="COURSE", synced_at=AT))
    return engine


def _line(net: Decimal) -> dict[str, Any]:
    """One line of the course, as the Holded import stores it."""
    return {
        "line_no": 1,
        "name": "Course",
        "service_id": "svc",
        "units": 1,
        "unit_price": net,
        "discount_percent": 0,
        "tax_percent": 0,
        "gross_amount": net,
        "net_amount": net,
        "tax_amount": 0,
    }


def arrive(connection: Connection, invoice: Invoice, cancelled: bool = False) -> None:
    """The invoice as the Holded import stores it: one line of the course, its contact's enrolment if matched."""
    net = Decimal(invoice.net_cents).scaleb(-2)
    invoice_id, contact = f"INV-{invoice.number}", f"C{invoice.number}"
    connection.execute(
        sa.insert(holded_invoices).values(
            id=invoice_id,
            invoice_month=invoice.month,
            invoice_date=invoice.invoice_date,
            contact_id=contact,
            doc_number=f"F{invoice.number:04d}",
            subtotal=net,
            discount=0,
            tax=0,
            total=net,
            cancelled=cancelled,
            synced_at=AT,
        )
    )
    connection.execute(
        sa.insert(holded_invoice_lines).values(invoice_id=invoice_id, invoice_month=invoice.month, **_line(net))
    )
    if invoice.period:
        connection.execute(
            sa.insert(service_periods).values(
                id=invoice.number,
                student_id=invoice.number,
                holded_contact_id=contact,
                service_code="COURSE",
                cohort_slug="cohort",
                start_date=invoice.period[0],
                end_date=invoice.period[1],
                synced_at=AT,
            )
        )


def credit(connection: Connection, note: CreditNote) -> None:
    """The credit note as the Holded import stores it: one line of the course, positive, naming its invoice or not."""
    net = Decimal(note.net_cents).scaleb(-2)
    connection.execute(
        sa.insert(holded_credit_notes).values(
            id=note.id,
            credit_note_month=note.month,
            credit_note_date=note.credit_date,
            contact_id=f"C{note.invoice_number}",
            subtotal=net,
            discount=0,
            tax=0,
            total=net,
            credited_invoice_id=f"INV-{note.invoice_number}" if note.names_invoice and not note.by_number else None,
            credited_invoice_number=f"F{note.invoice_number:04d}" if note.names_invoice and note.by_number else None,
            synced_at=AT,
        )
    )
    connection.execute(
        sa.insert(holded_credit_note_lines).values(credit_note_id=note.id, credit_note_month=note.month, **_line(net))
    )


def cancel(connection: Connection, number: int) -> None:
    connection.execute(sa.update(holded_invoices).where(holded_invoices.c.id == f"INV-{number}").values(cancelled=True))


def figures(connection: Connection, month: dt.date) -> tuple:
    summary = store.month_summary(connection, month)
    rows = connection.execute(
        sa.select(accruals.c.invoice_id, accruals.c.kind, accruals.c.recognized_amount)
        .where(accruals.c.month == month)
        .order_by(accruals.c.invoice_id, accruals.c.kind)
    ).all()
    return ({name: summary[name] for name in store.SUMMARY_FIGURES} if summary else None, [tuple(r) for r in rows])


def play(engine: Engine, found: list[Invoice], steps: list[tuple[str, Any]], late: set[int]) -> dict[dt.date, tuple]:
    """Plays the steps, checking after each that no closed month changed and that every month reconciles."""
    by_number = {invoice.number: invoice for invoice in found}
    notes = {note.id: note for invoice in found for note in invoice.credit_notes}
    cancelled: set[int] = set()  # Holded says so: an invoice arriving after its cancellation arrives cancelled
    frozen: dict[dt.date, tuple] = {}
    booked = True  # every line in is booked (a line arriving is booked by the next run, close or re-open)
    with engine.begin() as connection:
        for step, what in steps:
            if step == "run":  # the month's import, then its accruals
                for invoice in found:
                    if invoice.month == what and invoice.number not in late and not _present(connection, invoice):
                        arrive(connection, invoice, invoice.number in cancelled)
                ledger.recompute(connection, [what], AT)
                booked = True
            elif step == "arrive" and not _present(connection, by_number[what]):
                arrive(connection, by_number[what], what in cancelled)
                booked = False
            elif step == "credit":
                credit(connection, notes[what])
                booked = False
            elif step == "cancel":
                cancelled.add(what)
                cancel(connection, what)
                booked = False
            elif step == "close" and what not in frozen:
                ledger.close(connection, what, AT, "tester")
                frozen[what], booked = figures(connection, what), True
            elif step == "reopen" and what in frozen:
                ledger.reopen(connection, what, AT, "tester")
                del frozen[what]
                booked = True
            for month, held in frozen.items():
                assert figures(connection, month) == held, f"closed {month} changed at {step} {what}"
                assert store.figures_digest(connection, month) == store.close_of(connection, month)["figures_digest"]
            if booked:
                _assert_reconciled(connection)
        return {month: figures(connection, month) for month in store.stored_months(connection)}


def _present(connection: Connection, invoice: Invoice) -> bool:
    query = sa.select(holded_invoices.c.id).where(holded_invoices.c.id == f"INV-{invoice.number}")
    return connection.execute(query).first() is not None


def _assert_reconciled(connection: Connection) -> None:
    closed = set(store.closed_month_keys(connection))
    for month in store.stored_months(connection):
        summary = store.month_summary(connection, month)
        assert summary["recognized_to_date"] + summary["deferred_balance"] == summary["invoiced_to_date"]
        assert store.recognized_in_month(connection, month) == summary["recognized_in_month"]
        if month not in closed:
            assert summary["invoiced_to_date"] == store.net_invoiced_up_to(connection, month)
            own = store.net_invoiced_up_to(connection, month) - store.net_invoiced_up_to(connection, _before(month))
            assert summary["invoiced_in_month"] - summary["invoiced_late_in_month"] == own, "late is what is not own"


def _before(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def _assert_invoiced_once(connection: Connection) -> None:
    """Every month stored from the first on: the months up to each open one add up to its invoiced to date, so no
    line is counted in two months' invoiced_in_month."""
    months, closed = store.stored_months(connection), set(store.closed_month_keys(connection))
    summaries = [store.month_summary(connection, month) for month in months]
    counted = Decimal(0)
    for month, summary in zip(months, summaries, strict=True):
        counted += summary["invoiced_in_month"]
        if month not in closed:
            assert counted == summary["invoiced_to_date"], f"{month:%Y-%m}: the months add up to {counted}"


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(history=histories())
def test_closed_months_never_change_and_open_months_are_what_the_lines_and_closes_make_them(
    engine: Engine, history: tuple
) -> None:
    found, steps, late = history
    final = play(emptied(engine), found, steps, late)
    with engine.begin() as connection:
        assert store.stored_months(connection) == MONTHS
        _assert_invoiced_once(connection)
        closed = store.closed_months(connection)
        open_months = [month for month in final if month not in closed]
        lines = lines_invoiced_up_to(connection, max(final))
        periods = store.periods_of_clients_invoiced_up_to(connection, max(final))
        fresh = book_months(accrual_lines(lines, periods), closed, open_months)
    for month in fresh:
        summary = final[month.month][0]
        assert summary["recognized_in_month"] == store.amount(month.recognized_in_month_cents)
        assert summary["deferred_balance"] == store.amount(month.deferred_cents)
        assert summary["invoiced_to_date"] == store.amount(month.invoiced_to_date_cents)


@SETTINGS
@given(history=histories(), shuffler=st.randoms(use_true_random=False))
def test_every_line_adds_up_to_its_net_and_every_run_order_ends_with_the_same_figures(
    engine: Engine, history: tuple, shuffler: random.Random
) -> None:
    """Two orders of the same runs, re-runs and late arrivals, then the same closes and re-opens once every line is
    in, then every month of the year booked: the same figures for every month, and each line's rows add up to its
    net."""
    found, steps, late = history
    runs = [step for step in steps if step[0] in ("run", "arrive", "credit", "cancel")]
    closes = [step for step in steps if step[0] in ("close", "reopen")]
    shuffled = shuffler.sample(runs, len(runs))
    settle = [*closes, *(("run", month) for month in HORIZON)]
    first = play(emptied(engine), found, [*runs, ("run", MONTHS[0]), *settle], late)
    with engine.begin() as connection:
        assert store.stored_months(connection) == HORIZON
        _assert_invoiced_once(connection)
        booked: dict[str, Decimal] = {}
        for invoice_id, value in connection.execute(sa.select(accruals.c.invoice_id, accruals.c.recognized_amount)):
            booked[invoice_id] = booked.get(invoice_id, Decimal(0)) + value
        last = store.month_summary(connection, HORIZON[-1])
    cancelled = {number for step, number in steps if step == "cancel"}

    def cents(amount: Decimal) -> int:
        return int(amount.scaleb(2))

    live_nets, credited, of_cancelled = 0, 0, 0
    for invoice in found:  # the generated figures, not the stored ones
        invoice_id, live = f"INV-{invoice.number}", invoice.number not in cancelled
        assert cents(booked.get(invoice_id, Decimal(0))) == (invoice.net_cents if live else 0), invoice_id
        # a credit note naming a cancelled invoice reverses nothing: the cancellation did
        counted = [note for note in invoice.credit_notes if live or not note.names_invoice]
        of_cancelled += len(invoice.credit_notes) - len(counted)
        for note in invoice.credit_notes:
            assert cents(booked.get(note.id, Decimal(0))) == (-note.net_cents if note in counted else 0), note.id
        # a live line and its credits add up to their nets to the cent
        credits = sum(note.net_cents for note in counted)
        recognized = sum(booked.get(key, Decimal(0)) for key in (invoice_id, *(n.id for n in invoice.credit_notes)))
        assert cents(recognized) == (invoice.net_cents if live else 0) - credits
        live_nets, credited = live_nets + (invoice.net_cents if live else 0), credited + credits
    # recognized to date + deferred = invoiced to date net of credits, every cent recognized by the year's end
    assert cents(last["invoiced_to_date"]) == live_nets - credited
    assert cents(last["recognized_to_date"]) + cents(last["deferred_balance"]) == live_nets - credited
    assert last["deferred_balance"] == 0
    with engine.begin() as connection:
        assert credits_of_cancelled_invoices(lines_invoiced_up_to(connection, HORIZON[-1])).total() == of_cancelled
    second = play(emptied(engine), found, [*shuffled, ("run", MONTHS[-1]), *settle], late)
    assert second == first


def test_a_share_of_a_closed_month_is_a_catch_up_in_the_next_open_one(engine: Engine) -> None:
    """June closed before May's invoice arrived: May's line owes June its share, booked in July as a catch-up."""
    may = Invoice(1, dt.date(2026, 5, 1), 61_000, (dt.date(2026, 5, 1), dt.date(2026, 6, 30)))
    with emptied(engine).begin() as connection:
        ledger.close(connection, dt.date(2026, 6, 1), AT, "tester")
        arrive(connection, may)
        ledger.recompute(connection, [dt.date(2026, 5, 1), dt.date(2026, 7, 1)], AT)
        assert figures(connection, dt.date(2026, 5, 1))[1] == [("INV-1", "recognised", Decimal("310.00"))]
        assert figures(connection, dt.date(2026, 6, 1))[1] == []
        assert figures(connection, dt.date(2026, 7, 1))[1] == [("INV-1", "catch_up", Decimal("300.00"))]
        assert store.month_summary(connection, dt.date(2026, 7, 1))["deferred_balance"] == 0
        with pytest.raises(ValueError, match="2026-06 is already closed"):
            ledger.close(connection, dt.date(2026, 6, 1), AT, "tester")
        ledger.reopen(connection, dt.date(2026, 6, 1), AT, "tester")
        # open again: June books its own share, and July's catch-up is gone
        assert figures(connection, dt.date(2026, 6, 1))[1] == [("INV-1", "recognised", Decimal("300.00"))]
        assert figures(connection, dt.date(2026, 7, 1))[1] == []
        assert store.close_of(connection, dt.date(2026, 6, 1))["reopened_by"] == "tester"


def test_a_credit_note_reverses_the_line_it_credits_over_that_lines_period(engine: Engine) -> None:
    """May's 610.00 over May and June (31 + 30 days), refunded whole on 20 May: both months net to nothing. A refund
    naming no invoice is recognized in its own month, as unmatched."""
    may = Invoice(1, dt.date(2026, 5, 1), 61_000, (dt.date(2026, 5, 1), dt.date(2026, 6, 30)))
    with emptied(engine).begin() as connection:
        arrive(connection, may)
        credit(connection, CreditNote("CN-1", 1, dt.date(2026, 5, 20), 61_000, names_invoice=True))
        credit(connection, CreditNote("CN-2", 1, dt.date(2026, 6, 5), 100, names_invoice=False))
        ledger.recompute(connection, [dt.date(2026, 5, 1), dt.date(2026, 6, 1)], AT)
        assert figures(connection, dt.date(2026, 5, 1))[1] == [
            ("CN-1", "recognised", Decimal("-310.00")),
            ("INV-1", "recognised", Decimal("310.00")),
        ]
        assert figures(connection, dt.date(2026, 6, 1))[1] == [
            ("CN-1", "recognised", Decimal("-300.00")),
            ("CN-2", "recognised", Decimal("-1.00")),
            ("INV-1", "recognised", Decimal("300.00")),
        ]
        june = store.month_summary(connection, dt.date(2026, 6, 1))
        assert (june["invoiced_to_date"], june["recognized_to_date"], june["deferred_balance"]) == (
            Decimal("-1.00"),
            Decimal("-1.00"),
            0,
        )
        assert june["unmatched_lines"] == 1  # the refund naming no invoice


def test_an_invoice_cancelled_after_its_months_closed_is_a_catch_up_in_the_first_open_month(engine: Engine) -> None:
    may = Invoice(1, dt.date(2026, 5, 1), 61_000, (dt.date(2026, 5, 1), dt.date(2026, 6, 30)))
    with emptied(engine).begin() as connection:
        arrive(connection, may)
        for month in (dt.date(2026, 5, 1), dt.date(2026, 6, 1)):
            ledger.close(connection, month, AT, "tester")
        cancel(connection, 1)
        ledger.recompute(connection, [dt.date(2026, 7, 1)], AT)
        assert figures(connection, dt.date(2026, 6, 1))[1] == [("INV-1", "recognised", Decimal("300.00"))]
        assert figures(connection, dt.date(2026, 7, 1))[1] == [("INV-1", "catch_up", Decimal("-610.00"))]
        july = store.month_summary(connection, dt.date(2026, 7, 1))
        assert (july["invoiced_to_date"], july["recognized_to_date"], july["deferred_balance"]) == (0, 0, 0)
        assert july["recognized_in_month"] == Decimal("-610.00")


def test_a_credit_note_of_a_cancelled_invoice_reverses_nothing_the_cancellation_did(engine: Engine) -> None:
    """May's 610.00, refunded 200.00 by a note naming it by docNumber, then cancelled: neither is recognized, and the
    note is counted among the credits of cancelled invoices."""
    may = Invoice(1, dt.date(2026, 5, 1), 61_000, (dt.date(2026, 5, 1), dt.date(2026, 6, 30)))
    refund = CreditNote("CN-1", 1, dt.date(2026, 5, 20), 20_000, names_invoice=True, by_number=True)
    with emptied(engine).begin() as connection:
        arrive(connection, may)
        credit(connection, refund)
        ledger.recompute(connection, [dt.date(2026, 5, 1), dt.date(2026, 6, 1)], AT)
        assert [row[0] for row in figures(connection, dt.date(2026, 6, 1))[1]] == ["CN-1", "INV-1"]
        cancel(connection, 1)
        recomputed = ledger.recompute(connection, [dt.date(2026, 5, 1), dt.date(2026, 6, 1)], AT)
        for month in (dt.date(2026, 5, 1), dt.date(2026, 6, 1)):
            summary, rows = figures(connection, month)
            assert rows == [] and summary["invoiced_to_date"] == summary["recognized_to_date"] == 0, month
            assert summary["unmatched_lines"] == 0
        assert credits_of_cancelled_invoices(recomputed.inputs.lines) == {dt.date(2026, 5, 1): 1}


def test_a_credit_note_recognized_before_its_invoice_came_cancelled_is_a_catch_up_once_it_does(engine: Engine) -> None:
    """The refund comes before its invoice: May recognizes it in its own month (unmatched) and closes. The invoice then
    comes, cancelled: the refund reverses nothing after all, and June takes May's -200.00 back as a catch-up."""
    may = Invoice(1, dt.date(2026, 5, 1), 61_000, (dt.date(2026, 5, 1), dt.date(2026, 6, 30)))
    with emptied(engine).begin() as connection:
        credit(connection, CreditNote("CN-1", 1, dt.date(2026, 5, 20), 20_000, names_invoice=True))
        ledger.close(connection, dt.date(2026, 5, 1), AT, "tester")
        assert figures(connection, dt.date(2026, 5, 1))[1] == [("CN-1", "recognised", Decimal("-200.00"))]
        arrive(connection, may, cancelled=True)
        ledger.recompute(connection, [dt.date(2026, 6, 1)], AT)
        assert figures(connection, dt.date(2026, 6, 1))[1] == [("CN-1", "catch_up", Decimal("200.00"))]
        june = store.month_summary(connection, dt.date(2026, 6, 1))
        assert (june["invoiced_to_date"], june["recognized_to_date"], june["deferred_balance"]) == (0, 0, 0)
        assert store.net_invoiced_up_to(connection, dt.date(2026, 6, 1)) == 0


def invoiced(connection: Connection, month: dt.date) -> tuple[Decimal, Decimal | None, Decimal]:
    """(invoiced in month, of it late, invoiced to date)"""
    summary = store.month_summary(connection, month)
    return summary["invoiced_in_month"], summary["invoiced_late_in_month"], summary["invoiced_to_date"]


def test_an_invoice_dated_in_a_closed_month_is_invoiced_once_in_the_first_open_month_as_late(engine: Engine) -> None:
    """March's 600.00 is in when March closes; March's 23.59 comes after: April counts it, as late, and March does
    not. Re-opened, March counts it itself, and April, closed meanwhile with it, keeps its figures: May then takes it
    back (late -23.59), so the months still add up to May's invoiced to date."""
    march, april, may = dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 5, 1)
    with emptied(engine).begin() as connection:
        arrive(connection, Invoice(1, dt.date(2026, 3, 10), 60_000, None))
        ledger.close(connection, march, AT, "tester")
        arrive(connection, Invoice(2, dt.date(2026, 3, 31), 2_359, None))
        arrive(connection, Invoice(3, dt.date(2026, 4, 2), 10_000, None))
        ledger.recompute(connection, [april], AT)
        assert invoiced(connection, march) == (Decimal("600.00"), Decimal("0.00"), Decimal("600.00"))
        assert invoiced(connection, april) == (Decimal("123.59"), Decimal("23.59"), Decimal("723.59"))
        _assert_invoiced_once(connection)

        ledger.close(connection, april, AT, "tester")
        ledger.reopen(connection, march, AT, "tester")
        ledger.recompute(connection, [may], AT)
        assert invoiced(connection, march) == (Decimal("623.59"), Decimal("0.00"), Decimal("623.59"))
        assert invoiced(connection, april) == (Decimal("123.59"), Decimal("23.59"), Decimal("723.59"))
        assert invoiced(connection, may) == (Decimal("-23.59"), Decimal("-23.59"), Decimal("723.59"))
        _assert_invoiced_once(connection)


def test_an_invoice_of_an_open_month_before_a_closed_one_is_invoiced_in_its_own_month_only(engine: Engine) -> None:
    """June closed before May's invoice arrived (the catch-up case above): May counts the invoice, July does not."""
    may = Invoice(1, dt.date(2026, 5, 1), 61_000, (dt.date(2026, 5, 1), dt.date(2026, 6, 30)))
    with emptied(engine).begin() as connection:
        ledger.close(connection, dt.date(2026, 6, 1), AT, "tester")
        arrive(connection, may)
        ledger.recompute(connection, [dt.date(2026, 5, 1), dt.date(2026, 7, 1)], AT)
        assert invoiced(connection, dt.date(2026, 5, 1)) == (Decimal("610.00"), Decimal("0.00"), Decimal("610.00"))
        assert invoiced(connection, dt.date(2026, 7, 1)) == (Decimal("0.00"), Decimal("0.00"), Decimal("610.00"))
        _assert_invoiced_once(connection)
