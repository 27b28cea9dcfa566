"""Monthly revenue accruals of invoice lines: plain Python on plain data, no Dagster.

The product's rules: the revenue of each invoice line (net of discount, before tax) is recognized over its
service period in proportion to the days of the period that fall in each month. A line with no matching service
period is recognized in its invoice month and counted as unmatched. A month's accruals never change once later
invoices arrive: a line invoiced after its service began books the share of the months already past in its
invoice month. Per line the monthly amounts sum to the net amount to the cent (largest-remainder rounding), and
for every month recognized plus deferred equals invoiced to date.

Money is integer cents (Python integers: exact whatever their size); a service period is [start, end], both days
included; months are identified by their first day.
"""

from __future__ import annotations

import calendar
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import NamedTuple

Row = tuple[str, int, int | None, int]
"""(invoice_id, line_no, service_period_id, recognized cents): a month's share of one line."""


class AccrualLine(NamedTuple):
    """One invoice line and the service period it pays for (a tuple: a run reads a hundred thousand)."""

    invoice_id: str
    line_no: int
    invoice_date: date
    net_cents: int  # may be negative (a credit note line): allocate the absolute value, then apply the sign
    service_period_id: int | None  # None: unmatched
    period_start: date | None  # both None when unmatched
    period_end: date | None  # inclusive


@dataclass(frozen=True)
class MonthAccruals:
    month: date  # first day
    rows: list[Row]  # non-zero, at most one per line, in the order of the lines
    invoiced_in_month_cents: int  # net of lines whose invoice month is this month
    invoiced_to_date_cents: int  # net of lines invoiced in this month or before
    recognized_in_month_cents: int
    recognized_to_date_cents: int  # all months up to and including this one
    deferred_cents: int  # what the schedules of the lines invoiced to date hold for later months
    unmatched_lines: int  # lines invoiced this month with no service period


def line_schedule(line: AccrualLine) -> dict[date, int]:
    """The line's non-zero cents by month, in month order, the months before its invoice month folded into it; they
    sum to its net cents.

    Raises ``ValueError``, naming the line, for a service period ending before it starts, and a period id without
    both dates or dates without an id.
    """
    return dict(_schedule(line, line.invoice_date.replace(day=1)))


def _schedule(line: AccrualLine, invoice_month: date) -> list[tuple[date, int]]:
    """``line_schedule`` as (month, cents) pairs."""
    _refuse_if_bad(line)
    net = line.net_cents
    if line.period_start is None or line.period_end is None:
        return [(invoice_month, net)] if net else []
    months, cents = _split_by_days(abs(net), line.period_start, line.period_end)
    past = min(_months_from(months[0], invoice_month) + 1, len(months))  # months up to the invoice month
    if past > 0:  # booked in the invoice month: a month already past is never changed
        months, cents = (invoice_month, *months[past:]), [sum(cents[:past]), *cents[past:]]
    sign = -1 if net < 0 else 1
    return [(month, sign * share) for month, share in zip(months, cents, strict=True) if share]


def _split_by_days(magnitude: int, start: date, end: date) -> tuple[tuple[date, ...], list[int]]:
    """``magnitude`` cents over the months of [start, end] in proportion to their days: (the months, their cents).
    Each share is floored, and the cents left over go one each to the largest remainders (the earlier month on a
    tie)."""
    months, month_days = _months(start.replace(day=1), end.replace(day=1))
    days = list(month_days)  # whole months, but for the first from its start and the last to its end
    days[0] -= start.day - 1
    days[-1] -= month_days[-1] - end.day
    period_days = (end - start).days + 1
    shares = [magnitude * month_days for month_days in days]
    cents = [share // period_days for share in shares]
    leftover = magnitude - sum(cents)  # fewer than the months: the remainders sum to leftover x period_days
    if leftover:
        remainders = [share % period_days for share in shares]
        for k in sorted(range(len(months)), key=lambda k: -remainders[k])[:leftover]:
            cents[k] += 1
    return months, cents


@functools.lru_cache(maxsize=4096)
def _months(first: date, last: date) -> tuple[tuple[date, ...], tuple[int, ...]]:
    """The months from ``first`` to ``last`` (first days), and the days of each."""
    months = [first]
    while months[-1] < last:
        months.append(_month_after(months[-1]))
    return tuple(months), tuple(calendar.monthrange(month.year, month.month)[1] for month in months)


def _month_after(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _months_from(first: date, later: date) -> int:
    return (later.year - first.year) * 12 + later.month - first.month


def _refuse_if_bad(line: AccrualLine) -> None:
    period = (line.service_period_id, line.period_start, line.period_end)
    if period.count(None) not in (0, 3):
        problem = "a service period needs its id, start and end together"
    elif period[0] is not None and line.period_end < line.period_start:  # type: ignore[operator]
        problem = (
            f"service period {line.service_period_id} ends on {line.period_end}, before it starts on "
            f"{line.period_start}"
        )
    else:
        return
    raise ValueError(f"invoice {line.invoice_id} line {line.line_no}: {problem}")


def accruals_for_month(lines: Iterable[AccrualLine], month: date) -> MonthAccruals:
    """Month `month`'s accruals from every line invoiced up to the end of that month (lines invoiced later are ignored,
    which is why a month never changes when later invoices arrive)."""
    return accruals_for_months(lines, [month])[0]


def accruals_for_months(lines: Iterable[AccrualLine], months: Sequence[date]) -> list[MonthAccruals]:
    """The same for several months from one pass over the lines (what a backfill over a range uses).

    Only lines invoiced up to the end of the latest month are read, so a bad line invoiced after it raises nothing.
    """
    for month in months:
        if month.day != 1:
            raise ValueError(f"months are identified by their first day, got {month.isoformat()}")
    if not months:
        return []
    after_last = _month_after(max(months))
    rows: defaultdict[date, list[Row]] = defaultdict(list)
    invoiced: defaultdict[date, int] = defaultdict(int)
    unmatched: defaultdict[date, int] = defaultdict(int)
    for line in lines:
        if line.invoice_date >= after_last:
            continue
        invoice_month = line.invoice_date.replace(day=1)
        invoiced[invoice_month] += line.net_cents
        unmatched[invoice_month] += line.service_period_id is None
        for month, cents in _schedule(line, invoice_month):
            rows[month].append((line.invoice_id, line.line_no, line.service_period_id, cents))
    recognized = {month: sum(map(itemgetter(3), month_rows)) for month, month_rows in rows.items()}
    return [
        MonthAccruals(
            month=month,
            rows=rows.get(month, []),
            invoiced_in_month_cents=invoiced.get(month, 0),
            invoiced_to_date_cents=(invoiced_to_date := _to_date(invoiced, month)),
            recognized_in_month_cents=recognized.get(month, 0),
            recognized_to_date_cents=(recognized_to_date := _to_date(recognized, month)),
            # every cent recognized up to the month is of a line invoiced by then: what is left of their nets
            deferred_cents=invoiced_to_date - recognized_to_date,
            unmatched_lines=unmatched.get(month, 0),
        )
        for month in months
    ]


def _to_date(by_month: dict[date, int], month: date) -> int:
    return sum(cents for other, cents in by_month.items() if other <= month)
