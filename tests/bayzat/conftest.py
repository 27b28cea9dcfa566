"""Companies with Bayzat accounts on the Bayzat twin, the employee master, and the platform pointed at them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from hr_assets.definitions import defs
from hr_assets.defs.bayzat.configs import save_config
from hr_assets.defs.bayzat.store import push_states
from hr_assets.defs.shared.companies import add_company
from hr_assets.defs.shared.partitions import partition_tags
from hr_assets.warehouse.engine import warehouse_engine
from hr_assets.warehouse.tables import attendance_import_records, paycom_employees
from hr_sandbox.bayzat import BayzatSandbox
from hr_sandbox.http_server import SandboxHttpServer
from tests.attendance.jobs import run_attendance_import
from tests.conftest import master_employee

SECRET_KEY = "test-secret-key-0123456789abcdefghijklmnop"
KEYS = {"advline": "bayzat-key-advline-5f0c2a9e", "gulfco": "bayzat-key-gulfco-77d1e3b4"}
DEPARTMENTS = {"advline": "AdvLine", "gulfco": "Gulf Co"}
EMPLOYEES = [f"{n:04d}" for n in range(1, 11)]
HEADER = "Employee ID,First Name,Department,Date,Weekday,Check In,Check Out,Clock In,Clock Out"


@dataclass
class BayzatWorld:
    sandbox: BayzatSandbox
    url: str
    engine: sa.Engine
    instance: dg.DagsterInstance
    inbox: Path

    def import_csv(self, name: str, text: str) -> dg.ExecuteInProcessResult:
        path = self.inbox / name
        path.write_text(text, encoding="utf-8")
        return run_attendance_import(self.instance, path)

    def push(self, slug: str) -> dg.ExecuteInProcessResult:
        return (
            defs()
            .resolve_job_def("bayzat_push")
            .execute_in_process(partition_key=slug, instance=self.instance, raise_on_error=False)
        )

    def push_all(self) -> dg.ExecuteInProcessResult:
        """One run over every company partition, as a backfill with the asset's single-run policy launches."""
        first, *_, last = self.instance.get_dynamic_partitions("bayzat_companies")
        return (
            defs()
            .resolve_job_def("bayzat_push")
            .execute_in_process(instance=self.instance, raise_on_error=False, tags=partition_tags(first, last))
        )

    def records(self, **where: object) -> list[dict]:
        """The attendance records, each with its push state (``status``, ``retry_count``, ...), that match ``where``."""
        query = sa.select(attendance_import_records).order_by(attendance_import_records.c.id)
        with self.engine.connect() as connection:
            rows = [dict(row) for row in connection.execute(query).mappings()]
            states = push_states(connection, [row["id"] for row in rows])
        merged = [row | asdict(states[row["id"]]) for row in rows]
        return [row for row in merged if all(row[name] == value for name, value in where.items())]


def attendance_csv(rows: list[tuple[str, str, str, str, str]]) -> str:
    """rows: (employee id, department, date, check in, check out)."""
    lines = [HEADER]
    for emp_id, department, day, check_in, check_out in rows:
        try:
            weekday = dt.date.fromisoformat(day).strftime("%A")
        except ValueError:  # a row that is wrong on purpose
            weekday = ""
        lines.append(f"{emp_id},Name{emp_id},{department},{day},{weekday},{check_in},{check_out},09:00,17:00")
    return "\r\n".join(lines) + "\r\n"


def week_of(slug: str, employees: list[str], days: int = 3) -> list[tuple[str, str, str, str, str]]:
    first = dt.date(2026, 3, 2)
    return [
        (emp_id, DEPARTMENTS[slug], (first + dt.timedelta(days=d)).isoformat(), "08:5" + str(d), "17:0" + str(d))
        for emp_id in employees
        for d in range(days)
    ]


@pytest.fixture
def bayzat_sandbox() -> Iterator[tuple[BayzatSandbox, str]]:
    sandbox = BayzatSandbox(api_keys=KEYS.values(), rate_limit_per_second=20)
    with SandboxHttpServer(sandbox) as server:
        yield sandbox, f"{server.url}/attendance"


@pytest.fixture
def bayzat_world(
    monkeypatch: pytest.MonkeyPatch,
    instance: dg.DagsterInstance,
    warehouse_url: str,
    bayzat_sandbox: tuple[BayzatSandbox, str],
    tmp_path: Path,
) -> BayzatWorld:
    sandbox, url = bayzat_sandbox
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    environment = {
        "HR_WAREHOUSE_URL": warehouse_url,
        "HR_SECRET_KEY": SECRET_KEY,
        "BAYZAT_RATE_LIMIT_DELAY": "0.06",
        "BAYZAT_TIMEOUT_SECONDS": "1",
        "BAYZAT_LEASE_SECONDS": "2",
        "ATTENDANCE_INBOX_DIRECTORY": str(inbox),
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    engine = warehouse_engine(warehouse_url)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(paycom_employees), [master_employee(code, now, first_name=f"Name{code}") for code in EMPLOYEES]
        )
        for slug, key in KEYS.items():
            company_id = add_company(
                connection,
                slug=slug,
                name_en=slug.title(),
                name_ar=None,
                fingerprint_report_name=DEPARTMENTS[slug],
                timezone="Asia/Dubai",
                now=now,
            )
            save_config(
                connection,
                company_id=company_id,
                api_key=key,
                api_url=url,
                is_enabled=True,
                sync_frequency="hourly",
                now=now,
                secret_key=SECRET_KEY,
            )
    instance.add_dynamic_partitions("bayzat_companies", list(KEYS))
    return BayzatWorld(sandbox, url, engine, instance, inbox)
