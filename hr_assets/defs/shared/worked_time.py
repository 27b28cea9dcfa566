"""Worked time as payroll pays it and the staff view shows it, so the two never disagree: a day's worked minutes
from the attendance records, the overtime rule, the roster in force on a day (the weekly Paycom snapshots), and the
queries that read them. Plain functions on plain data, and two queries in the caller's transaction.

- A day's minutes are the valid records' check-in to check-out, in whole minutes (a check-out before the check-in
  ends on the next day). When a day was imported more than once, the newest import's record counts (the longest,
  if one file lists the day twice).
- Overtime is the minutes past the 40th hour of a Monday-to-Sunday week, counted in the order of its days, for
  hourly, overtime-eligible staff by the roster in force that day.
- The roster in force on a day is the weekly snapshot Paycom's sync took on that week's Friday.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from hr_assets.warehouse.tables import attendance_import_records as records
from hr_assets.warehouse.tables import paycom_employee_snapshots, paycom_employees

WEEK_LIMIT_MINUTES = 40 * 60
CENT = Decimal("0.01")

ROSTER_COLUMNS = (
    "employee_code",
    "pay_type",
    "hourly_rate",
    "annual_salary",
    "overtime_eligible",
    "hire_date",
    "rehire_date",
    "termination_date",
)


@dataclass(frozen=True)
class Terms:
    """How an employee is paid on a day."""

    pay_type: str | None
    hourly_rate: Decimal | None
    annual_salary: Decimal | None
    overtime_eligible: bool

    @property
    def hourly(self) -> bool:
        return self.pay_type == "hourly"

    @property
    def has_pay(self) -> bool:
        """A pay type and its rate or salary are known."""
        return (self.hourly and self.hourly_rate is not None) or (
            self.pay_type == "salary" and self.annual_salary is not None
        )


@dataclass(frozen=True)
class RosterRow:
    """One employee as one roster (a weekly snapshot, or the current roster) has them."""

    terms: Terms
    first_day: dt.date | None  # first employed day; None: since before records began
    last_day: dt.date | None  # last employed day; None: still employed

    @classmethod
    def from_mapping(cls, row: RowMapping | Mapping[str, Any]) -> RosterRow:
        """From a ``paycom_employees`` or ``paycom_employee_snapshots`` row; the rate or salary of the other pay
        type is not kept."""
        pay_type = row["pay_type"]
        terms = Terms(
            pay_type,
            row["hourly_rate"] if pay_type == "hourly" else None,
            row["annual_salary"] if pay_type == "salary" else None,
            bool(row["overtime_eligible"]),
        )
        return cls(terms, *employment(row["hire_date"], row["rehire_date"], row["termination_date"]))

    def employed_on(self, day: dt.date) -> bool:
        return (self.first_day is None or day >= self.first_day) and (self.last_day is None or day <= self.last_day)

    def employed_days(self, start: dt.date, end: dt.date) -> int:
        """How many days from ``start`` to ``end`` (a pay period's) the employee was employed (0: none)."""
        first = max(start, self.first_day) if self.first_day else start
        last = min(end, self.last_day) if self.last_day else end
        return max((last - first).days + 1, 0)


@dataclass(frozen=True)
class EmployeeHistory:
    """One employee's roster rows by the Friday of the weekly sync that took them, oldest first, and the current row
    for an employee no snapshot holds."""

    weeks: Sequence[dt.date]
    rows: Sequence[RosterRow]
    current: RosterRow

    def on(self, day: dt.date) -> RosterRow:
        """The roster in force on ``day``: the newest snapshot up to the Friday of its week; before the employee's
        first snapshot, that first one; with no snapshot at all, the current roster."""
        position = bisect.bisect_right(self.weeks, sync_friday(day))
        if position:
            return self.rows[position - 1]
        return self.rows[0] if self.rows else self.current


def employment(
    hire: dt.date | None, rehire: dt.date | None, termination: dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    """The first and last employed day: from the rehire (else the hire) date to a termination on or after it; a
    termination before a rehire is the earlier job's and does not end the current one."""
    start = rehire or hire
    return start, termination if termination and (start is None or termination >= start) else None


def sync_friday(day: dt.date) -> dt.date:
    """The Friday of the day's Monday-Sunday week: the key of the weekly roster snapshot in force on it."""
    return day + dt.timedelta(days=4 - day.weekday())


def worked_minutes(shifts: Iterable[Sequence[Any]]) -> dict[str, dict[dt.date, int]]:
    """Minutes worked per employee and day from (employee code, date, check in, check out, import id) tuples: of a
    day imported more than once the newest import's record, the longest if that import lists the day twice."""
    newest: dict[str, dict[dt.date, tuple[int, int]]] = {}
    for code, day, check_in, check_out, import_id in shifts:
        seconds = _seconds(check_out) - _seconds(check_in)
        minutes = (seconds + (24 * 3600 if seconds < 0 else 0)) // 60  # a night shift ends the next day
        days = newest.setdefault(code, {})
        if day not in days or (import_id, minutes) > days[day]:
            days[day] = (import_id, minutes)
    return {code: {day: minutes for day, (_, minutes) in days.items()} for code, days in newest.items()}


def regular_minutes(minutes: int, week_minutes_before: int, terms: Terms) -> int:
    """Of a day's worked minutes, the regular ones: for hourly, overtime-eligible staff the minutes past the 40th
    hour of the Monday-to-Sunday week, counted in the order of its days, are overtime. Payroll and the scheduling
    view's hours both count by this rule."""
    if not (terms.hourly and terms.overtime_eligible):
        return minutes
    return min(max(WEEK_LIMIT_MINUTES - week_minutes_before, 0), minutes)


def hours(minutes: int) -> Decimal:
    """Minutes as hours to the hundredth, rounded half up."""
    return (Decimal(minutes) / 60).quantize(CENT, rounding=ROUND_HALF_UP)


def _seconds(time: dt.time) -> int:
    return time.hour * 3600 + time.minute * 60 + time.second


def roster_history(connection: Connection, first_day: dt.date, last_day: dt.date) -> dict[str, EmployeeHistory]:
    """Every employee on the current roster, with the weekly snapshots that say what was in force from
    ``first_day`` to ``last_day``: those of its weeks, the newest before them, and, for an employee whose first
    snapshot came later, that first one."""
    first_week, last_week = sync_friday(first_day), sync_friday(last_day)
    snapshots = paycom_employee_snapshots
    columns = [snapshots.c.sync_week, *(snapshots.c[name] for name in ROSTER_COLUMNS)]

    def nearest(week: Any, condition: Any) -> sa.Select[Any]:
        picked = (
            sa.select(snapshots.c.employee_code, week.label("week"))
            .where(condition)
            .group_by(snapshots.c.employee_code)
            .subquery()
        )
        return sa.select(*columns).join(
            picked, sa.and_(picked.c.employee_code == snapshots.c.employee_code, picked.c.week == snapshots.c.sync_week)
        )

    query = sa.union_all(
        sa.select(*columns).where(snapshots.c.sync_week.between(first_week, last_week)),
        nearest(sa.func.max(snapshots.c.sync_week), snapshots.c.sync_week < first_week),
        nearest(sa.func.min(snapshots.c.sync_week), snapshots.c.sync_week > last_week),
    )
    weeks: dict[str, list[tuple[dt.date, RosterRow]]] = {}
    for row in connection.execute(query).mappings():
        weeks.setdefault(row["employee_code"], []).append((row["sync_week"], RosterRow.from_mapping(row)))
    current = sa.select(*(paycom_employees.c[name] for name in ROSTER_COLUMNS)).order_by(
        paycom_employees.c.employee_code
    )
    histories = {}
    for row in connection.execute(current).mappings():
        found = sorted(weeks.get(row["employee_code"], ()), key=lambda item: item[0])
        # Later than the range, only the first snapshot counts: it stands for the days before it.
        kept = [item for item in found if item[0] <= last_week] or found[:1]
        histories[row["employee_code"]] = EmployeeHistory(
            [week for week, _ in kept], [roster_row for _, roster_row in kept], RosterRow.from_mapping(row)
        )
    return histories


def shifts(connection: Connection, first_day: dt.date, last_day: dt.date) -> list[Sequence[Any]]:
    """(employee code, date, check in, check out, import id) of the valid records with both punches in the days."""
    query = sa.select(
        records.c.employee_code, records.c.date, records.c.check_in, records.c.check_out, records.c.attendance_import_id
    ).where(
        records.c.is_valid,
        records.c.employee_code.is_not(None),
        records.c.check_in.is_not(None),
        records.c.check_out.is_not(None),
        records.c.date.between(first_day, last_day),
    )
    return list(connection.execute(query).tuples().all())
