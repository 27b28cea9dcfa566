"""Bayzat's rejection read per record: which records of a request it rejected, and why.

How Bayzat names the records it rejects is not pinned down, so every shape is read: by the record's
``index`` in the request, or by its ``empId``/``type``/``time``. An answer that says records were rejected
without naming them in a way that matches the request (only a message, a 409 "already exists") is
``unmapped``: the caller then learns each record's fate by sending them one at a time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


@dataclass(frozen=True)
class Rejections:
    by_index: dict[int, Rejection]  # request index -> why Bayzat rejected that record
    unmapped: Rejection | None = None  # set when the answer rejects records it does not name so they can be found


def read_rejections(status: int, body: Any, message: str, sent: Sequence[Mapping[str, str]]) -> Rejections:
    """The records of ``sent`` a 400/409/422 answer rejects, each with why.

    When a record has several errors, one that is not "already exists" wins, since such a record is not in
    Bayzat as sent. A 409 without per-record errors means "already exists" (Bayzat's conflict on a create).
    """
    errors = body.get("errors") if isinstance(body, dict) else None
    whole = Rejection(DUPLICATE_RECORD if status == 409 else "", message)
    if not isinstance(errors, list) or not errors:
        return Rejections({}, whole)
    rejected: dict[int, Rejection] = {}
    for error in errors:
        indexes = _indexes(error, sent)
        if not indexes:
            return Rejections({}, whole)
        rejection = _rejection(error)
        for index in indexes:
            if index not in rejected or rejected[index].already_exists:
                rejected[index] = rejection
    return Rejections(rejected)


def _indexes(error: Any, sent: Sequence[Mapping[str, str]]) -> list[int]:
    """The request indexes an error is about: its ``index``, else the records it names by empId and time (and
    type, when it gives one); [] when it names none of them."""
    if not isinstance(error, dict):
        return []
    index = error.get("index")
    if type(index) is int:
        return [index] if 0 <= index < len(sent) else []
    emp_id, time, kind = error.get("empId"), error.get("time"), error.get("type")
    if not isinstance(emp_id, str) or not isinstance(time, str):
        return []
    return [
        i
        for i, record in enumerate(sent)
        if record["empId"] == emp_id and record["time"] == time and kind in (None, record["type"])
    ]


def _rejection(error: dict[str, Any]) -> Rejection:
    code = str(error.get("code") or "")
    return Rejection(code, str(error.get("message") or code or "rejected"))
