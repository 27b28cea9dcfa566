"""The sandbox twin of Notion's database query endpoint, ``POST /v1/databases/{id}/query``.

- Headers: ``Notion-Version`` (missing: 400 ``missing_version``, checked first) and
  ``Authorization: Bearer <token>`` (missing or wrong: 401 ``unauthorized``); errors are
  ``{"object": "error", "status", "code", "message"}``.
- The database id may be sent with or without dashes; another database: 404 ``object_not_found``.
- JSON body ``{"start_cursor"?, "page_size"?}`` (1 to 100, default 100; other keys such as
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
from typing import Any

from hr_sandbox.http_server import SandboxApi, SandboxRequest, SandboxResponse
from hr_sandbox.revenue_data import RevenueData

MAX_PAGE_SIZE = 100
_QUERY_PATH = re.compile(r"/v1/databases/(?P<database>[^/]+)/query")
_CODES = {
    400: "validation_error",
    401: "unauthorized",
    404: "object_not_found",
    429: "rate_limited",
    500: "internal_server_error",
}


class NotionSandbox(SandboxApi):
    def __init__(
        self,
        data: RevenueData,
        token: str,
        database_id: str,
        rate_limit_per_second: float | None = 3.0,
    ) -> None:
        super().__init__(rate_limit_per_second)
        self._token = token
        self.database_id = str(uuid.UUID(database_id))
        parent = {"type": "database_id", "database_id": self.database_id}
        self._pages = [{**page, "parent": parent} for page in data.notion_pages]
        self._position = {page["id"]: index for index, page in enumerate(self._pages)}

    def credential(self, request: SandboxRequest) -> str | None:
        return request.headers.get("authorization", "").removeprefix("Bearer ").strip() or None

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return self._error_body(status, _CODES.get(status, "internal_server_error"), message)

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        route = _QUERY_PATH.fullmatch(request.path)
        if route is None or request.method != "POST":
            return self._error(400, "invalid_request_url", "Invalid request URL.")
        if not request.headers.get("notion-version"):
            return self._error(
                400,
                "missing_version",
                "Notion-Version header failed validation: Notion-Version header should be defined, "
                "instead was `undefined`.",
            )
        if not hmac.compare_digest((self.credential(request) or "").encode(), self._token.encode()):
            return self._error(401, "unauthorized", "API token is invalid.")
        if route["database"].replace("-", "").lower() != self.database_id.replace("-", ""):
            return self._error(
                404,
                "object_not_found",
                f"Could not find database with ID: {route['database']}. "
                "Make sure the relevant pages and databases are shared with your integration.",
            )
        return self._query(request)

    def _query(self, request: SandboxRequest) -> SandboxResponse:
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
        cursor = body.get("start_cursor")
        first = 0 if cursor is None else self._position.get(str(cursor), -1)
        if first < 0:
            return self._error(
                400, "validation_error", "body failed validation: body.start_cursor should be a valid cursor."
            )
        results = self._pages[first : first + page_size]
        more = first + page_size < len(self._pages)
        return SandboxResponse(
            200,
            {
                "object": "list",
                "results": results,
                "next_cursor": self._pages[first + page_size]["id"] if more else None,
                "has_more": more,
                "type": "page_or_database",
                "page_or_database": {},
            },
        )

    def _error(self, status: int, code: str, message: str) -> SandboxResponse:
        return SandboxResponse(status, self._error_body(status, code, message))

    @staticmethod
    def _error_body(status: int, code: str, message: str) -> dict[str, Any]:
        return {"object": "error", "status": status, "code": code, "message": message}
