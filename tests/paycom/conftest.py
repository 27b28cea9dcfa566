"""A Paycom sandbox with three weeks of pushes, and the platform's environment pointed at it."""

import dataclasses
import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import sqlalchemy as sa
from numbers_parser import Document

from hr_assets.defs.paycom.resources import PaycomSftpResource
from hr_assets.warehouse.engine import warehouse_engine
from hr_sandbox.paycom import PaycomSandbox, recent_fridays, write_weekly_pushes
from hr_sandbox.paycom_reports import DATES_COLUMNS, SandboxEmployee, write_numbers_table, write_paycom_reports
from tests.resources import definitions_with, resource_from

TODAY = dt.date(2026, 11, 22)
BASE_EMPLOYEES = 40
WEEKS = sorted(recent_fridays(TODAY, 3))  # 2026-11-06, 2026-11-13, 2026-11-20


@pytest.fixture(scope="session")
def generated_pushes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("paycom_pushes")
    write_weekly_pushes(root, WEEKS, BASE_EMPLOYEES)
    return root


@pytest.fixture
def paycom_sandbox(tmp_path: Path, generated_pushes: Path) -> Iterator[PaycomSandbox]:
    sandbox = PaycomSandbox(tmp_path / "sandbox", employees=BASE_EMPLOYEES, weeks=len(WEEKS), today=TODAY)
    shutil.copytree(generated_pushes, sandbox.reports_directory)
    with sandbox:
        yield sandbox


@pytest.fixture
def platform_env(
    monkeypatch: pytest.MonkeyPatch, dagster_home: Path, warehouse_url: str, paycom_sandbox: PaycomSandbox
) -> dict[str, str]:
    environment = {**paycom_sandbox.environment(), "HR_WAREHOUSE_URL": warehouse_url}
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return environment


def sync(instance: dg.DagsterInstance, week: dt.date, **config: Any) -> dg.ExecuteInProcessResult:
    """One run of the real paycom_sync job, recorded in the test's instance."""
    paycom = resource_from(PaycomSftpResource, os.environ, backoff_initial_s=0.01)
    job = definitions_with(paycom_sftp=paycom).resolve_job_def("paycom_sync")
    run_config = {"ops": {"paycom_roster_files": {"config": config}}} if config else None
    return job.execute_in_process(
        partition_key=week.isoformat(),
        instance=instance,
        run_config=run_config,
        raise_on_error=False,
    )


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {
        event.event_specific_data.check_name: event.event_specific_data.passed
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def rows(warehouse_url: str, table: sa.Table, *, without: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    with warehouse_engine(warehouse_url).connect() as connection:
        found = [dict(row) for row in connection.execute(sa.select(table)).mappings()]
    return sorted(
        ({key: value for key, value in row.items() if key not in without} for row in found),
        key=lambda row: tuple(str(value) for value in row.values()),
    )


def push_a_code_typed_two_ways(reports_directory: Path, friday: dt.date, employees: list[SandboxEmployee]) -> None:
    """The week's push (replacing any) with the first employee's code ``00731`` written as text in the Directory and
    as the number 731 in the Dates report, as a spreadsheet that dropped the leading zeros writes it."""
    pushed_at = dt.datetime.combine(friday - dt.timedelta(days=1), dt.time(18))
    for path in reports_directory.glob(f"{pushed_at:%Y%m%d}*"):
        path.unlink()
    roster = [dataclasses.replace(employees[0], code="00731"), *employees[1:]]
    dates = write_paycom_reports(reports_directory, roster, pushed_at)["dates"]
    table = [list(row) for row in Document(str(dates)).sheets[0].tables[0].rows(values_only=True)]
    code = DATES_COLUMNS.index("EE Code")
    [row] = [row for row in table if row[code] == "00731"]
    row[code] = 731.0
    write_numbers_table(dates, table[0], table[1:])
