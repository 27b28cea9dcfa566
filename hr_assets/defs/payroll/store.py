"""Pay periods, their claims and their results in the warehouse; every function works inside the caller's
transaction.

A period's status goes ``active -> processing -> completed | failed``. ``claim`` moves it to ``processing`` for
one run with a single conditional UPDATE, so of two runs racing for it exactly one wins, on SQLite (the write
lock of ``BEGIN IMMEDIATE``) and on PostgreSQL (the second UPDATE waits for the first to commit, then finds the
row no longer matching). Only the holder's ``complete`` writes results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.defs.payroll.pay import EmployeePay
from hr_assets.defs.payroll.periods import PeriodDates, PeriodError, dates_of_key
from hr_assets.defs.payroll.rules import Rule, check_fits, rule_json
from hr_assets.defs.shared.worked_time import hours
from hr_assets.warehouse.engine import insert_rows, upsert
from hr_assets.warehouse.tables import (
    payroll_period_totals,
    payroll_periods,
    payroll_result_rates,
    payroll_results,
)


class LostClaim(Exception):
    """The run no longer holds the period (its lock was released as stale): nothing it computed is written."""


def dates_of(period: dict[str, Any]) -> PeriodDates:
    return PeriodDates(period["start_date"], period["end_date"], period["period_type"])


def add_period(
    connection: Connection,
    dates: PeriodDates,
    rule: Rule | None,
    *,
    timezone: str,
    now: dt.datetime,
) -> int:
    """A new active period's id: automated when it has a rule, run by hand otherwise. Its partition is added by the
    caller, which holds the Dagster instance (``assets.add_period_partitions``).

    Every period pays the whole roster (the platform has one pay group), so a period sharing a day with another
    would pay that day twice: it is refused, naming the first period it overlaps. Two people adding periods at once
    are serialised, so neither can miss the other's: SQLite's ``BEGIN IMMEDIATE`` holds the write lock already, and
    on PostgreSQL a transaction-scoped advisory lock does."""
    if rule is not None:
        check_fits(rule, dates, timezone)
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('hr_assets_payroll_periods'))"))
    clash = overlapping(connection, dates)
    if clash is not None:
        same = (clash["start_date"], clash["end_date"]) == (dates.start, dates.end)
        raise PeriodError(
            f"a {clash['period_type']} period {clash['start_date']} to {clash['end_date']} exists already "
            f"(id {clash['id']})"
            + ("" if same else f": it overlaps {dates.start} to {dates.end}, and a day is paid by one period only")
        )
    period_id: int = connection.execute(
        sa.insert(payroll_periods)
        .values(
            start_date=dates.start,
            end_date=dates.end,
            period_type=dates.period_type,
            automation_enabled=rule is not None,
            automation_rule=rule_json(rule) if rule is not None else None,
            status="active",
            claims=0,
            created_at=now,
            updated_at=now,
        )
        .returning(payroll_periods.c.id)
    ).scalar_one()
    return period_id


def overlapping(connection: Connection, dates: PeriodDates) -> dict[str, Any] | None:
    """The earliest period sharing a day with ``dates``, if any."""
    query = (
        sa.select(payroll_periods)
        .where(payroll_periods.c.start_date <= dates.end, payroll_periods.c.end_date >= dates.start)
        .order_by(payroll_periods.c.start_date, payroll_periods.c.id)
        .limit(1)
    )
    row = connection.execute(query).mappings().first()
    return dict(row) if row else None


def set_automation(
    connection: Connection,
    period_id: int,
    now: dt.datetime,
    *,
    timezone: str,
    rule: Rule | None = None,
    enabled: bool | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Change a period's rule (which turns its automation on) or turn its automation on or off; returns the old and
    new values. A period without a rule cannot be automated, and a completed one is not changed."""
    row = period(connection, period_id)
    if row["status"] == "completed":
        raise PeriodError(f"period_id {period_id} is completed: its automation no longer matters")
    new: dict[str, Any] = {}
    if rule is not None:
        check_fits(rule, dates_of(row), timezone)
        new = {"automation_rule": rule_json(rule), "automation_enabled": True}
    if enabled is not None:
        if enabled and row["automation_rule"] is None and rule is None:
            raise PeriodError(f"period_id {period_id} has no rule: give it one with hr-assets payroll set-rule")
        new["automation_enabled"] = enabled
    old = {name: row[name] for name in new}
    connection.execute(
        sa.update(payroll_periods).where(payroll_periods.c.id == period_id).values(**new, updated_at=now)
    )
    return old, new


def period(connection: Connection, period_id: int) -> dict[str, Any]:
    row = connection.execute(sa.select(payroll_periods).where(payroll_periods.c.id == period_id)).mappings().first()
    if row is None:
        raise PeriodError(f"period_id {period_id}: no such pay period (hr-assets payroll list)")
    return dict(row)


def period_of_partition(connection: Connection, key: str) -> dict[str, Any]:
    """The period a ``payroll_results`` partition key names."""
    start, end = dates_of_key(key)
    query = sa.select(payroll_periods).where(payroll_periods.c.start_date == start, payroll_periods.c.end_date == end)
    row = connection.execute(query).mappings().first()
    if row is None:
        raise PeriodError(f"partition {key}: no pay period from {start} to {end} (hr-assets payroll list)")
    return dict(row)


def partition_keys(connection: Connection) -> list[str]:
    """Every period's partition key, oldest first."""
    return [dates_of(row).partition_key for row in periods(connection)]


def periods(connection: Connection, status: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(payroll_periods).order_by(payroll_periods.c.start_date, payroll_periods.c.id)
    if status is not None:
        query = query.where(payroll_periods.c.status == status)
    return [dict(row) for row in connection.execute(query).mappings()]


def automated_active(connection: Connection) -> list[dict[str, Any]]:
    """The periods automation may run: enabled and active (not processing, completed or failed)."""
    return [row for row in periods(connection, "active") if row["automation_enabled"]]


def period_ids_starting_in(connection: Connection, month: dt.date) -> list[int]:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    query = (
        sa.select(payroll_periods.c.id)
        .where(payroll_periods.c.start_date >= month, payroll_periods.c.start_date < following)
        .order_by(payroll_periods.c.start_date, payroll_periods.c.id)
    )
    return list(connection.execute(query).scalars())


def claim(connection: Connection, period_id: int, run_id: str, now: dt.datetime, *, force: bool) -> bool:
    """Take the period for ``run_id``: an active or failed one, one this run already holds (a step retry), or a
    completed one when forced. Never one another run is processing."""
    takeable = sa.or_(
        payroll_periods.c.status.in_(("active", "failed", "completed") if force else ("active", "failed")),
        sa.and_(payroll_periods.c.status == "processing", payroll_periods.c.run_id == run_id),
    )
    result = connection.execute(
        sa.update(payroll_periods)
        .where(payroll_periods.c.id == period_id, takeable)
        .values(
            status="processing",
            run_id=run_id,
            claimed_at=now,
            claims=payroll_periods.c.claims + 1,
            error_message=None,
            updated_at=now,
        )
    )
    return result.rowcount == 1


def why_not_claimed(row: dict[str, Any]) -> str:
    if row["status"] == "completed":
        return f"completed by run {row['run_id']} at {row['processed_at']:%Y-%m-%d %H:%M %Z}; force to run it again"
    return f"being processed by run {row['run_id']} since {row['claimed_at']:%Y-%m-%d %H:%M %Z}"


def processing(connection: Connection) -> list[dict[str, Any]]:
    return periods(connection, "processing")


def release(connection: Connection, period_id: int, run_id: str, reason: str, now: dt.datetime) -> bool:
    """Give a period held by a dead run back to automation (active), if that run still holds it."""
    return _update_if_held(
        connection, period_id, run_id, status="active", error_message=f"released: {reason}", updated_at=now
    )


def fail(connection: Connection, period_id: int, run_id: str, error: str, now: dt.datetime) -> None:
    _update_if_held(connection, period_id, run_id, status="failed", error_message=error, updated_at=now)


def _update_if_held(connection: Connection, period_id: int, run_id: str, **values: Any) -> bool:
    """Sets ``values`` on the period only while ``run_id`` holds it (processing under that run); whether it did."""
    result = connection.execute(
        sa.update(payroll_periods)
        .where(
            payroll_periods.c.id == period_id,
            payroll_periods.c.status == "processing",
            payroll_periods.c.run_id == run_id,
        )
        .values(**values)
    )
    return result.rowcount == 1


def write_results(
    connection: Connection, period_id: int, pay: Sequence[EmployeePay], run_id: str, now: dt.datetime
) -> dict[str, Any]:
    """The period's results, their rates and totals, replaced whole, and the period completed; raises LostClaim (so
    the caller's transaction rolls back) when ``run_id`` no longer holds it. Returns the totals row."""
    completed = _update_if_held(
        connection, period_id, run_id, status="completed", processed_at=now, error_message=None, updated_at=now
    )
    if not completed:
        raise LostClaim(f"period {period_id} is no longer held by run {run_id}: its results were not written")
    results_rows: list[dict[str, Any]] = []
    rate_rows: list[dict[str, Any]] = []
    for result in pay:
        terms = result.terms
        results_rows.append(
            {
                "period_id": period_id,
                "employee_code": result.code,
                "pay_type": terms.pay_type,
                "hourly_rate": terms.hourly_rate,
                "annual_salary": terms.annual_salary,
                "overtime_eligible": terms.overtime_eligible,
                "paid_days": result.paid_days,
                "regular_minutes": result.regular_minutes,
                "overtime_minutes": result.overtime_minutes,
                "regular_hours": result.regular_hours,
                "overtime_hours": result.overtime_hours,
                "gross_pay": result.gross_pay,
                "note": result.note,
                "run_id": run_id,
                "computed_at": now,
            }
        )
        rate_rows.extend(
            {
                "period_id": period_id,
                "employee_code": result.code,
                "first_day": rate.first_day,
                "last_day": rate.last_day,
                "pay_type": rate.terms.pay_type,
                "hourly_rate": rate.terms.hourly_rate,
                "annual_salary": rate.terms.annual_salary,
                "overtime_eligible": rate.terms.overtime_eligible,
                "paid_days": rate.paid_days,
                "regular_minutes": rate.regular_minutes,
                "overtime_minutes": rate.overtime_minutes,
                "regular_hours": rate.regular_hours,
                "overtime_hours": rate.overtime_hours,
                "gross_pay": rate.gross_pay,
            }
            for rate in result.rates
        )
    for table in (payroll_result_rates, payroll_results):
        connection.execute(sa.delete(table).where(table.c.period_id == period_id))
    insert_rows(connection, payroll_results, results_rows)
    insert_rows(connection, payroll_result_rates, rate_rows)
    hourly = [result for result in pay if result.terms.has_pay and result.terms.hourly]
    totals = {
        "period_id": period_id,
        "employees": len(pay),
        "hourly_employees": len(hourly),
        "salaried_employees": sum(1 for result in pay if result.terms.has_pay and not result.terms.hourly),
        "hourly_without_attendance": sum(1 for result in hourly if not result.attended),
        "without_pay_data": sum(1 for result in pay if not result.terms.has_pay),
        "regular_hours": hours(sum(result.regular_minutes for result in pay)),
        "overtime_hours": hours(sum(result.overtime_minutes for result in pay)),
        "gross_pay": sum((result.gross_pay for result in pay), Decimal("0.00")),
        "run_id": run_id,
        "computed_at": now,
    }
    upsert(connection, payroll_period_totals, [totals], ["period_id"])
    return totals


def results(connection: Connection, period_id: int) -> list[dict[str, Any]]:
    query = (
        sa.select(payroll_results)
        .where(payroll_results.c.period_id == period_id)
        .order_by(payroll_results.c.employee_code)
    )
    return [dict(row) for row in connection.execute(query).mappings()]


def rates(connection: Connection, period_id: int) -> dict[str, list[dict[str, Any]]]:
    """Each employee's rates in the period, by employee code, in the order of their days."""
    query = (
        sa.select(payroll_result_rates)
        .where(payroll_result_rates.c.period_id == period_id)
        .order_by(payroll_result_rates.c.employee_code, payroll_result_rates.c.first_day)
    )
    found: dict[str, list[dict[str, Any]]] = {}
    for row in connection.execute(query).mappings():
        found.setdefault(row["employee_code"], []).append(dict(row))
    return found


def totals(connection: Connection, period_id: int) -> dict[str, Any] | None:
    query = sa.select(payroll_period_totals).where(payroll_period_totals.c.period_id == period_id)
    row = connection.execute(query).mappings().first()
    return dict(row) if row else None
