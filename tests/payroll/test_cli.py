"""``hr-assets payroll``: periods added and generated, rules refused with one line, what is due, runs by hand."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hr_assets.defs.payroll import store
from tests.payroll.conftest import NOW, PayrollWorld, employee

pytestmark = pytest.mark.commands

BIN = Path(sys.executable).parent


@pytest.fixture
def warehouse_url(tmp_path: Path) -> str:
    """The commands on SQLite only: the code under them runs on both databases in the other payroll tests."""
    return f"sqlite:///{tmp_path / 'warehouse.db'}"


def payroll(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "hr-assets"), "payroll", *args], capture_output=True, text=True, timeout=180, check=False
    )


def months_after(first_of_month: dt.date, months: int) -> dt.date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def refused(completed: subprocess.CompletedProcess[str], message: str) -> bool:
    lines = completed.stderr.strip().splitlines()
    return completed.returncode == 1 and len(lines) == 1 and message in lines[0] and "Traceback" not in completed.stderr


def test_periods_rules_and_runs_from_the_command_line(payroll_world: PayrollWorld) -> None:
    payroll_world.add_employees(employee("0001", rate="20.0000"), employee("0002", "salary", salary="52000.00"))
    payroll_world.add_attendance([("0001", dt.date(2024, 1, 2 + d), "09:00", "17:00") for d in range(5)])

    added = payroll("add-period", "--start", "2024-01-01", "--end", "2024-01-14", "--type", "bi_weekly",
                    "--rule", '{"run_on_date": "2024-01-12"}')  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "Added period 1: bi_weekly 2024-01-01 to 2024-01-14" in added.stdout
    assert refused(
        payroll("add-period", "--start", "2024-01-01", "--end", "2024-01-14", "--type", "bi_weekly"),
        "Error: a bi_weekly period 2024-01-01 to 2024-01-14 exists already (id 1)",
    )
    overlap = "Error: a bi_weekly period 2024-01-01 to 2024-01-14 exists already (id 1): it overlaps"
    assert refused(
        payroll("add-period", "--start", "2024-01-08", "--end", "2024-01-21", "--type", "bi_weekly"),
        f"{overlap} 2024-01-08 to 2024-01-21, and a day is paid by one period only",
    )
    assert refused(
        payroll("generate", "--type", "semi_monthly", "--start", "2024-01-01", "--until", "2024-01-31"),
        f"{overlap} 2024-01-01 to 2024-01-15",
    )
    assert refused(
        payroll("add-period", "--start", "2024-02-01", "--end", "2024-02-29", "--type", "monthly",
                "--rule", '{"days_before_end": "three"}'),
        "Error: automation_rule.days_before_end: Input should be a valid integer",
    )  # fmt: skip
    assert refused(
        payroll("add-period", "--start", "2024-02-01", "--end", "2024-02-29", "--type", "monthly",
                "--rule", '{"cron": "0 0 25 * *", "days_before_end": 3}'),
        "Error: automation_rule needs exactly one of run_on_date, days_before_end, cron (got cron, days_before_end)",
    )  # fmt: skip
    assert refused(
        payroll("add-period", "--start", "2024-02-10", "--end", "2024-02-01", "--type", "weekly"),
        "Error: end_date 2024-02-01 is before start_date 2024-02-10",
    )

    # The commands judge "due" by the real clock: this month, the next and the one after, so the third is
    # always still ahead.
    this_month = dt.datetime.now(dt.UTC).date().replace(day=1)
    after_next = months_after(this_month, 2)
    end_after_next = months_after(this_month, 3) - dt.timedelta(days=1)
    generated = payroll("generate", "--type", "monthly", "--start", str(this_month), "--until", str(after_next),
                        "--rule", '{"days_before_end": 3}')  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    assert "Added 3 monthly period(s) (ids 2 to 4); 0 existed already" in generated.stdout
    again = payroll("generate", "--type", "monthly", "--start", str(this_month), "--until", str(after_next))
    assert "Added 0 monthly period(s); 3 existed already" in again.stdout
    assert refused(
        payroll("generate", "--type", "monthly", "--start", str(this_month.replace(day=2)), "--until", str(after_next)),
        "monthly periods start on the 1st",
    )

    listing = payroll("list").stdout.splitlines()
    assert len(listing) == 4 and "bi_weekly" in listing[0] and "{'run_on_date': '2024-01-12'}" in listing[0]
    due = payroll("due").stdout
    assert "1 DUE      on 2024-01-12: due from 2024-01-12 00:00 UTC" in due
    due_from = end_after_next - dt.timedelta(days=3)
    assert f"4 not yet  3 day(s) before the end ({end_after_next}): due from {due_from} 00:00 UTC" in due

    ran = payroll("run", "--period-id", "1", "--in-process")
    assert ran.returncode == 0, ran.stderr
    assert "period 1 completed: 2 employees, gross pay 2800.00, 0 hourly without attendance" in ran.stdout
    assert "completed" in payroll("list", "--status", "completed").stdout
    skipped = payroll("run", "--period-id", "1")
    assert skipped.returncode == 0 and "Period 1 skipped: completed by run" in skipped.stdout
    forced = payroll("run", "--period-id", "1", "--force", "--in-process")
    assert forced.returncode == 0 and "period 1 completed" in forced.stdout
    assert payroll_world.period(1)["claims"] == 2
    partitions = payroll_world.instance.get_dynamic_partitions("payroll_periods")
    assert partitions[0] == "2024-01-01..2024-01-14" and len(partitions) == 4  # each added period's partition
    month = payroll("month", "2024-01").stdout.splitlines()
    assert "2024-01-01..2024-01-14 bi_weekly    completed  2 employees, gross pay 2800.00" in month[0]
    assert month[-1] == "2024-01: 1 of 1 period(s) completed, gross pay 2800.00 (complete)"
    assert refused(payroll("month", "January"), "Error: month 'January': write it as YYYY-MM")
    second = payroll("add-period", "--start", "2024-01-15", "--end", "2024-01-28", "--type", "bi_weekly")
    assert second.returncode == 0, second.stderr
    month = payroll("month", "2024-01").stdout.splitlines()  # the month is not complete until both periods are
    assert "2024-01-15..2024-01-28 bi_weekly    active" in month[1]
    assert month[-1] == "2024-01: 1 of 2 period(s) completed, gross pay 2800.00 (1 period(s) not completed)"
    assert "2024-01-15..2024-01-28" in payroll_world.instance.get_dynamic_partitions("payroll_periods")
    assert refused(payroll("run", "--period-id", "99"), "Error: period_id 99: no such pay period")

    # Its automation changed after it was created, each change in the audit log.
    assert refused(
        payroll("enable", "5"), "Error: period_id 5 has no rule: give it one with hr-assets payroll set-rule"
    )
    ruled = payroll("set-rule", "5", '{"run_on_date": "2024-01-26"}')
    assert ruled.stdout == "Period 5: automated, rule {'run_on_date': '2024-01-26'}\n", ruled.stderr
    assert "5 DUE" in payroll("due").stdout
    assert payroll("disable", "5").stdout == "Period 5: run by hand\n"
    assert "5 DUE" not in payroll("due").stdout
    assert payroll("enable", "5").stdout == "Period 5: automated\n"
    ran_due = payroll("run-due", "--in-process")
    assert ran_due.returncode == 0, ran_due.stderr
    assert "period 5: 2 employees" in ran_due.stdout
    assert payroll_world.period(5)["status"] == "completed"
    assert refused(payroll("set-rule", "5", '{"days_before_end": 2}'), "Error: period_id 5 is completed")
    audit = subprocess.run([str(BIN / "hr-assets"), "audit", "--json"], capture_output=True, text=True, timeout=180)
    assert [entry["action"] for entry in json.loads(audit.stdout)] == [
        "payroll.add_period", "payroll.generate", "payroll.add_period", "payroll.rule", "payroll.automation",
        "payroll.automation",
    ]  # fmt: skip
    unreachable = subprocess.run(
        [str(BIN / "hr-assets"), "payroll", "run", "--period-id", "5", "--force", "--async"],
        capture_output=True, text=True, timeout=180, env={**os.environ, "HR_DAGSTER_URL": "http://127.0.0.1:9"},
    )  # fmt: skip
    assert refused(unreachable, "Error: the Dagster webserver at http://127.0.0.1:9 did not answer")
    assert refused(
        payroll("run", "--period-id", "4"), f"Error: period_id 4 starts on {after_next}: it can run from its"
    )


def test_run_due_releases_a_period_a_dead_run_left_processing_then_runs_it(payroll_world: PayrollWorld) -> None:
    payroll_world.add_employees(employee("0001", rate="20.0000"))
    payroll_world.add_attendance([("0001", dt.date(2024, 1, 2), "09:00", "16:40")])
    period_id = payroll_world.add_period(
        dt.date(2024, 1, 1), dt.date(2024, 1, 14), "bi_weekly", {"run_on_date": "2024-01-12"}
    )
    with payroll_world.engine.begin() as connection:  # the run of an instance that crashed, unknown to this one
        assert store.claim(connection, period_id, "run-of-a-crashed-instance", NOW, force=False)
    ran = payroll("run-due", "--in-process")
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0] == f"Released period {period_id}: run run-of-a-crashed-instance is not in the Dagster instance"
    assert lines[1].endswith(f": period {period_id}: 1 employees, gross pay 153.33")  # 7 h 40 min at 20.00
    assert payroll_world.period(period_id)["status"] == "completed"
    assert payroll("run-due").stdout == "No period is due (0 automated and active).\n"
