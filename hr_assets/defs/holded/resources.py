"""Holded's invoicing API: the service catalog, contacts and invoices, every page of them.

Holded pages with ``?page=N`` and a bare JSON array, at a page size of its own choosing: only an
empty page ends a listing. An error can arrive as ``{"status": 0, "info": ...}`` even with HTTP 200,
and an unknown route answers an HTML page with 200; both are errors, never data.
"""

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Self

import dagster as dg
from pydantic import Field

from hr_assets.lib.failures import api_failure_fails_the_step
from hr_assets.lib.http import ApiClient, ApiError
from hr_assets.settings import HoldedSettings, load

API = "Holded"


class HoldedResource(dg.ConfigurableResource):
    api_key: str = Field(description="From HOLDED_API_KEY; never shown.")
    base_url: str
    rate_limit_per_second: float = 5.0
    max_attempts: int = 6
    backoff_initial_s: float = 0.5

    @classmethod
    def from_settings(cls, settings: HoldedSettings) -> Self:
        return cls(
            api_key=dg.EnvVar("HOLDED_API_KEY"),
            base_url=settings.base_url,
            rate_limit_per_second=settings.rate_limit_per_second,
        )

    @contextmanager
    def _api(self) -> Iterator[ApiClient]:
        with (
            api_failure_fails_the_step(),
            ApiClient(
                API,
                self.base_url,
                headers={"key": self.api_key},
                rate_limit_per_second=self.rate_limit_per_second,
                limiter_key=self.api_key,
                max_attempts=self.max_attempts,
                backoff_initial_s=self.backoff_initial_s,
            ) as api,
        ):
            yield api

    def services(self) -> list[dict[str, Any]]:
        with self._api() as api:
            return _all_pages(api, "services")

    def contacts(self) -> list[dict[str, Any]]:
        with self._api() as api:
            return _all_pages(api, "contacts")

    def invoices(self, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
        """Invoices dated in [start, end): Holded's window is inclusive, in unix seconds."""
        window = {"starttmp": int(start.timestamp()), "endtmp": int(end.timestamp()) - 1, "sort": "created-asc"}
        with self._api() as api:
            return _all_pages(api, "documents/invoice", window)


def _all_pages(api: ApiClient, path: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = api.get_json(path, {**(params or {}), "page": page})
        if isinstance(body, dict):
            raise ApiError(API, 200, str(body.get("info") or "answered an error object instead of a list"))
        if not isinstance(body, list):
            raise ApiError(API, 200, f"answered {type(body).__name__} instead of a list")
        if not body:
            return items
        items.extend(body)
        page += 1


@dg.definitions
def holded_resources() -> dg.Definitions:
    return dg.Definitions(resources={"holded": HoldedResource.from_settings(load(HoldedSettings))})
