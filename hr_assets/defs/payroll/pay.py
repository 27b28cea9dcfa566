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
  changed during the period). Each run keeps its exact regular and overtime minutes, which are stored, and its pay
  is computed from them (``expected_gross``), so anyone can recompute it from the stored rates. Hourly: (rate x
  regular minutes + rate x 1.5 x overtime minutes) / 60. Salaried: annual salary / periods per year of the period
  type (weekly 52, bi-weekly 26, semi-monthly 24, monthly 12) x the run's employed days / the period's days. Hourly
  employees are paid for the hours on their employed days only. Hours are shown (and stored beside the minutes)
  rounded to the hundredth, half up; no amount is computed from them.
- Employed from the rehire date when there is one, else the hire date, to the termination date (when it is not
  before that start). Someone not employed on any day of the period gets no result.
- Money is exact until it is rounded once, half up to the cent, per run of terms; an employee's gross pay is the sum
  of their runs.

How worked minutes, overtime and the roster in force are counted is in ``shared/worked_time.py``: the staff view's
hours count by the same functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hr_assets.defs.payroll.periods import PeriodDates
from hr_assets.defs.shared.worked_time import CENT, EmployeeHistory, Terms, hours, regular_minutes

_DAY = dt.timedelta(days=1)

OVERTIME_MULTIPLIER = Decimal("1.5")
NOTE_NO_ATTENDANCE = "no attendance"
NOTE_NO_PAY_DATA = "no pay type, rate or salary in the roster"


@dataclass(frozen=True)
class RatePay:
    """One run of consecutive days of a period paid with the same terms."""

    first_day: dt.date
    last_day: dt.date
    terms: Terms
    paid_days: int  # employed days of the run
    regular_minutes: int
    overtime_minutes: int
    gross_pay: Decimal

    @property
    def regular_hours(self) -> Decimal:
        return hours(self.regular_minutes)

    @property
    def overtime_hours(self) -> Decimal:
        return hours(self.overtime_minutes)


@dataclass(frozen=True)
class EmployeePay:
    """One employee's result for a period: the period's roster row, the days employed and each run's pay."""

    code: str
    terms: Terms  # the period's own roster's (its last day)
    paid_days: int
    attended: bool
    rates: Sequence[RatePay] = field(default_factory=tuple)

    @property
    def regular_minutes(self) -> int:
        return sum(rate.regular_minutes for rate in self.rates)

    @property
    def overtime_minutes(self) -> int:
        return sum(rate.overtime_minutes for rate in self.rates)

    @property
    def regular_hours(self) -> Decimal:
        return hours(self.regular_minutes)

    @property
    def overtime_hours(self) -> Decimal:
        return hours(self.overtime_minutes)

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
    paid_days = own.employed_days(period.start, period.end)
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
    gross = expected_gross(
        pay_type=terms.pay_type,
        hourly_rate=terms.hourly_rate,
        annual_salary=terms.annual_salary,
        regular_minutes=run["regular"],
        overtime_minutes=run["overtime"],
        paid_days=run["days"],
        period=period,
    )
    return RatePay(run["first"], run["last"], terms, run["days"], run["regular"], run["overtime"], gross)


def expected_gross(
    *,
    pay_type: str | None,
    hourly_rate: Decimal | None,
    annual_salary: Decimal | None,
    regular_minutes: int,
    overtime_minutes: int,
    paid_days: int,
    period: PeriodDates,
) -> Decimal:
    """The gross pay of one run of terms from its stored columns: exact, then rounded once to the cent, half up.

    Hourly pay is divided by 60 last: the one inexact step before the rounding, carried to Decimal's 28 significant
    digits (its repeating 3s or 6s never make a half cent of what is not one)."""
    if pay_type == "hourly" and hourly_rate is not None:
        amount = hourly_rate * (regular_minutes + OVERTIME_MULTIPLIER * overtime_minutes) / 60
    elif pay_type == "salary" and annual_salary is not None:
        amount = annual_salary * paid_days / (period.periods_per_year * period.days)
    else:
        amount = Decimal(0)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
