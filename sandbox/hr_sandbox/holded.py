"""The sandbox twin of Holded's invoicing API (``/api/invoicing/v1``), quirks included.

- Auth: header ``key``; missing or wrong gives 401 ``{"status": 0, "info": "Unauthorized"}``.
- ``GET /services``, ``GET /contacts``, ``GET /documents/invoice``: a bare JSON array per page,
  ``page`` from 1; the page size is the server's (``page_size``), and the end is an empty page: a
  client cannot tell the last page from a short one.
- ``documents/invoice`` takes ``starttmp`` and ``endtmp`` (unix seconds, inclusive) together or
  not at all (one alone: 400), ``contactid``, ``paid`` (0 unpaid, 1 paid, 2 partially paid) and
  ``sort`` (``created-asc``, the default here, or ``created-desc``).
- Any other route, method included, answers HTTP 200 with an HTML page, as Holded's web app does.
"""

from __future__ import annotations

import hmac
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import Any

from hr_sandbox.http_server import SandboxApi, SandboxRequest, SandboxResponse, html_page
from hr_sandbox.revenue_data import RevenueData

BASE_PATH = "/api/invoicing/v1"
_SORTS = ("created-asc", "created-desc")
_PAID_FILTERS = ("0", "1", "2")


class HoldedSandbox(SandboxApi):
    def __init__(
        self,
        data: RevenueData,
        api_key: str,
        page_size: int = 250,
        rate_limit_per_second: float | None = None,
    ) -> None:
        super().__init__(rate_limit_per_second)
        self.page_size = page_size
        self._api_key = api_key
        self._services = data.services
        self._contacts = data.contacts
        # Stable sort: invoices of one day stay in the order they were created (their numbering).
        self._invoices = sorted(data.invoices, key=lambda invoice: invoice["date"])
        self._invoice_dates = [invoice["date"] for invoice in self._invoices]
        self._routes: dict[str, Callable[[SandboxRequest], SandboxResponse]] = {
            f"{BASE_PATH}/services": lambda request: self._page(request, self._services),
            f"{BASE_PATH}/contacts": lambda request: self._page(request, self._contacts),
            f"{BASE_PATH}/documents/invoice": self._list_invoices,
        }

    def credential(self, request: SandboxRequest) -> str | None:
        return request.headers.get("key")

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return {"status": 0, "info": message}

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        route = self._routes.get(request.path) if request.method == "GET" else None
        if route is None:
            return SandboxResponse(200, html_page("Holded", "Page not found. Go back to the Holded home page."))
        key = request.headers.get("key", "")
        if not hmac.compare_digest(key.encode(), self._api_key.encode()):
            return self.error(401, "Unauthorized")
        return route(request)

    def _list_invoices(self, request: SandboxRequest) -> SandboxResponse:
        start, end = request.param("starttmp"), request.param("endtmp")
        if (start is None) != (end is None):
            return self.error(400, "starttmp and endtmp must be sent together")
        invoices: Sequence[dict[str, Any]] = self._invoices
        if start is not None and end is not None:
            if not (start.isdecimal() and end.isdecimal()):
                return self.error(400, "starttmp and endtmp must be unix timestamps")
            first = bisect_left(self._invoice_dates, int(start))
            invoices = self._invoices[first : bisect_right(self._invoice_dates, int(end), lo=first)]
        contact = request.param("contactid")
        if contact is not None:
            invoices = [invoice for invoice in invoices if invoice["contact"] == contact]
        paid = request.param("paid")
        if paid is not None:
            if paid not in _PAID_FILTERS:
                return self.error(400, "paid must be 0, 1 or 2")
            invoices = [invoice for invoice in invoices if invoice["status"] == int(paid)]
        sort = request.param("sort") or "created-asc"
        if sort not in _SORTS:
            return self.error(400, f"sort must be one of {', '.join(_SORTS)}")
        return self._page(request, invoices[::-1] if sort == "created-desc" else invoices)

    def _page(self, request: SandboxRequest, items: Sequence[dict[str, Any]]) -> SandboxResponse:
        page = request.param("page") or "1"
        if not page.isdecimal() or int(page) < 1:
            return self.error(400, "page must be a positive integer")
        first = (int(page) - 1) * self.page_size
        return SandboxResponse(200, list(items[first : first + self.page_size]))
