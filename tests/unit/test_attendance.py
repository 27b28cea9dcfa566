"""Attendance's inbox sensor, its import asset and its monthly clean-up, run directly."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import dagster as dg

from hr_assets.defs.attendance.cleanup import attendance_file_cleanup, monthly_cleanup_schedule
from hr_assets.defs.attendance.importing import content_sha256, partition_key
from hr_assets.defs.attendance.resources import AttendanceInboxResource
from hr_assets.defs.attendance.sensors import attendance_inbox
from hr_assets.defs.paycom.resources import PaycomSftpResource
from hr_assets.settings import Settings
from hr_assets.warehouse.resource import WarehouseResource
from hr_assets.warehouse.tables import attendance_import_records, attendance_imports, stored_files
from tests.clock import FixedClock, stopped_at
from tests.unit.conftest import (
    NOW,
    add_employees_and_company,
    import_inbox,
    inbox_resources,
    select,
    write_attendance,
)

MONDAY = dt.date(2026, 3, 2)


def test_the_inbox_sensor_stores_each_settled_file_once_and_asks_for_its_import(
    warehouse: WarehouseResource, clock: FixedClock, tmp_path: Path
) -> None:
    path = write_attendance(tmp_path, "week.csv", [("0042", MONDAY)])
    fresh = tmp_path / "still_copying.csv"
    fresh.write_text("Employee ID\r\n")  # written now, by the kernel's clock: later than the stopped one's
    resources = inbox_resources(warehouse, clock, tmp_path)

    result = attendance_inbox(dg.build_sensor_context(resources=resources))

    sha256 = content_sha256(path)
    [request] = result.run_requests
    assert (request.run_key, request.partition_key) == (sha256, partition_key("week.csv", sha256))
    assert request.run_config["ops"]["attendance_records"]["config"]["file_path"] == str(path.resolve())
    [added] = result.dynamic_partitions_requests
    assert list(added.partition_keys) == [request.partition_key]
    assert list(json.loads(result.cursor)) == ["week.csv"]
    [stored] = select(warehouse, stored_files)
    assert (stored["file_name"], stored["sha256"]) == ("week.csv", sha256)

    again = attendance_inbox(dg.build_sensor_context(cursor=result.cursor, resources=resources))
    assert again == dg.SkipReason("no new or changed attendance file")


def test_the_inbox_sensor_waits_for_the_inbox_and_for_the_roster(
    warehouse: WarehouseResource, clock: FixedClock, tmp_path: Path
) -> None:
    missing = inbox_resources(warehouse, clock, tmp_path / "nowhere")
    assert attendance_inbox(dg.build_sensor_context(resources=missing)) == dg.SkipReason(
        f"the attendance inbox {tmp_path / 'nowhere'} does not exist yet"
    )
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text("")
    paycom = PaycomSftpResource(host="sftp.example", username="hr", password="-", known_hosts=str(known_hosts))
    with_paycom = {**inbox_resources(warehouse, clock, tmp_path), "paycom_sftp": paycom}
    assert attendance_inbox(dg.build_sensor_context(resources=with_paycom)) == dg.SkipReason(
        "the employee master is empty: sync the Paycom roster first"
    )


def test_the_import_stores_every_row_valid_or_with_its_reasons(
    warehouse: WarehouseResource, clock: FixedClock, temp_instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    company_id = add_employees_and_company(warehouse)
    write_attendance(tmp_path, "week.csv", [("0042", MONDAY), ("0043", MONDAY), ("9999", MONDAY)])

    result = import_inbox(warehouse, clock, tmp_path, temp_instance)

    assert result.success
    metadata = {
        key: value.value
        for key, value in result.asset_materializations_for_node("attendance_records")[0].metadata.items()
    }
    assert (metadata["rows"], metadata["valid_records"], metadata["invalid_records"]) == (3, 2, 1)
    records = select(warehouse, attendance_import_records)
    assert sorted((r["csv_employee_id"], r["is_valid"], r["company_id"]) for r in records) == [
        ("0042", True, company_id),
        ("0043", True, company_id),
        ("9999", False, company_id),  # an unknown employee, of a known department
    ]
    [imported] = select(warehouse, attendance_imports)
    assert (imported["filename"], imported["successful_records"], imported["failed_records"]) == ("week.csv", 2, 1)


def test_the_monthly_clean_up_removes_files_past_their_retention_and_keeps_their_records(
    warehouse: WarehouseResource, clock: FixedClock, temp_instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    add_employees_and_company(warehouse)
    path = write_attendance(tmp_path, "week.csv", [("0042", MONDAY)])
    assert import_inbox(warehouse, clock, tmp_path, temp_instance).success
    resources = {
        "warehouse": warehouse,
        "attendance_inbox": AttendanceInboxResource(inbox_directory=str(tmp_path), retention_days=30),
    }

    kept = attendance_file_cleanup.execute_in_process(resources={**resources, "clock": stopped_at(NOW)})
    assert kept.output_for_node("remove_expired_attendance_files") == 0
    assert path.exists()

    later = stopped_at(NOW + dt.timedelta(days=31))
    removed = attendance_file_cleanup.execute_in_process(resources={**resources, "clock": later})
    assert removed.output_for_node("remove_expired_attendance_files") == 1
    assert not path.exists()
    [imported] = select(warehouse, attendance_imports)
    assert imported["file_removed_at"] is not None
    assert len(select(warehouse, attendance_import_records)) == 1


def test_the_clean_up_schedule_runs_the_first_of_the_month_at_three_in_business_time() -> None:
    schedule = monthly_cleanup_schedule(Settings(timezone="Asia/Dubai"))
    at = dt.datetime(2026, 4, 1, 3, tzinfo=Settings(timezone="Asia/Dubai").tz)
    with dg.build_schedule_context(scheduled_execution_time=at) as context:
        assert len(schedule.evaluate_tick(context).run_requests) == 1
    assert (schedule.job_name, schedule.cron_schedule, schedule.execution_timezone) == (
        "attendance_file_cleanup",
        "0 3 1 * *",
        "Asia/Dubai",
    )
