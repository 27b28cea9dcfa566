"""Each employee's worked hours for the scheduling side: this work week, this pay period, this calendar year.

Counted by payroll's own rules (``shared/worked_time.py``), so the two never disagree: the same valid
records, the same night shifts, the same newest import of a day, the same overtime rule (minutes past the 40th hour
of a Monday-to-Sunday week, for hourly overtime-eligible staff, by the roster in force that day). Days after today
are not counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from hr_assets.defs.shared.worked_time import WEEK_LIMIT_MINUTES, EmployeeHistory, hours, regular_minutes


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
    roster: Mapping[str, EmployeeHistory],
    worked: Mapping[str, Mapping[dt.date, int]],
) -> dict[str, StaffHours]:
    """Every roster employee's hours up to ``today``; ``period`` is the pay period containing today, if any, and
    ``worked`` payroll's ``worked_minutes`` of the days from ``first_day_counted``."""
    monday, new_year = week_start(today), today.replace(month=1, day=1)
    figures = {}
    for code, history in roster.items():
        current = history.on(today)
        days = {
            day: minutes for day, minutes in worked.get(code, {}).items() if day <= today and current.employed_on(day)
        }
        week = overtime = 0
        day = monday
        while day <= today:
            minutes = days.get(day, 0)
            overtime += minutes - regular_minutes(minutes, week, history.on(day).terms)
            week += minutes
            day += dt.timedelta(days=1)
        overtime_paid = current.terms.hourly and current.terms.overtime_eligible
        figures[code] = StaffHours(
            hours_this_week=hours(week),
            hours_this_period=(
                hours(sum(m for d, m in days.items() if period[0] <= d <= period[1])) if period else None
            ),
            hours_this_year=hours(sum(m for d, m in days.items() if d >= new_year)),
            overtime_hours_this_week=hours(overtime),
            hours_left_before_overtime=hours(max(WEEK_LIMIT_MINUTES - week, 0)) if overtime_paid else None,
        )
    return figures


def hours_left_before_cap(cap: int, hours_this_week: Decimal) -> Decimal:
    return max(Decimal(cap) - hours_this_week, Decimal(0)).quantize(Decimal("0.01"))
