"""Which month each share of a line is booked in, once months can be closed: plain Python on plain data.

``recognition`` says what each month's share of every line is (by days, catch-up of months before the invoice folded
into the invoice month). Booking adds the closes: an open month books its own shares (kind ``recognised``); a closed
month keeps the rows it was closed with, and whatever its shares are now beyond those rows (a line invoiced late, a
month re-opened before it) is booked in the first open month after it (``catch_up``). So every open month follows
from the lines and the closed months alone, whatever ran before, and per line all months still add up to its net.

Summing what is owed over each run of consecutive closed months, rather than month by month, keeps that true when a
closed month itself holds a catch-up of the one before it.

Invoicing is counted the same way: an open month's ``invoiced_in_month`` is its invoiced to date less what every month
before it counted (a closed month: what it counted at its close), so each line is counted once, in one month, and the
months add up to the invoiced to date. A line dated in a closed month that arrived after the close is counted in the
first open month after it, as that month's ``invoiced_late``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hr_assets.defs.accruals.recognition import AccrualLine, Row, accruals_for_months

RECOGNIZED = "recognised"  # the stored kind: its first spelling, kept in the warehouse
CATCH_UP = "catch_up"

LineKey = tuple[str, int]  # (invoice_id, line_no)


@dataclass(frozen=True)
class ClosedMonth:
    """What a closed month holds: its cents per line (all kinds together), and the summary figures later months
    build on."""

    cents: Mapping[LineKey, tuple[int | None, int]]  # line -> (service period id, cents)
    invoiced_in_month_cents: int
    invoiced_to_date_cents: int
    recognized_in_month_cents: int


@dataclass(frozen=True)
class BookedMonth:
    month: dt.date
    rows: list[Row]  # the month's own shares (kind RECOGNIZED), in line order
    catch_up: list[Row]  # what the lines owe the closed months just before it (kind CATCH_UP)
    invoiced_in_month_cents: int  # invoiced to date less what the months before counted (late arrivals included)
    invoiced_late_cents: int  # of it, lines dated in earlier months that were closed when they arrived
    invoiced_to_date_cents: int
    recognized_in_month_cents: int
    recognized_to_date_cents: int
    deferred_cents: int  # invoiced to date less recognized to date
    unmatched_lines: int
    catch_up_cents: int  # of the rows, the catch-ups'


def book_months(
    lines: Sequence[AccrualLine], closed: Mapping[dt.date, ClosedMonth], months: Sequence[dt.date]
) -> list[BookedMonth]:
    """The open ``months`` as ``lines`` and the ``closed`` months make them.

    ``lines``: every line there is (those invoiced after the latest month are not read). Raises ``ValueError`` for
    a month that is closed (it is not booked again) and for the lines ``recognition`` refuses.
    """
    if not months:
        return []
    for month in months:
        if month in closed:
            raise ValueError(f"{month:%Y-%m} is closed: its figures are not booked again")
    last = max(months)
    span = _months_between(_first_month(lines, closed, min(months)), last)
    shares = {result.month: result for result in accruals_for_months(lines, span)}
    wanted, booked = set(months), {}
    owed: dict[LineKey, list[Any]] = {}  # a closed run's shares less its rows: [service period id, cents]
    invoiced_counted = recognized_to_date = 0  # what the months so far counted in their invoiced_in_month
    for month in span:
        share = shares[month]
        if month in closed:
            _owe(owed, share.rows, sign=1)
            _owe(owed, [(i, n, p, c) for (i, n), (p, c) in closed[month].cents.items()], sign=-1)
            recognized_to_date += closed[month].recognized_in_month_cents
            invoiced_counted += closed[month].invoiced_in_month_cents
            continue
        catch_up = [(i, n, p, c) for (i, n), (p, c) in owed.items() if c]
        owed = {}
        catch_up_cents = sum(row[3] for row in catch_up)
        recognized_in_month = share.recognized_in_month_cents + catch_up_cents
        recognized_to_date += recognized_in_month
        invoiced_in_month = share.invoiced_to_date_cents - invoiced_counted
        invoiced_counted = share.invoiced_to_date_cents
        if month in wanted:
            booked[month] = BookedMonth(
                month=month,
                rows=share.rows,
                catch_up=catch_up,
                invoiced_in_month_cents=invoiced_in_month,
                invoiced_late_cents=invoiced_in_month - share.invoiced_in_month_cents,
                invoiced_to_date_cents=share.invoiced_to_date_cents,
                recognized_in_month_cents=recognized_in_month,
                recognized_to_date_cents=recognized_to_date,
                deferred_cents=share.invoiced_to_date_cents - recognized_to_date,
                unmatched_lines=share.unmatched_lines,
                catch_up_cents=catch_up_cents,
            )
    return [booked[month] for month in months]


def _owe(owed: dict[LineKey, list[Any]], rows: list[Row], sign: int) -> None:
    for invoice_id, line_no, period_id, cents in rows:
        entry = owed.setdefault((invoice_id, line_no), [period_id, 0])
        entry[0] = entry[0] if entry[0] is not None else period_id
        entry[1] += sign * cents


def _first_month(lines: Sequence[AccrualLine], closed: Mapping[dt.date, ClosedMonth], first_wanted: dt.date) -> dt.date:
    """The first month anything is booked in: the first invoice month or closed month, if before ``first_wanted``."""
    first_invoiced = min((line.invoice_date for line in lines), default=first_wanted).replace(day=1)
    return min(first_wanted, first_invoiced, *closed)


def _months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months
