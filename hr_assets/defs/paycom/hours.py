"""Each employee's worked hours for the scheduling side: this work week, this pay period, this calendar year.

Counted by payroll's own ``worked_minutes`` and ``split_overtime``, so the two never disagree: the same valid
records, the same night shifts, the same newest import of a day, the same overtime rule (hours past the 40th of a
Monday-to-Sunday week, for hourly overtime-eligible staff). Days after today are not counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from hr_assets.defs.payroll.pay import (
    WEEK_LIMIT_MINUTES,
    EmployeeColumns,
    ShiftColumns,
    centihours,
    hours,
    overtime_counted,
    split_overtime,
    worked_minutes,
)


@dataclass(frozen=True)
class StaffHours:
    hours_this_week: Decimal
    hours_this_period: Decimal | None  # None: no pay period contains today
    hours_this_year: Decimal
    overtime_hours_this_week: Decimal
    hours_left_before_overtime: Decimal | None  # None: overtime is not paid to this employee


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def first_day_counted(today: dt.date, period_start: dt.date | None) -> dt.date:
    """The earliest day any figure needs: the calendar year's, the week's or the pay period's first."""
    return min(today.replace(month=1, day=1), week_start(today), period_start or today)


def staff_hours(
    today: dt.date,
    period: tuple[dt.date, dt.date] | None,
    roster: Sequence[Mapping[str, Any]],
    shifts: Sequence[Sequence[Any]],
) -> dict[str, StaffHours]:
    """Every roster employee's hours up to ``today``; ``period`` is the pay period containing today, if any."""
    employees = EmployeeColumns.from_rows(roster)
    first = first_day_counted(today, period[0] if period else None).toordinal()
    last = today.toordinal()
    grid = worked_minutes(first, last, employees, ShiftColumns.from_rows(shifts))
    _, overtime = split_overtime(grid, employees)

    def minutes_between(minutes: np.ndarray, start: dt.date, end: dt.date) -> np.ndarray:
        return minutes[:, start.toordinal() - grid.first_monday : end.toordinal() - grid.first_monday + 1].sum(axis=1)

    monday, new_year = week_start(today), today.replace(month=1, day=1)
    week_minutes = minutes_between(grid.minutes, monday, today)
    week = centihours(week_minutes)
    week_overtime = centihours(minutes_between(overtime, monday, today))
    year = centihours(minutes_between(grid.minutes, new_year, today))
    in_period = centihours(minutes_between(grid.minutes, period[0], min(period[1], today))) if period else None
    left = centihours(np.clip(WEEK_LIMIT_MINUTES - week_minutes, 0, None))
    eligible = overtime_counted(employees)
    return {
        code: StaffHours(
            hours_this_week=hours(week[i]),
            hours_this_period=None if in_period is None else hours(in_period[i]),
            hours_this_year=hours(year[i]),
            overtime_hours_this_week=hours(week_overtime[i]),
            hours_left_before_overtime=hours(left[i]) if eligible[i] else None,
        )
        for i, code in enumerate(employees.codes)
    }


def hours_left_before_cap(cap: int, hours_this_week: Decimal) -> Decimal:
    return max(Decimal(cap) - hours_this_week, Decimal(0)).quantize(Decimal("0.01"))
