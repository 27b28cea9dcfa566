"""Commands that queue runs, against the running platform: from another host's DAGSTER_HOME on the same PostgreSQL
storage they queue and wait, and Ctrl-C stops the waiting, not the run; a blocking check that fails the queued run is
one line with what it found; against a webserver that serves another instance, or an instance no daemon runs, they
refuse in one line and queue nothing."""

from __future__ import annotations

import datetime as dt
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dagster as dg
import pytest

from hr_assets.defs.shared.partitions import weekly_sync_partitions
from hr_assets.settings import Settings
from hr_sandbox.paycom_reports import sandbox_employees
from tests.conftest import REPO
from tests.paycom.conftest import push_a_code_typed_two_ways
from tests.running_platform import (
    HR_ASSETS,
    RunningPlatform,
    free_port,
    platform_environment,
    sandbox_environment,
    start_logged,
    stop_group,
    wait_until_serving,
)

# One platform for the package: its tests run in one worker (make test: --dist loadgroup).
pytestmark = [pytest.mark.platform, pytest.mark.xdist_group("ui_platform")]

WEBSERVER = str(Path(sys.executable).with_name("dagster-webserver"))


def hr_assets(environment: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HR_ASSETS, *arguments], env=environment, capture_output=True, text=True, timeout=300)


def command_environment(platform: RunningPlatform, **settings: str) -> dict[str, str]:
    """What a person on the platform's host has: its instance, the sandbox's settings, and ``settings``."""
    return {**platform.environment, **sandbox_environment(platform.sandbox_directory), **settings}


@pytest.fixture(scope="module")
def other_instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A second real `dagster-webserver` (its URL and DAGSTER_HOME), serving an instance of its own on SQLite, with
    no code location and no daemon: another Dagster on another port, as a new user may have one."""
    directory = tmp_path_factory.mktemp("other-instance")
    home = directory / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    workspace = directory / "workspace.yaml"
    workspace.write_text("load_from: []\n")
    port = free_port()
    process = start_logged(
        [WEBSERVER, "-w", str(workspace), "-h", "127.0.0.1", "-p", str(port)],
        platform_environment(DAGSTER_HOME=str(home)),
        directory / "webserver.log",
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(f"{url}/server_info", process)
        yield url, home
    finally:
        stop_group(process, grace_s=30)


def test_from_another_host_s_dagster_home_a_command_queues_and_ctrl_c_stops_the_waiting_not_the_run(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    # Another host's instance folder: the same settings (dagster-postgres), nothing else in common.
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(platform.dagster_home / "dagster.yaml", home / "dagster.yaml")
    environment = command_environment(platform, DAGSTER_HOME=str(home), HR_DAGSTER_URL=platform.url)
    waiting = subprocess.Popen(
        [HR_ASSETS, "--verbose", "paycom", "sync", "--dry-run"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first_event = waiting.stdout.readline()  # printed once the command waits for the queued run
    assert " - paycom_sync - " in first_event, waiting.communicate(timeout=60)
    run_id = first_event.split(" - ")[2]
    waiting.send_signal(signal.SIGINT)
    _, stderr = waiting.communicate(timeout=120)
    # A dry run can end before the signal lands (a quiet machine): the command then ends as it always does.
    if waiting.returncode != 0:
        assert waiting.returncode == 130, stderr
        assert stderr.splitlines() == [f"Stopped waiting; run {run_id} goes on: {platform.url}/runs/{run_id}"]

    with platform.instance() as instance:
        deadline = time.monotonic() + 300
        while not (run := instance.get_run_by_id(run_id)).is_finished:
            assert time.monotonic() < deadline, f"run {run_id} still {run.status}"
            time.sleep(2)
        assert run.status == dg.DagsterRunStatus.SUCCESS, platform.log_tail()
        assert run.tags["hr_assets/launched_by"] == "cli"
        assert instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_ENQUEUED), "it was not queued"


def assert_each_refused(cases: list[tuple[dict[str, str], list[str], str]], untouched: Path) -> None:
    """Each command (its environment, its arguments, the line it says) exits 1 saying only that line, at once, and
    the instance at ``untouched`` has no run or backfill."""
    with ThreadPoolExecutor(max_workers=len(cases)) as pool:
        outputs = list(pool.map(lambda case: hr_assets(case[0], *case[1]), cases))
    for (_, arguments, says), output in zip(cases, outputs, strict=True):
        assert (output.returncode, output.stdout, output.stderr.splitlines()) == (
            1,
            "",
            [f"Error: {says}, or run the command with --in-process"],
        ), arguments
    with dg.DagsterInstance.from_config(str(untouched)) as instance:
        assert instance.get_runs() == [] and instance.get_backfills() == []


def test_a_command_refuses_a_webserver_that_serves_another_instance(
    platform: RunningPlatform, other_instance: tuple[str, Path]
) -> None:
    other_url, other_home = other_instance
    here = command_environment(platform, HR_DAGSTER_URL=other_url)
    there = command_environment(platform, DAGSTER_HOME=str(other_home), HR_DAGSTER_URL=platform.url)

    def another(url: str, home: Path) -> str:
        return (
            f"the webserver at {url} serves another Dagster instance than DAGSTER_HOME={home.resolve()}; "
            "set HR_DAGSTER_URL to this instance's webserver"
        )

    assert_each_refused(
        [
            (here, ["bayzat", "push", "--all", "--async"], another(other_url, platform.dagster_home)),
            (here, ["paycom", "sync", "--dry-run"], another(other_url, platform.dagster_home)),
            (there, ["paycom", "sync", "--dry-run"], another(platform.url, other_home)),
        ],
        other_home,
    )


def test_a_command_refuses_an_instance_no_daemon_runs(
    platform: RunningPlatform, other_instance: tuple[str, Path]
) -> None:
    other_url, other_home = other_instance
    environment = command_environment(platform, DAGSTER_HOME=str(other_home), HR_DAGSTER_URL=other_url)

    def no_daemon(what: str) -> str:
        return (
            f"no Dagster daemon is running for DAGSTER_HOME={other_home.resolve()} ({what} never ran), so what is "
            "queued waits for ever; start it (make dev, or dagster-daemon run)"
        )

    backfill = ["sync", "--from-step", "accruals", "--start-date", "2026-01-01", "--end-date", "2026-02-01"]
    assert_each_refused(
        [
            (environment, ["paycom", "sync", "--dry-run"], no_daemon("the run queue")),
            (environment, backfill, no_daemon("backfills")),
        ],
        other_home,
    )


def test_through_the_queue_a_failed_roster_check_is_one_line_with_the_codes_it_found(platform: RunningPlatform) -> None:
    week = weekly_sync_partitions(Settings.from_environment()).get_first_partition_key()  # no other test syncs it
    push_a_code_typed_two_ways(
        platform.sandbox_directory / "paycom" / "sftp_root", dt.date.fromisoformat(week), sandbox_employees(30)
    )
    completed = hr_assets(command_environment(platform, HR_DAGSTER_URL=platform.url), "paycom", "sync", "--week", week)
    with platform.instance() as instance:
        (run,) = instance.get_runs(dg.RunsFilter(job_name="paycom_sync", tags={"dagster/partition": week}))
        assert instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_ENQUEUED), "it was not queued"
    assert (completed.returncode, completed.stdout, run.status) == (1, "", dg.DagsterRunStatus.FAILURE)
    assert completed.stderr.splitlines() == [
        "Error: roster check failed: codes that denote one employee: 00731, 731; fix the codes in Paycom's export and "
        f"run the sync again with --force (run {run.run_id}; its logs: {platform.url}/runs/{run.run_id})"
    ]
