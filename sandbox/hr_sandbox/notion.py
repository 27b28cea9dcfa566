"""The sandbox twin of Notion's clients database, under API version 2025-09-03 and the versions before it.

A database holds one or more data sources (tables); the generated pages are the first one's, and any other
is empty (``data_source_names``: its names; a second one is what breaks a client still on an old version).

- ``Notion-Version`` 2025-09-03 or later: ``GET /v1/databases/{id}`` answers the database with its
  ``data_sources`` (``[{"id", "name"}]``), and ``POST /v1/data_sources/{id}/query`` lists a data source's pages
  (an unknown one: 404 ``object_not_found``). ``POST /v1/databases/{id}/query`` is not a route there.
- An older version: ``GET /v1/databases/{id}`` and ``POST /v1/databases/{id}/query`` answer as they did
  (the database's schema; its pages) while it has one data source; with more, both answer 400
  ``validation_error`` "Databases with multiple data sources are not supported in this API version.", as Notion
  does. ``/v1/data_sources/...`` is not a route there.
- Headers: ``Notion-Version`` (missing: 400 ``missing_version``, checked first) and
  ``Authorization: Bearer <token>`` (missing or wrong: 401 ``unauthorized``); errors are
  ``{"object": "error", "status", "code", "message"}``.
- Ids may be sent with or without dashes; another database: 404 ``object_not_found``.
- A query's JSON body is ``{"start_cursor"?, "page_size"?}`` (1 to 100, default 100; other keys such as
  ``filter`` are accepted and ignored); the answer is ``{"object": "list", "results", "has_more",
  "next_cursor", ...}`` where a cursor is the id of the next page to list.
- About 3 requests per second per token by default; above that, 429 ``rate_limited`` with
  ``Retry-After``. Any other route or method: 400 ``invalid_request_url``.
"""

from __future__ import annotations

import hmac
import json
import re
import uuid
from collections.abc import Sequence
from typing import Any

from hr_sandbox.http_server import SandboxApi, SandboxRequest, SandboxResponse
from hr_sandbox.revenue_data import RevenueData

DATA_SOURCES_VERSION = "2025-09-03"
CLIENTS = "Clients"
TWO_DATA_SOURCES = (CLIENTS, "Former clients")
MAX_PAGE_SIZE = 100
MULTIPLE_DATA_SOURCES = "Databases with multiple data sources are not supported in this API version."
_ROUTES = [  # (method, name, path, the versions it exists in: None all, True 2025-09-03 on, False before)
    ("GET", "database", re.compile(r"/v1/databases/(?P<id>[^/]+)"), None),
    ("POST", "database_query", re.compile(r"/v1/databases/(?P<id>[^/]+)/query"), False),
    ("POST", "data_source_query", re.compile(r"/v1/data_sources/(?P<id>[^/]+)/query"), True),
]
_SCHEMA = {
    "Name": {"id": "title", "name": "Name", "type": "title", "title": {}},
    "Email": {"id": "%3FxBf", "name": "Email", "type": "email", "email": {}},
    "Holded ID": {"id": "Ld%5Cq", "name": "Holded ID", "type": "rich_text", "rich_text": {}},
}
_CODES = {
    400: "validation_error",
    401: "unauthorized",
    404: "object_not_found",
    429: "rate_limited",
    500: "internal_server_error",
}


def _bare(notion_id: str) -> str:
    return notion_id.replace("-", "").lower()


class NotionSandbox(SandboxApi):
    def __init__(
        self,
        data: RevenueData,
        token: str,
        database_id: str,
        rate_limit_per_second: float | None = 3.0,
        data_source_names: Sequence[str] = (CLIENTS,),
    ) -> None:
        super().__init__(rate_limit_per_second)
        self._token = token
        self.database_id = str(uuid.UUID(database_id))
        self.data_sources = [
            {"id": str(uuid.uuid5(uuid.UUID(database_id), name)), "name": name} for name in data_source_names
        ]
        """The database's data sources, ``{"id", "name"}``, as Notion lists them; the first holds the pages."""
        self._pages = {
            source["id"]: data.notion_pages if index == 0 else [] for index, source in enumerate(self.data_sources)
        }
        self._position = {page["id"]: index for index, page in enumerate(data.notion_pages)}

    def credential(self, request: SandboxRequest) -> str | None:
        return request.headers.get("authorization", "").removeprefix("Bearer ").strip() or None

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return self._error_body(status, _CODES.get(status, "internal_server_error"), message)

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        version = request.headers.get("notion-version")
        new = bool(version) and version >= DATA_SOURCES_VERSION
        route, target = self._route(request, new)
        if route is None:
            return self._error(400, "invalid_request_url", "Invalid request URL.")
        if not version:
            return self._error(
                400,
                "missing_version",
                "Notion-Version header failed validation: Notion-Version header should be defined, "
                "instead was `undefined`.",
            )
        if not hmac.compare_digest((self.credential(request) or "").encode(), self._token.encode()):
            return self._error(401, "unauthorized", "API token is invalid.")
        if route == "data_source_query":
            source = next((s["id"] for s in self.data_sources if _bare(s["id"]) == _bare(target)), None)
            if source is None:
                return self._not_found("data_source", target)
            parent = {"type": "data_source_id", "data_source_id": source, "database_id": self.database_id}
            return self._query(request, source, parent)
        if _bare(target) != _bare(self.database_id):
            return self._not_found("database", target)
        if not new and len(self.data_sources) > 1:
            return self._error(400, "validation_error", MULTIPLE_DATA_SOURCES)
        if route == "database":
            return SandboxResponse(200, self._database(new))
        source = self.data_sources[0]["id"] if self.data_sources else None
        return self._query(request, source, {"type": "database_id", "database_id": self.database_id})

    @staticmethod
    def _route(request: SandboxRequest, new: bool) -> tuple[str | None, str]:
        """The route's name and the id in its path, if the route exists in the request's version."""
        for method, name, pattern, in_new in _ROUTES:
            match = pattern.fullmatch(request.path)
            if match and method == request.method and in_new in (None, new):
                return name, match["id"]
        return None, ""

    def _database(self, new: bool) -> dict[str, Any]:
        database = {
            "object": "database",
            "id": self.database_id,
            "title": [{"type": "text", "text": {"content": CLIENTS}, "plain_text": CLIENTS}],
            "parent": {"type": "workspace", "workspace": True},
            "is_inline": False,
            "in_trash": False,
            "url": f"https://www.notion.so/{_bare(self.database_id)}",
        }
        return {**database, "data_sources": self.data_sources} if new else {**database, "properties": _SCHEMA}

    def _query(self, request: SandboxRequest, source: str | None, parent: dict[str, str]) -> SandboxResponse:
        """A page of ``source``'s pages (None: a database without data sources), each with ``parent``, as the
        request's version writes it."""
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return self._error(400, "invalid_json", "Error parsing JSON body.")
        if not isinstance(body, dict):
            return self._error(400, "validation_error", "body failed validation: body should be an object.")
        page_size = body.get("page_size", MAX_PAGE_SIZE)
        if type(page_size) is not int or not 1 <= page_size <= MAX_PAGE_SIZE:
            return self._error(
                400,
                "validation_error",
                f"body failed validation: body.page_size should be a number between 1 and {MAX_PAGE_SIZE}, "
                f"instead was `{json.dumps(page_size)}`.",
            )
        pages = self._pages[source] if source else []
        cursor = body.get("start_cursor")
        first = 0 if cursor is None else self._position.get(str(cursor), -1)
        if cursor is not None and not 0 <= first < len(pages):
            return self._error(
                400, "validation_error", "body failed validation: body.start_cursor should be a valid cursor."
            )
        more = first + page_size < len(pages)
        return SandboxResponse(
            200,
            {
                "object": "list",
                "results": [{**page, "parent": parent} for page in pages[first : first + page_size]],
                "next_cursor": pages[first + page_size]["id"] if more else None,
                "has_more": more,
                "type": "page_or_database",
                "page_or_database": {},
            },
        )

    def _not_found(self, kind: str, notion_id: str) -> SandboxResponse:
        return self._error(
            404,
            "object_not_found",
            f"Could not find {kind} with ID: {notion_id}. "
            "Make sure the relevant pages and databases are shared with your integration.",
        )

    def _error(self, status: int, code: str, message: str) -> SandboxResponse:
        return SandboxResponse(status, self._error_body(status, code, message))

    @staticmethod
    def _error_body(status: int, code: str, message: str) -> dict[str, Any]:
        return {"object": "error", "status": status, "code": code, "message": message}
