"""Bayzat's 400 answer read per record: which records of a request it rejected, and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DUPLICATE_RECORD = "DUPLICATE_RECORD"


@dataclass(frozen=True)
class Rejection:
    code: str
    message: str

    @property
    def already_exists(self) -> bool:
        """Bayzat already holds this empId and time: the record is synced, not failed."""
        return self.code == DUPLICATE_RECORD or "already exists" in self.message.lower()


def rejected_records(body: Any, sent: int) -> dict[int, Rejection]:
    """Request index -> why Bayzat rejected that record, from a 400 body's ``errors``.

    A body without per-record errors gives {} (the caller fails the whole request with its message);
    indexes outside the ``sent`` records are ignored. When a record has several errors, one that is
    not "already exists" wins, since such a record is not in Bayzat as sent.
    """
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return {}
    rejected: dict[int, Rejection] = {}
    for error in errors:
        index = error.get("index") if isinstance(error, dict) else None
        if type(index) is not int or not 0 <= index < sent:
            continue
        rejection = _rejection(error)
        if index not in rejected or rejected[index].already_exists:
            rejected[index] = rejection
    return rejected


def _rejection(error: dict[str, Any]) -> Rejection:
    code = str(error.get("code") or "")
    return Rejection(code, str(error.get("message") or code or "rejected"))
