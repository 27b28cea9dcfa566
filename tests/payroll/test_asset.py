"""The payroll_results asset on SQLite and PostgreSQL: one partition per pay period, computed with the roster of its
own weeks and stored with its rates and totals, other periods untouched, and the checks on what it wrote."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import dagster as dg
import sqlalchemy as sa

from hr_assets.defs.payroll.assets import payroll_results_asset
from hr_assets.defs.payroll.results import SHOWN
from hr_assets.settings import Settings
from hr_assets.warehouse.tables import paycom_employees
from hr_assets.warehouse.tables import payroll_results as results_table
from tests.conftest import ON_SQLITE
from tests.payroll.conftest import PayrollWorld, employee


def checks_of(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {evaluation.check_name: evaluation for evaluation in result.get_asset_check_evaluations()}


def run_checks(world: PayrollWorld, period_id: int) -> dict[str, dg.AssetCheckEvaluation]:
    """The period run again: completed, it is skipped, and the checks look at what the warehouse holds."""
    result = world.run(period_id)
    assert result.success
    return checks_of(result)


@ON_SQLITE
def test_each_periods_partition_processes_that_period_alone(payroll_world: PayrollWorld) -> None:
    world = payroll_world
    world.add_employees(
        employee("H1", rate="18.5000"),
        employee("H2", rate="22.0000", overtime_eligible=False),
        employee("IDLE", rate="15.0000"),  # no attendance: paid zero hours, named by the warning
        employee("S1", "salary", salary="65000.00", overtime_eligible=False),
        employee("NEW", "salary", salary="52000.00", hired=dt.date(2024, 1, 10)),
        employee("GONE", "hourly", terminated=dt.date(2023, 12, 20), status="terminated"),
    )
    week_one = [dt.date(2024, 1, 1) + dt.timedelta(days=d) for d in range(5)]
    world.add_attendance(
        [(code, d, "08:00", "17:30") for code in ("H1", "H2") for d in week_one]  # 47.5 h each
        + [("GONE", dt.date(2023, 12, 18), "09:00", "17:00")]
    )
    first = world.add_period(dt.date(2024, 1, 1), dt.date(2024, 1, 14), "bi_weekly")
    second = world.add_period(dt.date(2024, 1, 15), dt.date(2024, 1, 28), "bi_weekly")
    february = world.add_period(dt.date(2024, 2, 1), dt.date(2024, 2, 15), "semi_monthly")

    result = world.run(first)  # the partition 2024-01-01..2024-01-14
    assert result.success
    assert [world.period(p)["status"] for p in (first, second, february)] == ["completed", "active", "active"]
    assert world.instance.get_materialized_partitions(dg.AssetKey("payroll_results")) == {"2024-01-01..2024-01-14"}
    paid = world.results(first)
    assert set(paid) == {"H1", "H2", "IDLE", "S1", "NEW"}
    h1 = paid["H1"]
    assert (h1["regular_hours"], h1["overtime_hours"], h1["gross_pay"]) == (40, Decimal("7.50"), Decimal("948.13"))
    assert (paid["H2"]["regular_hours"], paid["H2"]["gross_pay"]) == (Decimal("47.50"), Decimal("1045.00"))
    assert (paid["IDLE"]["gross_pay"], paid["IDLE"]["note"]) == (Decimal("0.00"), "no attendance")
    assert paid["S1"]["gross_pay"] == Decimal("2500.00") and paid["S1"]["hourly_rate"] is None
    assert (paid["NEW"]["paid_days"], paid["NEW"]["gross_pay"]) == (5, Decimal("714.29"))
    totals = world.totals(first)
    assert totals["employees"] == 5 and totals["hourly_without_attendance"] == 1
    assert totals["gross_pay"] == sum(row["gross_pay"] for row in paid.values()) == Decimal("5207.42")
    assert {code: [rate["hourly_rate"] for rate in rates] for code, rates in world.rates(first).items()}["H1"] == [
        Decimal("18.5000")
    ]

    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    assert metadata["period_id"].value == first
    assert metadata["gross_pay"] == dg.MetadataValue.float(5207.42) and totals["gross_pay"] == Decimal("5207.42")
    assert metadata["dagster/row_count"].value == len(paid) == 5
    # The period's pay per employee as a table: codes, names, hours, terms and pay, nothing else of the person.
    table = metadata["pay_results"]
    assert [column.name for column in table.schema.columns] == list(SHOWN)
    shown = {record.data["employee_code"]: record.data for record in table.records}
    assert set(shown) == set(paid)
    assert shown["H1"] == {
        "employee_code": "H1", "name": "NameH1", "terms": "hourly 18.5000 x1.5", "paid_days": 14,
        "regular_hours": 40.0, "overtime_hours": 7.5, "gross_pay": 948.13, "note": None,
    }  # fmt: skip
    assert (shown["S1"]["terms"], shown["H2"]["terms"]) == ("salary 65000.00 a year", "hourly 22.0000")
    assert "2020-01-06" not in str(table.records)  # e.g. no hire date

    checks = checks_of(result)
    assert checks["payroll_one_result_per_employee"].passed
    assert checks["payroll_totals_reconcile"].passed
    warning = checks["payroll_hourly_without_attendance"]
    assert not warning.passed and warning.severity == dg.AssetCheckSeverity.WARN
    assert warning.description.endswith(f"period {first}: IDLE")
    assert warning.metadata["hourly_without_attendance"].value == 1

    later = world.run(second)
    assert later.success and world.results(second)["H1"]["gross_pay"] == Decimal("0.00")
    assert checks_of(later)["payroll_hourly_without_attendance"].description.endswith(f"period {second}: H1, H2, IDLE")


@ON_SQLITE
def test_an_old_period_backfilled_after_a_raise_is_paid_at_the_old_rate(payroll_world: PayrollWorld) -> None:
    world = payroll_world
    old, raised = employee("H1", rate="20.0000"), employee("H1", rate="30.0000")
    salaried_old, salaried_raised = (
        employee("S1", "salary", salary="52000.00", overtime_eligible=False),
        employee("S1", "salary", salary="78000.00", overtime_eligible=False),
    )
    world.add_employees(raised, salaried_raised)  # the current roster: after the raise
    # Weekly snapshots (Fridays): the old pay until the week of Friday 19 January 2024, the raise from 26 January.
    for friday in (dt.date(2024, 1, 5), dt.date(2024, 1, 12), dt.date(2024, 1, 19)):
        world.add_snapshot(friday, old, salaried_old)
    for friday in (dt.date(2024, 1, 26), dt.date(2024, 2, 2)):
        world.add_snapshot(friday, raised, salaried_raised)
    world.add_attendance([("H1", dt.date(2024, 1, 1) + dt.timedelta(days=d), "09:00", "17:00") for d in range(35)])
    january = world.add_period(dt.date(2024, 1, 1), dt.date(2024, 1, 14), "bi_weekly")
    spanning = world.add_period(dt.date(2024, 1, 15), dt.date(2024, 1, 28), "bi_weekly")

    assert world.run(january).success  # backfilled now, after the raise
    paid = world.results(january)
    # 14 days x 8 h: 40 h a week regular, 16 h overtime, at the old 20.00: 80 x 20 + 32 x 30 = 2560.00.
    assert (paid["H1"]["hourly_rate"], paid["H1"]["gross_pay"]) == (Decimal("20.0000"), Decimal("2560.00"))
    assert (paid["S1"]["annual_salary"], paid["S1"]["gross_pay"]) == (Decimal("52000.00"), Decimal("2000.00"))

    result = world.run(spanning)
    assert result.success
    rates = world.rates(spanning)
    assert [(r["first_day"], r["last_day"], r["hourly_rate"], r["gross_pay"]) for r in rates["H1"]] == [
        (dt.date(2024, 1, 15), dt.date(2024, 1, 21), Decimal("20.0000"), Decimal("1280.00")),  # 40 x 20 + 16 x 30
        (dt.date(2024, 1, 22), dt.date(2024, 1, 28), Decimal("30.0000"), Decimal("1920.00")),  # 40 x 30 + 16 x 45
    ]
    assert [r["gross_pay"] for r in rates["S1"]] == [Decimal("1000.00"), Decimal("1500.00")]
    paid = world.results(spanning)
    assert (paid["H1"]["gross_pay"], paid["H1"]["hourly_rate"]) == (Decimal("3200.00"), Decimal("30.0000"))
    assert (paid["H1"]["regular_hours"], paid["H1"]["overtime_hours"]) == (Decimal("80.00"), Decimal("32.00"))
    assert paid["S1"]["gross_pay"] == Decimal("2500.00")
    assert checks_of(result)["payroll_totals_reconcile"].passed


@ON_SQLITE
def test_the_checks_find_a_missing_result_and_totals_that_do_not_reconcile(payroll_world: PayrollWorld) -> None:
    world = payroll_world
    world.add_employees(employee("H1"), employee("S1", "salary", salary="52000.00"))
    world.add_attendance([("H1", dt.date(2024, 3, 4), "09:00", "17:00")])
    period_id = world.add_period(dt.date(2024, 3, 1), dt.date(2024, 3, 31), "monthly")
    assert world.run(period_id).success
    before = run_checks(world, period_id)
    assert before["payroll_one_result_per_employee"].passed and before["payroll_totals_reconcile"].passed
    assert before["payroll_hourly_without_attendance"].passed

    with world.engine.begin() as connection:
        connection.execute(
            sa.update(results_table).where(results_table.c.employee_code == "H1").values(gross_pay=Decimal("160.01"))
        )
        connection.execute(sa.insert(paycom_employees), [employee("LATE")])  # employed, but has no result
    after = run_checks(world, period_id)
    reconcile = after["payroll_totals_reconcile"]
    assert not reconcile.passed
    assert "gross_pay total 4493.33 but its results add up to 4493.34" in reconcile.description
    assert "gross pay does not match rate and hours for H1" in reconcile.description
    missing = after["payroll_one_result_per_employee"]
    assert not missing.passed and f"period {period_id}: no result for LATE" in missing.description


def test_payroll_is_late_after_sixteen_days_without_a_run_and_failing_after_thirty_five() -> None:
    policy = next(iter(payroll_results_asset(Settings.from_environment()).specs)).freshness_policy
    assert (policy.warn_window.to_timedelta(), policy.fail_window.to_timedelta()) == (
        dt.timedelta(days=16),
        dt.timedelta(days=35),
    )
