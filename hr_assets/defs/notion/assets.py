"""Notion: the page id of each client invoiced in the month, for the team's client workspace."""

from typing import Any

import dagster as dg

from hr_assets.defs.notion.pages import page_ids
from hr_assets.defs.notion.resources import NotionResource
from hr_assets.defs.shared.invoiced_clients import match_clients_by_month
from hr_assets.defs.shared.revenue_chain import revenue_month_asset
from hr_assets.lib.clock import Clock
from hr_assets.settings import Settings
from hr_assets.warehouse.metadata import table_definition
from hr_assets.warehouse.resource import WarehouseResource
from hr_assets.warehouse.tables import notion_client_pages


def notion_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    """The month's clients' Notion pages."""

    @revenue_month_asset(
        settings,
        group_name="notion",
        kinds={"api", "sql"},
        owners=["team:finance-data"],
        deps=["service_periods"],
        metadata=table_definition(notion_client_pages),
        description="The Notion page of each client invoiced in the month (by its Holded ID, else its email).",
    )
    def notion_external_ids(
        context: dg.AssetExecutionContext, notion: NotionResource, warehouse: WarehouseResource, clock: Clock
    ) -> dg.MaterializeResult[Any]:
        pages, now = notion.pages(), clock.now()  # the pages once a run, whatever its months
        return match_clients_by_month(
            context,
            warehouse,
            lambda contacts: page_ids(pages, contacts, now),
            source="notion",
            table=notion_client_pages,
            key_columns=["holded_contact_id"],
            counted=("pages_matched", "without_page"),
            now=now,
        )

    return [notion_external_ids]
