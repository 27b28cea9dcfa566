"""Bayzat's schedule, its two sensors and the UI's retry job, run directly (the push itself talks to Bayzat: its
tests are in tests/bayzat, on the twin)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
import sqlalchemy as sa

from hr_assets.defs.bayzat.configs import change_settings, save_config
from hr_assets.defs.bayzat.resources import BayzatResource
from hr_assets.defs.bayzat.retry_failed_job import bayzat_retry_failed, push_after_retry
from hr_assets.defs.bayzat.schedules import daily_push_due, hourly_push_schedule, push_after_import
from hr_assets.settings import Settings
from hr_assets.warehouse.resource import WarehouseResource
from hr_assets.warehouse.tables import companies
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
    assert (request.partition_key, request.run_key) == ("advline", "advline-2026-03-10T14+0400")

    unconfigured = {"warehouse": warehouse, "bayzat": BayzatResource()}
    skipped = tick(schedule, at, temp_instance, **unconfigured)
    assert skipped == dg.SkipReason(UNCONFIGURED)


def pushing_ticks(zone: str, first_day: dt.date, days: int) -> list[dt.datetime]:
    """The hourly ticks (every hour at :05 UTC, as a business zone a whole number of hours off UTC has them) that push a
    daily company in ``zone``, over ``days`` days from ``first_day``, each in the company's zone."""
    start = dt.datetime.combine(first_day, dt.time(0, 5), dt.UTC)
    ticks = (start + dt.timedelta(hours=hours) for hours in range(24 * days))
    return [at.astimezone(ZoneInfo(zone)) for at in ticks if daily_push_due(at, zone)]


@pytest.mark.parametrize(
    ("zone", "first_day", "pushed_at"),
    [
        # London springs from 01:00 to 02:00 on 29 March: no 01:05 that day, so 02:05; back from 02:00 to 01:00 on
        # 25 October: 01:05 twice, pushed once.
        ("Europe/London", dt.date(2026, 3, 28), ["01:05+0000", "02:05+0100", "01:05+0100"]),
        ("Europe/London", dt.date(2026, 10, 24), ["01:05+0100", "01:05+0100", "01:05+0000"]),
        # New York: 01:05 exists on the spring day (02:00 to 03:00); on 1 November 01:05 EDT, not again at 01:05 EST.
        ("America/New_York", dt.date(2026, 3, 7), ["01:05-0500", "01:05-0500", "01:05-0400"]),
        ("America/New_York", dt.date(2026, 10, 31), ["01:05-0400", "01:05-0400", "01:05-0500"]),
        ("Asia/Kolkata", dt.date(2026, 3, 28), ["01:35+0530", "01:35+0530", "01:35+0530"]),  # half an hour off: :35
    ],
)
def test_a_daily_company_is_pushed_once_a_day_at_01_05_its_own_time_across_clock_changes(
    zone: str, first_day: dt.date, pushed_at: list[str]
) -> None:
    ticks = pushing_ticks(zone, first_day - dt.timedelta(days=1), 5)
    around = [at for at in ticks if first_day <= at.date() <= first_day + dt.timedelta(days=2)]
    assert [at.strftime("%H:%M%z") for at in around] == pushed_at
    assert [at.date() for at in ticks] == sorted({at.date() for at in ticks}), "one push a local day"


def test_the_hourly_schedule_pushes_a_daily_company_at_01_05_in_its_zone_not_the_business_ones(
    imported: dg.ExecuteInProcessResult, warehouse: WarehouseResource, temp_instance: dg.DagsterInstance
) -> None:
    with warehouse.begin() as connection:
        change_settings(
            connection, connection.execute(sa.select(companies.c.id)).scalar_one(), NOW, sync_frequency="daily"
        )
    resources = {"warehouse": warehouse, "bayzat": BayzatResource(hr_secret_key=SECRET_KEY)}
    madrid = hourly_push_schedule(Settings(timezone="Europe/Madrid"))
    day = [dt.datetime(2026, 3, 11, hour, 5, tzinfo=ZoneInfo("Europe/Madrid")) for hour in range(24)]
    pushed = {at.hour: tick(madrid, at, temp_instance, **resources) for at in day}
    # advline is in Dubai, three hours ahead of Madrid: its 01:05 on the 12th is 22:05 in Madrid on the 11th.
    assert [hour for hour, requests in pushed.items() if requests] == [22]
    assert [request.run_key for request in pushed[22]] == ["advline-2026-03-11T22+0100"]

    # New York's clock goes back from 02:00 to 01:00 on 1 November: its two ticks at 01:05 are two runs, so a company
    # in Bogota (01:05 there is New York's second 01:05) is pushed then, not skipped as the first tick's run again.
    with warehouse.begin() as connection:
        connection.execute(sa.update(companies).values(timezone="America/Bogota"))
    new_york = hourly_push_schedule(Settings(timezone="America/New_York"))
    first, second = (dt.datetime(2026, 11, 1, hour, 5, tzinfo=dt.UTC) for hour in (5, 6))
    assert tick(new_york, first, temp_instance, **resources) == []
    [request] = tick(new_york, second, temp_instance, **resources)
    assert request.run_key == "advline-2026-11-01T01-0500"


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
