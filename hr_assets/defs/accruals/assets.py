"""Monthly revenue accruals: each invoice line recognised over its service period, by days, to the cent."""

import dagster as dg

from hr_assets.defs.accruals import store
from hr_assets.defs.accruals.matching import accrual_lines
from hr_assets.defs.accruals.recognition import accruals_for_months
from hr_assets.defs.fourgeeks.assets import service_periods
from hr_assets.defs.holded.assets import holded_invoices
from hr_assets.defs.holded.store import lines_invoiced_up_to
from hr_assets.defs.partitions import partition_months
from hr_assets.defs.revenue_chain import revenue_month_asset
from hr_assets.lib.clock import Clock
from hr_assets.lib.range_metadata import range_metadata
from hr_assets.warehouse.resource import WarehouseResource


@revenue_month_asset(
    group_name="accruals",
    kinds={"python", "sql"},
    owners=["team:finance"],
    deps=[holded_invoices, service_periods],
    description=(
        "The month's recognised revenue per invoice line (accruals) and the month's summary with the "
        "deferred balance (accrual_months). Later invoices never change a month already computed."
    ),
)
def accruals(context: dg.AssetExecutionContext, warehouse: WarehouseResource, clock: Clock) -> dg.MaterializeResult:
    months, now = partition_months(context), clock.now()
    by_month = {}
    with warehouse.begin() as connection:
        lines = lines_invoiced_up_to(connection, months[-1])
        periods = store.periods_of_contacts(connection, {line["contact_id"] for line in lines})
        for result in accruals_for_months(accrual_lines(lines, periods), months):
            store.replace_month(connection, result, now)
            by_month[result.month.isoformat()] = {
                "lines_recognised": len(result.rows),
                "recognized_in_month": store.amount(result.recognized_in_month_cents),
                "invoiced_in_month": store.amount(result.invoiced_in_month_cents),
                "deferred_balance": store.amount(result.deferred_cents),
                "unmatched_lines": result.unmatched_lines,
            }
    return dg.MaterializeResult(metadata=range_metadata(by_month, balances={"deferred_balance"}))
