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

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

Row = tuple[str, int, str | None, int]
"""(invoice_id, line_no, service_period_id, recognized cents): a month's share of one line."""


@dataclass(frozen=True, slots=True)
class AccrualLine:
    """One invoice line and the service period it pays for."""

    invoice_id: str
    line_no: int
    invoice_date: date
    net_cents: int  # may be negative (a credit note line): allocate the absolute value, then apply the sign
    service_period_id: str | None  # None: unmatched
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
    _refuse_if_bad(line)
    invoice_month = line.invoice_date.replace(day=1)
    if line.service_period_id is None:
        return {invoice_month: line.net_cents} if line.net_cents else {}
    schedule: dict[date, int] = {}
    sign = -1 if line.net_cents < 0 else 1
    for month, cents in _split_by_days(abs(line.net_cents), line.period_start, line.period_end):  # type: ignore[arg-type]
        if cents:
            month = max(month, invoice_month)
            schedule[month] = schedule.get(month, 0) + sign * cents
    return schedule


def _split_by_days(magnitude: int, start: date, end: date) -> list[tuple[date, int]]:
    """``magnitude`` cents over the months of [start, end] in proportion to their days: each share floored, the cents
    left over one each to the largest remainders (the earlier month on a tie)."""
    period_days = (end - start).days + 1
    months, floors, remainders = [], [], []
    month, first_day = start.replace(day=1), start
    while month <= end:
        following = _month_after(month)
        days = (min(end, following - _ONE_DAY) - first_day).days + 1
        floor, remainder = divmod(magnitude * days, period_days)
        months.append(month)
        floors.append(floor)
        remainders.append(remainder)
        month = first_day = following
    leftover = magnitude - sum(floors)  # fewer than the months: the remainders sum to leftover x period_days
    if leftover:
        for k in sorted(range(len(months)), key=lambda k: -remainders[k])[:leftover]:
            floors[k] += 1
    return list(zip(months, floors, strict=True))


_ONE_DAY = timedelta(days=1)


@functools.cache
def _month_after(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _refuse_if_bad(line: AccrualLine) -> None:
    given = (line.service_period_id is not None, line.period_start is not None, line.period_end is not None)
    if any(given) and not all(given):
        problem = "a service period needs its id, start and end together"
    elif all(given) and line.period_end < line.period_start:  # type: ignore[operator]
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
    recognized: defaultdict[date, int] = defaultdict(int)
    invoiced: defaultdict[date, int] = defaultdict(int)
    unmatched: defaultdict[date, int] = defaultdict(int)
    for line in lines:
        if line.invoice_date >= after_last:
            continue
        invoice_month = line.invoice_date.replace(day=1)
        invoiced[invoice_month] += line.net_cents
        unmatched[invoice_month] += line.service_period_id is None
        for month, cents in line_schedule(line).items():
            rows[month].append((line.invoice_id, line.line_no, line.service_period_id, cents))
            recognized[month] += cents
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
