"""Reading and writing accruals; each function works inside the caller's transaction."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.defs.accruals.recognition import MonthAccruals
from hr_assets.warehouse.engine import insert_rows, upsert
from hr_assets.warehouse.tables import accrual_months, accruals, holded_invoice_lines, service_periods


def amount(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


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


def replace_month(connection: Connection, result: MonthAccruals, computed_at: dt.datetime) -> None:
    """The month's accrual rows and summary, replaced whole: a re-run leaves one copy."""
    connection.execute(sa.delete(accruals).where(accruals.c.month == result.month))
    insert_rows(
        connection,
        accruals,
        [
            {
                "month": result.month,
                "invoice_id": invoice_id,
                "line_no": line_no,
                "service_period_id": int(period_id) if period_id is not None else None,
                "recognized_amount": amount(cents),
            }
            for invoice_id, line_no, period_id, cents in result.rows.tuples()
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


def month_summary(connection: Connection, month: dt.date) -> dict[str, Any] | None:
    row = connection.execute(sa.select(accrual_months).where(accrual_months.c.month == month)).mappings().first()
    return dict(row) if row else None


def recognized_in_month(connection: Connection, month: dt.date) -> Decimal:
    amounts = connection.execute(sa.select(accruals.c.recognized_amount).where(accruals.c.month == month)).scalars()
    return sum(amounts, Decimal(0))


def net_invoiced_up_to(connection: Connection, month: dt.date) -> Decimal:
    query = sa.select(holded_invoice_lines.c.net_amount).where(holded_invoice_lines.c.invoice_month <= month)
    return sum(connection.execute(query).scalars(), Decimal(0))


def over_recognised_lines(connection: Connection, month: dt.date) -> list[tuple[str, int, Decimal, Decimal]]:
    """Lines whose recognised amounts, summed over every month up to ``month``, exceed their net amount."""
    recognised: dict[tuple[str, int], Decimal] = {}
    for invoice_id, line_no, value in connection.execute(
        sa.select(accruals.c.invoice_id, accruals.c.line_no, accruals.c.recognized_amount).where(
            accruals.c.month <= month
        )
    ):
        recognised[(invoice_id, line_no)] = recognised.get((invoice_id, line_no), Decimal(0)) + value
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
        for (invoice_id, line_no), total in sorted(recognised.items())
        if abs(total) > abs(nets.get((invoice_id, line_no), Decimal(0)))
    ]
