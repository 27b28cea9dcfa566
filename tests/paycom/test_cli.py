"""`hr-assets paycom ...` and `hr-assets status` as an operator runs them, against the sandbox."""

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from hr_sandbox.paycom import PaycomSandbox, week_roster
from hr_sandbox.paycom_reports import write_paycom_reports
from tests.conftest import ON_SQLITE
from tests.paycom.conftest import BASE_EMPLOYEES, WEEKS, push_a_code_typed_two_ways

pytestmark = [pytest.mark.commands, ON_SQLITE, pytest.mark.usefixtures("platform_env")]
HR_ASSETS = str(Path(sys.executable).with_name("hr-assets"))


def hr_assets(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([HR_ASSETS, *arguments], env=dict(os.environ), capture_output=True, text=True, timeout=180)


def test_test_connection_verifies_the_host_key(platform_env: dict[str, str]) -> None:
    completed = hr_assets("paycom", "test-connection")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == (
        f"Connected to hr_assets@127.0.0.1:{platform_env['PAYCOM_SFTP_PORT']}, host key verified; 12 entries in /"
    )


def test_sync_dry_run_then_sync_then_skip_then_status(platform_env: dict[str, str], dagster_home: Path) -> None:
    week = WEEKS[2].isoformat()
    dry = hr_assets("paycom", "sync", "--in-process", "--week", week, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.count("20261119180000_Employee_") == 4

    synced = hr_assets("paycom", "sync", "--in-process", "--week", week)
    assert synced.returncode == 0, synced.stderr
    counts = json.loads(synced.stdout.strip().splitlines()[-1])
    assert counts == {
        "employees_processed": 44,
        "employees_created": 44,
        "employees_updated": 0,
        "employees_terminated": 0,
        "rows_invalid": 0,
    }

    again = hr_assets("paycom", "sync", "--in-process", "--week", week)
    assert again.returncode == 0 and "already synced" in again.stdout

    status = hr_assets("status")
    assert status.returncode == 0, status.stderr
    assert f"week {week}" in status.stdout and "completed" in status.stdout and "skipped" in status.stdout
    roster = week_roster(BASE_EMPLOYEES, 2, WEEKS[2])
    staff = sum(e.status != "terminated" for e in roster)
    available = sum(e.status == "active" for e in roster)
    assert f"Scheduling staff: {staff} synced from Paycom, {available} available for scheduling" in status.stdout

    for output in (dry, synced, again, status):
        assert platform_env["PAYCOM_SFTP_PASSWORD"] not in output.stdout + output.stderr

    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs()
    assert len(runs) == 3 and {run.job_name for run in runs} == {"paycom_sync"}
    assert all(run.tags["dagster/partition"] == week for run in runs)


def test_sync_refuses_a_day_that_is_not_a_synced_friday() -> None:
    completed = hr_assets("paycom", "sync", "--week", "2026-11-21")
    assert completed.returncode == 2
    assert "2026-11-21 is not the Friday of a synced week" in completed.stderr


def test_a_failed_sync_says_why_in_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    monkeypatch.setenv("PAYCOM_SFTP_KNOWN_HOSTS", str(empty))
    completed = hr_assets("paycom", "test-connection")
    assert completed.returncode == 1
    assert completed.stderr.startswith("Error: Paycom SFTP host [127.0.0.1]:")
    assert "refusing to connect" in completed.stderr and "Traceback" not in completed.stderr


def _failed_run(completed: subprocess.CompletedProcess) -> str:
    """The one run the failed sync left, checked as failed; its id."""
    with dg.DagsterInstance.get() as instance:
        failed = [run for run in instance.get_runs() if run.status == dg.DagsterRunStatus.FAILURE]
    assert len(failed) == 1, completed.stderr
    return failed[0].run_id


def _where(run_id: str) -> str:
    return f"(run {run_id}; its logs: http://127.0.0.1:3000/runs/{run_id})"


def test_a_failed_roster_check_is_one_line_with_the_codes_it_found(paycom_sandbox: PaycomSandbox) -> None:
    push_a_code_typed_two_ways(paycom_sandbox.reports_directory, WEEKS[2], week_roster(BASE_EMPLOYEES, 2, WEEKS[2]))
    completed = hr_assets("paycom", "sync", "--in-process", "--week", WEEKS[2].isoformat())
    assert (completed.returncode, completed.stdout) == (1, "")
    assert completed.stderr.splitlines() == [
        "Error: roster check failed: codes that denote one employee: 00731, 731; fix the codes in Paycom's export and "
        f"run the sync again with --force {_where(_failed_run(completed))}"
    ]


def test_a_failed_headcount_check_is_one_line_with_the_drop_and_force_accepts_it(
    paycom_sandbox: PaycomSandbox,
) -> None:
    assert hr_assets("paycom", "sync", "--in-process", "--week", WEEKS[1].isoformat()).returncode == 0
    roster = week_roster(BASE_EMPLOYEES, 2, WEEKS[2])
    half = [dataclasses.replace(e, status="terminated") if i % 2 else e for i, e in enumerate(roster)]
    pushed_at = dt.datetime.combine(WEEKS[2] - dt.timedelta(days=1), dt.time(18))
    for path in paycom_sandbox.reports_directory.glob(f"{pushed_at:%Y%m%d}*"):
        path.unlink()
    write_paycom_reports(paycom_sandbox.reports_directory, half, pushed_at)
    before = sum(e.status == "active" for e in week_roster(BASE_EMPLOYEES, 1, WEEKS[1]))
    after = sum(e.status == "active" for e in half)

    completed = hr_assets("paycom", "sync", "--in-process", "--week", WEEKS[2].isoformat())
    assert (completed.returncode, completed.stdout) == (1, "")
    assert completed.stderr.splitlines() == [
        f"Error: headcount check failed: active employees fell {(before - after) / before:.0%} ({before} → {after}) "
        f"since {WEEKS[1]}; if the drop is real, run the sync again with --force {_where(_failed_run(completed))}"
    ]
    forced = hr_assets("paycom", "sync", "--in-process", "--week", WEEKS[2].isoformat(), "--force")
    assert forced.returncode == 0, forced.stderr
