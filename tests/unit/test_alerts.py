"""The notification sensors, run directly on a finished import (their posts go to a webhook: tests/alerts has them,
on the loopback receiver). Without a usable webhook a sensor skips, saying why and which run went unannounced."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import pytest

from hr_assets.defs.alerts.resources import NotifyResource
from hr_assets.defs.alerts.sensors import notify_sync_success
from hr_assets.warehouse.resource import WarehouseResource
from tests.clock import FixedClock
from tests.unit.conftest import add_employees_and_company, import_inbox, run_status_context, write_attendance


@pytest.fixture
def imported(
    warehouse: WarehouseResource, clock: FixedClock, temp_instance: dg.DagsterInstance, tmp_path: Path
) -> dg.ExecuteInProcessResult:
    add_employees_and_company(warehouse)
    write_attendance(tmp_path, "week.csv", [("0042", dt.date(2026, 3, 2))])
    return import_inbox(warehouse, clock, tmp_path, temp_instance)


def test_without_a_webhook_the_success_of_a_sync_is_skipped_naming_the_setting_and_the_run(
    imported: dg.ExecuteInProcessResult, temp_instance: dg.DagsterInstance
) -> None:
    context = run_status_context(notify_sync_success, imported, temp_instance, notify=NotifyResource())
    assert notify_sync_success(context) == dg.SkipReason(
        "The notification webhook is not configured: HR_NOTIFY_WEBHOOK_URL is not set: "
        f"no notification for attendance_import run {imported.run_id}"
    )


def test_a_webhook_that_is_no_url_is_named_and_never_shown(
    imported: dg.ExecuteInProcessResult, temp_instance: dg.DagsterInstance
) -> None:
    notify = NotifyResource(webhook_url="hooks.example/T0/B0/secret-path")
    skipped = notify_sync_success(run_status_context(notify_sync_success, imported, temp_instance, notify=notify))
    assert skipped.skip_message.startswith("The notification webhook is misconfigured: HR_NOTIFY_WEBHOOK_URL: ")
    assert "secret-path" not in skipped.skip_message
