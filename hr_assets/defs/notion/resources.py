"""Notion: the clients database, read page by page with its cursor (about 3 requests a second)."""

from typing import Any

from pydantic import PositiveFloat

from hr_assets.lib.api_resource import ApiResource
from hr_assets.lib.http import ApiError
from hr_assets.lib.integration import required

API = "Notion"
NOTION_VERSION = "2022-06-28"
PAGE_SIZE = 100  # Notion's maximum


class NotionResource(ApiResource):
    """Notion's clients database (``NOTION_*``)."""

    integration = API
    env_prefix = "NOTION_"

    token: str | None = required("The integration's token.", secret=True)
    database_id: str | None = required("The clients database's id.")
    base_url: str = "https://api.notion.com/v1"
    rate_limit_per_second: PositiveFloat = 3.0

    def pages(self) -> list[dict[str, Any]]:
        """Every page of the clients database."""
        pages: list[dict[str, Any]] = []
        query: dict[str, Any] = {"page_size": PAGE_SIZE}
        headers = {"Authorization": f"Bearer {self.token}", "Notion-Version": NOTION_VERSION}
        with self._client(headers, self.token) as api:
            while True:
                body = api.post_json(f"databases/{self.database_id}/query", query)
                if not isinstance(body, dict) or not isinstance(body.get("results"), list):
                    raise ApiError(API, 200, "answered without a results list")
                pages.extend(body["results"])
                if not body.get("has_more") or not body.get("next_cursor"):
                    return pages
                query = {"page_size": PAGE_SIZE, "start_cursor": body["next_cursor"]}
