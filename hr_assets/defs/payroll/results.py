"""A completed period's pay per employee as people read it (``hr-assets payroll results``, the API's pay results, the
table on the period's materialization): the employee's code and name, their hours, the terms they were paid with and
their gross pay, to the cent. Nothing else of the person: no bank data, birth date, address or phone.

The terms are the rate (or salary) and the overtime multiplier; an employee whose terms changed during the period
(a raise) has one entry in ``rates`` for each run of days, and ``terms`` says each run's in one line.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.defs.payroll import store
from hr_assets.defs.payroll.pay import OVERTIME_MULTIPLIER
from hr_assets.defs.payroll.periods import PeriodError, dates_of_key
from hr_assets.warehouse.tables import paycom_employees

_LARGEST_ID = 2**31 - 1  # payroll_periods.id is an INTEGER

# Per employee, in this order: the CSV's and the table's columns (the JSON adds ``rates``).
COLUMNS = (
    "employee_code",
    "name",
    "pay_type",
    "hourly_rate",
    "annual_salary",
    "overtime_multiplier",
    "paid_days",
    "regular_minutes",
    "overtime_minutes",
    "regular_hours",
    "overtime_hours",
    "gross_pay",
    "terms",
    "note",
)
# What a person reads (the command's table, the table on the period's materialization), with each column's type.
SHOWN = {
    "employee_code": "string",
    "name": "string",
    "terms": "string",
    "paid_days": "int",
    "regular_hours": "float",
    "overtime_hours": "float",
    "gross_pay": "float",
    "note": "string",
}
RATE_COLUMNS = (
    "first_day",
    "last_day",
    "pay_type",
    "hourly_rate",
    "annual_salary",
    "overtime_multiplier",
    "paid_days",
    "regular_minutes",
    "overtime_minutes",
    "regular_hours",
    "overtime_hours",
    "gross_pay",
)


def period_named(connection: Connection, text: str) -> dict[str, Any]:
    """The period ``text`` names: its id (``12``), or its first and last day as its partition is named
    (``2026-01-01..2026-01-15``)."""
    if text.isascii() and text.isdigit():
        if int(text) > _LARGEST_ID:
            raise PeriodError(f"period_id {text}: no such pay period (hr-assets payroll list)")
        return store.period(connection, int(text))
    dates_of_key(text)  # a one-line error naming the forms when it is neither
    return store.period_of_partition(connection, text)


def completed_period_named(connection: Connection, text: str) -> dict[str, Any]:
    """As ``period_named``, refused in one line unless the period is completed (only then are its results whole)."""
    period = period_named(connection, text)
    if period["status"] != "completed":
        raise PeriodError(
            f"period {period['id']} ({store.dates_of(period).partition_key}) is {period['status']}: its results are "
            f"listed once it is completed (hr-assets payroll run --period-id {period['id']})"
        )
    return period


def overtime_multiplier(row: dict[str, Any]) -> Decimal | None:
    """The multiplier of the overtime minutes: for hourly, overtime-eligible terms only."""
    return OVERTIME_MULTIPLIER if row["pay_type"] == "hourly" and row["overtime_eligible"] else None


def pay_results(connection: Connection, period_id: int) -> list[dict[str, Any]]:
    """Each employee's result for the period, by code, with their name and the terms of each run of days."""
    query = sa.select(paycom_employees.c.employee_code, paycom_employees.c.first_name, paycom_employees.c.last_name)
    names = {code: " ".join(part for part in (first, last) if part) for code, first, last in connection.execute(query)}
    rates = store.rates(connection, period_id)
    listed = []
    for row in store.results(connection, period_id):
        code = row["employee_code"]
        runs = [_with_multiplier(rate, RATE_COLUMNS) for rate in rates.get(code, [])]
        derived = {"name": names.get(code) or None, "terms": "; ".join(_terms(run, len(runs) > 1) for run in runs)}
        listed.append(_with_multiplier(row | derived, COLUMNS) | {"rates": runs})
    return listed


def _with_multiplier(row: dict[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    return {name: overtime_multiplier(row) if name == "overtime_multiplier" else row[name] for name in columns}


def _terms(run: dict[str, Any], dated: bool) -> str:
    """One run's terms in a few words: ``hourly 20.0000 x1.5``, ``salary 52000.00 a year``, with its days when the
    terms changed during the period."""
    if run["pay_type"] == "hourly" and run["hourly_rate"] is not None:
        said = f"hourly {run['hourly_rate']}" + (
            f" x{run['overtime_multiplier']}" if run["overtime_multiplier"] else ""
        )
    elif run["pay_type"] == "salary" and run["annual_salary"] is not None:
        said = f"salary {run['annual_salary']} a year"
    else:
        said = "no pay data"
    return f"{run['first_day']}..{run['last_day']} {said}" if dated else said
