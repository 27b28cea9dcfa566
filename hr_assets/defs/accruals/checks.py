"""Accruals reconcile to the cent, and no invoice line is ever recognized more than once over."""

import datetime as dt
from typing import Any

import dagster as dg
from sqlalchemy import Connection

from hr_assets.defs.accruals import store
from hr_assets.defs.shared.partitions import monthly_partitions, partition_months
from hr_assets.settings import Settings
from hr_assets.warehouse.metadata import amount, rows_table
from hr_assets.warehouse.resource import WarehouseResource


def accruals_checks(settings: Settings) -> list[dg.AssetChecksDefinition]:
    """The accruals' checks, month by month."""
    months = monthly_partitions(settings)

    @dg.asset_check(
        asset="accruals",
        partitions_def=months,
        description=(
            "Recognized to date plus deferred equals invoiced to date, and the rows add up to the summary; an open "
            "month's invoiced to date is the live invoice lines' less the credit note lines'."
        ),
    )
    def accruals_reconcile(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        problems, last = [], None
        with warehouse.begin() as connection:
            closed = set(store.closed_month_keys(connection))
            for month in partition_months(context):
                last = store.month_summary(connection, month)
                found = _reconciliation_problems(connection, month, last, month in closed)
                problems += [f"{month:%Y-%m}: {problem}" for problem in found]
        return dg.AssetCheckResult(
            passed=not problems,
            description="; ".join(problems[:10]) or None,
            metadata={
                "months_with_problems": len({problem[:7] for problem in problems}),
                **(
                    {
                        name: amount(last[name])
                        for name in ("invoiced_to_date", "recognized_to_date", "deferred_balance")
                    }
                    if last
                    else {}
                ),
            },
        )

    @dg.asset_check(
        asset="accruals",
        partitions_def=months,
        description="No invoice line has been recognized for more than its net amount across all months so far.",
    )
    def no_line_recognized_twice(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        # Over-recognition up to the run's last month includes every earlier month's.
        with warehouse.begin() as connection:
            over = store.over_recognized_lines(connection, partition_months(context)[-1])
        examples = rows_table(
            [{"invoice_id": i, "line_no": n, "recognized": total, "net": net} for i, n, total, net in over[:20]],
            {"invoice_id": "string", "line_no": "int", "recognized": "decimal", "net": "decimal"},
        )
        return dg.AssetCheckResult(passed=not over, metadata={"over_recognized_lines": len(over), "examples": examples})

    @dg.asset_check(
        asset="accruals",
        partitions_def=months,
        description="A closed month's stored figures and rows are the ones its close froze (accrual_closes).",
    )
    def closed_months_unchanged(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        changed, closed = [], []
        with warehouse.begin() as connection:
            for month in partition_months(context):
                record = store.close_of(connection, month)
                if record is None or record["reopened_at"] is not None:
                    continue
                closed.append(month)
                if store.figures_digest(connection, month) != record["figures_digest"]:
                    changed.append(month)
        return dg.AssetCheckResult(
            passed=not changed,
            description="; ".join(f"{month:%Y-%m} changed after its close" for month in changed) or None,
            metadata={"closed_months": len(closed), "changed_after_close": len(changed)},
        )

    return [accruals_reconcile, no_line_recognized_twice, closed_months_unchanged]


def _reconciliation_problems(
    connection: Connection, month: dt.date, summary: dict[str, Any] | None, closed: bool
) -> list[str]:
    """A closed month's invoiced to date is what it was at its close: a line invoiced into it later is booked in the
    first open month after it, so only an open month is held to the invoice lines."""
    if summary is None:
        return ["no accrual summary"]
    problems = []
    if summary["recognized_to_date"] + summary["deferred_balance"] != summary["invoiced_to_date"]:
        problems.append("recognized to date + deferred != invoiced to date")
    invoiced = store.net_invoiced_up_to(connection, month)
    if not closed and summary["invoiced_to_date"] != invoiced:
        problems.append(
            f"invoiced to date {summary['invoiced_to_date']} != {invoiced} in the invoice and credit note lines"
        )
    rows_total = store.recognized_in_month(connection, month)
    if rows_total != summary["recognized_in_month"]:
        problems.append(f"the rows add up to {rows_total}, the summary says {summary['recognized_in_month']}")
    return problems
