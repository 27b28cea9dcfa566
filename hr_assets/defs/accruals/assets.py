"""Monthly revenue accruals: each invoice line recognized over its service period, by days, to the cent."""

from decimal import Decimal
from typing import Any

import dagster as dg

from hr_assets.defs.accruals import ledger, store
from hr_assets.defs.accruals.matching import credits_of_cancelled_invoices
from hr_assets.defs.shared.partitions import partition_months
from hr_assets.defs.shared.revenue_chain import CLOSE_TAG, revenue_month_asset
from hr_assets.lib.clock import Clock
from hr_assets.lib.range_metadata import range_metadata
from hr_assets.settings import Settings
from hr_assets.warehouse import tables
from hr_assets.warehouse.metadata import row_count, table_definition
from hr_assets.warehouse.resource import WarehouseResource


def accruals_asset(settings: Settings) -> dg.AssetsDefinition:
    """The month's accruals, one partition per month."""

    @revenue_month_asset(
        settings,
        group_name="accruals",
        kinds={"python", "sql"},
        owners=["team:finance"],
        deps=["holded_invoices", "service_periods"],
        metadata=table_definition(tables.accruals),
        description=(
            "The month's recognized revenue per invoice line (accruals, each row of kind 'recognised' or 'catch_up') "
            "and the month's summary with the deferred balance (accrual_months). An open month is recomputed from "
            "every line that touches it, and every open month stored is recomputed with it; a closed month "
            "(accrual_closes) never changes, and what its lines owe it later is a catch-up in the first open month "
            "after it. A run "
            f"tagged {CLOSE_TAG}=true (the month-close schedule) closes its months once computed."
        ),
    )
    def accruals(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, clock: Clock
    ) -> dg.MaterializeResult[Any]:
        months, now = partition_months(context), clock.now()
        closing = context.run.tags.get(CLOSE_TAG) == "true"
        by_month = {}
        with warehouse.begin() as connection:
            recomputed = ledger.recompute(connection, months, now)
            booked = {month.month: month for month in recomputed.booked}
            cancelled_credits = credits_of_cancelled_invoices(recomputed.inputs.lines)
            also = sorted(set(booked) - set(months))
            if closing:
                for month in sorted(set(booked) & set(months)):
                    store.record_close(connection, month, now, ledger.operator())
            closed = [month for month in months if month in set(store.closed_month_keys(connection))]
            for month in months:
                summary = store.booked_summary(connection, month)
                by_month[month.isoformat()] = {
                    "lines_recognized": len(booked[month].rows) + len(booked[month].catch_up) if month in booked else 0,
                    "recognized_in_month": summary["recognized_in_month"],
                    "catch_up_in_month": store.catch_up_in_month(connection, month),
                    "invoiced_in_month": summary["invoiced_in_month"],
                    # NULL only in a month closed before the warehouse kept it (0019)
                    "invoiced_late_in_month": summary[store.LATE_FIGURE] or Decimal(0),
                    "deferred_balance": summary["deferred_balance"],
                    "unmatched_lines": summary["unmatched_lines"],
                    "credits_of_cancelled_invoices": cancelled_credits[month],
                }
            accruals_table = row_count(connection, tables.accruals)
        metadata = range_metadata(by_month, balances={"deferred_balance"}) | accruals_table
        if closed:
            metadata["closed_months"] = ", ".join(f"{month:%Y-%m}" for month in closed)
        if also:
            metadata["open_months_also_recomputed"] = ", ".join(f"{month:%Y-%m}" for month in also)
        return dg.MaterializeResult(metadata=metadata)

    return accruals
