"""Reading and writing accruals; each function works inside the caller's transaction."""

import datetime as dt
import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.defs.accruals.booking import CATCH_UP, BookedMonth, ClosedMonth
from hr_assets.warehouse.engine import insert_rows, upsert
from hr_assets.warehouse.tables import (
    accrual_closes,
    accrual_months,
    accruals,
    holded_invoice_lines,
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


def amount(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def cents(value: Decimal) -> int:
    return int(value.scaleb(2))


def periods_of_contacts(connection: Connection, contact_ids: Iterable[str]) -> list[dict[str, Any]]:
    ids = sorted(set(contact_ids))
    columns = [
        service_periods.c[name] for name in ("id", "holded_contact_id", "service_code", "start_date", "end_date")
    ]
    found: list[dict[str, Any]] = []
    for start in range(0, len(ids), 1000):
        query = sa.select(*columns).where(service_periods.c.holded_contact_id.in_(ids[start : start + 1000]))
        found.extend(dict(row) for row in connection.execute(query).mappings())
    return found


def replace_month(connection: Connection, result: BookedMonth, computed_at: dt.datetime) -> None:
    """The month's accrual rows and summary, replaced whole: a re-run leaves one copy."""
    connection.execute(sa.delete(accruals).where(accruals.c.month == result.month))
    insert_rows(
        connection,
        accruals,
        [
            {
                "month": result.month,
                "invoice_id": row.invoice_id,
                "line_no": row.line_no,
                "kind": row.kind,
                "service_period_id": int(row.service_period_id) if row.service_period_id is not None else None,
                "recognized_amount": amount(row.cents),
            }
            for row in result.rows
        ],
    )
    upsert(
        connection,
        accrual_months,
        [
            {
                "month": result.month,
                "invoiced_in_month": amount(result.invoiced_in_month_cents),
                "invoiced_to_date": amount(result.invoiced_to_date_cents),
                "recognized_in_month": amount(result.recognized_in_month_cents),
                "recognized_to_date": amount(result.recognized_to_date_cents),
                "deferred_balance": amount(result.deferred_cents),
                "unmatched_lines": result.unmatched_lines,
                "computed_at": computed_at,
            }
        ],
        ["month"],
    )


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
    by_month: dict[dt.date, dict[tuple[str, int], tuple[str | None, int]]] = {month: {} for month in months}
    query = sa.select(
        accruals.c.month,
        accruals.c.invoice_id,
        accruals.c.line_no,
        accruals.c.service_period_id,
        accruals.c.recognized_amount,
    ).where(accruals.c.month.in_(months))
    for month, invoice_id, line_no, period_id, value in connection.execute(query):
        period, before = by_month[month].get((invoice_id, line_no), (None, 0))
        period = period if period is not None else (str(period_id) if period_id is not None else None)
        by_month[month][(invoice_id, line_no)] = (period, before + cents(value))
    summaries = {
        row["month"]: row
        for row in connection.execute(sa.select(accrual_months).where(accrual_months.c.month.in_(months))).mappings()
    }
    return {
        month: ClosedMonth(
            cents=by_month[month],
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
    query = sa.select(holded_invoice_lines.c.net_amount).where(holded_invoice_lines.c.invoice_month <= month)
    return sum(connection.execute(query).scalars(), Decimal(0))


def over_recognized_lines(connection: Connection, month: dt.date) -> list[tuple[str, int, Decimal, Decimal]]:
    """Lines whose recognized amounts, summed over every month up to ``month``, exceed their net amount."""
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
    }
    return [
        (invoice_id, line_no, total, nets.get((invoice_id, line_no), Decimal(0)))
        for (invoice_id, line_no), total in sorted(recognized.items())
        if abs(total) > abs(nets.get((invoice_id, line_no), Decimal(0)))
    ]
