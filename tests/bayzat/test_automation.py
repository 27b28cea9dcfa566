"""The inbox sensor imports each file content once; pushes follow imports and come due again by the hour."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from hr_assets.definitions import defs
from hr_assets.defs.attendance.sensors import attendance_inbox
from hr_assets.defs.bayzat.schedules import COMPANY_TAG, push_after_import
from hr_assets.defs.paycom.resources import PaycomSftpResource
from hr_assets.warehouse.tables import paycom_employees
from tests.bayzat.conftest import EMPLOYEES, BayzatWorld, attendance_csv, week_of
from tests.clock import FixedClock, stopped_at
from tests.conftest import ON_SQLITE

pytestmark = ON_SQLITE


def seconds_after_writing(path: Path, seconds: float) -> FixedClock:
    """A clock ``seconds`` after the file was last written. The sensor compares its clock with the file's mtime,
    which the kernel stamps with the real time whatever the process clock says (libfaketime cannot move it), so
    the test states the file's age through the clock instead of relying on the real one."""
    return stopped_at(dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC) + dt.timedelta(seconds=seconds))


def test_the_inbox_sensor_imports_each_content_once(bayzat_world: BayzatWorld) -> None:
    definitions = defs()
    top_level = definitions.get_repository_def().get_top_level_resources()

    path = bayzat_world.inbox / "week 10.csv"

    def tick(cursor: str | None = None, age: float = 60, **bound: object) -> dg.SensorResult | dg.SkipReason:
        """The sensor's evaluation ``age`` seconds after the file was last written."""
        resources = {**top_level, "clock": seconds_after_writing(path, age), **bound}
        with dg.build_sensor_context(
            instance=bayzat_world.instance, definitions=definitions, resources=resources, cursor=cursor
        ) as context:  # closing the context closes what it opened
            return attendance_inbox(context)

    path.write_text(attendance_csv(week_of("advline", EMPLOYEES[:2])), encoding="utf-8")
    assert isinstance(tick(age=9), dg.SkipReason)  # still being written, perhaps
    result = tick()
    assert isinstance(result, dg.SensorResult)
    (request,) = result.run_requests
    assert request.partition_key.startswith("week_10-") and len(request.run_key) == 64
    assert result.dynamic_partitions_requests[0].partition_keys == [request.partition_key]
    assert isinstance(tick(result.cursor), dg.SkipReason)
    path.write_text(attendance_csv(week_of("advline", EMPLOYEES[:3])), encoding="utf-8")  # a corrected file
    changed = tick(result.cursor)
    assert isinstance(changed, dg.SensorResult) and changed.run_requests[0].run_key != request.run_key
    with bayzat_world.engine.begin() as connection:
        connection.execute(sa.delete(paycom_employees))
    # Without Paycom the device's ids are the employees' codes; with it, every row would be an unknown employee.
    assert isinstance(tick(), dg.SensorResult)
    paycom = PaycomSftpResource(host="sftp.paycom.example", username="hr", password="x", known_hosts=str(path))
    waiting = tick(paycom_sftp=paycom)
    assert isinstance(waiting, dg.SkipReason) and "sync the Paycom roster first" in str(waiting.skip_message)


def test_the_hourly_schedule_requests_companies_with_records_due(bayzat_world: BayzatWorld) -> None:
    definitions = defs()
    repository = definitions.get_repository_def()
    schedule = repository.get_schedule_def("bayzat_hourly_push")
    tick = dt.datetime(2026, 3, 2, 10, 5, tzinfo=dt.UTC)

    def requests() -> list[dg.RunRequest]:
        with dg.build_schedule_context(
            instance=bayzat_world.instance,
            scheduled_execution_time=tick,
            repository_def=repository,
            resources=repository.get_top_level_resources(),
        ) as context:  # closing the context closes what it opened
            return list(schedule.evaluate_tick(context).run_requests or [])

    assert requests() == []
    assert bayzat_world.import_csv("a.csv", attendance_csv(week_of("advline", EMPLOYEES[:1]))).success
    (request,) = requests()
    assert request.partition_key == "advline" and request.tags[COMPANY_TAG] == "advline"
    assert bayzat_world.push("advline").success
    assert requests() == []


def test_an_import_is_followed_by_a_push_for_each_hourly_company_in_it(bayzat_world: BayzatWorld) -> None:
    repository = defs().get_repository_def()
    rows = week_of("advline", EMPLOYEES[:1]) + week_of("gulfco", EMPLOYEES[1:2])
    imported = bayzat_world.import_csv("both.csv", attendance_csv(rows))
    success = imported.get_run_success_event()
    with dg.build_run_status_sensor_context(
        sensor_name="push_after_import",
        dagster_event=success,
        dagster_instance=bayzat_world.instance,
        dagster_run=imported.dagster_run,
        resources=repository.get_top_level_resources(),
    ) as context:
        requests = push_after_import(context)
    (request,) = requests  # both companies at once: one run over the range of their partitions
    assert request.partition_key_range == dg.PartitionKeyRange("advline", "gulfco")
    assert request.run_key == f"advline..gulfco-after-{imported.run_id}"


def test_the_monthly_clean_up_removes_old_files_and_keeps_their_records(bayzat_world: BayzatWorld) -> None:
    assert bayzat_world.import_csv("old.csv", attendance_csv(week_of("advline", EMPLOYEES[:1]))).success
    assert bayzat_world.import_csv("new.csv", attendance_csv(week_of("advline", EMPLOYEES[1:2]))).success
    with bayzat_world.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE attendance_imports SET completed_at = :long_ago WHERE filename = 'old.csv'"),
            {"long_ago": dt.datetime.now(dt.UTC) - dt.timedelta(days=91)},
        )
    result = defs().resolve_job_def("attendance_file_cleanup").execute_in_process(instance=bayzat_world.instance)
    assert result.output_for_node("remove_expired_attendance_files") == 1
    assert not (bayzat_world.inbox / "old.csv").exists() and (bayzat_world.inbox / "new.csv").exists()
    assert len(bayzat_world.records()) == 6  # every record kept
    with bayzat_world.engine.connect() as connection:
        old_key = connection.execute(
            sa.text("SELECT partition_key FROM attendance_imports WHERE filename = 'old.csv'")
        ).scalar_one()
    rerun = (
        defs()
        .resolve_job_def("attendance_import")
        .execute_in_process(partition_key=old_key, instance=bayzat_world.instance, raise_on_error=False)
    )
    (failure,) = rerun.get_step_failure_events()
    assert "old.csv was removed by the retention clean-up" in failure.step_failure_data.error.message
    assert "its 3 records are kept" in failure.step_failure_data.error.message
