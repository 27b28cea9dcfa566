"""Notion client pages matched to Holded contacts: by the page's "Holded ID", else by its email."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from hr_assets.defs.shared.invoiced_clients import normalise_email
from hr_assets.lib.row_errors import RowError


def _text(property_value: Mapping[str, Any] | None) -> str | None:
    if not property_value:
        return None
    kind = property_value.get("type")
    if kind == "email":
        return property_value.get("email")
    parts = property_value.get(kind) if kind in ("rich_text", "title") else None
    text = "".join(part.get("plain_text", "") for part in parts or [])
    return text.strip() or None


def page_ids(
    pages: Iterable[Mapping[str, Any]], contacts: Mapping[str, str | None], synced_at: dt.datetime
) -> tuple[list[dict[str, Any]], list[RowError]]:
    by_holded_id: dict[str, str] = {}
    by_email: dict[str, str] = {}
    for page in pages:
        properties = page.get("properties") or {}
        holded_id, email = _text(properties.get("Holded ID")), normalise_email(_text(properties.get("Email")))
        if holded_id:
            by_holded_id.setdefault(holded_id, page["id"])
        if email:
            by_email.setdefault(email, page["id"])
    rows, errors = [], []
    for contact_id, email in sorted(contacts.items()):
        page_id = by_holded_id.get(contact_id) or by_email.get(normalise_email(email) or "")
        if page_id is None:
            errors.append(RowError("notion:clients", None, "Holded ID", "no Notion page names this client", contact_id))
            continue
        rows.append({"holded_contact_id": contact_id, "notion_page_id": page_id, "synced_at": synced_at})
    return rows, errors
