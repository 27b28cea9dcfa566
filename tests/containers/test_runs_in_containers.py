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
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from hr_assets.defs.bayzat.store import status_counts
from hr_assets.defs.shared.partitions import monthly_partitions, weekly_sync_partitions
from hr_assets.defs.shared.revenue_chain import STEPS
from hr_assets.lib.webserver import launch_asset_backfill
from hr_assets.settings import Settings
from hr_assets.warehouse.engine import warehouse_engine
from hr_assets.warehouse.tables import accrual_months, holded_invoices, paycom_employees, paycom_sync_log
from hr_sandbox.http_server import key_id
from tests.containers.conftest import ContainerPlatform
from tests.running_platform import CAPTURED, RUNS, STEP_OUTPUT, wait_for_backfill
from tests.secret_scan import bank_details, configured_secrets

pytestmark = [pytest.mark.containers, pytest.mark.xdist_group("containers")]

PAYCOM_ASSETS = ["paycom_roster_files", "paycom_employees", "scheduling_staff"]
RUN_TIMEOUT_S = 600


@dataclass(frozen=True)
class Backfills:
    paycom: str
    revenue: str
    week: str
    month: str


@pytest.fixture(scope="package")
def backfills(platform: ContainerPlatform) -> Backfills:
    """The Paycom week and the revenue month, launched at once; the attendance file into the inbox beside them."""
    settings = Settings()  # the deployment's: the defaults, as the containers have them
    week = weekly_sync_partitions(settings).get_last_partition_key()
    month = monthly_partitions(settings).get_partition_keys()[-2]  # the month just closed
    assert week is not None
    paycom = launch_asset_backfill(platform.url, PAYCOM_ASSETS, [week], "paycom week in containers")
    revenue = launch_asset_backfill(platform.url, list(STEPS.values()), [month], "revenue month in containers")
    report = platform.servers.sandbox.fingerprint_report
    shutil.copy2(report, platform.inbox / report.name)  # the sensor imports it once the roster is in
    return Backfills(paycom, revenue, week, month)


def backfill_runs(platform: ContainerPlatform, backfill_id: str) -> list[dict[str, Any]]:
    runs = platform.graphql(RUNS, filter={"tags": [{"key": "dagster/backfill", "value": backfill_id}]})
    return runs["runsOrError"]["results"]


def job_runs(platform: ContainerPlatform, job: str) -> list[dict[str, Any]]:
    return platform.graphql(RUNS, filter={"pipelineName": job})["runsOrError"]["results"]


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


def wait_for(platform: ContainerPlatform, backfill_id: str) -> list[dict[str, Any]]:
    status = wait_for_backfill(platform.url, backfill_id, timeout_s=RUN_TIMEOUT_S)
    runs = backfill_runs(platform, backfill_id)
    assert status == "COMPLETED_SUCCESS", [(run["jobName"], run["status"]) for run in runs]
    return runs


def scalar(platform: ContainerPlatform, query: sa.Select) -> Any:
    with warehouse_engine(platform.warehouse_url).connect() as connection:
        return connection.execute(query).scalar_one()


def test_a_paycom_week_runs_in_a_container_that_exits_and_is_removed(
    platform: ContainerPlatform, backfills: Backfills
) -> None:
    runs = wait_for(platform, backfills.paycom)
    assert [run["status"] for run in runs] == ["SUCCESS"]
    assert_ran_in_removed_containers(platform, runs)
    assert scalar(platform, sa.select(sa.func.count()).select_from(paycom_employees)) >= 30
    logged = sa.select(paycom_sync_log.c.status).where(paycom_sync_log.c.run_id == runs[0]["runId"])
    assert scalar(platform, logged) == "completed"


def test_a_revenue_month_runs_in_a_container_that_exits_and_is_removed(
    platform: ContainerPlatform, backfills: Backfills
) -> None:
    runs = wait_for(platform, backfills.revenue)
    assert_ran_in_removed_containers(platform, runs)
    month = dt.date.fromisoformat(backfills.month)
    invoiced = sa.select(sa.func.count()).where(holded_invoices.c.invoice_month == month)
    assert scalar(platform, invoiced) > 0
    computed = sa.select(sa.func.count()).where(accrual_months.c.month == month)
    assert scalar(platform, computed) == 1


def wait_for_attendance(platform: ContainerPlatform) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The inbox sensor's import runs and the pushes that followed them, once they have all finished."""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while True:
        imports, pushes = job_runs(platform, "attendance_import"), job_runs(platform, "bayzat_push")
        finished = [run for run in imports + pushes if run["status"] in ("SUCCESS", "FAILURE", "CANCELED")]
        if imports and pushes and len(finished) == len(imports) + len(pushes):
            return imports, pushes
        assert time.monotonic() < deadline, f"imports {imports}, pushes {pushes}"
        time.sleep(3)


def test_an_attendance_file_is_imported_by_the_sensor_and_pushed_once_from_containers(
    platform: ContainerPlatform, backfills: Backfills
) -> None:
    imports, pushes = wait_for_attendance(platform)
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
    (run,) = wait_for(platform, backfills.paycom)
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
    wait_for(platform, backfills.paycom)
    wait_for(platform, backfills.revenue)
    wait_for_attendance(platform)
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
