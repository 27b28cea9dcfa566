"""`hr-assets dev` as `make dev` runs it: sandbox, webserver and daemon, driven over GraphQL; its notifications
reach a loopback webhook, and at the end no secret or bank detail is anywhere the platform keeps data."""

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import httpx
import pytest
from dagster_graphql import DagsterGraphQLClient

from hr_assets.defs.partitions import weekly_sync_partitions
from hr_assets.warehouse.tables import accrual_months, paycom_employees, paycom_sync_log
from tests.conftest import REPO
from tests.paycom.conftest import rows
from tests.secret_scan import assert_nothing_leaked, sandbox_needles
from tests.webhook_receiver import WebhookReceiver, webhook  # noqa: F401 - the loopback webhook fixture

SCHEDULE_STATE = """
query {
  scheduleOrError(scheduleSelector: {repositoryLocationName: "hr_assets", repositoryName: "__repository__",
                                     scheduleName: "paycom_weekly_sync"}) {
    ... on Schedule { scheduleState { status } }
  }
}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers_on(address: str, port: int) -> bool:
    """Whether something accepts connections there: 127.0.0.2 reaches a server bound to 0.0.0.0, never one
    bound to 127.0.0.1 alone."""
    try:
        socket.create_connection((address, port), timeout=2).close()
    except OSError:
        return False
    return True


def _wait_until_serving(url: str, process: subprocess.Popen, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "hr-assets dev exited early"
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(1)
    pytest.fail(f"{url} did not answer within {timeout_s}s")


BACKFILL_STATUS = """
query($id: String!) { partitionBackfillOrError(backfillId: $id) { ... on PartitionBackfill { status } } }
"""


def _sync_revenue_months(port: int, environment: dict[str, str]) -> str:
    """`hr-assets sync` as an operator types it: a backfill the daemon runs, two months, invoices onwards."""
    completed = subprocess.run(
        [
            str(Path(sys.executable).with_name("hr-assets")),
            "sync",
            "--from-step",
            "invoices",
            "--start-date",
            "2026-09-01",
            "--end-date",
            "2026-11-01",
        ],
        env={**environment, "HR_DAGSTER_URL": f"http://127.0.0.1:{port}", **_sandbox_environment(environment)},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.split("Backfill ", 1)[1].split()[0]


def _sandbox_environment(environment: dict[str, str]) -> dict[str, str]:
    """The settings `hr-assets dev` wrote for the sandbox it started (the CLI loads the definitions too)."""
    env_file = Path(environment["SANDBOX_DIRECTORY"]) / "sandbox.env"
    pairs = (line.removeprefix("export ").split("=", 1) for line in env_file.read_text().splitlines())
    return {name: value.strip("'") for name, value in pairs}


def _backfill_status(port: int, backfill_id: str) -> str:
    answer = httpx.post(
        f"http://127.0.0.1:{port}/graphql",
        timeout=30,
        json={"query": BACKFILL_STATUS, "variables": {"id": backfill_id}},
    ).json()
    return answer["data"]["partitionBackfillOrError"]["status"]


def _failures(dagster_home: Path) -> str:
    """What the failed runs of the instance said, for an assertion message."""
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        failed = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE]))
        return "\n".join(
            f"{run.job_name} {run.tags.get('dagster/partition')}: {event.dagster_event.step_failure_data.error.message}"
            for run in failed
            for event in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
        )


def test_dev_serves_the_ui_runs_syncs_and_a_backfill_through_the_daemon_and_stops_cleanly(
    tmp_path: Path,
    dagster_home: Path,
    warehouse_url: str,
    webhook: WebhookReceiver,  # noqa: F811 - the imported fixture
) -> None:
    port = _free_port()
    ours = ("PAYCOM_", "HR_", "HOLDED_", "FOURGEEKS_", "NOTION_")
    environment = {name: value for name, value in os.environ.items() if not name.startswith(ours)}
    environment.update(
        DAGSTER_HOME=str(dagster_home), HR_WAREHOUSE_URL=warehouse_url, SANDBOX_DIRECTORY=str(tmp_path / "sandbox")
    )
    environment.update(HR_NOTIFY_WEBHOOK_URL=webhook.url, HR_DAGSTER_URL=f"http://127.0.0.1:{port}")
    log = (tmp_path / "dev.log").open("w")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("hr-assets")),
            "dev",
            "--directory",
            str(tmp_path / "sandbox"),
            "--employees",
            "30",
            "--paycom-port",
            "0",
            "--port",
            str(port),
        ],
        cwd=REPO,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_until_serving(f"http://127.0.0.1:{port}/server_info", process)
        assert not _answers_on("127.0.0.2", port), "the web UI listens beyond 127.0.0.1"
        client = DagsterGraphQLClient("127.0.0.1", port_number=port)
        week = weekly_sync_partitions.get_last_partition_key()
        run_id = client.submit_job_execution(
            "paycom_sync", repository_location_name="hr_assets", tags={"dagster/partition": week}
        )
        deadline = time.monotonic() + 240
        while (status := client.get_run_status(run_id).value) not in ("SUCCESS", "FAILURE", "CANCELED"):
            assert time.monotonic() < deadline, f"run {run_id} still {status}"
            time.sleep(2)
        assert status == "SUCCESS", (tmp_path / "dev.log").read_text()[-3000:]

        schedule = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": SCHEDULE_STATE}, timeout=30).json()
        assert schedule["data"]["scheduleOrError"]["scheduleState"]["status"] == "RUNNING"

        assert len(rows(warehouse_url, paycom_employees)) >= 30
        assert [log_row["status"] for log_row in rows(warehouse_url, paycom_sync_log)] == ["completed"]

        backfill_id = _sync_revenue_months(port, environment)
        deadline = time.monotonic() + 420
        while (status := _backfill_status(port, backfill_id)) in ("REQUESTED", "IN_PROGRESS"):
            assert time.monotonic() < deadline, f"backfill {backfill_id} still {status}"
            time.sleep(3)
        assert status in ("COMPLETED", "COMPLETED_SUCCESS"), _failures(dagster_home)
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
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            log.close()
    assert process.returncode == 0
    leftovers = subprocess.run(["pgrep", "-f", f"--port {port}"], capture_output=True, text=True).stdout.split()
    assert leftovers == [], "the webserver or daemon outlived hr-assets dev"
    assert_nothing_leaked(
        dagster_home,
        warehouse_url,
        sandbox_needles(tmp_path / "sandbox", {**environment, **_sandbox_environment(environment)}),
        more_files=[tmp_path / "dev.log"],
        messages=webhook.texts(),
    )
