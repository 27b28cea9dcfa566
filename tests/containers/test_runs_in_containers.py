"""Runs in containers: the daemon's DockerRunLauncher starts each run in a container of the image, on the
deployment's network; the container exits and Docker removes it, and the run's rows are in the warehouse.

A Paycom week (from the SFTP twin) and a revenue month (from the Holded, 4Geeks and Notion twins) are backfills
launched through the web UI's GraphQL, as the UI launches them; an attendance file dropped into the inbox is
imported by the inbox sensor and pushed to the Bayzat twin by the sensor that follows an import. All three overlap.
A step's output is read back through the web UI, from a container that did not run it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections import Counter
from typing import Any

import pytest

from hr_assets.defs.bayzat.store import status_counts
from hr_assets.warehouse.engine import warehouse_engine
from hr_sandbox.http_server import key_id
from tests.containers.conftest import ContainerPlatform
from tests.running_platform import (
    CAPTURED,
    STEP_OUTPUT,
    Backfills,
    assert_paycom_week_stored,
    assert_revenue_month_stored,
    launch_week_and_month,
    wait_for_attendance,
    wait_for_successful_backfill,
)
from tests.secret_scan import bank_details, configured_secrets

pytestmark = [pytest.mark.containers, pytest.mark.xdist_group("containers")]

RUN_TIMEOUT_S = 600


@pytest.fixture(scope="package")
def backfills(platform: ContainerPlatform) -> Backfills:
    """The Paycom week and the revenue month, launched at once; the attendance file into the inbox beside them."""
    launched = launch_week_and_month(platform, "in containers")
    report = platform.servers.sandbox.fingerprint_report
    shutil.copy2(report, platform.inbox / report.name)  # the sensor imports it once the roster is in
    return launched


def assert_ran_in_removed_containers(platform: ContainerPlatform, runs: list[dict[str, Any]]) -> None:
    """Each run was launched in a container of its own (its tag), which exited and is gone."""
    assert runs
    for run in runs:
        tags = {tag["key"]: tag["value"] for tag in run["tags"]}
        assert tags.get("dagster/image") == "hr-assets:test", tags
        assert tags.get("docker/container_id"), tags
    deadline = time.monotonic() + 120
    ids = [run["runId"] for run in runs]
    while left := [run_id for run_id in ids if platform.docker.container_ids(f"label=dagster/run_id={run_id}")]:
        assert time.monotonic() < deadline, f"the containers of runs {left} are still there"
        time.sleep(1)


def test_a_paycom_week_runs_in_a_container_that_exits_and_is_removed(
    platform: ContainerPlatform, backfills: Backfills
) -> None:
    runs = wait_for_successful_backfill(platform, backfills.paycom, RUN_TIMEOUT_S)
    assert [run["status"] for run in runs] == ["SUCCESS"]
    assert_ran_in_removed_containers(platform, runs)
    assert_paycom_week_stored(platform.warehouse_url, runs[0]["runId"])


def test_a_revenue_month_runs_in_a_container_that_exits_and_is_removed(
    platform: ContainerPlatform, backfills: Backfills
) -> None:
    runs = wait_for_successful_backfill(platform, backfills.revenue, RUN_TIMEOUT_S)
    assert_ran_in_removed_containers(platform, runs)
    assert_revenue_month_stored(platform.warehouse_url, dt.date.fromisoformat(backfills.month))


def test_an_attendance_file_is_imported_by_the_sensor_and_pushed_once_from_containers(
    platform: ContainerPlatform, backfills: Backfills
) -> None:
    imports, pushes = wait_for_attendance(platform, RUN_TIMEOUT_S)
    assert {run["status"] for run in imports + pushes} == {"SUCCESS"}
    assert len(imports) == 1
    assert_ran_in_removed_containers(platform, imports + pushes)

    with warehouse_engine(platform.warehouse_url).connect() as connection:
        statuses = status_counts(connection)
    assert set(statuses) <= {"synced", "skipped"}, statuses
    ledger = platform.servers.sandbox.attendance.bayzat.ledger
    keys = {key_id(key) for key in platform.servers.sandbox.attendance.keys.values()}
    assert set(ledger) == keys  # both companies pushed, each with its own key
    held = [record for records in ledger.values() for record in records]
    duplicates = [record for record, times in Counter(held).items() if times > 1]
    assert duplicates == []
    # A record is an employee's day: its check-in, and its check-out unless the device has none.
    assert len({(record.emp_id, record.time[:10]) for record in held}) == statuses["synced"]


def test_the_web_ui_shows_a_step_output_from_a_run_in_another_container(
    platform: ContainerPlatform, backfills: Backfills
) -> None:
    (run,) = wait_for_successful_backfill(platform, backfills.paycom, RUN_TIMEOUT_S)
    events = platform.graphql(STEP_OUTPUT, runId=run["runId"])["logsForRun"]["events"]
    captured = [event for event in events if event["__typename"] == "LogsCapturedEvent"]
    assert captured, "no step output was captured"
    output = platform.graphql(CAPTURED, logKey=[run["runId"], "compute_logs", captured[0]["fileKey"]])
    stderr = output["capturedLogs"]["stderr"]
    assert "paycom_roster_files" in stderr, stderr[-2000:]


def test_no_secret_reaches_the_instance_the_step_output_store_or_the_services_output(
    platform: ContainerPlatform, backfills: Backfills
) -> None:
    """Every setting reached the runs by name: no credential, Bayzat key or bank detail is in the instance's database,
    in any step's output in the store, or in what the services printed."""
    wait_for_successful_backfill(platform, backfills.paycom, RUN_TIMEOUT_S)
    wait_for_successful_backfill(platform, backfills.revenue, RUN_TIMEOUT_S)
    wait_for_attendance(platform, RUN_TIMEOUT_S)
    sandbox = platform.servers.sandbox
    needles = {
        **configured_secrets(platform.servers.environment),
        **{key: f"the Bayzat API key of {company}" for company, key in sandbox.attendance.keys.items()},
        **bank_details(sandbox.paycom.reports_directory),
    }
    places = {
        "the instance's database": platform.instance_dump(),
        **{f"step output {key}": text for key, text in platform.step_outputs().items()},
        **{f"what {name} printed": text for name, text in platform.service_output().items()},
    }
    assert len(places) > 3
    found = [
        f"{what} in {place}" for needle, what in needles.items() for place, text in places.items() if needle in text
    ]
    assert found == []
