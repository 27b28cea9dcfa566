"""The sandbox twin of Bayzat's attendance API, ``POST /attendance``.

- The platform's ``api_url`` is the full URL ``http://127.0.0.1:<port>/attendance``; any other
  route or method answers 404 ``{"success": false, "message": ...}``.
- Auth: header ``x-api-key``; a missing or unknown key answers 401 ``{"success": false, "message":
  "Invalid API key"}``. Keys can be added and revoked while the server runs (``add_key``,
  ``revoke_key``), so a key can go invalid in the middle of a push.
- At most ``rate_limit_per_second`` requests per key (1 by default); above it, 429 with
  ``Retry-After: 1`` (from ``SandboxApi``).
- Body ``{"records": [{"empId": "0042", "type": "checkIn" | "checkOut", "time": "YYYY-MM-DD
  HH:MM:SS"}, ...]}``. A body that is not JSON, has no ``records`` list, an empty one, or more than
  ``max_records_per_request`` records: 400 ``{"success": false, "message": "<what is wrong>"}``
  without per-record errors.
- Per-record problems answer 400 ``{"success": false, "message": "Validation failed", "errors":
  [{"index", "empId", "type", "time", "code", "message"}, ...]}`` with ``index`` the record's 0-based
  position in the request and ``code`` one of ``INVALID_RECORD`` (empId not a non-empty string,
  type not ``checkIn``/``checkOut``, time not ``YYYY-MM-DD HH:MM:SS``), ``EMPLOYEE_NOT_FOUND``
  (empId unknown to Bayzat for that key; ``"42"`` is not ``"0042"``) or ``DUPLICATE_RECORD``
  ("Attendance record already exists": the key's ledger, or an earlier record of the same request,
  already holds that empId and time, whatever the type). One error per record, the first problem
  found. Then nothing of the request is accepted: all or nothing.
- How the answer names the records depends on ``duplicate_answer`` (settable while the server runs), as
  Bayzat's own shape is not documented: ``"index"`` (the default, as above); ``"record"``, the errors name
  each record by ``empId``/``type``/``time`` and carry no ``index``; ``"message"``, a request holding any
  duplicate answers 409 ``{"success": false, "message": "Attendance record already exists"}`` and names
  no record (a request with other problems only still gets its per-record errors).
- A clean request answers 200 ``{"success": true}`` and every record joins the key's ledger.

The ledger is what Bayzat accepted, per key; it names a key only by ``key_id`` (a short hash),
never the key itself, and so does the twin's list of valid keys. Tests read the ledger with
``accepted(api_key)`` or ``ledger``; it is guarded by a lock, as the server answers in threads.

Faults come from ``SandboxApi.inject``, with Bayzat's error body. A ``"drop"`` or ``"500"`` fault
answers without handling the request, so nothing is accepted. A ``"timeout"`` fault *does* handle it
and only holds back the answer: the records are accepted although the client gives up waiting. That
is the "sent but not recorded" case the platform must survive: its retry then meets
``DUPLICATE_RECORD``, which means the record is in Bayzat.
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from hr_sandbox.http_server import SandboxApi, SandboxRequest, SandboxResponse, key_id

ATTENDANCE_PATH = "/attendance"
MAX_RECORDS_PER_REQUEST = 20
RECORD_TYPES = ("checkIn", "checkOut")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DuplicateAnswer = Literal["index", "record", "message"]
_TIME_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


@dataclass(frozen=True)
class AcceptedRecord:
    emp_id: str
    type: str
    time: str


class _RecordError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class BayzatSandbox(SandboxApi):
    """``known_employees``: per API key, the empIds Bayzat knows; a key it does not name (and every
    key when it is None) accepts any empId. ``duplicate_answer``: how rejections name their records."""

    def __init__(
        self,
        api_keys: Iterable[str],
        rate_limit_per_second: float | None = 1.0,
        max_records_per_request: int = MAX_RECORDS_PER_REQUEST,
        known_employees: Mapping[str, Collection[str]] | None = None,
        duplicate_answer: DuplicateAnswer = "index",
    ) -> None:
        super().__init__(rate_limit_per_second)
        self.max_records_per_request = max_records_per_request
        self.duplicate_answer = duplicate_answer
        self._key_ids = {key_id(key) for key in api_keys}
        self._employees = {key_id(key): frozenset(ids) for key, ids in (known_employees or {}).items()}
        self._ledger: defaultdict[str, list[AcceptedRecord]] = defaultdict(list)
        self._held: defaultdict[str, set[tuple[str, str]]] = defaultdict(set)  # (empId, time) per key, as indexed
        self._state_lock = threading.Lock()

    def add_key(self, api_key: str, employees: Collection[str] | None = None) -> None:
        """Make ``api_key`` valid; ``employees``: the empIds it knows (None: any)."""
        with self._state_lock:
            self._key_ids.add(key_id(api_key))
            if employees is not None:
                self._employees[key_id(api_key)] = frozenset(employees)

    def revoke_key(self, api_key: str) -> None:
        """From now on ``api_key`` answers 401; what it pushed stays in the ledger."""
        with self._state_lock:
            self._key_ids.discard(key_id(api_key))

    def accepted(self, api_key: str) -> list[AcceptedRecord]:
        """What Bayzat accepted with ``api_key``, in order."""
        with self._state_lock:
            return list(self._ledger.get(key_id(api_key), []))

    @property
    def ledger(self) -> dict[str, list[AcceptedRecord]]:
        """Everything accepted, by ``key_id`` of the key that pushed it."""
        with self._state_lock:
            return {key: list(records) for key, records in self._ledger.items()}

    def credential(self, request: SandboxRequest) -> str | None:
        return request.headers.get("x-api-key") or None

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return {"success": False, "message": message}

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        if request.method != "POST" or request.path != ATTENDANCE_PATH:
            return self.error(404, f"Cannot {request.method} {request.path}")
        credential = self.credential(request)
        key = key_id(credential) if credential else ""
        with self._state_lock:
            if key not in self._key_ids:
                return self.error(401, "Invalid API key")
        records, problem = self._records(request.body)
        if problem:
            return self.error(400, problem)
        return self._accept(key, records)

    def _records(self, body: bytes) -> tuple[list[Any], str]:
        """The request's records, or what is wrong with the body as a whole."""
        try:
            payload = json.loads(body)
        except ValueError:
            return [], "Request body must be JSON"
        records = payload.get("records") if isinstance(payload, dict) else None
        if not isinstance(records, list):
            return [], "records must be a list"
        if not records:
            return [], "records must not be empty"
        if len(records) > self.max_records_per_request:
            return [], f"At most {self.max_records_per_request} records per request, got {len(records)}"
        return records, ""

    def _accept(self, key: str, records: list[Any]) -> SandboxResponse:
        """Validate every record against the key's ledger and take all of them, or none."""
        with self._state_lock:
            held = self._held[key]
            seen: set[tuple[str, str]] = set()  # earlier records of this request
            accepted, errors = [], []
            for index, raw in enumerate(records):
                try:
                    record = self._validated(key, raw, held, seen)
                except _RecordError as problem:
                    errors.append(_error_entry(index, raw, problem))
                    continue
                seen.add((record.emp_id, record.time))
                accepted.append(record)
            if errors:
                return self._rejected(errors)
            self._ledger[key].extend(accepted)
            held.update(seen)
        return SandboxResponse(200, {"success": True})

    def _rejected(self, errors: list[dict[str, Any]]) -> SandboxResponse:
        if self.duplicate_answer == "message" and any(error["code"] == "DUPLICATE_RECORD" for error in errors):
            return SandboxResponse(409, {"success": False, "message": "Attendance record already exists"})
        if self.duplicate_answer == "record":
            errors = [{name: value for name, value in error.items() if name != "index"} for error in errors]
        return SandboxResponse(400, {"success": False, "message": "Validation failed", "errors": errors})

    def _validated(self, key: str, raw: Any, held: set[tuple[str, str]], seen: set[tuple[str, str]]) -> AcceptedRecord:
        if not isinstance(raw, dict):
            raise _RecordError("INVALID_RECORD", "record must be an object")
        emp_id, record_type, time = raw.get("empId"), raw.get("type"), raw.get("time")
        if not isinstance(emp_id, str) or not emp_id:
            raise _RecordError("INVALID_RECORD", "empId must be a non-empty string")
        if record_type not in RECORD_TYPES:
            raise _RecordError("INVALID_RECORD", "type must be checkIn or checkOut")
        if not _is_wall_clock_time(time):
            raise _RecordError("INVALID_RECORD", "time must be YYYY-MM-DD HH:MM:SS")
        known = self._employees.get(key)
        if known is not None and emp_id not in known:
            raise _RecordError("EMPLOYEE_NOT_FOUND", f"Employee {emp_id} not found")
        if (emp_id, time) in held or (emp_id, time) in seen:
            raise _RecordError("DUPLICATE_RECORD", "Attendance record already exists")
        return AcceptedRecord(emp_id, record_type, time)


def _is_wall_clock_time(value: Any) -> bool:
    """``YYYY-MM-DD HH:MM:SS`` with two digits everywhere and a real date and time (no offset)."""
    if not isinstance(value, str) or not _TIME_SHAPE.fullmatch(value):
        return False
    try:
        datetime.strptime(value, TIME_FORMAT)
    except ValueError:
        return False
    return True


def _error_entry(index: int, raw: Any, problem: _RecordError) -> dict[str, Any]:
    sent = raw if isinstance(raw, dict) else {}
    return {
        "index": index,
        "empId": sent.get("empId"),
        "type": sent.get("type"),
        "time": sent.get("time"),
        "code": problem.code,
        "message": problem.message,
    }
