"""Bayzat's schedule, its two sensors and the UI's retry job, run directly (the push itself talks to Bayzat: its
tests are in tests/bayzat, on the twin)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import pytest

from hr_assets.defs.bayzat.configs import save_config
from hr_assets.defs.bayzat.resources import BayzatResource
from hr_assets.defs.bayzat.retry_failed_job import bayzat_retry_failed, push_after_retry
from hr_assets.defs.bayzat.schedules import hourly_push_schedule, push_after_import
from hr_assets.settings import Settings
from hr_assets.warehouse.resource import WarehouseResource
from tests.clock import FixedClock
from tests.unit.conftest import NOW, add_employees_and_company, import_inbox, run_status_context, tick, write_attendance

SECRET_KEY = "unit-secret-key-0123456789abcdefghijklmnop"
UNCONFIGURED = "Bayzat is not configured: HR_SECRET_KEY is not set"


@pytest.fixture
def imported(
    warehouse: WarehouseResource, clock: FixedClock, temp_instance: dg.DagsterInstance, tmp_path: Path
) -> dg.ExecuteInProcessResult:
    """advline pushed hourly, a company partition, and a file of its two employees imported: four records due."""
    company_id = add_employees_and_company(warehouse)
    with warehouse.begin() as connection:
        save_config(
            connection,
            company_id=company_id,
            api_key="bayzat-key-advline",
            api_url="https://bayzat.example/attendance",
            is_enabled=True,
            sync_frequency="hourly",
            now=NOW,
            secret_key=SECRET_KEY,
        )
    temp_instance.add_dynamic_partitions("bayzat_companies", ["advline"])
    days = [dt.date(2026, 3, 2), dt.date(2026, 3, 3)]
    write_attendance(tmp_path, "week.csv", [(code, day) for code in ("0042", "0043") for day in days])
    return import_inbox(warehouse, clock, tmp_path, temp_instance)


def test_an_import_is_pushed_at_once_for_companies_synced_hourly(
    imported: dg.ExecuteInProcessResult, warehouse: WarehouseResource, temp_instance: dg.DagsterInstance
) -> None:
    context = run_status_context(
        push_after_import,
        imported,
        temp_instance,
        warehouse=warehouse,
        bayzat=BayzatResource(hr_secret_key=SECRET_KEY),
    )
    [request] = push_after_import(context)
    assert (request.partition_key, request.run_key) == ("advline", f"advline-after-{imported.run_id}")
    assert request.tags["hr_assets/bayzat_company"] == "advline"

    unconfigured = run_status_context(
        push_after_import, imported, temp_instance, warehouse=warehouse, bayzat=BayzatResource()
    )
    assert push_after_import(unconfigured) == dg.SkipReason(UNCONFIGURED)


def test_the_hourly_schedule_asks_for_the_companies_with_records_due(
    imported: dg.ExecuteInProcessResult, warehouse: WarehouseResource, temp_instance: dg.DagsterInstance
) -> None:
    schedule = hourly_push_schedule(Settings(timezone="Asia/Dubai"))
    at = dt.datetime(2026, 3, 10, 14, 5, tzinfo=Settings(timezone="Asia/Dubai").tz)
    resources = {"warehouse": warehouse, "bayzat": BayzatResource(hr_secret_key=SECRET_KEY)}

    [request] = tick(schedule, at, temp_instance, **resources)
    assert (request.partition_key, request.run_key) == ("advline", "advline-2026-03-10T14")

    unconfigured = {"warehouse": warehouse, "bayzat": BayzatResource()}
    skipped = tick(schedule, at, temp_instance, **unconfigured)
    assert skipped == dg.SkipReason(UNCONFIGURED)


def test_a_retry_that_finds_no_failed_record_pushes_nothing(
    imported: dg.ExecuteInProcessResult,
    warehouse: WarehouseResource,
    clock: FixedClock,
    temp_instance: dg.DagsterInstance,
) -> None:
    bayzat = BayzatResource(hr_secret_key=SECRET_KEY)
    retried = bayzat_retry_failed.execute_in_process(
        run_config={"ops": {"reset_failed_records": {"config": {"company": "advline"}}}},
        resources={"warehouse": warehouse, "bayzat": bayzat, "clock": clock},
        instance=temp_instance,
    )
    assert retried.output_for_node("reset_failed_records") == 0  # the records are due, none failed

    context = run_status_context(
        push_after_retry, retried, temp_instance, warehouse=warehouse, bayzat=bayzat, clock=clock
    )
    assert push_after_retry(context) == dg.SkipReason(f"run {retried.run_id} found no failed record to retry")


def test_a_retry_without_a_target_fails_saying_what_to_give(
    warehouse: WarehouseResource, clock: FixedClock, temp_instance: dg.DagsterInstance
) -> None:
    result = bayzat_retry_failed.execute_in_process(
        resources={"warehouse": warehouse, "bayzat": BayzatResource(hr_secret_key=SECRET_KEY), "clock": clock},
        instance=temp_instance,
        raise_on_error=False,
    )
    [failure] = result.get_step_failure_events()
    assert "say which failed records to retry: give import_id, batch_id or company" in (
        failure.step_failure_data.error.message
    )
