"""The whole platform as `make dev` starts it (`hr-sandbox dev`: sandbox, webserver and daemon on 127.0.0.1).

Shared by the tests that drive the running platform over GraphQL or in a browser.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import dagster as dg
import httpx
import pytest
import sqlalchemy as sa

from hr_assets.defs.shared.partitions import monthly_partitions, weekly_sync_partitions
from hr_assets.defs.shared.revenue_chain import STEPS
from hr_assets.lib.webserver import launch_asset_backfill
from hr_assets.settings import Settings
from hr_assets.warehouse.engine import warehouse_engine
from hr_assets.warehouse.tables import accrual_months, holded_invoices, paycom_employees, paycom_sync_log
from tests.conftest import REPO
from tests.waiting import wait_until

HR_ASSETS = str(Path(sys.executable).with_name("hr-assets"))
HR_SANDBOX = str(Path(sys.executable).with_name("hr-sandbox"))
# Our settings; the platform under test gets only what its test sets and what the sandbox writes.
OUR_PREFIXES = ("PAYCOM_", "HR_", "HOLDED_", "FOURGEEKS_", "NOTION_", "BAYZAT_", "ATTENDANCE_", "DAGSTER_POSTGRES_")

BACKFILL_STATUS = """
query($id: String!) { partitionBackfillOrError(backfillId: $id) { ... on PartitionBackfill { status } } }
"""

# The web UI's answers a deployment's tests read: its code locations, runs, and a step's output (compute logs).
LOCATION_STATUS = """
query { workspaceOrError { ... on Workspace { locationEntries {
  name loadStatus locationOrLoadError { __typename ... on PythonError { message } }
} } } }
"""

RUNS = """
query($filter: RunsFilter!) { runsOrError(filter: $filter) { ... on Runs { results {
  runId jobName status tags { key value }
} } } }
"""

STEP_OUTPUT = """
query($runId: ID!) { logsForRun(runId: $runId) { ... on EventConnection { events {
  __typename ... on LogsCapturedEvent { fileKey stepKeys }
} } } }
"""

CAPTURED = """
query($logKey: [String!]!) { capturedLogs(logKey: $logKey) { stdout stderr } }
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str, process: subprocess.Popen, log: Path | None = None, ok_only: bool = True) -> bool:
    """Whether the server ``process`` started answers at ``url`` (with a 200 when ``ok_only``); its early exit fails
    the test with the tail of its ``log``."""
    assert process.poll() is None, f"{process.args[0]} exited early\n{log.read_text()[-3000:] if log else ''}"
    try:
        status = httpx.get(url, timeout=10).status_code
    except httpx.TransportError:
        return False
    return status == 200 or not ok_only


def wait_until_serving(url: str, process: subprocess.Popen, log: Path | None = None, ok_only: bool = True) -> None:
    """Until the server ``process`` started answers at ``url``."""
    wait_until(lambda: answers(url, process, log, ok_only), f"{url} to answer")


def platform_environment(**settings: str) -> dict[str, str]:
    """This process's environment without any of our settings, plus the given ones."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith(OUR_PREFIXES)}
    environment.update(settings)
    return environment


def start_logged(command: list[str], environment: dict[str, str], log: Path) -> subprocess.Popen:
    """``command`` run from the repository in a session of its own (so that its whole process group can be
    stopped), its output in ``log``."""
    with log.open("w") as output:
        return subprocess.Popen(
            command, cwd=REPO, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def start_dev(directory: Path, environment: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """`hr-sandbox dev`, stopped with ``stop_group``."""
    options = ["--directory", str(directory), "--employees", "30", "--paycom-port", "0", "--port", str(port)]
    return start_logged([HR_SANDBOX, "dev", *options, "--api-port", str(free_port())], environment, log)


def stop_group(process: subprocess.Popen, grace_s: float = 60) -> None:
    """SIGTERM to `hr-sandbox dev` (it stops the webserver and daemon), then SIGKILL to whatever is left."""
    try:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        pass
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)


def sandbox_environment(directory: Path) -> dict[str, str]:
    """The settings `hr-sandbox dev` wrote for the sandbox it started."""
    lines = (directory / "sandbox.env").read_text().splitlines()
    pairs = (line.removeprefix("export ").split("=", 1) for line in lines)
    return {name: value.strip("'") for name, value in pairs}


def backfill_status(url: str, backfill_id: str) -> str:
    answer = httpx.post(
        f"{url}/graphql", timeout=30, json={"query": BACKFILL_STATUS, "variables": {"id": backfill_id}}
    ).json()
    return answer["data"]["partitionBackfillOrError"]["status"]


def wait_for_backfill(url: str, backfill_id: str, timeout_s: float = 420) -> str:
    """The backfill's final status, once the daemon has finished it."""

    def final() -> str | None:
        status = backfill_status(url, backfill_id)
        return None if status in ("REQUESTED", "IN_PROGRESS") else status

    return wait_until(final, f"backfill {backfill_id} to finish", timeout_s=timeout_s, every_s=3)


class Deployment(Protocol):
    """A deployment's web UI (tests/containers, tests/hosts): where it answers, and its GraphQL answers."""

    url: str

    def graphql(self, query: str, **variables: Any) -> dict[str, Any]: ...


FINISHED = ("SUCCESS", "FAILURE", "CANCELED")


def backfill_runs(deployment: Deployment, backfill_id: str) -> list[dict[str, Any]]:
    runs = deployment.graphql(RUNS, filter={"tags": [{"key": "dagster/backfill", "value": backfill_id}]})
    return runs["runsOrError"]["results"]


def job_runs(deployment: Deployment, job: str) -> list[dict[str, Any]]:
    return deployment.graphql(RUNS, filter={"pipelineName": job})["runsOrError"]["results"]


def wait_for_successful_backfill(deployment: Deployment, backfill_id: str, timeout_s: float) -> list[dict[str, Any]]:
    """The backfill's runs, once it completed; the test fails with their statuses if it did not succeed."""
    status = wait_for_backfill(deployment.url, backfill_id, timeout_s=timeout_s)
    runs = backfill_runs(deployment, backfill_id)
    assert status == "COMPLETED_SUCCESS", [(run["jobName"], run["status"]) for run in runs]
    return runs


PAYCOM_ASSETS = ["paycom_roster_files", "paycom_employees", "scheduling_staff"]


@dataclass(frozen=True)
class Backfills:
    paycom: str
    revenue: str
    week: str
    month: str


def launch_week_and_month(deployment: Deployment, where: str) -> Backfills:
    """The latest Paycom week and the month just closed of the revenue chain, launched at once through the web UI's
    GraphQL, as the UI launches backfills; partitions from the settings' defaults, as the deployment has them."""
    settings = Settings()
    week = weekly_sync_partitions(settings).get_last_partition_key()
    month = monthly_partitions(settings).get_partition_keys()[-2]
    assert week is not None
    paycom = launch_asset_backfill(deployment.url, PAYCOM_ASSETS, [week], f"paycom week {where}")
    revenue = launch_asset_backfill(deployment.url, list(STEPS.values()), [month], f"revenue month {where}")
    return Backfills(paycom, revenue, week, month)


def graphql(url: str, query: str, **variables: Any) -> dict[str, Any]:
    """The web UI's answer; the test fails on a GraphQL error."""
    answer = httpx.post(f"{url}/graphql", json={"query": query, "variables": variables}, timeout=60)
    answer.raise_for_status()
    body = answer.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]


def wait_for_attendance(deployment: Deployment, timeout_s: float) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The inbox sensor's import runs and the pushes that followed them, once they have all finished."""

    def all_finished() -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
        imports, pushes = job_runs(deployment, "attendance_import"), job_runs(deployment, "bayzat_push")
        finished = [run for run in imports + pushes if run["status"] in FINISHED]
        return (imports, pushes) if imports and pushes and len(finished) == len(imports) + len(pushes) else None

    return wait_until(all_finished, "the attendance imports and their pushes to finish", timeout_s=timeout_s, every_s=3)


def warehouse_scalar(warehouse_url: str, query: sa.Select) -> Any:
    with warehouse_engine(warehouse_url).connect() as connection:
        return connection.execute(query).scalar_one()


def assert_paycom_week_stored(warehouse_url: str, run_id: str) -> None:
    """The sandbox's roster (30 employees) is in the warehouse, and the run logged its sync as completed."""
    assert warehouse_scalar(warehouse_url, sa.select(sa.func.count()).select_from(paycom_employees)) >= 30
    logged = sa.select(paycom_sync_log.c.status).where(paycom_sync_log.c.run_id == run_id)
    assert warehouse_scalar(warehouse_url, logged) == "completed"


def assert_revenue_month_stored(warehouse_url: str, month: dt.date) -> None:
    """The month's Holded invoices are in the warehouse, and its accruals computed."""
    invoiced = sa.select(sa.func.count()).where(holded_invoices.c.invoice_month == month)
    assert warehouse_scalar(warehouse_url, invoiced) > 0
    computed = sa.select(sa.func.count()).where(accrual_months.c.month == month)
    assert warehouse_scalar(warehouse_url, computed) == 1


def failures(instance: dg.DagsterInstance) -> str:
    """What the failed runs of the instance said, for an assertion message."""
    failed = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE]))
    return "\n".join(
        f"{run.job_name} {run.tags.get('dagster/partition')}: {event.dagster_event.step_failure_data.error.message}"
        for run in failed
        for event in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
    )


@dataclass
class RunningPlatform:
    """A started `hr-sandbox dev`: where its UI answers and what its instance and warehouse are."""

    label: str
    url: str
    port: int
    dagster_home: Path
    warehouse_url: str
    sandbox_directory: Path
    log: Path
    environment: dict[str, str]
    process: subprocess.Popen

    @contextmanager
    def instance(self) -> Iterator[dg.DagsterInstance]:
        """The platform's instance, read as the daemon reads it (dagster.yaml may name environment variables)."""
        with pytest.MonkeyPatch.context() as patch:
            for name in ("DAGSTER_HOME", "DAGSTER_POSTGRES_URL"):
                if name in self.environment:
                    patch.setenv(name, self.environment[name])
            with dg.DagsterInstance.from_config(str(self.dagster_home)) as instance:
                yield instance

    def log_tail(self, characters: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-characters:]


@contextmanager
def running_platform(label: str, directory: Path, dagster_yaml: Path, **settings: str) -> Iterator[RunningPlatform]:
    """`hr-sandbox dev` with DAGSTER_HOME in ``directory`` holding ``dagster_yaml``, stopped (process group) after."""
    home = directory / "dagster_home"
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text(dagster_yaml.read_text())
    sandbox = directory / "sandbox"
    port = free_port()
    environment = platform_environment(DAGSTER_HOME=str(home), SANDBOX_DIRECTORY=str(sandbox), **settings)
    log = directory / "dev.log"
    process = start_dev(sandbox, environment, port, log)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(f"{url}/server_info", process, log)
        yield RunningPlatform(
            label=label,
            url=url,
            port=port,
            dagster_home=home,
            warehouse_url=settings["HR_WAREHOUSE_URL"],
            sandbox_directory=sandbox,
            log=log,
            environment=environment,
            process=process,
        )
    finally:
        stop_group(process)
