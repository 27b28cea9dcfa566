"""Accruals reconcile to the cent, and no invoice line is ever recognised more than once over."""

import datetime as dt

import dagster as dg

from hr_assets.defs.accruals import store
from hr_assets.defs.accruals.assets import accruals
from hr_assets.defs.partitions import monthly_partitions
from hr_assets.warehouse.resource import WarehouseResource


def _month(context: dg.AssetCheckExecutionContext) -> dt.date:
    return dt.date.fromisoformat(context.partition_key)


@dg.asset_check(
    asset=accruals,
    partitions_def=monthly_partitions,
    description="Recognised to date plus deferred equals invoiced to date, and the rows add up to the summary.",
)
def accruals_reconcile(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    month = _month(context)
    with warehouse.begin() as connection:
        summary = store.month_summary(connection, month)
        rows_total = store.recognized_in_month(connection, month)
        invoiced = store.net_invoiced_up_to(connection, month)
    if summary is None:
        return dg.AssetCheckResult(passed=False, description=f"no accrual summary for {month}")
    problems = []
    if summary["recognized_to_date"] + summary["deferred_balance"] != summary["invoiced_to_date"]:
        problems.append("recognised to date + deferred != invoiced to date")
    if summary["invoiced_to_date"] != invoiced:
        problems.append(f"invoiced to date {summary['invoiced_to_date']} != {invoiced} in the invoice lines")
    if rows_total != summary["recognized_in_month"]:
        problems.append(f"the rows add up to {rows_total}, the summary says {summary['recognized_in_month']}")
    return dg.AssetCheckResult(
        passed=not problems,
        description="; ".join(problems) or None,
        metadata={
            "invoiced_to_date": str(summary["invoiced_to_date"]),
            "recognized_to_date": str(summary["recognized_to_date"]),
            "deferred_balance": str(summary["deferred_balance"]),
        },
    )


@dg.asset_check(
    asset=accruals,
    partitions_def=monthly_partitions,
    description="No invoice line has been recognised for more than its net amount across all months so far.",
)
def no_line_recognised_twice(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    with warehouse.begin() as connection:
        over = store.over_recognised_lines(connection, _month(context))
    listing = "\n".join(f"- {i} line {n}: {total} recognised of {net}" for i, n, total, net in over[:20])
    return dg.AssetCheckResult(
        passed=not over,
        metadata={"over_recognised_lines": len(over), "examples": dg.MetadataValue.md(listing or "none")},
    )
