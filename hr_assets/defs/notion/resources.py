"""Notion: the clients database, read page by page with its cursor (about 3 requests a second)."""

from typing import Any, Self

import dagster as dg
from pydantic import Field

from hr_assets.lib.failures import api_failure_fails_the_step
from hr_assets.lib.http import ApiClient, ApiError
from hr_assets.settings import NotionSettings, load

API = "Notion"
NOTION_VERSION = "2022-06-28"
PAGE_SIZE = 100  # Notion's maximum


class NotionResource(dg.ConfigurableResource):
    token: str = Field(description="From NOTION_TOKEN; never shown.")
    database_id: str
    base_url: str
    rate_limit_per_second: float = 3.0
    max_attempts: int = 6
    backoff_initial_s: float = 0.5

    @classmethod
    def from_settings(cls, settings: NotionSettings) -> Self:
        return cls(
            token=dg.EnvVar("NOTION_TOKEN"),
            database_id=settings.database_id,
            base_url=settings.base_url,
            rate_limit_per_second=settings.rate_limit_per_second,
        )

    def pages(self) -> list[dict[str, Any]]:
        """Every page of the clients database."""
        pages: list[dict[str, Any]] = []
        query: dict[str, Any] = {"page_size": PAGE_SIZE}
        with (
            api_failure_fails_the_step(),
            ApiClient(
                API,
                self.base_url,
                headers={"Authorization": f"Bearer {self.token}", "Notion-Version": NOTION_VERSION},
                rate_limit_per_second=self.rate_limit_per_second,
                limiter_key=self.token,
                max_attempts=self.max_attempts,
                backoff_initial_s=self.backoff_initial_s,
            ) as api,
        ):
            while True:
                body = api.post_json(f"databases/{self.database_id}/query", query)
                if not isinstance(body, dict) or not isinstance(body.get("results"), list):
                    raise ApiError(API, 200, "answered without a results list")
                pages.extend(body["results"])
                if not body.get("has_more") or not body.get("next_cursor"):
                    return pages
                query = {"page_size": PAGE_SIZE, "start_cursor": body["next_cursor"]}


@dg.definitions
def notion_resources() -> dg.Definitions:
    return dg.Definitions(resources={"notion": NotionResource.from_settings(load(NotionSettings))})
