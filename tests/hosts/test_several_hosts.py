"""The platform on several hosts (tests/hosts/conftest.py): every run launched through the web host, queued, taken by
the daemon host and run by its run launcher on the code host, its rows in the warehouse on the db host.

A Paycom week (from the SFTP twin on the vendors host) and a revenue month (the Holded, 4Geeks and Notion twins) are
backfills launched through the web UI's GraphQL; an attendance file dropped into the code host's inbox is imported by
the inbox sensor and pushed to the Bayzat twin by the sensor that follows an import; a payroll period is queued by
`hr-assets payroll run --async` through the web UI. A step's output is read back through the web host (GraphQL and
its download link), which ran nothing and had no copy of it until asked: it fetches one from the store.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import time
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from hr_assets.defs.bayzat.store import status_counts
from hr_assets.defs.bayzat.transform import Punches, bayzat_records, chunks
from hr_assets.defs.payroll import store as payroll_store
from hr_assets.defs.shared.attendance_pushes import with_pushes
from hr_assets.warehouse.engine import warehouse_engine
from hr_assets.warehouse.tables import attendance_import_records as records
from hr_assets.warehouse.tables import bayzat_record_pushes as pushes
from hr_assets.warehouse.tables import companies
from hr_sandbox.bayzat import DUPLICATE
from tests.hosts.conftest import HostPlatform
from tests.running_platform import (
    CAPTURED,
    FINISHED,
    STEP_OUTPUT,
    Backfills,
    assert_paycom_week_stored,
    assert_revenue_month_stored,
    launch_week_and_month,
    wait_for_attendance,
    wait_for_successful_backfill,
)

pytestmark = [pytest.mark.hosts, pytest.mark.xdist_group("hosts")]

RUN_TIMEOUT_S = 900

RUN_STATUS = """
query($runId: ID!) { runOrError(runId: $runId) { ... on Run { status } } }
"""


@pytest.fixture(scope="package")
def launched(platform: HostPlatform) -> Backfills:
    """The Paycom week and the revenue month, launched at once through the web host; the attendance file into the
    code host's inbox beside them."""
    backfills = launch_week_and_month(platform, "on several hosts")
    (report,) = (platform.sandbox / "attendance" / "fingerprint_reports").glob("fingerprint_*.csv")
    shutil.copy2(report, platform.host("code").disk / "inbox" / report.name)  # imported once the roster is in
    return backfills


def wait_for_run(platform: HostPlatform, run_id: str) -> str:
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while (status := platform.graphql(RUN_STATUS, runId=run_id)["runOrError"]["status"]) not in FINISHED:
        assert time.monotonic() < deadline, f"run {run_id} still {status} after {RUN_TIMEOUT_S}s"
        time.sleep(3)
    return status


def assert_ran_on_the_code_host(platform: HostPlatform, runs: list[dict[str, Any]]) -> None:
    """Each run's process ran on the code host (its step output staged in that host's /tmp before the upload), none on
    the web or daemon host (no file of it on their disks)."""
    assert runs
    for run in runs:
        found = {name: list(platform.host(name).disk.rglob(f"*{run['runId']}*")) for name in ("code", "web", "daemon")}
        assert found["code"] and not found["web"] and not found["daemon"], found


def test_a_paycom_week_launched_through_the_web_host_runs_on_the_code_host(
    platform: HostPlatform, launched: Backfills
) -> None:
    runs = wait_for_successful_backfill(platform, launched.paycom, RUN_TIMEOUT_S)
    assert [run["status"] for run in runs] == ["SUCCESS"]
    assert_ran_on_the_code_host(platform, runs)
    assert_paycom_week_stored(platform.warehouse_url, runs[0]["runId"])


def test_a_revenue_month_launched_through_the_web_host_runs_on_the_code_host(
    platform: HostPlatform, launched: Backfills
) -> None:
    runs = wait_for_successful_backfill(platform, launched.revenue, RUN_TIMEOUT_S)
    assert_ran_on_the_code_host(platform, runs)
    assert_revenue_month_stored(platform.warehouse_url, dt.date.fromisoformat(launched.month))


def test_an_attendance_file_is_imported_on_the_code_host_and_each_record_pushed_once(
    platform: HostPlatform, launched: Backfills
) -> None:
    imports, pushed = wait_for_attendance(platform, RUN_TIMEOUT_S)
    assert {run["status"] for run in imports + pushed} == {"SUCCESS"}
    assert len(imports) == 1
    assert_ran_on_the_code_host(platform, imports + pushed)
    with warehouse_engine(platform.warehouse_url).connect() as connection:
        statuses = status_counts(connection)
        slugs = dict(connection.execute(sa.select(companies.c.id, companies.c.slug)).all())
        synced = connection.execute(
            with_pushes(records.c.company_id, records.c.id, records.c.csv_employee_id, records.c.date,
                        records.c.check_in, records.c.check_out)
            .where(pushes.c.status == "synced")
            .order_by(records.c.id)
        ).all()  # fmt: skip
    assert set(statuses) <= {"synced", "skipped"}, statuses
    assert statuses["synced"] == len(synced) > 0
    by_company: dict[str, list[Punches]] = {}
    for company_id, *punches in synced:
        by_company.setdefault(slugs[company_id], []).append(Punches(*punches))
    assert set(by_company) == set(platform.bayzat_keys())  # both companies pushed
    # The twin holds every pushed record: sent again, each one is refused as already there (so none is stored twice).
    url = platform.code["BAYZAT_DEFAULT_API_URL"]
    for slug, punches in by_company.items():
        for chunk in chunks(punches):
            sent = [record for punch in chunk for record in bayzat_records(punch)]
            errors = send_to_bayzat(url, platform.bayzat_keys()[slug], sent)
            assert [error["code"] for error in errors] == [DUPLICATE] * len(sent), errors


def send_to_bayzat(url: str, key: str, sent: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The twin's per-record errors for ``sent``, at its limit of a request a second per key."""
    deadline = time.monotonic() + 120
    while (
        answer := httpx.post(url, json={"records": sent}, headers={"x-api-key": key}, timeout=30)
    ).status_code == 429:
        assert time.monotonic() < deadline, "the Bayzat twin kept answering 429"
        time.sleep(float(answer.headers.get("Retry-After", "1")))
    assert answer.status_code == 400, answer.text
    return answer.json()["errors"]


def test_a_payroll_period_queued_through_the_web_host_runs_on_the_code_host(
    platform: HostPlatform, launched: Backfills
) -> None:
    wait_for_successful_backfill(platform, launched.paycom, RUN_TIMEOUT_S)  # its employees first
    wait_for_attendance(platform, RUN_TIMEOUT_S)  # and their hours
    first = dt.date.fromisoformat(launched.month)
    added = platform.hr_assets(
        "payroll", "add-period", "--type", "semi_monthly", "--start", str(first), "--end", str(first.replace(day=15))
    )
    found = re.search(r"Added period (\d+)", added)
    assert found, added
    period_id = int(found.group(1))
    queued = platform.hr_assets("payroll", "run", "--period-id", str(period_id), "--async")
    run_id = re.search(r"Queued run (\S+)", queued)
    assert run_id, queued
    assert wait_for_run(platform, run_id.group(1)) == "SUCCESS"
    assert_ran_on_the_code_host(platform, [{"runId": run_id.group(1)}])
    with warehouse_engine(platform.warehouse_url).connect() as connection:
        period = payroll_store.period(connection, period_id)
        totals = payroll_store.totals(connection, period_id)
    assert period["status"] == "completed", period
    assert totals is not None and totals["employees"] >= 30 and totals["run_id"] == run_id.group(1), totals


def test_the_web_host_shows_and_downloads_a_step_output_from_a_run_on_the_code_host(
    platform: HostPlatform, launched: Backfills
) -> None:
    (run,) = wait_for_successful_backfill(platform, launched.paycom, RUN_TIMEOUT_S)
    on_the_web_host = platform.host("web").disk / "tmp" / run["runId"]
    assert not on_the_web_host.exists()
    events = platform.graphql(STEP_OUTPUT, runId=run["runId"])["logsForRun"]["events"]
    captured = [event for event in events if event["__typename"] == "LogsCapturedEvent"]
    assert captured, "no step output was captured"
    output = platform.graphql(CAPTURED, logKey=[run["runId"], "compute_logs", captured[0]["fileKey"]])
    stderr = output["capturedLogs"]["stderr"]
    assert "paycom_roster_files" in stderr, stderr[-2000:]
    assert on_the_web_host.exists()  # the web UI fetched it from the store into its own /tmp, to serve it
    # The UI's download link of the step's stderr, from the same copy.
    download = httpx.get(f"{platform.url}/logs/{run['runId']}/compute_logs/{captured[0]['fileKey']}/err", timeout=60)
    assert download.status_code == 200, download.text[-500:]
    assert download.text == stderr
