"""Reading and writing accruals; each function works inside the caller's transaction."""

import datetime as dt
import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.defs.accruals.booking import CATCH_UP, RECOGNIZED, BookedMonth, ClosedMonth
from hr_assets.defs.accruals.matching import ServicePeriod
from hr_assets.defs.shared.invoice_lines import credited_invoices
from hr_assets.warehouse.engine import Cents, bulk_insert, upsert
from hr_assets.warehouse.tables import (
    accrual_closes,
    accrual_months,
    accruals,
    holded_credit_note_lines,
    holded_credit_notes,
    holded_invoice_lines,
    holded_invoices,
    service_periods,
)

SUMMARY_FIGURES = (
    "invoiced_in_month",
    "invoiced_to_date",
    "recognized_in_month",
    "recognized_to_date",
    "deferred_balance",
    "unmatched_lines",
)
# Of invoiced_in_month, the late arrivals (lines dated in an earlier month that was closed when they came). NULL in a
# month closed before the warehouse kept it (migration 0019): a close's digest covers it only once it has a value, so
# those closes' digests stay what they froze.
LATE_FIGURE = "invoiced_late_in_month"


def amount(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def cents(value: Decimal) -> int:
    return int(value.scaleb(2))


def periods_of_clients_invoiced_up_to(connection: Connection, month: dt.date) -> list[ServicePeriod]:
    """The service periods of every client with a line invoiced in ``month`` or before (``lines_invoiced_up_to``)."""
    clients = (
        sa.select(holded_invoices.c.contact_id)
        .join(holded_invoice_lines, holded_invoice_lines.c.invoice_id == holded_invoices.c.id)
        .where(holded_invoice_lines.c.invoice_month <= month)
    )
    query = sa.select(*(service_periods.c[name] for name in ServicePeriod._fields)).where(
        service_periods.c.holded_contact_id.in_(clients)
    )
    return list(map(ServicePeriod._make, connection.execute(query).all()))


def replace_months(connection: Connection, booked: Iterable[BookedMonth], computed_at: dt.datetime) -> None:
    """Each month's accrual rows and summary made what ``booked`` says: a re-run leaves one copy.

    A month whose stored rows are already the booked ones is left as it is (a run books every open month, and most of
    them have not changed); any other has its rows replaced whole, deleted and then inserted in bulk."""
    summaries = []
    for month in booked:
        if not _stored_as_booked(connection, month):
            connection.execute(sa.delete(accruals).where(accruals.c.month == month.month))
            rows = month.rows + month.catch_up
            invoice_ids, line_nos, period_ids, amounts = zip(*rows, strict=True) if rows else ((), (), (), ())
            columns = {
                "month": [month.month] * len(rows),
                "invoice_id": invoice_ids,
                "line_no": line_nos,
                "kind": [RECOGNIZED] * len(month.rows) + [CATCH_UP] * len(month.catch_up),
                "service_period_id": period_ids,
                "recognized_amount": Cents(amounts),
            }
            bulk_insert(connection, accruals, columns)
        summaries.append(
            {
                "month": month.month,
                "invoiced_in_month": amount(month.invoiced_in_month_cents),
                LATE_FIGURE: amount(month.invoiced_late_cents),
                "invoiced_to_date": amount(month.invoiced_to_date_cents),
                "recognized_in_month": amount(month.recognized_in_month_cents),
                "recognized_to_date": amount(month.recognized_to_date_cents),
                "deferred_balance": amount(month.deferred_cents),
                "unmatched_lines": month.unmatched_lines,
                "computed_at": computed_at,
            }
        )
    upsert(connection, accrual_months, summaries, ["month"])


def _stored_as_booked(connection: Connection, month: BookedMonth) -> bool:
    """Whether the month's stored rows are exactly its booked ones. The database gives the cents (a ``Money`` value
    times 100, rounded: exact on SQLite's doubles too), so no stored amount is made a ``Decimal`` to be compared."""
    stored_cents = sa.cast(sa.func.round(accruals.c.recognized_amount * 100), sa.BigInteger)
    columns = (accruals.c.invoice_id, accruals.c.line_no, accruals.c.service_period_id, stored_cents)
    for kind, booked in ((RECOGNIZED, month.rows), (CATCH_UP, month.catch_up)):
        query = sa.select(*columns).where(accruals.c.month == month.month, accruals.c.kind == kind)
        stored = connection.execute(query).all()  # rows equal (and hash) as the tuples of their values
        if len(stored) != len(booked) or set(stored) != set(booked):
            return False
    return True


def stored_months(connection: Connection) -> list[dt.date]:
    return list(connection.execute(sa.select(accrual_months.c.month).order_by(accrual_months.c.month)).scalars())


def close_of(connection: Connection, month: dt.date) -> dict[str, Any] | None:
    """The month's close record, reopened or not."""
    row = connection.execute(sa.select(accrual_closes).where(accrual_closes.c.month == month)).mappings().first()
    return dict(row) if row else None


def closed_month_keys(connection: Connection) -> list[dt.date]:
    query = sa.select(accrual_closes.c.month).where(accrual_closes.c.reopened_at.is_(None))
    return sorted(connection.execute(query).scalars())


def closed_months(connection: Connection) -> dict[dt.date, ClosedMonth]:
    """Every closed month as booking reads it: its rows' cents per line (kinds together) and its summary."""
    months = closed_month_keys(connection)
    by_month: dict[dt.date, dict[tuple[str, int], tuple[int | None, int]]] = {month: {} for month in months}
    query = sa.select(
        accruals.c.month,
        accruals.c.invoice_id,
        accruals.c.line_no,
        accruals.c.service_period_id,
        accruals.c.recognized_amount,
    ).where(accruals.c.month.in_(months))
    for month, invoice_id, line_no, period_id, value in connection.execute(query):
        period, before = by_month[month].get((invoice_id, line_no), (None, 0))
        period = period if period is not None else period_id
        by_month[month][(invoice_id, line_no)] = (period, before + cents(value))
    summaries = {
        row["month"]: row
        for row in connection.execute(sa.select(accrual_months).where(accrual_months.c.month.in_(months))).mappings()
    }
    return {
        month: ClosedMonth(
            cents=by_month[month],
            invoiced_in_month_cents=cents(summaries[month]["invoiced_in_month"]) if month in summaries else 0,
            invoiced_to_date_cents=cents(summaries[month]["invoiced_to_date"]) if month in summaries else 0,
            recognized_in_month_cents=cents(summaries[month]["recognized_in_month"]) if month in summaries else 0,
        )
        for month in months
    }


def figures_digest(connection: Connection, month: dt.date) -> str:
    """SHA-256 of the month's stored summary figures and rows: what a close freezes."""
    summary = month_summary(connection, month) or {}
    rows = connection.execute(
        sa.select(
            accruals.c.invoice_id,
            accruals.c.line_no,
            accruals.c.kind,
            accruals.c.service_period_id,
            accruals.c.recognized_amount,
        )
        .where(accruals.c.month == month)
        .order_by(accruals.c.invoice_id, accruals.c.line_no, accruals.c.kind)
    )
    text = "|".join(f"{name}={summary.get(name)}" for name in SUMMARY_FIGURES)
    if summary.get(LATE_FIGURE) is not None:
        text += f"|{LATE_FIGURE}={summary[LATE_FIGURE]}"
    text += "".join(f"\n{i},{n},{k},{p},{v}" for i, n, k, p, v in rows)
    return hashlib.sha256(text.encode()).hexdigest()


def record_close(connection: Connection, month: dt.date, at: dt.datetime, by: str) -> None:
    upsert(
        connection,
        accrual_closes,
        [
            {
                "month": month,
                "closed_at": at,
                "closed_by": by,
                "figures_digest": figures_digest(connection, month),
                "reopened_at": None,
                "reopened_by": None,
            }
        ],
        ["month"],
    )


def record_reopen(connection: Connection, month: dt.date, at: dt.datetime, by: str) -> None:
    connection.execute(
        sa.update(accrual_closes).where(accrual_closes.c.month == month).values(reopened_at=at, reopened_by=by)
    )


def catch_up_in_month(connection: Connection, month: dt.date) -> Decimal:
    query = sa.select(accruals.c.recognized_amount).where(accruals.c.month == month, accruals.c.kind == CATCH_UP)
    return sum(connection.execute(query).scalars(), Decimal(0))


def month_summary(connection: Connection, month: dt.date) -> dict[str, Any] | None:
    row = connection.execute(sa.select(accrual_months).where(accrual_months.c.month == month)).mappings().first()
    return dict(row) if row else None


def booked_summary(connection: Connection, month: dt.date) -> dict[str, Any]:
    """The summary of a month that is booked (stored), as every month is once booking has run over it."""
    summary = month_summary(connection, month)
    if summary is None:
        raise LookupError(f"{month:%Y-%m} has not been booked")
    return summary


def recognized_in_month(connection: Connection, month: dt.date) -> Decimal:
    amounts = connection.execute(sa.select(accruals.c.recognized_amount).where(accruals.c.month == month)).scalars()
    return sum(amounts, Decimal(0))


def net_invoiced_up_to(connection: Connection, month: dt.date) -> Decimal:
    """The nets of the live invoices' lines less the credit notes', invoiced or credited in ``month`` or before; a
    credit note of a cancelled invoice counts nothing, as the invoice does not."""
    invoiced = (
        sa.select(holded_invoice_lines.c.net_amount)
        .join(holded_invoices, holded_invoices.c.id == holded_invoice_lines.c.invoice_id)
        .where(holded_invoice_lines.c.invoice_month <= month, sa.not_(holded_invoices.c.cancelled))
    )
    credited = (
        sa.select(
            holded_credit_note_lines.c.net_amount,
            holded_credit_notes.c.credited_invoice_id,
            holded_credit_notes.c.credited_invoice_number,
        )
        .join(holded_credit_notes, holded_credit_notes.c.id == holded_credit_note_lines.c.credit_note_id)
        .where(holded_credit_note_lines.c.credit_note_month <= month)
    )
    credit_lines = connection.execute(credited).all()
    invoices = credited_invoices(connection, {(line[1], line[2]) for line in credit_lines})
    cancelled = {reference for reference, invoice in invoices.items() if invoice.cancelled}
    return sum(connection.execute(invoiced).scalars(), Decimal(0)) - sum(
        (net for net, *reference in credit_lines if tuple(reference) not in cancelled), Decimal(0)
    )


def over_recognized_lines(connection: Connection, month: dt.date) -> list[tuple[str, int, Decimal, Decimal]]:
    """Lines (credit note lines too) whose recognized amounts, summed over every month up to ``month``, exceed their
    net amount."""
    recognized: dict[tuple[str, int], Decimal] = {}
    for invoice_id, line_no, value in connection.execute(
        sa.select(accruals.c.invoice_id, accruals.c.line_no, accruals.c.recognized_amount).where(
            accruals.c.month <= month
        )
    ):
        recognized[(invoice_id, line_no)] = recognized.get((invoice_id, line_no), Decimal(0)) + value
    nets = {
        (invoice_id, line_no): net
        for invoice_id, line_no, net in connection.execute(
            sa.select(
                holded_invoice_lines.c.invoice_id, holded_invoice_lines.c.line_no, holded_invoice_lines.c.net_amount
            )
        )
    } | {
        (note_id, line_no): -net  # a credit note line is recognized negative
        for note_id, line_no, net in connection.execute(
            sa.select(
                holded_credit_note_lines.c.credit_note_id,
                holded_credit_note_lines.c.line_no,
                holded_credit_note_lines.c.net_amount,
            )
        )
    }
    return [
        (invoice_id, line_no, total, nets.get((invoice_id, line_no), Decimal(0)))
        for (invoice_id, line_no), total in sorted(recognized.items())
        if abs(total) > abs(nets.get((invoice_id, line_no), Decimal(0)))
    ]
