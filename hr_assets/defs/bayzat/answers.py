"""Bayzat's answer to one request, read record by record: what it says of each record it was sent.

Bayzat documents only ``200 {"success": true}`` and "400 data structure error"; how it names the records it
refuses, or whether it answers per record, is not published (``reference/external-systems.md``). So no shape is
assumed and every shape is read; each record of the request gets one ``Verdict``:

- ``stored``: Bayzat says it stored it now;
- ``held``: Bayzat says it already has it (its wording matched a duplicate phrase, ``DuplicateWording``);
- ``refused``: Bayzat refused it, with Bayzat's own words for that record;
- ``unsent``: a rejection that names other records: Bayzat takes a request all or nothing, so this one was not
  stored, and is sent again (should it have been stored after all, Bayzat then answers that it has it);
- ``unknown``: the answer says nothing that can be read about it. It is never taken as stored or refused: the
  push asks Bayzat again about it alone (one punch a request), and one whose own answer is still unknown stays due.

What is read:

- A 2xx answer: ``{"success": true}`` stores every record. A per-record result list (the body itself, or under
  ``results``/``records``/``data``) settles each record by its entry, matched by the entry's ``index``, its
  ``empId``/``time`` (and ``type``), or its position when the list has one entry per record: a stored word
  (``created``, ``ok``...), duplicate wording, or a failure (``error``, ``success: false``...) with its message;
  an entry saying none of these is unknown, unless ``success: true`` stands beside the list. A 2xx saying
  ``success: false`` is read as a rejection; one listing ``errors`` settles what they name and leaves the rest
  unknown. Anything else proves nothing: ``unknown``.
- A rejection (400, 409, 422): ``errors`` as a list naming records by ``index`` or by ``empId``/``type``/``time``;
  ``errors`` as a dict keyed by a field path (``records.3.time``, ``records[3][time]``); or free text (a message,
  a plain-text body, an error without a record) whose sentences name an employee and a time
  (``... employee E7202 on 2026-11-02 08:43``). Where several errors concern one record, a refusal outweighs a
  duplicate. An error that names no record leaves the records it might concern ``unknown``. A 409 that names no
  record is Bayzat's conflict on create: already there, but only an answer about one record says which.
- An answer to a request of one record is about that record, whatever it names: a rejection that names nothing
  readable settles it by its wording (duplicate, or refused with Bayzat's words).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Fate = Literal["stored", "held", "refused", "unsent", "unknown"]

DUPLICATE_PHRASES = ("already exists", "already recorded", "already been", "already taken", "duplicate", "exists")
"""Wording that says Bayzat already has a record, matched at the start of a word in any case, with ``_`` and ``-``
read as spaces (``ALREADY_EXISTS``, ``Duplicated``); a deployment adds its own with ``BAYZAT_DUPLICATE_PHRASES``."""

_NEGATED = re.compile(r"(?:\b(?:not|no|never)|n't)\s+(?:\w+\s+)?$")  # "does not exist", "no longer exists"
_STORED_WORDS = frozenset(
    {"created", "stored", "success", "succeeded", "ok", "accepted", "inserted", "saved", "added", "recorded"}
)
_FAILED_WORDS = frozenset({"error", "failed", "failure", "rejected", "refused", "invalid"})
_STATUS_FIELDS = ("status", "result", "state", "outcome")
_MESSAGE_FIELDS = ("message", "error", "reason", "detail", "description", "msg")
_LIST_FIELDS = ("results", "records", "data")
_FIELD_PATH = re.compile(r"^(?:[A-Za-z_][A-Za-z_]*)?(?:\.|\[)?(\d+)(?:[\].]|$)")  # records.3.time, records[3], 3.x
_CLAUSE_END = re.compile(r"[;\n]+|(?<=[.!?])\s+(?=[A-Z])")
_NAME_EDGE = r"[0-9A-Za-z]"
_KEPT_CHARACTERS = 500


@dataclass(frozen=True)
class Verdict:
    fate: Fate
    reason: str = ""  # Bayzat's own words: why it refused the record, or the answer kept when ``unknown``


class DuplicateWording:
    """Decides whether Bayzat's words say it already has a record: ``DUPLICATE_PHRASES`` and a deployment's own."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        phrases = {_normalized(phrase) for phrase in (*DUPLICATE_PHRASES, *extra)} - {""}
        self.phrases = tuple(sorted(phrases))
        self._patterns = [re.compile(rf"\b{re.escape(phrase)}") for phrase in self.phrases]

    def says_duplicate(self, text: str) -> bool:
        words = _normalized(text)
        return any(
            not _NEGATED.search(words[: found.start()])
            for pattern in self._patterns
            for found in pattern.finditer(words)
        )


def _normalized(text: str) -> str:
    return " ".join(re.sub(r"[_\-]+", " ", text).lower().split())


def read_answer(status: int, body: Any, sent: Sequence[Mapping[str, str]], wording: DuplicateWording) -> list[Verdict]:
    """One verdict per record of ``sent``, from an answer of ``status`` whose ``body`` is its JSON, else its text."""
    reading = _Reading(sent, wording)
    if 200 <= status < 300 and not (isinstance(body, dict) and body.get("success") is False):
        reading.success(body, status)
    else:
        reading.rejection(body, status)
    return reading.verdicts()


class _Reading:
    def __init__(self, sent: Sequence[Mapping[str, str]], wording: DuplicateWording) -> None:
        self.sent = sent
        self.wording = wording
        self.found: dict[int, Verdict] = {}
        self.unread = False  # part of the answer names no record it concerns
        self.rest: Fate = "unknown"  # the fate of a record the answer does not name
        self.kept = ""

    def verdicts(self) -> list[Verdict]:
        fate = "unknown" if self.unread else self.rest
        rest = Verdict(fate, self.kept if fate == "unknown" else "")
        return [self.found.get(index, rest) for index in range(len(self.sent))]

    # --- a 2xx -------------------------------------------------------------------------------------------

    def success(self, body: Any, status: int) -> None:
        """``{"success": true}`` stores every record but those its result list (if any) says otherwise of; without
        that flag only the list speaks, and a record it says nothing readable of is unknown."""
        self.kept = _kept(status, body)
        errors = body.get("errors") if isinstance(body, dict) else None
        if errors:  # a success that lists errors: they settle what they name, the rest is not known to be stored
            self._errors(errors)
            self.unread = True
            return
        claimed = isinstance(body, dict) and body.get("success") is True
        if claimed:
            self.rest = "stored"
        entries = _result_list(body)
        positional = entries is not None and len(entries) == len(self.sent)
        for position, entry in enumerate(entries or ()):
            indexes = _named(entry, self.sent, position if positional else None)
            verdict = self._entry(entry)
            if not indexes or verdict is None:
                self.unread = self.unread or not claimed
                continue
            for index in indexes:
                self._settle(index, verdict)

    def _entry(self, entry: Any) -> Verdict | None:
        """A per-record result: stored, already there, refused with its message, or None when it says none."""
        if isinstance(entry, str):
            entry = {"status": entry}
        if not isinstance(entry, dict):
            return None
        word = next((_normalized(str(entry[name])) for name in _STATUS_FIELDS if entry.get(name)), "")
        message = _message(entry)
        if word and self.wording.says_duplicate(word):
            return Verdict("held", message or word)
        if word in _STORED_WORDS or (not word and entry.get("success") is True):
            return Verdict("stored")
        if message and self.wording.says_duplicate(message):
            return Verdict("held", message)
        if word in _FAILED_WORDS or entry.get("success") is False:
            return Verdict("refused", message or word or "refused")
        return None

    # --- a rejection -------------------------------------------------------------------------------------

    def rejection(self, body: Any, status: int) -> None:
        self.kept = _kept(status, body)
        self.rest = "unsent"
        errors = body.get("errors") if isinstance(body, dict) else body if isinstance(body, list) else None
        if isinstance(errors, dict | list) and errors:
            self._errors(errors)
        else:
            self._text(_message(body) if isinstance(body, dict) else body if isinstance(body, str) else "")
        if len(self.sent) == 1 and 0 not in self.found:
            self.found[0] = self._whole(body, status)
        elif not self.found:
            self.unread = True

    def _errors(self, errors: Any) -> None:
        """``errors`` keyed by field path, a list of errors, or text."""
        if isinstance(errors, dict):
            for path, messages in errors.items():
                self._field_errors(str(path), messages)
        elif isinstance(errors, list):
            for error in errors:
                self._error(error)
        else:
            self._text(" ".join(_texts(errors)))

    def _field_errors(self, path: str, messages: Any) -> None:
        text = "; ".join(_texts(messages))
        matched = _FIELD_PATH.match(path)
        index = int(matched.group(1)) if matched else -1
        if 0 <= index < len(self.sent) and text:
            self._settle(index, self._refusal(text))
        else:
            self._text(text)

    def _error(self, error: Any) -> None:
        indexes = _named(error, self.sent, None) if isinstance(error, dict) else []
        if not indexes:
            self._text(_message(error) if isinstance(error, dict) else str(error))
            return
        code = str(error.get("code") or "")
        text = _message(error) or code or "refused"
        verdict = Verdict("held", text) if self.wording.says_duplicate(code) else self._refusal(text)
        for index in indexes:
            self._settle(index, verdict)

    def _text(self, text: str) -> None:
        """Free text: each sentence settles the records it names by employee and time; one naming none leaves
        the answer partly unread."""
        clauses = [clause for clause in (part.strip(" .") for part in _CLAUSE_END.split(text)) if clause]
        self.unread = self.unread or not clauses
        for clause in clauses:
            indexes = _named_in_text(clause, self.sent)
            if not indexes:
                self.unread = True
            for index in indexes:
                self._settle(index, self._refusal(clause))

    def _whole(self, body: Any, status: int) -> Verdict:
        """The verdict on the one record of a request that a rejection settles without naming it."""
        errors = body.get("errors") if isinstance(body, dict) else body if isinstance(body, list) else None
        texts = _texts(errors) if errors else _texts(_message(body) if isinstance(body, dict) else body)
        refusals = [text for text in texts if not self.wording.says_duplicate(text)]
        if refusals:
            return Verdict("refused", "; ".join(refusals))
        if texts or status == 409:
            return Verdict("held", "; ".join(texts))
        return Verdict("refused", f"Bayzat answered {status} without a reason")

    def _refusal(self, text: str) -> Verdict:
        return Verdict("held", text) if self.wording.says_duplicate(text) else Verdict("refused", text)

    def _settle(self, index: int, verdict: Verdict) -> None:
        """A refusal outweighs a duplicate for the same record (the record is not in Bayzat as sent), and their
        reasons are kept together."""
        known = self.found.get(index)
        if known is None or (known.fate != "refused" and verdict.fate == "refused"):
            self.found[index] = verdict
        elif known.fate == verdict.fate == "refused" and verdict.reason not in known.reason:
            self.found[index] = Verdict("refused", f"{known.reason}; {verdict.reason}")


def _result_list(body: Any) -> list[Any] | None:
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for name in _LIST_FIELDS:
            if isinstance(found := body.get(name), list):
                return found
    return None


def _named(entry: Any, sent: Sequence[Mapping[str, str]], position: int | None) -> list[int]:
    """The request indexes an entry is about: its ``index``; else the records it names by ``empId`` and ``time``
    (and ``type`` when it gives one); else its ``position``; else the employee and time its message names."""
    if not isinstance(entry, dict):
        return [position] if position is not None else []
    index = entry.get("index")
    if type(index) is int:
        return [index] if 0 <= index < len(sent) else []
    if index is not None:
        return []
    emp_id, time, kind = entry.get("empId"), entry.get("time"), entry.get("type")
    if isinstance(emp_id, str) and isinstance(time, str):
        return [
            i
            for i, record in enumerate(sent)
            if record["empId"] == emp_id and record["time"] == time and kind in (None, record["type"])
        ]
    if position is not None:
        return [position]
    return _named_in_text(_message(entry), sent)


def _named_in_text(text: str, sent: Sequence[Mapping[str, str]]) -> list[int]:
    """The records whose employee id (a whole word) and time (its date, then its hours and minutes) the text names."""
    return [index for index, record in enumerate(sent) if _names(text, record)]


def _names(text: str, record: Mapping[str, str]) -> bool:
    date, _, clock = record["time"].partition(" ")
    hours_minutes, seconds = clock[:5], clock[6:]
    employee = rf"(?<!{_NAME_EDGE}){re.escape(record['empId'])}(?!{_NAME_EDGE})"
    time = rf"{re.escape(date)}(?:T|\s+(?:at\s+)?){re.escape(hours_minutes)}(?::{re.escape(seconds)})?(?!:?\d)"
    return bool(record["empId"]) and bool(re.search(employee, text)) and bool(re.search(time, text))


def _message(entry: Any) -> str:
    if not isinstance(entry, dict):
        return ""
    texts = [text for name in _MESSAGE_FIELDS for text in _texts(entry.get(name))]
    if not texts and entry.get("errors"):
        texts = _texts(entry["errors"])
    return "; ".join(texts)


def _texts(value: Any) -> list[str]:
    """Every piece of text in a message, a list of them or a dict of them."""
    if isinstance(value, str):
        return [" ".join(value.split())] if value.strip() else []
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    if isinstance(value, dict):
        return _texts(_message(value)) or [text for item in value.values() for text in _texts(item)]
    return []


def _kept(status: int, body: Any) -> str:
    """The answer as kept with a record it leaves unknown: its status and the start of its body."""
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    text = " ".join(text.split())
    if len(text) > _KEPT_CHARACTERS:
        text = text[:_KEPT_CHARACTERS] + "..."
    return f"Bayzat answered {status}: {text or '(empty)'}"
