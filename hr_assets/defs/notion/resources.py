"""Notion: the clients database's data source, read page by page with its cursor (about 3 requests a second).

Notion's API version 2025-09-03 splits a database into one or more data sources (tables): a run retrieves the
database (``GET databases/{id}``, its ``data_sources``), then queries the one it reads
(``POST data_sources/{id}/query``). A database with one data source needs no choice; with several,
``NOTION_DATA_SOURCE_ID`` names the one (never guessed: another table's pages would match the wrong clients).
"""

import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import Field, PositiveFloat

from hr_assets.lib.api_resource import ApiResource
from hr_assets.lib.http import ApiClient, ApiError
from hr_assets.lib.integration import NotConfigured, required

API = "Notion"
NOTION_VERSION = "2025-09-03"
PAGE_SIZE = 100  # Notion's maximum
DATA_SOURCE_SETTING = "NOTION_DATA_SOURCE_ID"


def _same_id(one: str, other: str) -> bool:
    """Notion ids compare with or without their dashes."""
    return one.replace("-", "").lower() == other.replace("-", "").lower()


def chosen_data_source(database: Any, database_id: str, chosen: str | None) -> str:
    """The id of the data source to read, from the database as Notion answers it: ``chosen`` when it is one of the
    database's, else its only one. Raises ``ApiError`` for an answer without data sources and ``NotConfigured``
    when the choice is missing or wrong, each naming what there is."""
    listed = database.get("data_sources") if isinstance(database, Mapping) else None
    if not isinstance(listed, list) or not all(isinstance(s, Mapping) and s.get("id") for s in listed):
        raise ApiError(API, 200, f"answered database {database_id} without a data_sources list")
    if not listed:
        raise ApiError(API, 200, f"database {database_id} has no data sources")
    names = ", ".join(f"{source.get('name') or '(untitled)'} ({source['id']})" for source in listed)
    if chosen:
        for source in listed:
            if _same_id(str(source["id"]), chosen):
                return str(source["id"])
        raise NotConfigured(
            f"Notion: {DATA_SOURCE_SETTING} {chosen} is not a data source of database {database_id}; its data "
            f"sources: {names}"
        )
    if len(listed) > 1:
        raise NotConfigured(
            f"Notion: database {database_id} has {len(listed)} data sources, {names}: set {DATA_SOURCE_SETTING} to "
            "the one that holds the clients"
        )
    return str(listed[0]["id"])


class NotionResource(ApiResource):
    """Notion's clients database (``NOTION_*``)."""

    integration = API
    env_prefix = "NOTION_"

    token: str | None = required("The integration's token.", secret=True)
    database_id: str | None = required("The clients database's id.")
    data_source_id: str | None = Field(
        None, description="The database's data source to read; needed only when the database has several."
    )
    base_url: str = "https://api.notion.com/v1"
    rate_limit_per_second: PositiveFloat = 3.0

    def check_settings(self) -> None:
        if self.data_source_id:
            try:
                uuid.UUID(self.data_source_id)
            except ValueError:
                raise NotConfigured(
                    f"Notion is misconfigured: {DATA_SOURCE_SETTING}: not a Notion id (32 hexadecimal digits, "
                    "dashes allowed)"
                ) from None

    def pages(self) -> list[dict[str, Any]]:
        """Every page of the clients database's data source."""
        token, database_id = self.setting(self.token), self.setting(self.database_id)
        headers = {"Authorization": f"Bearer {token}", "Notion-Version": NOTION_VERSION}
        with self._client(headers, token) as api:
            database = api.get_json(f"databases/{database_id}")
            source = chosen_data_source(database, database_id, self.data_source_id)
            return _query(api, source)


def _query(api: ApiClient, data_source_id: str) -> list[dict[str, Any]]:
    """Every page of the data source, a cursor at a time."""
    pages: list[dict[str, Any]] = []
    query: dict[str, Any] = {"page_size": PAGE_SIZE}
    while True:
        body = api.post_json(f"data_sources/{data_source_id}/query", query)
        if not isinstance(body, dict) or not isinstance(body.get("results"), list):
            raise ApiError(API, 200, "answered without a results list")
        pages.extend(body["results"])
        if not body.get("has_more") or not body.get("next_cursor"):
            return pages
        query = {"page_size": PAGE_SIZE, "start_cursor": body["next_cursor"]}
