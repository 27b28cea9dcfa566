"""Paycom's weekly schedule, the staff view and the sensor that refreshes it, run directly (the roster sync reads
Paycom's SFTP server: its tests are in tests/paycom, on the twin)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from hr_assets.defs.paycom.resources import PaycomSftpResource
from hr_assets.defs.paycom.schedules import weekly_sync_schedule
from hr_assets.defs.paycom.scheduling_staff import (
    daily_refresh_schedule,
    scheduling_staff_after_attendance,
    scheduling_staff_asset,
)
from hr_assets.settings import Settings
from hr_assets.warehouse.resource import WarehouseResource
from hr_assets.warehouse.tables import paycom_employee_snapshots, scheduling_staff
from tests.clock import FixedClock, stopped_at
from tests.unit.conftest import (
    add_employees_and_company,
    import_inbox,
    run_status_context,
    select,
    tick,
    write_attendance,
)

WEEK = dt.date(2026, 3, 6)  # the Friday of the newest sync before the clock's Tuesday


def snapshot(week: dt.date, code: str, position: str, status: str = "active", exempt: bool = False) -> dict:
    return {
        "sync_week": week,
        "employee_code": code,
        "first_name": f"Name{code}",
        "last_name": "Lopez",
        "status": status,
        "position": position,
        "pay_type": "salary" if exempt else "hourly",
        "hourly_rate": None if exempt else Decimal("20.0000"),
        "annual_salary": Decimal("60000.00") if exempt else None,
        "overtime_eligible": not exempt,
    }


def add_snapshot(warehouse: WarehouseResource, *rows: dict) -> None:
    with warehouse.begin() as connection:
        connection.execute(sa.insert(paycom_employee_snapshots), list(rows))


def test_the_weekly_sync_asks_for_fridays_week_once_and_skips_while_paycom_is_not_configured(tmp_path: Path) -> None:
    settings = Settings(timezone="America/Chicago")
    schedule = weekly_sync_schedule(settings)
    at = dt.datetime(2026, 3, 6, 14, tzinfo=settings.tz)  # 20:00 UTC
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text("")
    paycom = PaycomSftpResource(host="sftp.example", username="hr", password="-", known_hosts=str(known_hosts))

    request = tick(schedule, at, paycom_sftp=paycom)
    assert (request.run_key, request.partition_key) == ("paycom-2026-03-06", "2026-03-06")

    skipped = tick(schedule, at, paycom_sftp=PaycomSftpResource())
    assert skipped == dg.SkipReason(
        "Paycom is not configured: PAYCOM_SFTP_HOST and PAYCOM_SFTP_USERNAME and PAYCOM_SFTP_KNOWN_HOSTS are not set"
    )


def test_the_staff_view_lists_who_has_not_left_with_role_cap_and_the_hours_worked(
    warehouse: WarehouseResource, clock: FixedClock, temp_instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    add_employees_and_company(warehouse)  # 0042 and 0043 on the master, their department a company's
    write_attendance(tmp_path, "week.csv", [("0042", dt.date(2026, 3, 9))])  # this week's Monday, 9 hours
    assert import_inbox(warehouse, clock, tmp_path, temp_instance).success
    add_snapshot(
        warehouse,
        snapshot(WEEK, "0042", "Registered Nurse"),
        snapshot(WEEK, "0043", "Director of Nursing", exempt=True),
        snapshot(WEEK, "0044", "Cook", status="on_leave"),
        snapshot(WEEK, "0045", "Cook", status="terminated"),
    )
    staff = scheduling_staff_asset(Settings())

    result = staff(
        dg.build_asset_context(partition_key=WEEK.isoformat(), resources={"warehouse": warehouse, "clock": clock})
    )

    assert result.metadata["staff"] == 3
    assert result.metadata["available_for_scheduling"] == 2
    assert result.metadata["with_hours_this_week"] == 1
    assert result.metadata["hours_as_of"] == "2026-03-10"
    rows = {row["employee_code"]: row for row in select(warehouse, scheduling_staff)}
    assert {
        code: (row["role"], row["available_for_scheduling"], row["max_hours_per_week"]) for code, row in rows.items()
    } == {
        "0042": ("nurse", True, 40),
        "0043": ("management", True, 50),
        "0044": ("dietary", False, 40),
    }
    assert rows["0042"]["hours_this_week"] > 0 == rows["0043"]["hours_this_week"]


def test_an_older_week_leaves_the_staff_view_of_the_newest_as_it_is(
    warehouse: WarehouseResource, clock: FixedClock
) -> None:
    add_snapshot(warehouse, snapshot(WEEK, "0042", "Nurse"), snapshot(WEEK - dt.timedelta(days=7), "0042", "Nurse"))
    staff = scheduling_staff_asset(Settings())
    older = dg.build_asset_context(
        partition_key=(WEEK - dt.timedelta(days=7)).isoformat(), resources={"warehouse": warehouse, "clock": clock}
    )

    result = staff(older)

    assert (result.metadata["superseded_by_week"], result.metadata["staff"]) == (WEEK.isoformat(), 0)
    assert select(warehouse, scheduling_staff) == []


def test_an_attendance_import_refreshes_the_newest_weeks_staff_view_once_a_week_is_synced(
    warehouse: WarehouseResource, clock: FixedClock, temp_instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    add_employees_and_company(warehouse)
    write_attendance(tmp_path, "week.csv", [("0042", dt.date(2026, 3, 9))])
    imported = import_inbox(warehouse, clock, tmp_path, temp_instance)
    context = run_status_context(scheduling_staff_after_attendance, imported, temp_instance, warehouse=warehouse)

    assert scheduling_staff_after_attendance(context) == dg.SkipReason(
        "no Paycom week synced yet: there is no staff view to refresh"
    )

    add_snapshot(warehouse, snapshot(WEEK, "0042", "Nurse"))
    request = scheduling_staff_after_attendance(context)
    assert (request.run_key, request.partition_key) == (imported.run_id, WEEK.isoformat())


def test_the_staff_view_is_recounted_every_day_so_a_new_weeks_hours_start_at_zero(
    warehouse: WarehouseResource, clock: FixedClock, temp_instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    """Issue 27: with no sync nor import, the API served last week's hours_this_week all the next week."""
    settings = Settings(timezone="America/Chicago")
    schedule = daily_refresh_schedule(settings)
    monday = dt.datetime(2026, 3, 16, 0, 5, tzinfo=settings.tz)  # the week after the Monday worked below
    assert tick(schedule, monday, warehouse=warehouse) == dg.SkipReason(
        "no Paycom week synced yet: there is no staff view to refresh"
    )
    add_employees_and_company(warehouse)
    write_attendance(tmp_path, "week.csv", [("0042", dt.date(2026, 3, 9))])  # last week's Monday, 9 hours
    assert import_inbox(warehouse, clock, tmp_path, temp_instance).success
    add_snapshot(warehouse, snapshot(WEEK, "0042", "Registered Nurse"))
    staff = scheduling_staff_asset(settings)
    staff(dg.build_asset_context(partition_key=WEEK.isoformat(), resources={"warehouse": warehouse, "clock": clock}))
    [before] = select(warehouse, scheduling_staff)
    assert (before["hours_as_of"], before["hours_this_week"] > 0) == (dt.date(2026, 3, 10), True)

    request = tick(schedule, monday, warehouse=warehouse)
    assert (request.run_key, request.partition_key) == ("staff-2026-03-16", WEEK.isoformat())
    at_the_tick = {"warehouse": warehouse, "clock": stopped_at(monday)}
    result = staff(dg.build_asset_context(partition_key=request.partition_key, resources=at_the_tick))

    assert result.metadata["hours_as_of"] == "2026-03-16"
    [after] = select(warehouse, scheduling_staff)
    assert (after["hours_as_of"], after["hours_this_week"], after["hours_this_year"]) == (
        dt.date(2026, 3, 16),
        0,
        before["hours_this_year"],
    )
