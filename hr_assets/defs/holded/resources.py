"""Holded's invoicing API: the service catalog, contacts, invoices and credit notes, every page of them.

Holded pages with ``?page=N`` and a bare JSON array, at a page size of its own choosing: only an
empty page ends a listing. An error can arrive as ``{"status": 0, "info": ...}`` even with HTTP 200,
and an unknown route answers an HTML page with 200; both are errors, never data.
"""

import datetime as dt
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any

from pydantic import PositiveFloat

from hr_assets.lib.api_resource import ApiResource
from hr_assets.lib.http import ApiClient, ApiError
from hr_assets.lib.integration import required

API = "Holded"


class HoldedResource(ApiResource):
    """Holded's invoicing API (``HOLDED_*``)."""

    integration = API
    env_prefix = "HOLDED_"

    api_key: str | None = required("The API key.", secret=True)
    base_url: str = "https://api.holded.com/api/invoicing/v1"
    rate_limit_per_second: PositiveFloat = 5.0

    def _api(self) -> AbstractContextManager[ApiClient]:
        key = self.setting(self.api_key)
        return self._client({"key": key}, key)

    def services(self) -> list[dict[str, Any]]:
        with self._api() as api:
            return _all_pages(api, "services")

    def contacts(self) -> list[dict[str, Any]]:
        with self._api() as api:
            return _all_pages(api, "contacts")

    def invoices(self, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
        """Invoices dated in [start, end)."""
        return self._documents("invoice", start, end)

    def credit_notes(self, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
        """Credit notes (Holded's refunds) dated in [start, end)."""
        return self._documents("creditnote", start, end)

    def _documents(self, doc_type: str, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
        """Documents of ``doc_type`` dated in [start, end): Holded's window is inclusive, in unix seconds."""
        window = {"starttmp": int(start.timestamp()), "endtmp": int(end.timestamp()) - 1, "sort": "created-asc"}
        with self._api() as api:
            return _all_pages(api, f"documents/{doc_type}", window)


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
