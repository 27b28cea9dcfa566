"""Gross pay of one pay period for every employee: plain functions on plain data, no Dagster, no database.

The rules:

- Hours are the valid attendance records' check-in to check-out, in whole minutes (a check-out before the check-in
  ends on the next day, as for Bayzat). When an employee's day was imported more than once (a corrected file), the
  newest import's record counts (the longest, if one file lists the day twice). A day belongs to the period its
  date is in.
- Pay as of the day: each day is paid with the pay type, hourly rate, annual salary and overtime eligibility (its
  ``Terms``) of the roster in force in its week, which is the weekly snapshot Paycom's sync took on that week's
  Friday (``EmployeeHistory.on``). Who is in the period, and for how many days, comes from the period's own roster:
  the one in force on its last day.
- Overtime: hours beyond 40 in a work week (Monday to Sunday), on days when the employee is hourly and
  overtime-eligible. A week's hours are counted in the order of its days, so the hours after the 40th are its
  overtime, each in the period of the day it was worked: a week split by a period boundary counts its days in both
  periods, and its overtime is neither lost nor paid twice.
- The period's days are cut into runs of consecutive days with the same terms (``RatePay``: one, unless the terms
  changed during the period). Each run's hours are rounded to hundredths of an hour (half up), which is what is
  stored, and its pay is computed from those stored hours (``expected_gross``), so anyone can recompute it from the
  stored rates. Hourly: rate x regular hours + 1.5 x rate x overtime hours. Salaried: annual salary / periods per
  year of the period type (weekly 52, bi-weekly 26, semi-monthly 24, monthly 12) x the run's employed days / the
  period's days. Hourly employees are paid for the hours on their employed days only.
- Employed from the rehire date when there is one, else the hire date, to the termination date (when it is not
  before that start). Someone not employed on any day of the period gets no result.
- Money is rounded half up to the cent once per run of terms; an employee's gross pay is the sum of their runs.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hr_assets.defs.payroll.periods import PeriodDates

WEEK_LIMIT_MINUTES = 40 * 60
CENT = Decimal("0.01")
_DAY = dt.timedelta(days=1)

NOTE_NO_ATTENDANCE = "no attendance"
NOTE_NO_PAY_DATA = "no pay type, rate or salary in the roster"


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
    def from_mapping(cls, row: Mapping[str, Any]) -> RosterRow:
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

    def employed_days(self, period: PeriodDates) -> int:
        """How many of the period's days the employee was employed (0: not in the period)."""
        first = max(period.start, self.first_day) if self.first_day else period.start
        last = min(period.end, self.last_day) if self.last_day else period.end
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


@dataclass(frozen=True)
class RatePay:
    """One run of consecutive days of a period paid with the same terms."""

    first_day: dt.date
    last_day: dt.date
    terms: Terms
    paid_days: int  # employed days of the run
    regular_hours: Decimal  # to the hundredth
    overtime_hours: Decimal
    gross_pay: Decimal


@dataclass(frozen=True)
class EmployeePay:
    """One employee's result for a period: the period's roster row, the days employed and each run's pay."""

    code: str
    terms: Terms  # the period's own roster's (its last day)
    paid_days: int
    attended: bool
    rates: Sequence[RatePay] = field(default_factory=tuple)

    @property
    def regular_hours(self) -> Decimal:
        return sum((rate.regular_hours for rate in self.rates), Decimal("0.00"))

    @property
    def overtime_hours(self) -> Decimal:
        return sum((rate.overtime_hours for rate in self.rates), Decimal("0.00"))

    @property
    def gross_pay(self) -> Decimal:
        return sum((rate.gross_pay for rate in self.rates), Decimal("0.00"))

    @property
    def note(self) -> str | None:
        """Why someone is paid nothing, when that is to be looked at."""
        if not self.terms.has_pay:
            return NOTE_NO_PAY_DATA
        if self.terms.hourly and not self.attended:
            return NOTE_NO_ATTENDANCE
        return None


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


def compute_period(
    period: PeriodDates, roster: Mapping[str, EmployeeHistory], worked: Mapping[str, Mapping[dt.date, int]]
) -> list[EmployeePay]:
    """Every employee employed in ``period``, with their hours and gross pay (see the module's rules)."""
    results = []
    for code, history in roster.items():
        result = employee_pay(period, code, history, worked.get(code, {}))
        if result is not None:
            results.append(result)
    return results


def employee_pay(
    period: PeriodDates, code: str, history: EmployeeHistory, worked: Mapping[dt.date, int]
) -> EmployeePay | None:
    """One employee's pay for the period, or None when they were not employed in it."""
    own = history.on(period.end)
    paid_days = own.employed_days(period)
    if paid_days == 0:
        return None
    runs: list[dict[str, Any]] = []
    attended = False
    week_minutes = 0
    day = period.start - dt.timedelta(days=period.start.weekday())  # the Monday of the period's first week
    while day <= period.end:
        if day.weekday() == 0:
            week_minutes, terms = 0, history.on(day).terms
        employed = own.employed_on(day)
        minutes = worked.get(day, 0) if employed else 0
        regular = regular_minutes(minutes, week_minutes, terms)
        week_minutes += minutes
        if day >= period.start:
            attended = attended or (employed and day in worked)
            if not runs or (day.weekday() == 0 and runs[-1]["terms"] != terms):  # terms change by the week
                runs.append({"terms": terms, "first": day, "days": 0, "regular": 0, "overtime": 0})
            run = runs[-1]
            run["last"] = day
            run["days"] += employed
            run["regular"] += regular
            run["overtime"] += minutes - regular
        day += _DAY
    rates = tuple(_rate_pay(period, run) for run in runs if run["days"])
    return EmployeePay(code, own.terms, paid_days, attended, rates)


def _rate_pay(period: PeriodDates, run: dict[str, Any]) -> RatePay:
    terms: Terms = run["terms"]
    regular, overtime = hours(run["regular"]), hours(run["overtime"])
    gross = expected_gross(
        pay_type=terms.pay_type,
        hourly_rate=terms.hourly_rate,
        annual_salary=terms.annual_salary,
        regular_hours=regular,
        overtime_hours=overtime,
        paid_days=run["days"],
        period=period,
    )
    return RatePay(run["first"], run["last"], terms, run["days"], regular, overtime, gross)


def expected_gross(
    *,
    pay_type: str | None,
    hourly_rate: Decimal | None,
    annual_salary: Decimal | None,
    regular_hours: Decimal,
    overtime_hours: Decimal,
    paid_days: int,
    period: PeriodDates,
) -> Decimal:
    """The gross pay of one run of terms from its stored columns, to the cent (half up)."""
    if pay_type == "hourly" and hourly_rate is not None:
        amount = hourly_rate * regular_hours + Decimal("1.5") * hourly_rate * overtime_hours
    elif pay_type == "salary" and annual_salary is not None:
        amount = annual_salary * paid_days / (period.periods_per_year * period.days)
    else:
        amount = Decimal(0)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def hours(minutes: int) -> Decimal:
    """Minutes as hours to the hundredth, rounded half up."""
    return (Decimal(minutes) / 60).quantize(CENT, rounding=ROUND_HALF_UP)


def _seconds(time: dt.time) -> int:
    return time.hour * 3600 + time.minute * 60 + time.second
