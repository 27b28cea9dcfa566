"""`hr-assets api` as a person starts it, on a warehouse holding a small roster, called over real HTTP."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from hr_assets.defs.payroll import store
from hr_assets.defs.payroll.pay import compute_period
from hr_assets.defs.payroll.periods import PeriodDates
from hr_assets.defs.shared.worked_time import roster_history
from hr_assets.warehouse.engine import warehouse_engine
from hr_assets.warehouse.tables import paycom_employees, paycom_files, paycom_sync_log, scheduling_staff
from tests.running_platform import free_port, platform_environment, stop_group, wait_until_serving

HR_ASSETS = str(Path(sys.executable).with_name("hr-assets"))
NOW = dt.datetime(2026, 11, 20, 15, tzinfo=dt.UTC)
WEEK = dt.date(2026, 11, 20)


def person(code: str, first: str, last: str, **fields: object) -> dict[str, object]:
    return {
        "employee_code": code,
        "first_name": first,
        "last_name": last,
        "status": "active",
        "department_code": "D10",
        "department_description": "Nursing",
        "position": "Registered Nurse",
        "location_code": "NORTH",
        "phone_number": "305-555-0100",
        "pay_type": "hourly",
        "hourly_rate": Decimal("31.2500"),
        "annual_salary": None,
        "overtime_eligible": True,
        "termination_date": None,  # every row the same keys: an insert of many rows takes the first row's
        "created_at": NOW,
        "updated_at": NOW,
        "last_synced_at": NOW,
        "last_synced_week": WEEK,
    } | fields


ROSTER = [
    person("1001", "Ana", "Lopez"),
    person("1002", "Ben", "Okafor", position="Cook", department_code="D20", department_description="Dietary"),
    person("1003", "Chloe", "Martin", status="on_leave", location_code="SOUTH"),
    person(
        "1004",
        "Dev",
        "Patel",
        pay_type="salary",
        hourly_rate=None,
        annual_salary=Decimal("72000.00"),
        overtime_eligible=False,
        position="Director of Nursing",
    ),
    person("1005", "Eve", "Lopez", status="terminated", termination_date=dt.date(2026, 10, 1)),
]


def staff(code: str, name: str, available: bool, cap: int, week: str, overtime: str, left: str | None) -> dict:
    return {
        "employee_code": code,
        "display_name": name,
        "role": "nurse",
        "available_for_scheduling": available,
        "max_hours_per_week": cap,
        "period_start": WEEK,
        "updated_at": NOW,
        "hours_as_of": WEEK,
        "hours_this_week": Decimal(week),
        "hours_this_year": Decimal(week) * 10,
        "overtime_hours_this_week": Decimal(overtime),
        "hours_left_before_overtime": None if left is None else Decimal(left),
        "hours_left_before_cap": max(Decimal(cap) - Decimal(week), Decimal(0)),
    }


STAFF = [
    staff("1001", "Ana Lopez", True, 40, "37.50", "0", "2.50"),  # near overtime
    staff("1002", "Ben Okafor", True, 40, "44.00", "4.00", "0"),  # in overtime
    staff("1003", "Chloe Martin", False, 40, "0", "0", "40.00"),
    staff("1004", "Dev Patel", True, 50, "45.00", "0", None),
]


def fill(url: str) -> None:
    with warehouse_engine(url).begin() as connection:
        connection.execute(sa.insert(paycom_employees), ROSTER)
        connection.execute(sa.insert(scheduling_staff), STAFF)
        connection.execute(
            sa.insert(paycom_sync_log),
            [
                {
                    "run_id": "run-1",
                    "sync_week": WEEK,
                    "report_type": "all",
                    "forced": False,
                    "started_at": NOW,
                    "completed_at": NOW,
                    "status": "completed",
                    "files_processed": 1,
                    "employees_processed": 5,
                    "employees_created": 5,
                    "employees_updated": 0,
                    "employees_terminated": 1,
                    "rows_invalid": 0,
                }
            ],
        )
        connection.execute(
            sa.insert(paycom_files),
            [{"sync_week": WEEK, "file_name": "directory.numbers", "report_type": "directory", "status": "processed"}],
        )


def pay_periods(url: str) -> tuple[int, int]:
    """Two pay periods of the roster: one completed (1001 worked 7 h 40 min on its first day) and the next, active."""
    dates = PeriodDates(dt.date(2026, 11, 2), dt.date(2026, 11, 15), "bi_weekly")
    with warehouse_engine(url).begin() as connection:
        completed = store.add_period(connection, dates, None, timezone="UTC", now=NOW)
        active = store.add_period(connection, PeriodDates(dt.date(2026, 11, 16), dt.date(2026, 11, 29), "bi_weekly"),
                                  None, timezone="UTC", now=NOW)  # fmt: skip
        assert store.claim(connection, completed, "run-1", NOW, force=False)
        worked = {"1001": {dt.date(2026, 11, 2): 460}}
        pay = compute_period(dates, roster_history(connection, dates.start, dates.end), worked)
        store.write_results(connection, completed, pay, "run-1", NOW)
    return completed, active


@dataclass
class Api:
    url: str
    environment: dict[str, str]

    def command(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [HR_ASSETS, "api", *args], env=self.environment, capture_output=True, text=True, timeout=120, check=False
        )

    def token(self, name: str, scope: str) -> str:
        made = self.command("token", "create", "--name", name, "--scope", scope)
        assert made.returncode == 0, made.stderr
        return made.stdout.strip()

    def get(self, path: str, token: str | None, **params: object) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.get(f"{self.url}{path}", headers=headers, params=params, timeout=30)

    def post(self, path: str, token: str | None, body: dict | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.post(f"{self.url}{path}", headers=headers, json=body or {}, timeout=60)


@pytest.fixture
def api(warehouse_url: str, tmp_path: Path) -> Iterator[Api]:
    fill(warehouse_url)
    port, dagster_port = free_port(), free_port()
    environment = platform_environment(
        DAGSTER_HOME=str(tmp_path),
        HR_WAREHOUSE_URL=warehouse_url,
        HR_DAGSTER_URL=f"http://127.0.0.1:{dagster_port}",  # nothing listens: start_sync answers 503
        HR_API_PORT=str(port),
    )
    log = tmp_path / "api.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [HR_ASSETS, "api"], env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url, process, log, ok_only=False)  # its root answers 404
        yield Api(url, environment)
    finally:
        stop_group(process, grace_s=10)
    assert "Traceback" not in log.read_text()
