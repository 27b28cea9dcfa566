"""`hr-sandbox dev` as `make dev` runs it: sandbox, webserver and daemon, driven over GraphQL and by commands that
queue their runs; its notifications reach a loopback webhook, and at the end no secret or bank detail is anywhere the
platform keeps data."""

import datetime as dt
import os
import signal
import socket
import subprocess
from pathlib import Path

import dagster as dg
import httpx
import pytest
from dagster_graphql import DagsterGraphQLClient

from hr_assets.defs.shared.partitions import weekly_sync_partitions
from hr_assets.settings import Settings
from hr_assets.warehouse.tables import accrual_months, paycom_employees, paycom_sync_log
from tests.conftest import ON_SQLITE
from tests.paycom.conftest import rows
from tests.running_platform import (
    HR_ASSETS,
    failures,
    free_port,
    platform_environment,
    sandbox_environment,
    start_dev,
    wait_for_backfill,
    wait_until_serving,
)
from tests.secret_scan import assert_nothing_leaked, sandbox_needles
from tests.waiting import wait_until
from tests.webhook_receiver import WebhookReceiver, webhook  # noqa: F401 - the loopback webhook fixture

SCHEDULE_STATE = """
query {
  scheduleOrError(scheduleSelector: {repositoryLocationName: "hr_assets", repositoryName: "__repository__",
                                     scheduleName: "paycom_weekly_sync"}) {
    ... on Schedule { scheduleState { status } }
  }
}
"""


def _answers_on(address: str, port: int) -> bool:
    """Whether something accepts connections there: 127.0.0.2 reaches a server bound to 0.0.0.0, never one
    bound to 127.0.0.1 alone."""
    try:
        socket.create_connection((address, port), timeout=2).close()
    except OSError:
        return False
    return True


def _sync_revenue_months(url: str, environment: dict[str, str], sandbox: Path) -> str:
    """`hr-assets sync` as an operator types it: a backfill the daemon runs, two months, invoices onwards and then
    accruals."""
    completed = subprocess.run(
        [
            HR_ASSETS,
            "sync",
            "--from-step",
            "invoices",
            "--with-accruals",
            "--start-date",
            "2026-09-01",
            "--end-date",
            "2026-11-01",
        ],
        env={**environment, "HR_DAGSTER_URL": url, **sandbox_environment(sandbox)},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.split("Backfill ", 1)[1].split()[0]


def _commands_run_their_jobs_through_the_queue(
    url: str, environment: dict[str, str], sandbox: Path, home: Path
) -> None:
    """A command queues its run as the UI does and waits for it, then prints its one line: a push of one company
    (with the tag the queue limits pushes by), and a dry run of the first week, which Paycom never pushed: failed."""
    environment = {**environment, "HR_DAGSTER_URL": url, **sandbox_environment(sandbox)}

    def hr_assets(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([HR_ASSETS, *arguments], env=environment, capture_output=True, text=True, timeout=600)

    pushed = hr_assets("bayzat", "push", "--company", "advline")
    assert pushed.returncode == 0, pushed.stderr
    (line,) = pushed.stdout.splitlines()
    run_id = line.split()[1]
    assert line.startswith(f"Run {run_id} for advline: succeeded; due ") and pushed.stderr == ""

    first_week = weekly_sync_partitions(Settings.from_environment()).get_first_partition_key()
    failed = hr_assets("paycom", "sync", "--week", first_week, "--dry-run")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        run = instance.get_run_by_id(run_id)
        assert run.tags["hr_assets/bayzat_company"] == "advline" and run.tags["hr_assets/launched_by"] == "cli"
        assert instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_ENQUEUED), "the run was not queued"
        (failed_run,) = instance.get_runs(dg.RunsFilter(job_name="paycom_sync", tags={"dagster/partition": first_week}))
    assert (failed.returncode, failed.stdout) == (1, "")
    (why,) = failed.stderr.splitlines()  # the step's dg.Failure, then the run and where its logs are
    assert why.startswith("Error: No Paycom report of type ") and why.endswith(
        f"check Paycom's scheduled reports. (run {failed_run.run_id}; its logs: {url}/runs/{failed_run.run_id})"
    )
    assert failed_run.status == dg.DagsterRunStatus.FAILURE and failed_run.tags["hr_assets/launched_by"] == "cli"


def _start_sync_through_the_api(log: Path) -> dict[str, str]:
    """POST start_sync with the development token `hr-sandbox dev` printed, once its API answers."""
    tail = lambda: log.read_text()[-3000:]  # noqa: E731
    line = wait_until(
        lambda: next((line for line in log.read_text().splitlines() if "development token" in line), None),
        "the development token in hr-sandbox dev's output",
        detail=tail,
    )
    api, token = line.split()[2].removesuffix("/api/docs"), line.split()[-1]

    def start_sync() -> httpx.Response | None:
        try:
            return httpx.post(
                f"{api}/api/paycom/sync/start_sync/", headers={"Authorization": f"Bearer {token}"}, json={}, timeout=60
            )
        except httpx.TransportError:
            return None

    answer = wait_until(start_sync, "the API to answer", detail=tail)
    assert answer.status_code == 202, answer.text
    return answer.json()


@pytest.mark.platform
@ON_SQLITE  # `make dev`'s own setup; the UI tests run the PostgreSQL one
def test_dev_serves_the_ui_runs_syncs_and_a_backfill_through_the_daemon_and_stops_cleanly(
    tmp_path: Path,
    dagster_home: Path,
    warehouse_url: str,
    webhook: WebhookReceiver,  # noqa: F811 - the imported fixture
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    sandbox = tmp_path / "sandbox"
    environment = platform_environment(
        DAGSTER_HOME=str(dagster_home),
        HR_WAREHOUSE_URL=warehouse_url,
        SANDBOX_DIRECTORY=str(sandbox),
        HR_NOTIFY_WEBHOOK_URL=webhook.url,
        HR_DAGSTER_URL=url,
    )
    log = tmp_path / "dev.log"
    process = start_dev(sandbox, environment, port, log)
    try:
        wait_until_serving(f"{url}/server_info", process, log)
        assert not _answers_on("127.0.0.2", port), "the web UI listens beyond 127.0.0.1"
        client = DagsterGraphQLClient("127.0.0.1", port_number=port)
        week = weekly_sync_partitions(Settings.from_environment()).get_last_partition_key()
        started = _start_sync_through_the_api(log)  # the scheduling app's way: a run the daemon executes
        run_id = started["run_id"]
        assert (started["week"], started["url"]) == (week, f"{url}/runs/{run_id}")
        status = wait_until(
            lambda: (status := client.get_run_status(run_id).value) in ("SUCCESS", "FAILURE", "CANCELED") and status,
            f"run {run_id} to finish",
            timeout_s=300,
            every_s=2,
        )
        assert status == "SUCCESS", log.read_text()[-3000:]

        schedule = httpx.post(f"{url}/graphql", json={"query": SCHEDULE_STATE}, timeout=30).json()
        assert schedule["data"]["scheduleOrError"]["scheduleState"]["status"] == "RUNNING"

        assert len(rows(warehouse_url, paycom_employees)) >= 30
        assert [log_row["status"] for log_row in rows(warehouse_url, paycom_sync_log)] == ["completed"]

        status = wait_for_backfill(url, _sync_revenue_months(url, environment, sandbox))
        if status not in ("COMPLETED", "COMPLETED_SUCCESS"):
            with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
                pytest.fail(f"backfill {status}:\n{failures(instance)}")
        assert {row["month"] for row in rows(warehouse_url, accrual_months)} == {
            dt.date(2026, 9, 1),
            dt.date(2026, 10, 1),
        }
        webhook.wait_for(  # the daemon's run status sensors; the inbox sensor imports once the roster is there
            f"hr_assets: paycom_sync succeeded for {week}",
            "hr_assets: revenue_chain succeeded for 2026-09-01",  # the month, or the range from it
            "hr_assets: attendance_import succeeded for",
            "hr_assets: bayzat_push succeeded for",
        )
        _commands_run_their_jobs_through_the_queue(url, environment, sandbox, dagster_home)
    finally:  # not stop_group: its SIGKILL to the group would hide the leftovers this test looks for
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0
    leftovers = subprocess.run(["pgrep", "-f", f"--port {port}"], capture_output=True, text=True).stdout.split()
    assert leftovers == [], "the webserver or daemon outlived hr-sandbox dev"
    assert_nothing_leaked(
        dagster_home,
        warehouse_url,
        sandbox_needles(sandbox, {**environment, **sandbox_environment(sandbox)}),
        more_files=[log],
        messages=webhook.texts(),
    )
