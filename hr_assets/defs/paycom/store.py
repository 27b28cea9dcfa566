"""Reading and writing the Paycom tables. Each function works inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from hr_assets.defs.paycom.hours import StaffHours, hours_left_before_cap
from hr_assets.defs.paycom.roster import EMPLOYEE_FIELDS
from hr_assets.defs.paycom.staff import default_max_hours
from hr_assets.lib.errors import OperatorError
from hr_assets.warehouse.engine import insert_rows, upsert
from hr_assets.warehouse.stored_files import delete_files
from hr_assets.warehouse.tables import (
    paycom_employee_snapshots,
    paycom_employees,
    paycom_files,
    paycom_payees,
    paycom_sync_log,
    payroll_periods,
    scheduling_staff,
)


def completed_sync(connection: Connection, week: dt.date) -> RowMapping | None:
    """The latest completed sync of the week, if there is one."""
    log = paycom_sync_log
    return (
        connection.execute(
            sa.select(log).where(log.c.sync_week == week, log.c.status == "completed").order_by(log.c.started_at.desc())
        )
        .mappings()
        .first()
    )


def latest_sync(connection: Connection, week: dt.date) -> RowMapping | None:
    log = paycom_sync_log
    return (
        connection.execute(
            sa.select(log).where(log.c.sync_week == week, log.c.status != "skipped").order_by(log.c.started_at.desc())
        )
        .mappings()
        .first()
    )


def _write_sync(connection: Connection, run_id: str, **fields: Any) -> None:
    """Create or update the run's sync log row (an op retry reuses the run's row)."""
    log = paycom_sync_log
    if connection.execute(sa.select(log.c.id).where(log.c.run_id == run_id)).first():
        connection.execute(sa.update(log).where(log.c.run_id == run_id).values(**fields))
    else:
        connection.execute(sa.insert(log).values(run_id=run_id, **fields))


def skip_sync(
    connection: Connection, run_id: str, week: dt.date, report_type: str, reason: str, now: dt.datetime
) -> None:
    _write_sync(
        connection,
        run_id,
        sync_week=week,
        report_type=report_type,
        forced=False,
        started_at=now,
        completed_at=now,
        status="skipped",
        error_message=reason,
    )


def start_sync(
    connection: Connection,
    run_id: str,
    week: dt.date,
    report_type: str,
    forced: bool,
    started_at: dt.datetime,
    files: int,
) -> None:
    _write_sync(
        connection,
        run_id,
        sync_week=week,
        report_type=report_type,
        forced=forced,
        started_at=started_at,
        status="running",
        files_processed=files,
    )


def fail_sync(
    connection: Connection,
    run_id: str,
    week: dt.date,
    report_type: str,
    forced: bool,
    started_at: dt.datetime,
    now: dt.datetime,
    error: str,
) -> None:
    _write_sync(
        connection,
        run_id,
        sync_week=week,
        report_type=report_type,
        forced=forced,
        started_at=started_at,
        completed_at=now,
        status="failed",
        error_message=error,
    )


def finish_sync(connection: Connection, run_id: str, week: dt.date, now: dt.datetime, **fields: Any) -> None:
    """Close the run's sync log row, opening one first when paycom_employees ran on its own."""
    log = paycom_sync_log
    if connection.execute(sa.select(log.c.id).where(log.c.run_id == run_id)).first() is None:
        connection.execute(
            sa.insert(log).values(
                run_id=run_id, sync_week=week, report_type="all", forced=False, started_at=now, status="running"
            )
        )
    connection.execute(sa.update(log).where(log.c.run_id == run_id).values(completed_at=now, **fields))


def recent_syncs(connection: Connection, limit: int) -> list[dict[str, Any]]:
    log = paycom_sync_log
    return [
        dict(row)
        for row in connection.execute(sa.select(log).order_by(log.c.started_at.desc()).limit(limit)).mappings()
    ]


def replace_files(connection: Connection, week: dt.date, rows: Iterable[Mapping[str, Any]]) -> None:
    """The week's files, instead of those of its previous sync, whose stored files go with them."""
    stored = sa.select(paycom_files.c.stored_file_id).where(
        paycom_files.c.sync_week == week, paycom_files.c.stored_file_id.is_not(None)
    )
    previous = list(connection.execute(stored).scalars())
    connection.execute(sa.delete(paycom_files).where(paycom_files.c.sync_week == week))
    delete_files(connection, previous)
    insert_rows(connection, paycom_files, [dict(row, sync_week=week) for row in rows])


def week_files(connection: Connection, week: dt.date) -> list[RowMapping]:
    query = sa.select(paycom_files).where(paycom_files.c.sync_week == week).order_by(paycom_files.c.id)
    return list(connection.execute(query).mappings())


def recent_files(connection: Connection, weeks: int) -> list[dict[str, Any]]:
    """The files of the last ``weeks`` synced weeks, newest week first."""
    recent = sa.select(paycom_files.c.sync_week).distinct().order_by(paycom_files.c.sync_week.desc()).limit(weeks)
    query = (
        sa.select(paycom_files)
        .where(paycom_files.c.sync_week.in_(recent.scalar_subquery()))
        .order_by(paycom_files.c.sync_week.desc(), paycom_files.c.id)
    )
    return [dict(row) for row in connection.execute(query).mappings()]


def set_file_status(connection: Connection, week: dt.date, file_name: str, status: str, error: str | None) -> None:
    connection.execute(
        sa.update(paycom_files)
        .where(paycom_files.c.sync_week == week, paycom_files.c.file_name == file_name)
        .values(status=status, error_message=error)
    )


def load_employees(connection: Connection) -> dict[str, dict[str, Any]]:
    columns = [paycom_employees.c.employee_code, *(paycom_employees.c[name] for name in EMPLOYEE_FIELDS)]
    return {row["employee_code"]: dict(row) for row in connection.execute(sa.select(*columns)).mappings()}


def write_employees(
    connection: Connection,
    rows: Mapping[str, Mapping[str, Any]],
    changed: Iterable[str],
    week: dt.date,
    now: dt.datetime,
) -> None:
    """Upsert every employee the week's reports name; ``updated_at`` moves only for real changes."""
    changed = set(changed)
    stamped = [
        dict(row, employee_code=code, last_synced_at=now, last_synced_week=week, created_at=now, updated_at=now)
        for code, row in rows.items()
        if code in changed
    ]
    upsert(connection, paycom_employees, stamped, ["employee_code"], keep_on_conflict=["created_at"])
    unchanged = [code for code in rows if code not in changed]
    for chunk in _chunks(unchanged, 500):
        connection.execute(
            sa.update(paycom_employees)
            .where(paycom_employees.c.employee_code.in_(chunk))
            .values(last_synced_at=now, last_synced_week=week)
        )


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def replace_snapshot(connection: Connection, week: dt.date, rows: Mapping[str, Mapping[str, Any]]) -> None:
    connection.execute(sa.delete(paycom_employee_snapshots).where(paycom_employee_snapshots.c.sync_week == week))
    insert_rows(
        connection,
        paycom_employee_snapshots,
        [
            {"sync_week": week, "employee_code": code, **{name: row[name] for name in EMPLOYEE_FIELDS}}
            for code, row in rows.items()
        ],
    )


def snapshot_codes(connection: Connection, week: dt.date) -> list[str]:
    snapshots = paycom_employee_snapshots
    return list(connection.execute(sa.select(snapshots.c.employee_code).where(snapshots.c.sync_week == week)).scalars())


def previous_snapshot_week(connection: Connection, week: dt.date) -> dt.date | None:
    snapshots = paycom_employee_snapshots
    return connection.execute(
        sa.select(sa.func.max(snapshots.c.sync_week)).where(snapshots.c.sync_week < week)
    ).scalar()


def latest_snapshot_week(connection: Connection) -> dt.date | None:
    return connection.execute(sa.select(sa.func.max(paycom_employee_snapshots.c.sync_week))).scalar()


def snapshot(connection: Connection, week: dt.date) -> list[tuple[str, dict[str, Any]]]:
    snapshots = paycom_employee_snapshots
    result = connection.execute(
        sa.select(snapshots).where(snapshots.c.sync_week == week).order_by(snapshots.c.employee_code)
    ).mappings()
    return [(row["employee_code"], dict(row)) for row in result]


def active_count(connection: Connection, week: dt.date) -> int:
    snapshots = paycom_employee_snapshots
    return connection.execute(
        sa.select(sa.func.count()).where(snapshots.c.sync_week == week, snapshots.c.status == "active")
    ).scalar_one()


def replace_payees(connection: Connection, week: dt.date, payees: Iterable[Mapping[str, Any]]) -> int:
    connection.execute(sa.delete(paycom_payees).where(paycom_payees.c.sync_week == week))
    columns = ("file_name", "row_number", "employee_code", "payee_code", "payee_description", "garnishment_type")
    rows = [{"sync_week": week, **{name: payee.get(name) for name in columns}} for payee in payees]
    insert_rows(connection, paycom_payees, rows)
    return len(rows)


def write_staff(
    connection: Connection,
    rows: Iterable[Mapping[str, Any]],
    figures: Mapping[str, StaffHours],
    *,
    week: dt.date,
    as_of: dt.date,
    pay_period_id: int | None,
    now: dt.datetime,
) -> None:
    """The staff view is the newest week's: its rows are upserted, those of people no longer on it deleted, and
    what people set on a row (its cap override, its scheduling app id) is kept."""
    staff = scheduling_staff
    overridden = sa.select(staff.c.employee_code, staff.c.weekly_cap_override).where(
        staff.c.weekly_cap_override.is_not(None)
    )
    overrides = dict(connection.execute(overridden).tuples().all())
    stored = []
    for row in rows:
        code = row["employee_code"]
        cap = overrides.get(code, row["max_hours_per_week"])
        worked = figures.get(code)
        stored.append(
            dict(
                row,
                max_hours_per_week=cap,
                period_start=week,
                updated_at=now,
                hours_as_of=as_of,
                pay_period_id=pay_period_id if worked else None,
                hours_this_week=worked and worked.hours_this_week,
                hours_this_period=worked and worked.hours_this_period,
                hours_this_year=worked and worked.hours_this_year,
                overtime_hours_this_week=worked and worked.overtime_hours_this_week,
                hours_left_before_overtime=worked and worked.hours_left_before_overtime,
                hours_left_before_cap=hours_left_before_cap(cap, worked.hours_this_week if worked else Decimal(0)),
            )
        )
    kept = {row["employee_code"] for row in stored}
    gone = [code for code in connection.execute(sa.select(staff.c.employee_code)).scalars() if code not in kept]
    for chunk in _chunks(gone, 500):
        connection.execute(sa.delete(staff).where(staff.c.employee_code.in_(chunk)))
    upsert(connection, staff, stored, ["employee_code"])


def set_weekly_cap(connection: Connection, code: str, hours: int | None) -> int:
    """Set (or, with None, clear) an employee's weekly cap override; returns the cap now in force."""
    staff = scheduling_staff
    row = connection.execute(sa.select(staff.c.hours_this_week).where(staff.c.employee_code == code)).one_or_none()
    if row is None:
        raise StaffNotFound(code)
    if hours is None:
        eligible = connection.execute(
            sa.select(paycom_employees.c.overtime_eligible).where(paycom_employees.c.employee_code == code)
        ).scalar()
        cap = default_max_hours(eligible)
    else:
        cap = hours
    connection.execute(
        sa.update(staff)
        .where(staff.c.employee_code == code)
        .values(
            weekly_cap_override=hours,
            max_hours_per_week=cap,
            hours_left_before_cap=hours_left_before_cap(cap, row.hours_this_week or Decimal(0)),
        )
    )
    return cap


def set_scheduling_app_id(connection: Connection, code: str, app_id: str | None) -> None:
    staff = scheduling_staff
    result = connection.execute(
        sa.update(staff).where(staff.c.employee_code == code).values(scheduling_app_staff_id=app_id)
    )
    if result.rowcount == 0:
        raise StaffNotFound(code)


class StaffNotFound(OperatorError):
    def __init__(self, code: str) -> None:
        super().__init__(f"employee {code!r} is not in scheduling_staff (run the Paycom sync first?)")


def pay_period_containing(connection: Connection, day: dt.date) -> RowMapping | None:
    """The pay period whose dates contain ``day``; of several (two period types), the one that started last."""
    periods = payroll_periods
    return (
        connection.execute(
            sa.select(periods.c.id, periods.c.start_date, periods.c.end_date)
            .where(periods.c.start_date <= day, periods.c.end_date >= day)
            .order_by(periods.c.start_date.desc(), periods.c.id)
            .limit(1)
        )
        .mappings()
        .first()
    )
