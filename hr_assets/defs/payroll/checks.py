"""Checks of each month's processed pay periods: one result per employee, totals that reconcile to the cent, and
a warning naming hourly employees paid zero hours for want of attendance.

They name employees by their Paycom code only (never a name or an amount of someone's pay)."""

import datetime as dt
from decimal import Decimal

import dagster as dg

from hr_assets.defs.partitions import monthly_partitions
from hr_assets.defs.payroll import store
from hr_assets.defs.payroll.assets import payroll_results
from hr_assets.defs.payroll.pay import NOTE_NO_ATTENDANCE, EmployeeColumns, employed_days, expected_gross
from hr_assets.warehouse.resource import WarehouseResource

_LISTED = 20


def _processed_periods(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> list[dict]:
    month = dt.date.fromisoformat(context.partition_key)
    with warehouse.begin() as connection:
        rows = [store.period(connection, period_id) for period_id in store.period_ids_starting_in(connection, month)]
    return [row for row in rows if row["status"] == "completed"]


def _listed(codes: list[str]) -> str:
    more = f" and {len(codes) - _LISTED} more" if len(codes) > _LISTED else ""
    return ", ".join(codes[:_LISTED]) + more


def _verdict(problems: list[str], periods: list[dict], all_good: str) -> dg.AssetCheckResult:
    """Failed naming every problem, or passed saying ``all_good``; either way how many periods were checked."""
    return dg.AssetCheckResult(
        passed=not problems,
        description="; ".join(problems) or all_good,
        metadata={"periods_checked": len(periods)},
    )


@dg.asset_check(
    asset=payroll_results,
    partitions_def=monthly_partitions,
    description="Every employee employed in a completed period of the month has exactly one result, and no one else.",
)
def payroll_one_result_per_employee(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    problems = []
    periods = _processed_periods(context, warehouse)
    with warehouse.begin() as connection:
        employees = EmployeeColumns.from_rows(store.roster(connection))
        for period in periods:
            expected = set(employees.codes[employed_days(store.dates_of(period), employees) > 0].tolist())
            found = [row["employee_code"] for row in store.results(connection, period["id"])]
            missing = sorted(expected - set(found))
            extra = sorted(set(found) - expected)
            if missing:
                problems.append(f"period {period['id']}: no result for {_listed(missing)}")
            if extra:
                problems.append(f"period {period['id']}: results for employees not employed in it: {_listed(extra)}")
    return _verdict(problems, periods, f"{len(periods)} completed period(s), one result per employee")


@dg.asset_check(
    asset=payroll_results,
    partitions_def=monthly_partitions,
    description=(
        "Each completed period's totals equal the sum of its results, and every result's gross pay equals its rate "
        "and hours (or salary share) recomputed in Decimal from its own stored columns."
    ),
)
def payroll_totals_reconcile(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    problems = []
    periods = _processed_periods(context, warehouse)
    with warehouse.begin() as connection:
        for period in periods:
            dates = store.dates_of(period)
            rows = store.results(connection, period["id"])
            totals = store.totals(connection, period["id"])
            if totals is None:
                problems.append(f"period {period['id']}: no totals")
                continue
            sums = {
                "employees": len(rows),
                "regular_hours": sum((row["regular_hours"] for row in rows), Decimal(0)),
                "overtime_hours": sum((row["overtime_hours"] for row in rows), Decimal(0)),
                "gross_pay": sum((row["gross_pay"] for row in rows), Decimal(0)),
            }
            for name, value in sums.items():
                if totals[name] != value:
                    problems.append(
                        f"period {period['id']}: {name} total {totals[name]} but its results add up to {value}"
                    )
            wrong = [
                row["employee_code"]
                for row in rows
                if row["gross_pay"]
                != expected_gross(
                    pay_type=row["pay_type"],
                    hourly_rate=row["hourly_rate"],
                    annual_salary=row["annual_salary"],
                    regular_hours=row["regular_hours"],
                    overtime_hours=row["overtime_hours"],
                    paid_days=row["paid_days"],
                    period=dates,
                )
            ]
            if wrong:
                problems.append(f"period {period['id']}: gross pay does not match rate and hours for {_listed(wrong)}")
    return _verdict(problems, periods, f"{len(periods)} completed period(s) reconcile to the cent")


@dg.asset_check(
    asset=payroll_results,
    partitions_def=monthly_partitions,
    description="Hourly employees with no attendance in a completed period: paid zero hours, named so someone looks.",
)
def payroll_hourly_without_attendance(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    periods = _processed_periods(context, warehouse)
    found, count = [], 0
    with warehouse.begin() as connection:
        for period in periods:
            codes = [
                row["employee_code"]
                for row in store.results(connection, period["id"])
                if row["note"] == NOTE_NO_ATTENDANCE
            ]
            if codes:
                found.append(f"period {period['id']}: {_listed(codes)}")
                count += len(codes)
    return dg.AssetCheckResult(
        passed=not found,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"hourly employees with no attendance, paid zero hours: {'; '.join(found)}" if found else "none",
        metadata={"hourly_without_attendance": count},
    )
