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
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.defs.payroll.pay import NOTE_NO_ATTENDANCE, NOTE_NO_PAY_DATA, EmployeeColumns, PeriodPay, amount, hours
from hr_assets.defs.payroll.periods import PeriodDates, PeriodError
from hr_assets.defs.payroll.rules import Rule, check_fits, rule_json
from hr_assets.warehouse.engine import insert_rows, upsert
from hr_assets.warehouse.tables import attendance_import_records as records
from hr_assets.warehouse.tables import paycom_employees, payroll_period_totals, payroll_periods, payroll_results

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
    history_start: dt.date,
    now: dt.datetime,
) -> int:
    """A new active period's id: automated when it has a rule, run by hand otherwise."""
    if dates.start < history_start.replace(day=1):
        raise PeriodError(
            f"start_date {dates.start} is before HR_HISTORY_START's month ({history_start:%Y-%m}): "
            "no partition holds it"
        )
    if rule is not None:
        check_fits(rule, dates, timezone)
    same = sa.select(payroll_periods.c.id).where(
        payroll_periods.c.period_type == dates.period_type,
        payroll_periods.c.start_date == dates.start,
        payroll_periods.c.end_date == dates.end,
    )
    existing = connection.execute(same).scalar()
    if existing is not None:
        raise PeriodError(f"a {dates.period_type} period {dates.start} to {dates.end} exists already (id {existing})")
    return connection.execute(
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


def period(connection: Connection, period_id: int) -> dict[str, Any]:
    row = connection.execute(sa.select(payroll_periods).where(payroll_periods.c.id == period_id)).mappings().first()
    if row is None:
        raise PeriodError(f"period_id {period_id}: no such pay period (hr-assets payroll list)")
    return dict(row)


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


def roster(connection: Connection) -> list[Any]:
    query = sa.select(*(paycom_employees.c[name] for name in ROSTER_COLUMNS)).order_by(paycom_employees.c.employee_code)
    return list(connection.execute(query).mappings())


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


def write_results(
    connection: Connection,
    period_id: int,
    employees: EmployeeColumns,
    pay: PeriodPay,
    roster_rows: Sequence[Any],
    run_id: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """The period's results and totals, replaced whole, and the period completed; raises LostClaim (so the caller's
    transaction rolls back) when ``run_id`` no longer holds it. Returns the totals row."""
    completed = _update_if_held(
        connection, period_id, run_id, status="completed", processed_at=now, error_message=None, updated_at=now
    )
    if not completed:
        raise LostClaim(f"period {period_id} is no longer held by run {run_id}: its results were not written")
    rows = []
    for i, position in enumerate(pay.employees.tolist()):
        employee = roster_rows[position]
        note = None
        if not employees.has_pay[position]:
            note = NOTE_NO_PAY_DATA
        elif employees.hourly[position] and not pay.has_attendance[i]:
            note = NOTE_NO_ATTENDANCE
        rows.append(
            {
                "period_id": period_id,
                "employee_code": employee["employee_code"],
                "pay_type": employee["pay_type"],
                "hourly_rate": employee["hourly_rate"] if employee["pay_type"] == "hourly" else None,
                "annual_salary": employee["annual_salary"] if employee["pay_type"] == "salary" else None,
                "overtime_eligible": bool(employee["overtime_eligible"]),
                "paid_days": int(pay.paid_days[i]),
                "regular_hours": hours(pay.regular_centihours[i]),
                "overtime_hours": hours(pay.overtime_centihours[i]),
                "gross_pay": amount(pay.gross_cents[i]),
                "note": note,
                "run_id": run_id,
                "computed_at": now,
            }
        )
    connection.execute(sa.delete(payroll_results).where(payroll_results.c.period_id == period_id))
    insert_rows(connection, payroll_results, rows)
    hourly = employees.hourly[pay.employees] & employees.has_pay[pay.employees]
    salaried = ~employees.hourly[pay.employees] & employees.has_pay[pay.employees]
    totals = {
        "period_id": period_id,
        "employees": len(pay),
        "hourly_employees": int(hourly.sum()),
        "salaried_employees": int(salaried.sum()),
        "hourly_without_attendance": int((hourly & ~pay.has_attendance).sum()),
        "without_pay_data": int((~employees.has_pay[pay.employees]).sum()),
        "regular_hours": hours(pay.regular_centihours.sum()),
        "overtime_hours": hours(pay.overtime_centihours.sum()),
        "gross_pay": amount(pay.total_cents),
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


def totals(connection: Connection, period_id: int) -> dict[str, Any] | None:
    query = sa.select(payroll_period_totals).where(payroll_period_totals.c.period_id == period_id)
    row = connection.execute(query).mappings().first()
    return dict(row) if row else None
