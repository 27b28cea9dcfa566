"""Notion: the page id of each client invoiced in the month, for the team's client workspace."""

import dagster as dg

from hr_assets.defs.fourgeeks.assets import service_periods
from hr_assets.defs.freshness import CLOSED_MONTH_BY_THE_3RD
from hr_assets.defs.holded.store import month_contacts
from hr_assets.defs.notion.pages import page_ids
from hr_assets.defs.notion.resources import NotionResource
from hr_assets.defs.partitions import monthly_partitions, partition_months, revenue_backfill_policy
from hr_assets.lib.clock import Clock
from hr_assets.lib.range_metadata import MonthlyTally
from hr_assets.lib.records import upsert_with_errors
from hr_assets.warehouse.resource import WarehouseResource
from hr_assets.warehouse.tables import notion_client_pages


@dg.asset(
    partitions_def=monthly_partitions,
    backfill_policy=revenue_backfill_policy,
    group_name="notion",
    freshness_policy=CLOSED_MONTH_BY_THE_3RD,
    kinds={"api", "sql"},
    owners=["team:finance-data"],
    deps=[service_periods],
    description="The Notion page of each client invoiced in the month (by its Holded ID, else its email).",
)
def notion_external_ids(
    context: dg.AssetExecutionContext, notion: NotionResource, warehouse: WarehouseResource, clock: Clock
) -> dg.MaterializeResult:
    pages = notion.pages()  # once a run, whatever its months
    tally, now = MonthlyTally(), clock.now()
    for month in partition_months(context):
        with warehouse.begin() as connection:
            contacts = month_contacts(connection, month)
        rows, month_errors = page_ids(pages, contacts, now)
        upsert_with_errors(
            context,
            warehouse,
            source="notion",
            table=notion_client_pages,
            key_columns=["holded_contact_id"],
            rows=rows,
            errors=month_errors,
            now=now,
            partition_key=month.isoformat(),
        )
        tally.add(
            month, {"clients": len(contacts), "page_ids": len(rows), "without_page": len(month_errors)}, month_errors
        )
    return dg.MaterializeResult(metadata=tally.metadata())
