"""Gross pay of one pay period for every employee: numpy on plain columns, no Dagster, no database.

The rules:

- Hours are the valid attendance records' check-in to check-out, in whole minutes (a check-out before the check-in
  ends on the next day, as for Bayzat). When an employee's day was imported more than once (a corrected file), the
  newest import's record counts (the longest, if one file lists the day twice). A day belongs to the period its
  date is in.
- Overtime: hours beyond 40 in a work week (Monday to Sunday), for hourly employees who are overtime-eligible. A
  week's hours are counted in the order of its days, so the hours after the 40th are its overtime, each in the
  period of the day it was worked: a week split by a period boundary counts its days in both periods, and its
  overtime is neither lost nor paid twice.
- Each period total is rounded to hundredths of an hour (half up), which is what is stored; pay is computed from
  those stored hours, so anyone can recompute it from the results table (``expected_gross`` does, for the check).
- Hourly: rate x regular hours + 1.5 x rate x overtime hours. Salaried: annual salary / periods per year of the
  period type (weekly 52, bi-weekly 26, semi-monthly 24, monthly 12), times the share of the period's days the
  employee was employed. Hourly employees are paid for the hours on their employed days only.
- Employed from the rehire date when there is one, else the hire date, to the termination date (when it is not
  before that start). Someone not employed on any day of the period gets no result.
- Money is integer cents, rounded half up once per employee and period; rates are kept as ten-thousandths.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from hr_assets.defs.payroll.periods import PeriodDates

NO_START = 0  # day ordinal before every date: employed since before records began
NO_END = dt.date.max.toordinal() + 1
WEEK_LIMIT_MINUTES = 40 * 60
_MINUTES_PER_DAY = 24 * 60
_RATE_SCALE = 10_000  # hourly rates to the ten-thousandth (the warehouse's Numeric(12, 4))

NOTE_NO_ATTENDANCE = "no attendance"
NOTE_NO_PAY_DATA = "no pay type, rate or salary in the roster"


@dataclass(frozen=True)
class EmployeeColumns:
    """The roster as columns, employee i at position i of every array."""

    codes: np.ndarray  # object: str, unique
    hourly: np.ndarray  # bool
    has_pay: np.ndarray  # bool: a pay type and its rate or salary are known
    rate_units: np.ndarray  # int64: hourly rate x 10,000
    annual_cents: np.ndarray  # int64
    overtime_eligible: np.ndarray  # bool
    first_days: np.ndarray  # int64 day ordinals of the first employed day (NO_START)
    last_days: np.ndarray  # int64 day ordinals of the last employed day (NO_END)

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]]) -> EmployeeColumns:
        """From ``paycom_employees`` rows as mappings."""
        count = len(rows)
        pay_types = [row["pay_type"] for row in rows]
        rates = [row["hourly_rate"] for row in rows]
        salaries = [row["annual_salary"] for row in rows]
        hourly = np.fromiter((kind == "hourly" for kind in pay_types), bool, count)
        known = np.fromiter(
            (
                (kind == "hourly" and rate is not None) or (kind == "salary" and salary is not None)
                for kind, rate, salary in zip(pay_types, rates, salaries, strict=True)
            ),
            bool,
            count,
        )
        spans = [employment(row["hire_date"], row["rehire_date"], row["termination_date"]) for row in rows]
        return cls(
            codes=np.fromiter((row["employee_code"] for row in rows), object, count),
            hourly=hourly,
            has_pay=known,
            rate_units=np.fromiter((_scaled(rate, _RATE_SCALE) for rate in rates), np.int64, count),
            annual_cents=np.fromiter((_scaled(salary, 100) for salary in salaries), np.int64, count),
            overtime_eligible=np.fromiter((bool(row["overtime_eligible"]) for row in rows), bool, count),
            first_days=np.fromiter((first for first, _ in spans), np.int64, count),
            last_days=np.fromiter((last for _, last in spans), np.int64, count),
        )

    def __len__(self) -> int:
        return len(self.codes)


@dataclass(frozen=True)
class ShiftColumns:
    """Valid attendance records as columns: whose, which day, how many minutes, from which import.

    The employee column is dictionary-encoded, as columnar stores keep strings: each record holds the position of
    its code in ``codes``, so matching records to the roster looks each distinct code up once.
    """

    codes: np.ndarray  # object: the distinct employee codes
    employees: np.ndarray  # int64: each record's position in ``codes``
    days: np.ndarray  # int64 day ordinals
    minutes: np.ndarray  # int64
    import_ids: np.ndarray  # int64: the newest import of a day wins

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[Any]]) -> ShiftColumns:
        """From (employee code, date, check in, check out, import id) tuples."""
        count = len(rows)
        check_ins = np.fromiter((_seconds(row[2]) for row in rows), np.int64, count)
        check_outs = np.fromiter((_seconds(row[3]) for row in rows), np.int64, count)
        worked = check_outs - check_ins
        worked += np.where(worked < 0, _MINUTES_PER_DAY * 60, 0)  # a night shift ends the next day
        employees, codes = pd.factorize(np.fromiter((row[0] for row in rows), object, count))
        return cls(
            codes=np.asarray(codes, dtype=object),
            employees=employees.astype(np.int64),
            days=np.fromiter((row[1].toordinal() for row in rows), np.int64, count),
            minutes=worked // 60,
            import_ids=np.fromiter((row[4] for row in rows), np.int64, count),
        )


@dataclass(frozen=True)
class PeriodPay:
    """One period's results, row i for employee ``employees[i]`` of the roster's positions."""

    employees: np.ndarray  # int64 positions into the EmployeeColumns: those employed in the period
    paid_days: np.ndarray  # int64
    regular_centihours: np.ndarray  # int64: hundredths of an hour
    overtime_centihours: np.ndarray  # int64
    gross_cents: np.ndarray  # int64
    has_attendance: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.employees)

    @property
    def total_cents(self) -> int:
        return int(self.gross_cents.sum())


def employment(hire: dt.date | None, rehire: dt.date | None, termination: dt.date | None) -> tuple[int, int]:
    """The first and last employed day (ordinals): from the rehire (else the hire) date to a termination on or after
    it; a termination before a rehire is the earlier job's and does not end the current one."""
    start = rehire or hire
    first = start.toordinal() if start else NO_START
    last = termination.toordinal() if termination and (start is None or termination >= start) else NO_END
    return first, last


def employed_days(period: PeriodDates, employees: EmployeeColumns) -> np.ndarray:
    """How many of the period's days each employee was employed (0: not in the period)."""
    start, end = period.start.toordinal(), period.end.toordinal()
    return np.clip(np.minimum(employees.last_days, end) - np.maximum(employees.first_days, start) + 1, 0, None)


def compute_period(period: PeriodDates, employees: EmployeeColumns, shifts: ShiftColumns) -> PeriodPay:
    """Every employed employee's hours and gross pay for ``period`` (see the module's rules)."""
    paid_days = employed_days(period, employees)
    regular, overtime, attended = _minutes(period, employees, shifts)
    regular_ch, overtime_ch = centihours(regular), centihours(overtime)
    # rate_units / 10,000 x centihours / 100 x (2 or 3) / 2, in cents (x 100): the hundredths cancel out.
    hourly_cents = _round_half_up(employees.rate_units * (2 * regular_ch + 3 * overtime_ch), 2 * _RATE_SCALE)
    salaried_cents = _round_half_up(employees.annual_cents * paid_days, period.periods_per_year * period.days)
    gross = np.where(employees.hourly, hourly_cents, salaried_cents)
    gross = np.where(employees.has_pay, gross, 0)
    employed = np.flatnonzero(paid_days > 0)
    return PeriodPay(
        employees=employed,
        paid_days=paid_days[employed],
        regular_centihours=regular_ch[employed],
        overtime_centihours=overtime_ch[employed],
        gross_cents=gross[employed],
        has_attendance=attended[employed],
    )


def _minutes(
    period: PeriodDates, employees: EmployeeColumns, shifts: ShiftColumns
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Regular and overtime minutes in the period, and whether any attendance counted, per roster position."""
    start, end = period.start.toordinal(), period.end.toordinal()
    grid = worked_minutes(start, end, employees, shifts)
    regular, overtime = split_overtime(grid, employees)
    in_period = slice(start - grid.first_monday, None)
    return (
        regular[:, in_period].sum(axis=1),
        overtime[:, in_period].sum(axis=1),
        grid.attended[:, in_period].any(axis=1),
    )


@dataclass(frozen=True)
class WorkedGrid:
    """Minutes worked per (employee, day), from a Monday on, laid out as whole weeks: ``minutes[i, d]`` is roster
    position i's day ``first_monday + d``."""

    first_monday: int  # day ordinal
    minutes: np.ndarray  # int64 (employees, 7 x weeks)
    attended: np.ndarray  # bool (employees, 7 x weeks): a valid record counted that day


def worked_minutes(first_day: int, last_day: int, employees: EmployeeColumns, shifts: ShiftColumns) -> WorkedGrid:
    """The one count of worked time, for payroll and the scheduling view alike: each employed day's minutes from
    the Monday of ``first_day``'s week to ``last_day`` (ordinals), a day imported more than once counting from its
    newest import (the longest record, if one file lists it twice).

    The records go into a grid of (employee, day), so a week's running hours are a cumulative sum along its seven
    days: no sorting.
    """
    count = len(employees)
    first_monday = first_day - (first_day - 1) % 7  # ordinal 1 (0001-01-01) is a Monday
    weeks = (last_day - first_monday) // 7 + 1
    width = 7 * weeks
    who = pd.Index(employees.codes).get_indexer(shifts.codes)[shifts.employees]  # -1: not on the roster
    who_or_0 = np.maximum(who, 0)
    days = shifts.days
    rows = np.flatnonzero(
        (who >= 0)
        & (days >= first_monday)
        & (days <= last_day)
        & (days >= employees.first_days[who_or_0])
        & (days <= employees.last_days[who_or_0])
    )
    cells = who[rows] * width + (days[rows] - first_monday)
    records_per_cell = np.bincount(cells, minlength=count * width)
    worked = np.zeros(count * width, np.int64)
    once = records_per_cell[cells] == 1
    worked[cells[once]] = shifts.minutes[rows[once]]
    repeated_rows, repeated_cells = rows[~once], cells[~once]
    newest = np.full(count * width, np.iinfo(np.int64).min)
    np.maximum.at(newest, repeated_cells, shifts.import_ids[repeated_rows])
    counted = shifts.import_ids[repeated_rows] == newest[repeated_cells]
    np.maximum.at(worked, repeated_cells[counted], shifts.minutes[repeated_rows[counted]])
    return WorkedGrid(
        first_monday=first_monday,
        minutes=worked.reshape(count, width),
        attended=(records_per_cell > 0).reshape(count, width),
    )


def split_overtime(grid: WorkedGrid, employees: EmployeeColumns) -> tuple[np.ndarray, np.ndarray]:
    """Regular and overtime minutes per (employee, day): for hourly overtime-eligible employees, each week's
    minutes past the 40th hour, counted in the order of its days, are overtime."""
    count, width = grid.minutes.shape
    worked = grid.minutes.reshape(count, width // 7, 7)
    before = np.cumsum(worked, axis=2) - worked  # the week's minutes before each day
    eligible = overtime_counted(employees)[:, None, None]
    regular = np.where(eligible, np.clip(WEEK_LIMIT_MINUTES - before, 0, worked), worked).reshape(count, width)
    return regular, grid.minutes - regular


def overtime_counted(employees: EmployeeColumns) -> np.ndarray:
    """Who is paid overtime: hourly, overtime-eligible employees."""
    return employees.hourly & employees.overtime_eligible


def centihours(minutes: np.ndarray) -> np.ndarray:
    """Minutes as hundredths of an hour, rounded half up: minutes x 100 / 60."""
    return _round_half_up(minutes * 5, 3)


def _round_half_up(numerators: np.ndarray, denominator: int) -> np.ndarray:
    """numerators / denominator rounded half up, in integers (numerators are never negative)."""
    return (2 * numerators + denominator) // (2 * denominator)


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
    """One stored result's gross pay recomputed in Decimal from its own columns: the check's second opinion on the
    columnar computation above."""
    if pay_type == "hourly" and hourly_rate is not None:
        amount = hourly_rate * regular_hours + Decimal("1.5") * hourly_rate * overtime_hours
    elif pay_type == "salary" and annual_salary is not None:
        amount = annual_salary * paid_days / (period.periods_per_year * period.days)
    else:
        amount = Decimal(0)
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def amount(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def hours(centihours: int) -> Decimal:
    return Decimal(int(centihours)).scaleb(-2)


def _scaled(value: Decimal | None, scale: int) -> int:
    return 0 if value is None else int((Decimal(value) * scale).to_integral_value(ROUND_HALF_UP))


def _seconds(time: dt.time) -> int:
    return time.hour * 3600 + time.minute * 60 + time.second
