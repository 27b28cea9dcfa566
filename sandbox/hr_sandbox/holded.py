"""The sandbox twin of Holded's invoicing API (``/api/invoicing/v1``), quirks included.

- Auth: header ``key``; missing or wrong gives 401 ``{"status": 0, "info": "Unauthorized"}``.
- ``GET /services``, ``GET /contacts``, ``GET /documents/invoice``, ``GET /documents/creditnote``: a
  bare JSON array per page, ``page`` from 1; the page size is the server's (``page_size``), and the
  end is an empty page: a client cannot tell the last page from a short one.
- ``documents/invoice`` and ``documents/creditnote`` take ``starttmp`` and ``endtmp`` (unix seconds,
  inclusive) together or not at all (one alone: 400), ``contactid``, ``paid`` (0 unpaid, 1 paid, 2
  partially paid) and ``sort`` (``created-asc``, the default here, or ``created-desc``). A credit
  note made from an invoice names it in ``from`` (``{"id": ..., "docType": "invoice"}``); since the field is not
  confirmed, ``credit_note_reference`` makes the twin name it in each way Holded may (``CreditNoteReference``).
- ``cancel_invoice`` cancels an invoice: from then on it is listed with ``status`` 3
  (``CANCELLED_STATUS``), the reading of a cancelled invoice the platform relies on (docs/revenue.md);
  ``amend_credit_note`` changes what a credit note is listed with.
- Any other route, method included, answers HTTP 200 with an HTML page, as Holded's web app does.
"""

from __future__ import annotations

import hmac
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from hr_sandbox.http_server import SandboxApi, SandboxRequest, SandboxResponse, html_page
from hr_sandbox.revenue_data import RevenueData

BASE_PATH = "/api/invoicing/v1"
_SORTS = ("created-asc", "created-desc")
_PAID_FILTERS = ("0", "1", "2")
CANCELLED_STATUS = 3
REFERENCE_FIELDS = ("from", "fromDocument")
REFERENCE_SHAPES = ("document", "id", "docNumber", "unreadable")


class CreditNoteReference(NamedTuple):
    """How a credit note names the invoice it was made from: in which field (``REFERENCE_FIELDS``), and in what shape
    (``REFERENCE_SHAPES``): ``{"id": ..., "docType": "invoice"}``, the id alone, ``{"docNumber": <the invoice's>,
    "docType": "invoice"}``, or ``{"id": ...}`` without its docType, which no client can take for an invoice."""

    field: str = "from"
    shape: str = "document"

    def named(self, invoice: dict[str, Any]) -> dict[str, Any]:
        value: Any = {
            "document": {"id": invoice["id"], "docType": "invoice"},
            "id": invoice["id"],
            "docNumber": {"docNumber": invoice["docNumber"], "docType": "invoice"},
            "unreadable": {"id": invoice["id"]},
        }[self.shape]
        return {self.field: value}


FROM_DOCUMENT = CreditNoteReference()
"""``from``: ``{"id": ..., "docType": "invoice"}``, as exports of real accounts show it."""


class HoldedSandbox(SandboxApi):
    def __init__(
        self,
        data: RevenueData,
        api_key: str,
        page_size: int = 250,
        rate_limit_per_second: float | None = None,
        credit_note_reference: CreditNoteReference = FROM_DOCUMENT,
    ) -> None:
        if credit_note_reference.field not in REFERENCE_FIELDS or credit_note_reference.shape not in REFERENCE_SHAPES:
            raise ValueError(f"no such credit note reference: {credit_note_reference}")
        super().__init__(rate_limit_per_second)
        self.page_size = page_size
        self._api_key = api_key
        self._services = data.services
        self._contacts = data.contacts
        # Stable sort: documents of one day stay in the order they were created (their numbering).
        self._invoices = sorted(data.invoices, key=lambda invoice: invoice["date"])
        invoices = {invoice["id"]: invoice for invoice in data.invoices}
        self._credit_notes = [
            {key: value for key, value in note.items() if key != "from"}
            | (credit_note_reference.named(invoices[note["from"]["id"]]) if "from" in note else {})
            for note in sorted(data.credit_notes, key=lambda note: note["date"])
        ]
        self._routes: dict[str, Callable[[SandboxRequest], SandboxResponse]] = {
            f"{BASE_PATH}/services": lambda request: self._page(request, self._services),
            f"{BASE_PATH}/contacts": lambda request: self._page(request, self._contacts),
            f"{BASE_PATH}/documents/invoice": lambda request: self._list_documents(request, self._invoices),
            f"{BASE_PATH}/documents/creditnote": lambda request: self._list_documents(request, self._credit_notes),
        }

    def cancel_invoice(self, invoice_id: str) -> None:
        """Cancel the invoice: it is listed from now on with ``status`` ``CANCELLED_STATUS``."""
        (index,) = [k for k, invoice in enumerate(self._invoices) if invoice["id"] == invoice_id]
        self._invoices[index] = {**self._invoices[index], "status": CANCELLED_STATUS}

    def amend_credit_note(self, note_id: str, **fields: Any) -> None:
        """Change what the credit note is listed with (its totals, say, to disagree with its lines)."""
        (index,) = [k for k, note in enumerate(self._credit_notes) if note["id"] == note_id]
        self._credit_notes[index] = {**self._credit_notes[index], **fields}

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

    def _list_documents(self, request: SandboxRequest, documents: Sequence[dict[str, Any]]) -> SandboxResponse:
        """``documents``: sorted by date."""
        start, end = request.param("starttmp"), request.param("endtmp")
        if (start is None) != (end is None):
            return self.error(400, "starttmp and endtmp must be sent together")
        invoices = documents
        if start is not None and end is not None:
            if not (start.isdecimal() and end.isdecimal()):
                return self.error(400, "starttmp and endtmp must be unix timestamps")
            first = bisect_left(documents, int(start), key=lambda document: document["date"])
            last = bisect_right(documents, int(end), lo=first, key=lambda document: document["date"])
            invoices = documents[first:last]
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
