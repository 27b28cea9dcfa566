"""Checks of a processed pay period: one result per employee, totals and rates that reconcile to the cent, and a
warning naming hourly employees paid zero hours for want of attendance.

They name employees by their Paycom code only (never a name or an amount of someone's pay)."""

import warnings
from decimal import Decimal
from typing import Any

import dagster as dg

from hr_assets.defs.payroll import store
from hr_assets.defs.payroll.pay import NOTE_NO_ATTENDANCE, expected_gross
from hr_assets.defs.payroll.periods import PeriodDates
from hr_assets.defs.shared import worked_time
from hr_assets.defs.shared.partitions import payroll_period_partitions
from hr_assets.defs.shared.worked_time import hours
from hr_assets.warehouse.resource import WarehouseResource

_LISTED = 20

# A check per pay period is a preview feature of Dagster 1.13; its warning, printed by every command that loads the
# definitions, tells an operator nothing.
warnings.filterwarnings("ignore", "Specifying a partitions_def on an AssetCheckSpec", dg.PreviewWarning)


def _processed_periods(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> list[dict[str, Any]]:
    """The partition's period when it is completed (a list: none otherwise)."""
    with warehouse.begin() as connection:
        row = store.period_of_partition(connection, context.partition_key)
    return [row] if row["status"] == "completed" else []


def _listed(codes: list[str]) -> str:
    more = f" and {len(codes) - _LISTED} more" if len(codes) > _LISTED else ""
    return ", ".join(codes[:_LISTED]) + more


def _verdict(problems: list[str], periods: list[dict[str, Any]], all_good: str) -> dg.AssetCheckResult:
    """Failed naming every problem, or passed saying ``all_good``; either way how many periods were checked."""
    return dg.AssetCheckResult(
        passed=not problems,
        description="; ".join(problems) or all_good,
        metadata={"periods_checked": len(periods)},
    )


@dg.asset_check(
    asset="payroll_results",
    partitions_def=payroll_period_partitions,
    description="Every employee employed in the completed period (by its own roster) has one result; no one else has.",
)
def payroll_one_result_per_employee(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    problems = []
    periods = _processed_periods(context, warehouse)
    with warehouse.begin() as connection:
        for period in periods:
            dates = store.dates_of(period)
            roster = worked_time.roster_history(connection, dates.end, dates.end)
            expected = {
                code for code, history in roster.items() if history.on(dates.end).employed_days(dates.start, dates.end)
            }
            found = [row["employee_code"] for row in store.results(connection, period["id"])]
            missing = sorted(expected - set(found))
            extra = sorted(set(found) - expected)
            if missing:
                problems.append(f"period {period['id']}: no result for {_listed(missing)}")
            if extra:
                problems.append(f"period {period['id']}: results for employees not employed in it: {_listed(extra)}")
    return _verdict(problems, periods, f"{len(periods)} completed period(s), one result per employee")


@dg.asset_check(
    asset="payroll_results",
    partitions_def=payroll_period_partitions,
    description=(
        "The completed period's totals equal the sum of its results, each result's minutes and gross pay equal the "
        "sum of its rates, and each rate's pay equals its rate and minutes (or salary share) recomputed in Decimal."
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
                "regular_hours": hours(sum(row["regular_minutes"] for row in rows)),
                "overtime_hours": hours(sum(row["overtime_minutes"] for row in rows)),
                "gross_pay": sum((row["gross_pay"] for row in rows), Decimal(0)),
            }
            for name, value in sums.items():
                if totals[name] != value:
                    problems.append(
                        f"period {period['id']}: {name} total {totals[name]} but its results add up to {value}"
                    )
            rates = store.rates(connection, period["id"])
            wrong = [
                row["employee_code"] for row in rows if not _adds_up(row, rates.get(row["employee_code"], []), dates)
            ]
            if wrong:
                problems.append(f"period {period['id']}: gross pay does not match rate and hours for {_listed(wrong)}")
    return _verdict(problems, periods, f"{len(periods)} completed period(s) reconcile to the cent")


def _adds_up(result: dict[str, Any], rates: list[dict[str, Any]], dates: PeriodDates) -> bool:
    """The result's minutes and pay are the sums of its rates', each rate's pay is its own rate and minutes, and
    every row's hours are its minutes to the hundredth."""
    for name in ("regular_minutes", "overtime_minutes", "gross_pay"):
        if result[name] != sum(rate[name] for rate in rates):
            return False
    return all(
        row["regular_hours"] == hours(row["regular_minutes"])
        and row["overtime_hours"] == hours(row["overtime_minutes"])
        for row in (result, *rates)
    ) and all(
        rate["gross_pay"]
        == expected_gross(
            pay_type=rate["pay_type"],
            hourly_rate=rate["hourly_rate"],
            annual_salary=rate["annual_salary"],
            regular_minutes=rate["regular_minutes"],
            overtime_minutes=rate["overtime_minutes"],
            paid_days=rate["paid_days"],
            period=dates,
        )
        for rate in rates
    )


@dg.asset_check(
    asset="payroll_results",
    partitions_def=payroll_period_partitions,
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
