"""Payroll's daily automation and its results asset, run directly."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from hr_assets.defs.payroll.assets import payroll_results_asset
from hr_assets.defs.payroll.schedules import payroll_automation_schedule
from hr_assets.settings import Settings
from hr_assets.warehouse.resource import WarehouseResource
from tests.clock import FixedClock
from tests.payroll.conftest import PayrollWorld, employee
from tests.unit.conftest import tick

START, END = dt.date(2026, 3, 2), dt.date(2026, 3, 15)
KEY = "2026-03-02..2026-03-15"


def world(warehouse: WarehouseResource, instance: dg.DagsterInstance) -> PayrollWorld:
    return PayrollWorld(warehouse.url, warehouse.engine, instance)


def test_the_automation_asks_for_each_period_its_rule_makes_due_once_per_claim(
    warehouse: WarehouseResource, temp_instance: dg.DagsterInstance
) -> None:
    period_id = world(warehouse, temp_instance).add_period(START, END, "bi_weekly", {"days_before_end": 3})
    schedule = payroll_automation_schedule(Settings(timezone="UTC"))

    assert tick(
        schedule, dt.datetime(2026, 3, 5, 2, tzinfo=dt.UTC), temp_instance, warehouse=warehouse
    ) == dg.SkipReason("no pay period is due (1 automated and active)")
    [request] = tick(schedule, dt.datetime(2026, 3, 13, 2, tzinfo=dt.UTC), temp_instance, warehouse=warehouse)
    assert (request.run_key, request.partition_key) == (f"payroll-period-{period_id}-claims-0", KEY)


def test_a_periods_run_pays_each_employee_once_and_a_second_run_skips_it(
    warehouse: WarehouseResource, clock: FixedClock, temp_instance: dg.DagsterInstance
) -> None:
    payroll = world(warehouse, temp_instance)
    payroll.add_employees(employee("0042", rate="20.0000"), employee("0043", "salary", salary="52000.00"))
    payroll.add_attendance(
        [("0042", START, "08:00", "16:00"), ("0042", START + dt.timedelta(days=1), "08:00", "12:00")]
    )
    period_id = payroll.add_period(START, END, "bi_weekly")
    asset = payroll_results_asset(Settings())
    resources = {"warehouse": warehouse, "clock": clock}

    first = dg.materialize([asset], partition_key=KEY, resources=resources, instance=temp_instance)

    metadata = first.asset_materializations_for_node("payroll_results")[0].metadata
    assert (metadata["period_id"].value, metadata["employees"].value) == (period_id, 2)
    results = payroll.results(period_id)
    assert results["0042"]["gross_pay"] == 240  # 12 hours at 20.00
    assert results["0043"]["gross_pay"] == 2000  # 52,000 a year, over 26 bi-weekly periods
    assert payroll.period(period_id)["status"] == "completed"

    again = dg.materialize([asset], partition_key=KEY, resources=resources, instance=temp_instance)
    assert "skipped" in again.asset_materializations_for_node("payroll_results")[0].metadata
    assert payroll.results(period_id) == results
