"""Pay periods as plain data: their types, how many a year, and a calendar of them over a date range."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Literal, get_args

from hr_assets.lib.errors import OperatorError

PeriodType = Literal["weekly", "bi_weekly", "semi_monthly", "monthly"]
PERIOD_TYPES: tuple[str, ...] = get_args(PeriodType)
PERIODS_PER_YEAR = {"weekly": 52, "bi_weekly": 26, "semi_monthly": 24, "monthly": 12}
STATUSES = ("active", "processing", "completed", "failed")


class PeriodError(OperatorError, ValueError):
    """A period cannot be saved, found or run; the message is one line naming the field."""


@dataclass(frozen=True)
class PeriodDates:
    start: dt.date
    end: dt.date  # inclusive
    period_type: str

    def __post_init__(self) -> None:
        if self.period_type not in PERIOD_TYPES:
            raise PeriodError(f"period_type {self.period_type!r}: use one of {', '.join(PERIOD_TYPES)}")
        if self.end < self.start:
            raise PeriodError(f"end_date {self.end} is before start_date {self.start}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def periods_per_year(self) -> int:
        return PERIODS_PER_YEAR[self.period_type]

    @property
    def partition_key(self) -> str:
        """The period's partition of ``payroll_results``: its first and last day, ``2026-01-01..2026-01-15``."""
        return f"{self.start}..{self.end}"


def dates_of_key(key: str) -> tuple[dt.date, dt.date]:
    """The first and last day a partition key names (``PeriodDates.partition_key``)."""
    try:
        start, end = (dt.date.fromisoformat(part) for part in key.split(".."))
    except ValueError:
        raise PeriodError(
            f"partition {key!r}: not a period's first..last day, such as 2026-01-01..2026-01-15"
        ) from None
    return start, end


def calendar_of(period_type: str, first_start: dt.date, last_start: dt.date) -> list[PeriodDates]:
    """Consecutive periods of one type, the first starting on ``first_start``, none starting after ``last_start``.

    Weekly and bi-weekly periods follow each other from ``first_start``; semi-monthly ones are the 1st to the 15th
    and the 16th to the month's last day, monthly ones a calendar month, so those must start on a 1st (or a 16th).
    """
    if period_type not in PERIOD_TYPES:
        raise PeriodError(f"period_type {period_type!r}: use one of {', '.join(PERIOD_TYPES)}")
    if last_start < first_start:
        raise PeriodError(f"the range ends ({last_start}) before it starts ({first_start})")
    if period_type == "monthly" and first_start.day != 1:
        raise PeriodError(f"start {first_start}: monthly periods start on the 1st of a month")
    if period_type == "semi_monthly" and first_start.day not in (1, 16):
        raise PeriodError(f"start {first_start}: semi-monthly periods start on the 1st or the 16th")
    periods = []
    start = first_start
    while start <= last_start:
        period = PeriodDates(start, _end_of(period_type, start), period_type)
        periods.append(period)
        start = period.end + dt.timedelta(days=1)
    return periods


def _end_of(period_type: str, start: dt.date) -> dt.date:
    month_end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    if period_type == "weekly":
        return start + dt.timedelta(days=6)
    if period_type == "bi_weekly":
        return start + dt.timedelta(days=13)
    if period_type == "semi_monthly" and start.day == 1:
        return start.replace(day=15)
    return month_end
