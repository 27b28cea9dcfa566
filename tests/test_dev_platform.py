"""`hr-assets dev` as `make dev` runs it: sandbox, webserver and daemon, driven over GraphQL."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from dagster_graphql import DagsterGraphQLClient

from hr_assets.defs.partitions import weekly_sync_partitions
from hr_assets.warehouse.tables import paycom_employees, paycom_sync_log
from tests.conftest import REPO
from tests.paycom.conftest import rows

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


def test_dev_serves_the_ui_runs_a_sync_through_the_daemon_and_stops_cleanly(
    tmp_path: Path, dagster_home: Path, warehouse_url: str
) -> None:
    port = _free_port()
    environment = {name: value for name, value in os.environ.items() if not name.startswith(("PAYCOM_", "HR_"))}
    environment.update(DAGSTER_HOME=str(dagster_home), HR_WAREHOUSE_URL=warehouse_url)
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
