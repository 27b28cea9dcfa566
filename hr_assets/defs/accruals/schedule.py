"""Monthly revenue accruals of invoice lines: plain Python and numpy on plain data, no Dagster.

The product's rules: the revenue of each invoice line (net of discount, before tax) is recognised over its
service period in proportion to the days of the period that fall in each month. A line with no matching service
period is recognised in its invoice month and counted as unmatched. A month's accruals never change once later
invoices arrive: a line invoiced after its service began books the share of the months already past in its
invoice month. Per line the monthly amounts sum to the net amount to the cent (largest-remainder rounding), and
for every month recognised plus deferred equals invoiced to date.

Money is integer cents (int64, never float); a service period is [start, end], both days included; months are
identified by their first day. The whole computation is vectorised over lines: days per month come from day
ordinals (``date.toordinal``) and numpy's month arithmetic on ``datetime64``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

_UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class AccrualLine:
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
    rows: list[tuple[str, int, str | None, int]]  # (invoice_id, line_no, service_period_id, recognized_cents), non-zero
    invoiced_in_month_cents: int  # net of lines whose invoice month is this month
    invoiced_to_date_cents: int  # net of lines invoiced in this month or before
    recognized_in_month_cents: int
    recognized_to_date_cents: int  # all months up to and including this one
    deferred_cents: int  # invoiced to date not yet recognised, summed from the schedules of later months
    unmatched_lines: int  # lines invoiced this month with no service period


def line_schedules(lines: Sequence[AccrualLine]) -> tuple[np.ndarray, np.ndarray, date]:
    """(cents[n_lines, n_months], invoice_month_index[n_lines], first_month): the whole recognition schedule of every
    line over one month axis starting at first_month, catch-up already folded into the invoice month, each row summing
    exactly to net_cents.

    The axis runs from the earliest invoice month to the last month any line recognises in. Raises ``ValueError`` for
    an empty ``lines`` (there is no axis) and, naming the first such line, for a service period ending before it
    starts, a period id without both dates or dates without an id, and a net too large to split in int64.
    """
    if not lines:
        raise ValueError("no lines to schedule")
    schedule = _Schedule.of(lines)
    return schedule.cents, schedule.invoice_index, _month_date(schedule.first_month)


def accruals_for_month(lines: Sequence[AccrualLine], month: date) -> MonthAccruals:
    """Month `month`'s accruals from every line invoiced up to the end of that month (lines invoiced later are ignored,
    which is why a month never changes when later invoices arrive)."""
    return accruals_for_months(lines, [month])[0]


def accruals_for_months(lines: Sequence[AccrualLine], months: Sequence[date]) -> list[MonthAccruals]:
    """The same for several months from one schedule computation (what a backfill over a range uses).

    Only lines invoiced up to the end of the latest month are read, so a bad line invoiced after it raises nothing.
    """
    for month in months:
        if month.day != 1:
            raise ValueError(f"months are identified by their first day, got {month.isoformat()}")
    if not months:
        return []
    after_last = _month_date(_month_number(max(months)) + 1)
    invoiced = [line for line in lines if line.invoice_date < after_last]
    if not invoiced:
        return [_nothing(month) for month in months]
    schedule = _Schedule.of(invoiced)
    totals = _MonthTotals.of(schedule)
    rows = _MonthRows.of(invoiced, schedule.cents)
    return [totals.accruals(month, rows) for month in months]


def _month_number(day: date) -> int:
    """Months since January 1970, numpy's ``datetime64[M]`` count."""
    return (day.year - 1970) * 12 + day.month - 1


def _month_date(month_number: int) -> date:
    return date(1970 + month_number // 12, month_number % 12 + 1, 1)


def _month_numbers(ordinals: np.ndarray) -> np.ndarray:
    return (ordinals - _UNIX_EPOCH_ORDINAL).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _month_start_ordinals(month_numbers: np.ndarray) -> np.ndarray:
    return month_numbers.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + _UNIX_EPOCH_ORDINAL


@dataclass(frozen=True)
class _LineArrays:
    """The lines' fields as arrays: day ordinals (``date.toordinal``), net cents, unmatched flags.

    An unmatched line counts as served on its invoice date alone, which recognises it whole in its invoice month.
    """

    invoice_day: np.ndarray
    start: np.ndarray  # first day of service
    end: np.ndarray  # last day of service
    net: np.ndarray
    unmatched: np.ndarray  # bool

    @classmethod
    def of(cls, lines: Sequence[AccrualLine]) -> _LineArrays:
        unmatched = np.array([line.service_period_id is None for line in lines])
        no_start = np.array([line.period_start is None for line in lines])
        no_end = np.array([line.period_end is None for line in lines])
        _refuse_first(lines, (no_start != unmatched) | (no_end != unmatched), _half_given_period)
        start = _ordinals([line.period_start or line.invoice_date for line in lines])
        end = _ordinals([line.period_end or line.invoice_date for line in lines])
        _refuse_first(lines, end < start, _backwards_period)
        net = np.array([line.net_cents for line in lines], np.int64)
        _refuse_first(lines, np.abs(net) > np.iinfo(np.int64).max // (end - start + 1), _too_large)
        return cls(_ordinals([line.invoice_date for line in lines]), start, end, net, unmatched)


def _ordinals(days: list[date]) -> np.ndarray:
    return np.fromiter(map(date.toordinal, days), np.int64, len(days))


def _refuse_first(lines: Sequence[AccrualLine], bad: np.ndarray, problem: Callable[[AccrualLine], str]) -> None:
    """A data error for the first line flagged in ``bad``, named so the caller can record it."""
    if bad.any():
        line = lines[int(np.argmax(bad))]
        raise ValueError(f"invoice {line.invoice_id} line {line.line_no}: {problem(line)}")


def _half_given_period(line: AccrualLine) -> str:
    return "a service period needs its id, start and end together"


def _backwards_period(line: AccrualLine) -> str:
    return f"service period {line.service_period_id} ends on {line.period_end}, before it starts on {line.period_start}"


def _too_large(line: AccrualLine) -> str:
    """|net| x the period's days must fit in int64 (about 2.5e15 cents over ten years), or the split would wrap."""
    return f"{line.net_cents} cents is too large to split over its service period"


def _largest_remainder_cents(remainders: np.ndarray, leftover: np.ndarray) -> np.ndarray:
    """One extra cent for each of a row's ``leftover`` months with the largest remainders.

    A stable sort of the negated remainders puts ties in month order, so the earlier month wins. Months outside the
    period (remainder 0) never get one: the remainders sum to ``leftover`` times the period's days, each below it.
    """
    order = np.argsort(-remainders, axis=1, kind="stable")
    extra = np.zeros_like(remainders)
    np.put_along_axis(extra, order, np.arange(remainders.shape[1]) < leftover[:, None], axis=1)
    return extra


def _split_by_days(lines: _LineArrays, start_month: np.ndarray, end_month: np.ndarray) -> np.ndarray:
    """cents[n, k]: column j is the month ``start_month`` + j; each row sums to its ``net``."""
    start, end, net = lines.start, lines.end, lines.net
    span = int((end_month - start_month).max()) + 1
    lowest = int(start_month.min())
    month_starts = _month_start_ordinals(np.arange(lowest, int(start_month.max()) + span + 1))  # a small table
    columns = (start_month - lowest)[:, None] + np.arange(span)
    first_day = np.maximum(start[:, None], month_starts[columns])
    after_last_day = np.minimum(end[:, None] + 1, month_starts[columns + 1])
    days = np.maximum(after_last_day - first_day, 0)
    magnitude = np.abs(net)
    floors, remainders = np.divmod(magnitude[:, None] * days, (end - start + 1)[:, None])
    cents = floors + _largest_remainder_cents(remainders, magnitude - floors.sum(axis=1))
    return cents * np.sign(net)[:, None]


@dataclass(frozen=True)
class _Schedule:
    cents: np.ndarray  # [line, month of the axis]
    invoice_index: np.ndarray  # [line]: the invoice month's column
    first_month: int  # month number of column 0
    net: np.ndarray
    unmatched: np.ndarray  # bool

    @classmethod
    def of(cls, lines: Sequence[AccrualLine]) -> _Schedule:
        arrays = _LineArrays.of(lines)
        invoice_month, start_month, end_month = map(_month_numbers, (arrays.invoice_day, arrays.start, arrays.end))
        split = _split_by_days(arrays, start_month, end_month)
        first = int(invoice_month.min())
        width = int(max(invoice_month.max(), end_month.max())) - first + 1
        cents = _fold_onto_axis(split, start_month - first, invoice_month - first, width)
        return cls(cents, invoice_month - first, first, arrays.net, arrays.unmatched)


def _fold_onto_axis(split: np.ndarray, start_index: np.ndarray, invoice_index: np.ndarray, width: int) -> np.ndarray:
    """Each row of ``split`` (column j: axis column start_index + j) on the common axis, the cents of the months
    before its invoice month added to the invoice month, so a month already closed is never touched."""
    columns = start_index[:, None] + np.arange(split.shape[1])
    past = columns < invoice_index[:, None]
    cents = np.zeros((len(split), width), np.int64)
    line, position = np.nonzero(~past & (split != 0))
    cents[line, columns[line, position]] = split[line, position]
    cents[np.arange(len(split)), invoice_index] += np.where(past, split, 0).sum(axis=1)
    return cents


@dataclass(frozen=True)
class _MonthRows:
    """The non-zero cents of each axis month, in the order of the lines."""

    invoice_ids: np.ndarray  # object, per line
    line_nos: np.ndarray
    service_period_ids: np.ndarray  # object, per line
    line: np.ndarray  # per non-zero cell, sorted by month then line
    cents: np.ndarray
    bounds: np.ndarray  # cells of axis month m: bounds[m]:bounds[m + 1]

    @classmethod
    def of(cls, lines: Sequence[AccrualLine], cents: np.ndarray) -> _MonthRows:
        by_month = np.ascontiguousarray(cents.T)
        month, cell_line = np.nonzero(by_month)
        return cls(
            np.array([line.invoice_id for line in lines], object),
            np.array([line.line_no for line in lines], np.int64),
            np.array([line.service_period_id for line in lines], object),
            cell_line,
            by_month[month, cell_line],
            np.searchsorted(month, np.arange(cents.shape[1] + 1)),
        )

    def of_month(self, index: int) -> list[tuple[str, int, str | None, int]]:
        if index >= len(self.bounds) - 1:
            return []
        cells = slice(self.bounds[index], self.bounds[index + 1])
        line = self.line[cells]
        columns = (self.invoice_ids[line], self.line_nos[line], self.service_period_ids[line], self.cents[cells])
        return list(zip(*(column.tolist() for column in columns), strict=True))


@dataclass(frozen=True)
class _MonthTotals:
    """Per axis month, plus one last entry standing for every month after the axis (nothing happens then, and all
    is recognised by then)."""

    first_month: int
    invoiced_in: np.ndarray
    invoiced_to_date: np.ndarray
    recognized_in: np.ndarray
    recognized_to_date: np.ndarray
    deferred: np.ndarray
    unmatched: np.ndarray

    @classmethod
    def of(cls, schedule: _Schedule) -> _MonthTotals:
        width = schedule.cents.shape[1] + 1
        invoiced_in = np.zeros(width, np.int64)
        np.add.at(invoiced_in, schedule.invoice_index, schedule.net)
        by_invoice_month = np.zeros((width, width), np.int64)  # [invoice month, month recognised in]
        np.add.at(by_invoice_month[:, :-1], schedule.invoice_index, schedule.cents)
        invoiced_so_far = by_invoice_month.cumsum(axis=0)  # [m, k]: cents in month k of lines invoiced up to m
        return cls(
            first_month=schedule.first_month,
            invoiced_in=invoiced_in,
            invoiced_to_date=invoiced_in.cumsum(),
            recognized_in=by_invoice_month.sum(axis=0),
            recognized_to_date=np.tril(invoiced_so_far).sum(axis=1),
            deferred=np.triu(invoiced_so_far, 1).sum(axis=1),
            unmatched=np.bincount(schedule.invoice_index[schedule.unmatched], minlength=width),
        )

    def accruals(self, month: date, rows: _MonthRows) -> MonthAccruals:
        index = _month_number(month) - self.first_month
        if index < 0:
            return _nothing(month)
        at = min(index, len(self.invoiced_in) - 1)
        return MonthAccruals(
            month=month,
            rows=rows.of_month(index),
            invoiced_in_month_cents=int(self.invoiced_in[at]),
            invoiced_to_date_cents=int(self.invoiced_to_date[at]),
            recognized_in_month_cents=int(self.recognized_in[at]),
            recognized_to_date_cents=int(self.recognized_to_date[at]),
            deferred_cents=int(self.deferred[at]),
            unmatched_lines=int(self.unmatched[at]),
        )


def _nothing(month: date) -> MonthAccruals:
    """A month before any line was invoiced."""
    return MonthAccruals(month, [], 0, 0, 0, 0, 0, 0)
