"""Notion's definitions: the page id of each client invoiced in the month."""

import dagster as dg

from hr_assets.defs.notion.assets import notion_assets
from hr_assets.defs.notion.resources import NotionResource
from hr_assets.settings import Settings


def definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(assets=notion_assets(settings), resources={"notion": NotionResource.from_environment()})
