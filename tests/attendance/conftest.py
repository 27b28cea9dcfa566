"""A warehouse with an employee master and one company, a real Dagster instance, and a way to import a file
through the real ``attendance_import`` job."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import sqlalchemy as sa

from hr_assets.defs.shared.companies import add_company
from hr_assets.warehouse.engine import warehouse_engine
from hr_assets.warehouse.tables import attendance_import_records, attendance_imports, integration_errors
from hr_assets.warehouse.tables import paycom_employees as employees_table
from tests.attendance.jobs import run_attendance_import
from tests.conftest import master_employee

EMPLOYEES = ("42", "0100", "7")
DEPARTMENT = "AdvLine"
HEADER = "Employee ID,First Name,Department,Date,Weekday,Check In,Check Out"


@dataclass
class AttendanceWorld:
    engine: sa.Engine
    instance: dg.DagsterInstance
    inbox: Path
    company_id: int

    def write(self, name: str, content: str | bytes) -> Path:
        path = self.inbox / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    def run(self, path: Path) -> dg.ExecuteInProcessResult:
        return run_attendance_import(self.instance, path)

    def select(self, table: sa.Table, *order: str) -> list[dict[str, Any]]:
        query = sa.select(table).order_by(*(table.c[name] for name in order or ("id",)))
        with self.engine.connect() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def records(self) -> list[dict[str, Any]]:
        return self.select(attendance_import_records, "attendance_import_id", "row_number")

    def imports(self) -> list[dict[str, Any]]:
        return self.select(attendance_imports)

    def errors(self) -> list[dict[str, Any]]:
        return self.select(integration_errors)


def attendance_lines(rows: Sequence[Sequence[str]], header: str = HEADER) -> str:
    return "\r\n".join([header, *(",".join(row) for row in rows)]) + "\r\n"


def good_row(employee: str = "42", day: int = 2) -> list[str]:
    date = dt.date(2026, 3, day)
    return [employee, "Ana", DEPARTMENT, date.isoformat(), date.strftime("%A"), "08:00", "17:00"]


@pytest.fixture
def attendance_world(
    monkeypatch: pytest.MonkeyPatch, instance: dg.DagsterInstance, warehouse_url: str, tmp_path: Path
) -> AttendanceWorld:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    environment = {
        "HR_WAREHOUSE_URL": warehouse_url,
        "ATTENDANCE_INBOX_DIRECTORY": str(inbox),
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    engine = warehouse_engine(warehouse_url)
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    with engine.begin() as connection:
        connection.execute(sa.insert(employees_table), [master_employee(code, now) for code in EMPLOYEES])
        company_id = add_company(
            connection,
            slug="advline",
            name_en="AdvLine",
            name_ar=None,
            fingerprint_report_name=DEPARTMENT,
            timezone="Asia/Dubai",
            now=now,
        )
    return AttendanceWorld(engine, instance, inbox, company_id)
