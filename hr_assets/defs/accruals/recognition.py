"""Monthly revenue accruals of invoice lines: numpy on plain data, no Dagster.

The product's rules: the revenue of each invoice line (net of discount, before tax) is recognized over its
service period in proportion to the days of the period that fall in each month. A line with no matching service
period is recognized in its invoice month and counted as unmatched. A month's accruals never change once later
invoices arrive: a line invoiced after its service began books the share of the months already past in its
invoice month. Per line the monthly amounts sum to the net amount to the cent (largest-remainder rounding), and
for every month recognized plus deferred equals invoiced to date.

Money is integer cents (int64, or int32 within a batch of lines whose |net| x 31 days fits; never float: float64 only
divides where the quotient is provably exact, see ``_floor_quotients``); a service period is [start, end], both days
included; months are identified by their first day.

Columnar in and out: the lines come in as one numpy array per field (``AccrualLines``) and each month's rows go out as
positions into them with their cents (``AccrualRows``), so no Python object is made per line or per row. Lines are
split in batches laid out [month of the period, line]: days per month from day ordinals (``date.toordinal``) and small
calendar tables, largest remainders ranked by comparing whole rows (a line has few months), the catch-up folded row by
row. Each batch's non-zero cells then go straight to their place among their month's rows (numpy's radix sort by
month), so the result is built without a copy of every line's cells; the months' totals are integer sums.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date

import numpy as np

_UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_INT64_MAX = np.iinfo(np.int64).max
_FLOAT64_EXACT = 2**53  # every integer up to this one is a float64
_MOST_DAYS_IN_A_MONTH = 31
NO_DAY = 0  # a missing date in a column of day ordinals (``date.toordinal`` starts at 1)


@dataclass(frozen=True)
class AccrualLine:
    """One invoice line as Python objects: what tests and small callers write; ``AccrualLines.of`` makes columns."""

    invoice_id: str
    line_no: int
    invoice_date: date
    net_cents: int  # may be negative (a credit note line): allocate the absolute value, then apply the sign
    service_period_id: str | None  # None: unmatched
    period_start: date | None  # both None when unmatched
    period_end: date | None  # inclusive


@dataclass(frozen=True)
class AccrualLines:
    """Invoice lines as columns, line i at position i of every array: what the computation reads.

    Build it once, with ``from_columns`` (from the warehouse's rows) or ``of`` (from ``AccrualLine`` objects).
    """

    invoice_ids: np.ndarray  # object: str
    line_nos: np.ndarray  # int64
    invoice_days: np.ndarray  # int64 day ordinals
    net_cents: np.ndarray  # int64, negative for a credit note line
    service_period_ids: np.ndarray  # object: str, None when unmatched
    unmatched: np.ndarray  # bool: no service period id, as flags so the computation never scans the object column
    period_starts: np.ndarray  # int64 day ordinals, NO_DAY when not given
    period_ends: np.ndarray  # inclusive, NO_DAY when not given

    @classmethod
    def from_columns(
        cls,
        invoice_ids: Sequence[str],
        line_nos: Sequence[int],
        invoice_dates: Sequence[date],
        net_cents: Sequence[int],
        service_period_ids: Sequence[str | None],
        period_starts: Sequence[date | None],
        period_ends: Sequence[date | None],
    ) -> AccrualLines:
        count = len(invoice_ids)
        period_ids = np.fromiter(service_period_ids, object, count)
        return cls(
            invoice_ids=np.fromiter(invoice_ids, object, count),
            line_nos=np.fromiter(line_nos, np.int64, count),
            invoice_days=_day_ordinals(invoice_dates),
            net_cents=np.fromiter(net_cents, np.int64, count),
            service_period_ids=period_ids,
            unmatched=np.equal(period_ids, None),
            period_starts=_day_ordinals(period_starts),
            period_ends=_day_ordinals(period_ends),
        )

    @classmethod
    def of(cls, lines: Sequence[AccrualLine]) -> AccrualLines:
        return cls.from_columns(
            [line.invoice_id for line in lines],
            [line.line_no for line in lines],
            [line.invoice_date for line in lines],
            [line.net_cents for line in lines],
            [line.service_period_id for line in lines],
            [line.period_start for line in lines],
            [line.period_end for line in lines],
        )

    def __len__(self) -> int:
        return len(self.net_cents)

    def take(self, positions: np.ndarray) -> AccrualLines:
        """The lines at ``positions``, in that order."""
        return AccrualLines(**{field.name: getattr(self, field.name)[positions] for field in fields(self)})

    def line_at(self, position: int) -> AccrualLine:
        return AccrualLine(
            invoice_id=self.invoice_ids[position],
            line_no=int(self.line_nos[position]),
            invoice_date=date.fromordinal(int(self.invoice_days[position])),
            net_cents=int(self.net_cents[position]),
            service_period_id=self.service_period_ids[position],
            period_start=_day_or_none(self.period_starts[position]),
            period_end=_day_or_none(self.period_ends[position]),
        )


def _day_ordinals(days: Sequence[date | None]) -> np.ndarray:
    return np.fromiter((NO_DAY if day is None else day.toordinal() for day in days), np.int64, len(days))


def _day_or_none(ordinal: np.int64) -> date | None:
    return None if ordinal == NO_DAY else date.fromordinal(int(ordinal))


@dataclass(frozen=True, eq=False)
class AccrualRows:
    """A month's non-zero recognized cents, at most one per line, in the order of the lines: positions into
    ``lines`` and cents. Equal when they hold the same (invoice, line, period, cents), whatever the positions."""

    lines: AccrualLines
    line: np.ndarray  # positions into lines (unsigned)
    cents: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.line)

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(invoice_ids, line_nos, service_period_ids, cents), one entry per row."""
        lines = self.lines
        return lines.invoice_ids[self.line], lines.line_nos[self.line], lines.service_period_ids[self.line], self.cents

    def tuples(self) -> list[tuple[str, int, str | None, int]]:
        """(invoice_id, line_no, service_period_id, recognized_cents) per row, as Python objects."""
        return list(zip(*(column.tolist() for column in self.columns()), strict=True))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AccrualRows) and self.tuples() == other.tuples()


@dataclass(frozen=True)
class MonthAccruals:
    month: date  # first day
    rows: AccrualRows
    invoiced_in_month_cents: int  # net of lines whose invoice month is this month
    invoiced_to_date_cents: int  # net of lines invoiced in this month or before
    recognized_in_month_cents: int
    recognized_to_date_cents: int  # all months up to and including this one
    deferred_cents: int  # what the schedules of the lines invoiced to date hold for later months
    unmatched_lines: int  # lines invoiced this month with no service period


@dataclass(frozen=True)
class LineSchedules:
    """Every line's non-zero cents by month, catch-up folded into its invoice month: one cell per line and month,
    ordered by line, then month."""

    line: np.ndarray  # int64 positions into the lines
    month: np.ndarray  # datetime64[M]
    cents: np.ndarray  # int64


def line_schedules(lines: AccrualLines) -> LineSchedules:
    """The whole recognition schedule of every line, each line's cents summing exactly to its net cents.

    Raises ``ValueError`` for no lines (nothing to schedule) and, naming the first such line, for a service period
    ending before it starts, a period id without both dates or dates without an id, and a net too large to split in
    int64.
    """
    if not len(lines):
        raise ValueError("no lines to schedule")
    _refuse_bad_lines(lines)
    calendar = _Calendar.spanning(lines)
    batches = list(_cells_in_batches(lines, calendar))
    months = np.concatenate([cells.month for cells in batches]).astype(np.int64) + calendar.first_month
    return LineSchedules(
        line=np.concatenate([cells.line for cells in batches]),
        month=months.view("datetime64[M]"),
        cents=np.concatenate([cells.cents for cells in batches]),
    )


def accruals_for_month(lines: AccrualLines, month: date) -> MonthAccruals:
    """Month `month`'s accruals from every line invoiced up to the end of that month (lines invoiced later are ignored,
    which is why a month never changes when later invoices arrive)."""
    return accruals_for_months(lines, [month])[0]


def accruals_for_months(lines: AccrualLines, months: Sequence[date]) -> list[MonthAccruals]:
    """The same for several months from one schedule computation (what a backfill over a range uses).

    Only lines invoiced up to the end of the latest month are read, so a bad line invoiced after it raises nothing.
    """
    for month in months:
        if month.day != 1:
            raise ValueError(f"months are identified by their first day, got {month.isoformat()}")
    if not months:
        return []
    invoiced = _invoiced_before(lines, _month_date(_month_number(max(months)) + 1))
    if not len(invoiced):
        return [_nothing(month, invoiced) for month in months]
    _refuse_bad_lines(invoiced)
    calendar = _Calendar.spanning(invoiced)
    schedule = _Schedule.of(invoiced, calendar)
    totals = _MonthTotals.of(invoiced, calendar, schedule)
    return [totals.accruals(month, schedule) for month in months]


def _invoiced_before(lines: AccrualLines, day: date) -> AccrualLines:
    invoiced = lines.invoice_days < day.toordinal()
    return lines if invoiced.all() else lines.take(np.flatnonzero(invoiced))


def _month_number(day: date) -> int:
    """Months since January 1970, numpy's ``datetime64[M]`` count."""
    return (day.year - 1970) * 12 + day.month - 1


def _month_date(month_number: int) -> date:
    return date(1970 + month_number // 12, month_number % 12 + 1, 1)


def _refuse_bad_lines(lines: AccrualLines) -> None:
    """``ValueError``, naming the first such line, for a period id without both dates or dates without an id, a
    service period ending before it starts, and a net too large to split in int64."""
    unmatched = lines.unmatched
    given_start, given_end = lines.period_starts != NO_DAY, lines.period_ends != NO_DAY
    _refuse_first(lines, (given_start == unmatched) | (given_end == unmatched), _half_given_period)
    _refuse_first(lines, lines.period_ends < lines.period_starts, _backwards_period)  # NO_DAY both when unmatched
    days = lines.period_ends - lines.period_starts + 1  # 1 when unmatched: served on its invoice date alone
    magnitude = np.abs(lines.net_cents)  # -2**63 stays negative: it has no int64 absolute value
    _refuse_first(lines, (magnitude < 0) | (magnitude > _INT64_MAX // days), _too_large)


def _refuse_first(lines: AccrualLines, bad: np.ndarray, problem: Callable[[AccrualLine], str]) -> None:
    """A data error for the first line flagged in ``bad``, named so the caller can record it."""
    if bad.any():
        line = lines.line_at(int(np.argmax(bad)))
        raise ValueError(f"invoice {line.invoice_id} line {line.line_no}: {problem(line)}")


def _half_given_period(line: AccrualLine) -> str:
    return "a service period needs its id, start and end together"


def _backwards_period(line: AccrualLine) -> str:
    return f"service period {line.service_period_id} ends on {line.period_end}, before it starts on {line.period_start}"


def _too_large(line: AccrualLine) -> str:
    """|net| x the period's days must fit in int64 (about 2.5e15 cents over ten years), or the split would wrap."""
    return f"{line.net_cents} cents is too large to split over its service period"


@dataclass(frozen=True)
class _Calendar:
    """Small tables over the days the lines touch, indexed instead of converting every date: the month of each day
    from ``first_day`` on, the first day of each month from ``first_month`` on (one month past the last too), and the
    days of each month (then as many months of none again, so that an index running past a period's last month, by
    less than the calendar's width, stays in the table).

    A month's index is its month number minus ``first_month``: the axis of the months' totals. Month indices are of
    ``month_type``, the smallest unsigned integer type holding them and the width, which numpy sorts by radix.
    """

    first_day: int
    month_of_day: np.ndarray  # month indices
    first_month: int  # month number
    month_starts: np.ndarray  # day ordinals
    month_lengths: np.ndarray  # int32 days

    @classmethod
    def spanning(cls, lines: AccrualLines) -> _Calendar:
        """Over the lines' invoice dates and service periods."""
        first_day = int(lines.invoice_days.min())
        first_day = int(lines.period_starts.min(initial=first_day, where=~lines.unmatched))
        last_day = max(int(lines.invoice_days.max()), int(lines.period_ends.max()))
        month_numbers = _month_numbers(np.arange(first_day, last_day + 1))
        first_month = int(month_numbers[0])
        starts = _month_start_ordinals(np.arange(first_month, int(month_numbers[-1]) + 2))
        width = len(starts) - 1
        lengths = np.append(np.diff(starts), np.zeros(width, np.int64)).astype(np.int32)
        indices = (month_numbers - first_month).astype(np.min_scalar_type(width))  # width itself: one past the last
        return cls(first_day, indices, first_month, starts, lengths)

    @property
    def width(self) -> int:
        """How many months the tables cover."""
        return len(self.month_starts) - 1

    @property
    def month_type(self) -> np.dtype:
        return self.month_of_day.dtype

    def month_index(self, days: np.ndarray) -> np.ndarray:
        return self.month_of_day[days - self.first_day]


def _month_numbers(ordinals: np.ndarray) -> np.ndarray:
    return (ordinals - _UNIX_EPOCH_ORDINAL).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _month_start_ordinals(month_numbers: np.ndarray) -> np.ndarray:
    return month_numbers.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + _UNIX_EPOCH_ORDINAL


@dataclass(frozen=True)
class _Periods:
    """Some checked lines as service periods: days, months (int64 indices of the calendar), |net|.

    An unmatched line counts as served on its invoice date alone, which recognizes it whole in its invoice month.
    """

    calendar: _Calendar
    days: np.ndarray  # of the period
    months: np.ndarray  # the period's first to last month, each counted once
    start_month: np.ndarray
    invoice_month: np.ndarray
    before_start: np.ndarray  # days of the first month before the period starts
    after_end: np.ndarray  # days of the last month after the period ends
    magnitude: np.ndarray  # |net|
    negative: np.ndarray  # bool

    @classmethod
    def of(cls, lines: AccrualLines, calendar: _Calendar) -> _Periods:
        start = np.where(lines.unmatched, lines.invoice_days, lines.period_starts)
        end = np.where(lines.unmatched, lines.invoice_days, lines.period_ends)
        start_month = calendar.month_index(start).astype(np.int64)
        end_month = calendar.month_index(end).astype(np.int64)
        return cls(
            calendar=calendar,
            days=end - start + 1,
            months=end_month - start_month + 1,
            start_month=start_month,
            invoice_month=calendar.month_index(lines.invoice_days).astype(np.int64),
            before_start=start - calendar.month_starts[start_month],
            after_end=calendar.month_starts[end_month + 1] - 1 - end,
            magnitude=np.abs(lines.net_cents),
            negative=lines.net_cents < 0,
        )


_LINES_PER_BATCH = 8192
"""Lines split together. Their arrays then stay small: in the CPU's caches, and in memory the allocator hands back at
once, where arrays over every line, or every month of every line, would each be fresh pages from the system."""

_CELLS_PER_BATCH = 2**17
"""At most lines x months of the longest period in a batch, which is halved until it fits: a line over decades then
widens the arrays of a few lines, not of thousands (and ranking costs months² per line)."""


@dataclass(frozen=True)
class _LineCells:
    """The non-zero cells of some consecutive lines, catch-up folded, line by line, months in order; and each line's
    total."""

    lines: slice
    line: np.ndarray  # [cell]: position in all the lines
    month: np.ndarray  # [cell]: month index, of the calendar's month type
    cents: np.ndarray  # [cell]
    scheduled: np.ndarray  # [line of the batch]: the sum of its cents


def _cells_in_batches(lines: AccrualLines, calendar: _Calendar) -> Iterator[_LineCells]:
    for first in range(0, len(lines), _LINES_PER_BATCH):
        yield from _batch_cells(lines, calendar, slice(first, min(first + _LINES_PER_BATCH, len(lines))))


def _batch_cells(lines: AccrualLines, calendar: _Calendar, batch: slice) -> Iterator[_LineCells]:
    periods = _Periods.of(lines.take(batch), calendar)
    count = batch.stop - batch.start
    if count > 1 and count * int(periods.months.max()) > _CELLS_PER_BATCH:
        middle = batch.start + count // 2
        yield from _batch_cells(lines, calendar, slice(batch.start, middle))
        yield from _batch_cells(lines, calendar, slice(middle, batch.stop))
        return
    split = _split_by_days(periods)
    scheduled = split.sum(axis=0)
    _fold_catch_up(split, periods)
    line, month, cents = _nonzero_cells(split, periods)
    yield _LineCells(batch, line + batch.start, month, cents, scheduled)


def _split_by_days(periods: _Periods) -> np.ndarray:
    """cents[j, line]: the line's |net| over the months of its period (row j: month ``start_month + j``) in proportion
    to their days, floored, the leftover cents by largest remainder, then signed; zero past the period.

    Laid out by month of the period, so every step works on whole rows of lines. The shares (|net| x a month's days)
    are int32 while the batch's largest fits, which halves the memory they move; ``_refuse_bad_lines`` refused any
    |net| x days that would not fit in int64.
    """
    largest_share = int(periods.magnitude.max()) * _MOST_DAYS_IN_A_MONTH
    share_type = np.int32 if largest_share <= np.iinfo(np.int32).max else np.int64
    shares = periods.magnitude.astype(share_type) * _days_by_month(periods)
    period_days = periods.days.astype(share_type)
    cents = _floor_quotients(shares, period_days, largest_share + int(periods.days.max()))
    shares -= cents * period_days
    remainders = shares.astype(np.min_scalar_type(int(periods.days.max())))
    ranks = _ranks_down_columns(remainders)
    cents += ranks < (periods.magnitude - cents.sum(axis=0)).astype(ranks.dtype)  # leftover < months, as ranks are
    negative = np.flatnonzero(periods.negative)
    cents[:, negative] *= -1
    return cents


def _floor_quotients(shares: np.ndarray, divisors: np.ndarray, bound: int) -> np.ndarray:
    """``shares // divisors`` (non-negative, divisors per column), by float64 division, several times faster than
    int64's, when ``bound``, at least every share plus its divisor, is at most 2**53.

    That is exact: both are integers float64 holds, and when the quotient is not an integer it lies at least
    1 / divisor below the next integer q + 1, which is more than half a float64 step there (divisor x (q + 1) <= share
    - 1 + divisor < 2**53), so the correctly rounded division stays below q + 1 and truncating it gives q.
    """
    if bound > _FLOAT64_EXACT:
        return shares // divisors
    return (shares / divisors.astype(np.float64)).astype(shares.dtype)


def _days_by_month(periods: _Periods) -> np.ndarray:
    """days[j, line]: the days of month ``start_month + j`` within the line's period: the whole month but for the first
    and the last, 0 past the last."""
    months, count = periods.months, len(periods.months)
    row = np.arange(int(months.max()))[:, None]
    days = periods.calendar.month_lengths[periods.start_month + row]
    days[0] -= periods.before_start
    days.ravel()[(months - 1) * count + np.arange(count)] -= periods.after_end
    days *= row < months
    return days


def _ranks_down_columns(values: np.ndarray) -> np.ndarray:
    """For each entry, how many entries of its column come before it: larger ones, and equal ones in earlier rows.

    Row against later rows: rows² / 2 vectorised comparisons rather than a sort per column. A line's leftover cents go
    to the ranks below its leftover; the months past its period never get one: their remainder is 0, so every month of
    the period comes before them, and the leftover (the remainders' sum over the period's days) is below that count.
    """
    rows = len(values)
    ranks = np.zeros(values.shape, np.int8 if rows <= np.iinfo(np.int8).max else np.int64)
    for row in range(rows - 1):
        behind = values[row] >= values[row + 1 :]  # the later entries this one comes before
        ranks[row + 1 :] += behind
        ranks[row] += rows - 1 - row - behind.sum(axis=0, dtype=ranks.dtype)
    return ranks


def _fold_catch_up(split: np.ndarray, periods: _Periods) -> None:
    """Adds the cents of the months up to a line's invoice month into row 0 and zeroes those rows: row 0 then stands for
    the invoice month (``_nonzero_cells``), so a month already closed is never touched."""
    catch_up = periods.invoice_month - periods.start_month  # rows up to this one are at or before the invoice month
    for row in range(1, min(int(catch_up.max()), len(split) - 1) + 1):
        past = catch_up >= row
        split[0] += np.where(past, split[row], 0)
        split[row] *= ~past


def _nonzero_cells(split: np.ndarray, periods: _Periods) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(line, month index, cents) of the non-zero cells of a folded split, line by line, months in order: row j is the
    month ``start_month + j``, or the invoice month when that is later (row 0 after the fold)."""
    rows = len(split)
    month_type = periods.calendar.month_type
    months = periods.start_month.astype(month_type)[:, None] + np.arange(rows, dtype=month_type)  # [line, row]
    months_by_line = np.maximum(months, periods.invoice_month.astype(month_type)[:, None]).ravel()  # may wrap: unread
    cents_by_line = np.ascontiguousarray(split.T).ravel()
    cell = np.flatnonzero(cents_by_line != 0)
    return cell // rows, months_by_line[cell], cents_by_line[cell].astype(np.int64)


@dataclass
class _Schedule:
    """Every line's non-zero cents by month, catch-up folded, month by month with the lines in order within a month:
    month m's cells are ``line`` and ``cents`` from ``start[m]``, ``count[m]`` of them. And per line the sum of its
    cents.

    Each month has room for every line whose folded period covers it, which the lines alone tell, so each batch's
    cells go straight to their place after those of the batches before: no copy of all the cells, line by line, is made
    to be sorted afterwards. Filled in ``of``, read only after.
    """

    lines: AccrualLines
    line: np.ndarray
    cents: np.ndarray
    start: np.ndarray  # [month]
    count: np.ndarray  # [month]
    scheduled: np.ndarray  # [line]

    @classmethod
    def of(cls, lines: AccrualLines, calendar: _Calendar) -> _Schedule:
        start = _room_by_month(lines, calendar)
        schedule = cls(
            lines=lines,
            line=np.empty(start[-1], np.min_scalar_type(len(lines) - 1)),
            cents=np.empty(start[-1], np.int64),
            start=start[:-1],
            count=np.zeros(calendar.width, np.int64),
            scheduled=np.empty(len(lines), np.int64),
        )
        for cells in _cells_in_batches(lines, calendar):
            schedule.scheduled[cells.lines] = cells.scheduled
            schedule._place(cells)
        return schedule

    def _place(self, cells: _LineCells) -> None:
        """A batch's cells after those of the earlier batches, in each month."""
        by_month = np.argsort(cells.month, kind="stable")  # by radix: months are small unsigned integers
        count = np.bincount(cells.month, minlength=len(self.count))
        place = np.repeat(self.start + self.count - (np.cumsum(count) - count), count)
        place += np.arange(len(place))
        self.line[place] = cells.line[by_month].astype(self.line.dtype)
        self.cents[place] = cells.cents[by_month]
        self.count += count

    def recognized(self) -> np.ndarray:
        """[month]: the cents recognized in it."""
        months = zip(self.start, self.count, strict=True)
        return np.array([self.cents[start : start + count].sum() for start, count in months], np.int64)

    def of_month(self, index: int) -> AccrualRows:
        cells = slice(self.start[index], self.start[index] + self.count[index]) if index < len(self.start) else slice(0)
        return AccrualRows(self.lines, self.line[cells], self.cents[cells])


def _room_by_month(lines: AccrualLines, calendar: _Calendar) -> np.ndarray:
    """[month + 1]: where each month's cells begin, each month having room for every line whose folded period covers
    it (from the later of its start and invoice months to the later of its end and invoice months); then the room of
    all."""
    width = calendar.width
    invoice_month = calendar.month_index(lines.invoice_days)
    start_month = calendar.month_index(np.where(lines.unmatched, lines.invoice_days, lines.period_starts))
    end_month = calendar.month_index(np.where(lines.unmatched, lines.invoice_days, lines.period_ends))
    first, after = np.maximum(start_month, invoice_month), np.maximum(end_month, invoice_month) + 1
    covering = np.cumsum(np.bincount(first, minlength=width + 1) - np.bincount(after, minlength=width + 1))
    return np.concatenate(([0], np.cumsum(covering[:width])))


@dataclass(frozen=True)
class _MonthTotals:
    """Per month index of the calendar, plus one last entry standing for every month after it (nothing happens then,
    and all is recognized by then)."""

    first_month: int
    invoiced_in: np.ndarray
    invoiced_to_date: np.ndarray
    recognized_in: np.ndarray
    recognized_to_date: np.ndarray
    deferred: np.ndarray
    unmatched: np.ndarray

    @classmethod
    def of(cls, lines: AccrualLines, calendar: _Calendar, schedule: _Schedule) -> _MonthTotals:
        width = calendar.width + 1
        invoice_month = calendar.month_index(lines.invoice_days)
        invoiced_in = _sums_by(invoice_month, lines.net_cents, width)
        recognized_in = np.append(schedule.recognized(), 0)
        recognized_to_date = np.cumsum(recognized_in)
        return cls(
            first_month=calendar.first_month,
            invoiced_in=invoiced_in,
            invoiced_to_date=np.cumsum(invoiced_in),
            recognized_in=recognized_in,
            recognized_to_date=recognized_to_date,
            deferred=np.cumsum(_sums_by(invoice_month, schedule.scheduled, width)) - recognized_to_date,
            unmatched=np.bincount(invoice_month[lines.unmatched], minlength=width),
        )

    def accruals(self, month: date, schedule: _Schedule) -> MonthAccruals:
        index = _month_number(month) - self.first_month
        if index < 0:
            return _nothing(month, schedule.lines)
        at = min(index, len(self.invoiced_in) - 1)
        return MonthAccruals(
            month=month,
            rows=schedule.of_month(index),
            invoiced_in_month_cents=int(self.invoiced_in[at]),
            invoiced_to_date_cents=int(self.invoiced_to_date[at]),
            recognized_in_month_cents=int(self.recognized_in[at]),
            recognized_to_date_cents=int(self.recognized_to_date[at]),
            deferred_cents=int(self.deferred[at]),
            unmatched_lines=int(self.unmatched[at]),
        )


def _sums_by(index: np.ndarray, values: np.ndarray, width: int) -> np.ndarray:
    """int64 sums of ``values`` by ``index`` (``np.bincount`` would sum in float64)."""
    sums = np.zeros(width, np.int64)
    np.add.at(sums, index, values)
    return sums


def _nothing(month: date, lines: AccrualLines) -> MonthAccruals:
    """A month before any line was invoiced."""
    no_rows = np.zeros(0, np.int64)
    return MonthAccruals(month, AccrualRows(lines, no_rows, no_rows), 0, 0, 0, 0, 0, 0)
