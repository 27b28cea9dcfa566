"""The unit tier: an asset's, a sensor's or a schedule's body run directly, with Dagster's ``build_*_context`` (or
``dg.materialize`` in this process where a run is needed), on a SQLite warehouse in a temporary file, a Dagster
instance in a temporary folder, and a stopped clock. No twin, no web UI or daemon, no command in a process of its
own: seconds for the lot (docs/development.md#tests)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import sqlalchemy as sa

from hr_assets.defs.attendance.assets import attendance_records
from hr_assets.defs.attendance.resources import AttendanceInboxResource
from hr_assets.defs.attendance.sensors import attendance_inbox
from hr_assets.defs.paycom.resources import PaycomSftpResource
from hr_assets.defs.shared.companies import add_company
from hr_assets.defs.shared.jobs import attendance_import_job
from hr_assets.warehouse.resource import WarehouseResource
from hr_assets.warehouse.tables import paycom_employees
from tests.clock import FixedClock, stopped_at
from tests.conftest import master_employee

NOW = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)  # a Tuesday
EMPLOYEES = ("0042", "0043")
DEPARTMENT = "AdvLine"  # the fingerprint report's name for the company advline
HEADER = "Employee ID,First Name,Department,Date,Weekday,Check In,Check Out"


@pytest.fixture(scope="session")
def migrated_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty warehouse at the newest migration, made once: each test starts from a copy."""
    path = tmp_path_factory.mktemp("warehouse") / "warehouse.db"
    WarehouseResource(url=f"sqlite:///{path}").engine.dispose()  # migrated on first use
    return path


@pytest.fixture
def warehouse(migrated_warehouse: Path, tmp_path: Path) -> WarehouseResource:
    """A fresh, empty SQLite warehouse of this test's own."""
    path = tmp_path / "warehouse.db"
    shutil.copyfile(migrated_warehouse, path)
    return WarehouseResource(url=f"sqlite:///{path}")


@pytest.fixture
def clock() -> FixedClock:
    return stopped_at(NOW)


@pytest.fixture(scope="session")
def temp_instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dg.DagsterInstance]:
    """A Dagster instance in a temporary folder, shared by the tier's tests in one process (each one's runs have
    their own ids; the partitions they add are the same ones): a schedule's context reaches its instance by
    reference, which an in-memory instance has none of."""
    with dg.DagsterInstance.local_temp(str(tmp_path_factory.mktemp("dagster_home"))) as instance:
        yield instance


def select(warehouse: WarehouseResource, table: sa.Table) -> list[dict[str, Any]]:
    with warehouse.engine.connect() as connection:
        return [dict(row) for row in connection.execute(sa.select(table)).mappings()]


def add_employees_and_company(warehouse: WarehouseResource) -> int:
    """The employee master and the company whose department the files name; the company's id."""
    with warehouse.begin() as connection:
        connection.execute(sa.insert(paycom_employees), [master_employee(code, NOW) for code in EMPLOYEES])
        return add_company(
            connection,
            slug="advline",
            name_en="AdvLine",
            name_ar=None,
            fingerprint_report_name=DEPARTMENT,
            timezone="Asia/Dubai",
            now=NOW,
        )


def write_attendance(inbox: Path, name: str, rows: Sequence[tuple[str, dt.date]]) -> Path:
    """A fingerprint file of (employee, day) shifts, 08:00 to 17:00, last written an hour before the clock's now
    (so the inbox sensor finds it settled)."""
    lines = [HEADER] + [
        f"{code},Name{code},{DEPARTMENT},{day.isoformat()},{day.strftime('%A')},08:00,17:00" for code, day in rows
    ]
    path = inbox / name
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    settled = (NOW - dt.timedelta(hours=1)).timestamp()
    os.utime(path, (settled, settled))
    return path


def inbox_resources(warehouse: WarehouseResource, clock: FixedClock, inbox: Path) -> dict[str, object]:
    """What the inbox sensor and the import run use; Paycom unconfigured (the employee master is filled here)."""
    return {
        "warehouse": warehouse,
        "clock": clock,
        "attendance_inbox": AttendanceInboxResource(inbox_directory=str(inbox)),
        "paycom_sftp": PaycomSftpResource(),
    }


def import_inbox(
    warehouse: WarehouseResource, clock: FixedClock, inbox: Path, instance: dg.DagsterInstance
) -> dg.ExecuteInProcessResult:
    """The inbox sensor's one request, run as the daemon launches it: its partition added, then its job (the real
    ``attendance_import``) in this process."""
    resources = inbox_resources(warehouse, clock, inbox)
    result = attendance_inbox(dg.build_sensor_context(instance=instance, resources=resources))
    assert isinstance(result, dg.SensorResult), result
    [request] = result.run_requests
    instance.add_dynamic_partitions("attendance_files", [request.partition_key])
    definitions = dg.Definitions(assets=[attendance_records], jobs=[attendance_import_job], resources=resources)
    return definitions.resolve_job_def(attendance_import_job.name).execute_in_process(
        partition_key=request.partition_key, run_config=request.run_config, instance=instance
    )


def tick(
    schedule: dg.ScheduleDefinition, at: dt.datetime, instance: dg.DagsterInstance | None = None, **resources: object
) -> Any:
    """What the schedule's body returns for its tick at ``at``. The context is closed after: the instance it opens by
    reference would otherwise stay Dagster's current one after it is gone."""
    with dg.build_schedule_context(instance=instance, scheduled_execution_time=at, resources=resources) as context:
        return schedule(context)


def run_status_context(
    sensor: dg.RunStatusSensorDefinition,
    result: dg.ExecuteInProcessResult,
    instance: dg.DagsterInstance,
    **resources: object,
) -> dg.RunStatusSensorContext:
    """The context a run status sensor gets for the finished run of ``result``."""
    return dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_event=result.get_run_success_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources=resources,
    )
