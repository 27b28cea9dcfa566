"""A warehouse with a roster and attendance records, pay periods in it, and the payroll job on a real instance."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import sqlalchemy as sa

from hr_assets.definitions import defs
from hr_assets.defs.payroll import store
from hr_assets.defs.payroll.assets import add_period_partitions
from hr_assets.defs.payroll.periods import PeriodDates
from hr_assets.defs.payroll.rules import parse_rule
from hr_assets.warehouse.engine import warehouse_engine
from hr_assets.warehouse.tables import (
    attendance_import_records,
    attendance_imports,
    paycom_employee_snapshots,
    paycom_employees,
)
from tests.clock import stopped_at

# The instant the tests' rows are written and their runs made: every piece of code they call takes it as a
# value (the clock resource, a tick's time, a now argument), so it is never compared with the real clock.
NOW = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)


def employee(
    code: str,
    pay_type: str | None = "hourly",
    *,
    rate: str | None = "20.0000",
    salary: str | None = None,
    overtime_eligible: bool = True,
    hired: dt.date | None = dt.date(2020, 1, 6),
    rehired: dt.date | None = None,
    terminated: dt.date | None = None,
    status: str = "active",
) -> dict[str, Any]:
    return {
        "employee_code": code,
        "first_name": f"Name{code}",
        "status": status,
        "pay_type": pay_type,
        "hourly_rate": Decimal(rate) if rate is not None and pay_type == "hourly" else None,
        "annual_salary": Decimal(salary) if salary is not None else None,
        "overtime_eligible": overtime_eligible,
        "hire_date": hired,
        "rehire_date": rehired,
        "termination_date": terminated,
        "created_at": NOW,
        "updated_at": NOW,
        "last_synced_at": NOW,
        "last_synced_week": dt.date(2026, 11, 20),
    }


@dataclass
class PayrollWorld:
    url: str
    engine: sa.Engine
    instance: dg.DagsterInstance
    _rows: itertools.count = field(default_factory=lambda: itertools.count(1))

    def add_employees(self, *rows: dict[str, Any]) -> None:
        with self.engine.begin() as connection:
            connection.execute(sa.insert(paycom_employees), list(rows))

    def add_snapshot(self, week: dt.date, *rows: dict[str, Any]) -> None:
        """The roster Paycom's sync of ``week`` (a Friday) saw, as ``employee`` rows."""
        columns = set(paycom_employee_snapshots.c.keys())
        with self.engine.begin() as connection:
            connection.execute(
                sa.insert(paycom_employee_snapshots),
                [{"sync_week": week, **{k: v for k, v in row.items() if k in columns}} for row in rows],
            )

    def add_attendance(self, shifts: list[tuple[str, dt.date, str, str]], file_name: str = "week.csv") -> int:
        """shifts: (employee code, day, check in, check out) as one imported file; returns the import's id."""
        with self.engine.begin() as connection:
            import_id = connection.execute(
                sa.insert(attendance_imports)
                .values(
                    content_sha256=f"{next(self._rows):064x}",
                    partition_key=f"{file_name}-{next(self._rows)}",
                    filename=file_name,
                    file_path=f"/inbox/{file_name}",
                    total_records=len(shifts),
                    processed_records=len(shifts),
                    successful_records=len(shifts),
                    failed_records=0,
                    status="completed",
                    created_at=NOW,
                    updated_at=NOW,
                )
                .returning(attendance_imports.c.id)
            ).scalar_one()
            connection.execute(
                sa.insert(attendance_import_records),
                [
                    {
                        "attendance_import_id": import_id,
                        "row_number": number,
                        "employee_code": code,
                        "csv_employee_id": code,
                        "first_name": f"Name{code}",
                        "fingerprint_department": "AdvLine",
                        "date": day,
                        "weekday": day.strftime("%A"),
                        "check_in": dt.time.fromisoformat(check_in),
                        "check_out": dt.time.fromisoformat(check_out),
                        "raw": {},
                        "is_valid": True,
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                    for number, (code, day, check_in, check_out) in enumerate(shifts, start=1)
                ],
            )
        return import_id

    def add_period(self, start: dt.date, end: dt.date, period_type: str, rule: dict | None = None) -> int:
        """A period and its partition, as ``hr-assets payroll add-period`` adds them."""
        add_period_partitions(self.instance, [PeriodDates(start, end, period_type).partition_key])
        with self.engine.begin() as connection:
            return store.add_period(
                connection,
                PeriodDates(start, end, period_type),
                parse_rule(rule) if rule is not None else None,
                timezone="UTC",
                now=NOW,
            )

    def period(self, period_id: int) -> dict[str, Any]:
        with self.engine.connect() as connection:
            return store.period(connection, period_id)

    def results(self, period_id: int) -> dict[str, dict[str, Any]]:
        with self.engine.connect() as connection:
            return {row["employee_code"]: row for row in store.results(connection, period_id)}

    def rates(self, period_id: int) -> dict[str, list[dict[str, Any]]]:
        with self.engine.connect() as connection:
            return store.rates(connection, period_id)

    def totals(self, period_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as connection:
            return store.totals(connection, period_id)

    def run(self, period_id: int, force: bool = False, at: dt.datetime = NOW) -> dg.ExecuteInProcessResult:
        """The payroll job for the period's partition at ``at``, as the automation, the command or the UI starts it."""
        return self.run_partition(store.dates_of(self.period(period_id)).partition_key, force, at)

    def run_partition(self, key: str, force: bool = False, at: dt.datetime = NOW) -> dg.ExecuteInProcessResult:
        return (
            defs()
            .resolve_job_def("payroll_run")
            .execute_in_process(
                partition_key=key,
                instance=self.instance,
                run_config={"ops": {"payroll_results": {"config": {"force": force}}}},
                resources={"clock": stopped_at(at)},
                raise_on_error=False,
            )
        )


@pytest.fixture
def payroll_world(
    monkeypatch: pytest.MonkeyPatch, instance: dg.DagsterInstance, warehouse_url: str, tmp_path: Path
) -> PayrollWorld:
    environment = {
        "HR_WAREHOUSE_URL": warehouse_url,
        "HR_TIMEZONE": "UTC",  # what the commands run by the tests evaluate rules in
        "HR_HISTORY_START": "2024-01-01",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return PayrollWorld(warehouse_url, warehouse_engine(warehouse_url), instance)
