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
- Per-record problems: ``INVALID_RECORD`` (empId not a non-empty string, type not ``checkIn``/``checkOut``, time
  not ``YYYY-MM-DD HH:MM:SS``), ``EMPLOYEE_NOT_FOUND`` (empId unknown to Bayzat for that key; ``"42"`` is not
  ``"0042"``) or ``DUPLICATE_RECORD`` (``duplicate_words``, "Attendance record already exists": the key's ledger, or
  an earlier record of the same request, already holds that empId and time, whatever the type). One problem per
  record, the first found. Then nothing of the request is accepted (all or nothing), except in ``results``.
- How the answer says so is its ``answer_shape``, since Bayzat does not publish its own: one for the whole twin (a
  run), or per key (a company) with ``set_answer_shape``; each can change while the server runs.

  - ``index`` (the default): 400 ``{"success": false, "message": "Validation failed", "errors": [{"index",
    "empId", "type", "time", "code", "message"}, ...]}``, ``index`` the record's 0-based position in the request;
  - ``record``: the same errors without ``index``: each names its record by ``empId``/``type``/``time``;
  - ``message``: a request holding any duplicate answers 409 ``{"success": false, "message": "Attendance record
    already exists"}`` and names no record (a request with other problems only gets its ``index`` errors);
  - ``fields``: a framework's validation answer, 422 ``{"message": "The given data was invalid.", "errors":
    {"records.3.time": ["Attendance record already exists."], "records.5.empId": ["The selected records.5.empId is
    invalid."]}}``;
  - ``text``: 422 ``text/plain`` naming the request's first problem only, in words: ``Attendance already recorded
    for employee E7202 on 2026-11-02 08:43``, ``Employee E7106 not found`` (no time: it names no record);
  - ``sentence``: the same first problem as 400 ``{"success": false, "message": "Duplicate punch: employee E7202
    already has attendance at 2026-11-02 08:43:00"}``;
  - ``results``: 200 with one result per record, in order: ``[{"status": "created"}, {"status": "duplicate",
    "message": ...}, {"status": "error", "message": "Employee E7106 not found"}]``; the good records are stored
    (partial success);
  - ``opaque``: 200 ``{"status": "queued", "received": N}`` whatever happened, as a gateway that acknowledges
    without saying: a clean request is stored, one with a problem is not, and the answer does not say which.
- A clean request answers 200 ``{"success": true}`` (``opaque`` and ``results`` aside) and every record joins the
  key's ledger. ``hold`` puts records in a key's ledger as if entered in Bayzat by hand.

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
from typing import Any, Literal, get_args

from hr_sandbox.http_server import SandboxApi, SandboxRequest, SandboxResponse, key_id

ATTENDANCE_PATH = "/attendance"
MAX_RECORDS_PER_REQUEST = 20
RECORD_TYPES = ("checkIn", "checkOut")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
AnswerShape = Literal["index", "record", "message", "fields", "text", "sentence", "results", "opaque"]
ANSWER_SHAPES: tuple[str, ...] = get_args(AnswerShape)
DUPLICATE = "DUPLICATE_RECORD"
_TIME_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


@dataclass(frozen=True)
class AcceptedRecord:
    emp_id: str
    type: str
    time: str


class _RecordError(Exception):
    def __init__(self, code: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field  # the record's field at fault, "" for the record as a whole


class BayzatSandbox(SandboxApi):
    """``known_employees``: per API key, the empIds Bayzat knows; a key it does not name (and every
    key when it is None) accepts any empId. ``answer_shape``: how answers say what became of each record."""

    def __init__(
        self,
        api_keys: Iterable[str],
        rate_limit_per_second: float | None = 1.0,
        max_records_per_request: int = MAX_RECORDS_PER_REQUEST,
        known_employees: Mapping[str, Collection[str]] | None = None,
        answer_shape: AnswerShape = "index",
    ) -> None:
        super().__init__(rate_limit_per_second)
        self.max_records_per_request = max_records_per_request
        self.answer_shape = answer_shape
        self.duplicate_words = "Attendance record already exists"
        self._shapes: dict[str, AnswerShape] = {}  # by key_id: a company's own shape
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

    def set_answer_shape(self, shape: AnswerShape, api_key: str | None = None) -> None:
        """How Bayzat answers ``api_key`` from now on; without a key, every key without a shape of its own."""
        if shape not in ANSWER_SHAPES:
            raise ValueError(f"unknown answer shape {shape!r}; one of {', '.join(ANSWER_SHAPES)}")
        with self._state_lock:
            if api_key is None:
                self.answer_shape = shape
            else:
                self._shapes[key_id(api_key)] = shape

    def hold(self, api_key: str, records: Iterable[AcceptedRecord]) -> None:
        """Bayzat has these records of ``api_key`` already, as if entered by hand: they join its ledger."""
        with self._state_lock:
            for record in records:
                self._ledger[key_id(api_key)].append(record)
                self._held[key_id(api_key)].add((record.emp_id, record.time))

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
        """Validate every record against the key's ledger; take all of them or none (``results``: the good ones),
        and answer in the key's shape."""
        with self._state_lock:
            shape = self._shapes.get(key, self.answer_shape)
            held = self._held[key]
            seen: set[tuple[str, str]] = set()  # earlier records of this request
            accepted, errors = [], []
            for index, raw in enumerate(records):
                try:
                    record = self._validated(key, raw, held, seen)
                except _RecordError as problem:
                    errors.append((_error_entry(index, raw, problem), problem.field))
                    continue
                seen.add((record.emp_id, record.time))
                accepted.append(record)
            if not errors or shape == "results":
                self._ledger[key].extend(accepted)
                held.update(seen)
        if shape == "opaque":
            return SandboxResponse(200, {"status": "queued", "received": len(records)})
        if shape == "results":
            return SandboxResponse(200, _results(len(records), [error for error, _ in errors]))
        if errors:
            return self._rejected(shape, errors)
        return SandboxResponse(200, {"success": True})

    def _rejected(self, shape: AnswerShape, errors: list[tuple[dict[str, Any], str]]) -> SandboxResponse:
        entries = [error for error, _ in errors]
        if shape == "message" and any(error["code"] == DUPLICATE for error in entries):
            return SandboxResponse(409, {"success": False, "message": self.duplicate_words})
        if shape == "fields":
            fields: dict[str, list[str]] = {}
            for error, field in errors:
                fields.setdefault(_field_path(error["index"], field), []).append(_field_message(error, field))
            return SandboxResponse(422, {"message": "The given data was invalid.", "errors": fields})
        if shape == "text":
            return SandboxResponse(422, _sentence(entries[0]).encode(), {"Content-Type": "text/plain; charset=utf-8"})
        if shape == "sentence":
            return SandboxResponse(400, {"success": False, "message": _sentence(entries[0], spoken=False)})
        if shape == "record":
            entries = [{name: value for name, value in error.items() if name != "index"} for error in entries]
        return SandboxResponse(400, {"success": False, "message": "Validation failed", "errors": entries})

    def _validated(self, key: str, raw: Any, held: set[tuple[str, str]], seen: set[tuple[str, str]]) -> AcceptedRecord:
        if not isinstance(raw, dict):
            raise _RecordError("INVALID_RECORD", "record must be an object")
        emp_id, record_type, time = raw.get("empId"), raw.get("type"), raw.get("time")
        if not isinstance(emp_id, str) or not emp_id:
            raise _RecordError("INVALID_RECORD", "empId must be a non-empty string", "empId")
        if record_type not in RECORD_TYPES:
            raise _RecordError("INVALID_RECORD", "type must be checkIn or checkOut", "type")
        if not _is_wall_clock_time(time):
            raise _RecordError("INVALID_RECORD", "time must be YYYY-MM-DD HH:MM:SS", "time")
        known = self._employees.get(key)
        if known is not None and emp_id not in known:
            raise _RecordError("EMPLOYEE_NOT_FOUND", f"Employee {emp_id} not found", "empId")
        if (emp_id, time) in held or (emp_id, time) in seen:
            raise _RecordError(DUPLICATE, self.duplicate_words, "time")
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


def _results(count: int, errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """One result per record of the request, in its order."""
    problems = {error["index"]: error for error in errors}
    results = []
    for index in range(count):
        error = problems.get(index)
        if error is None:
            results.append({"status": "created"})
        else:
            status = "duplicate" if error["code"] == DUPLICATE else "error"
            results.append({"status": status, "message": error["message"]})
    return results


def _field_path(index: int, field: str) -> str:
    return f"records.{index}.{field}" if field else f"records.{index}"


def _field_message(error: dict[str, Any], field: str) -> str:
    if error["code"] == DUPLICATE:
        return f"{error['message']}."
    if error["code"] == "EMPLOYEE_NOT_FOUND":
        return f"The selected {_field_path(error['index'], field)} is invalid."
    return f"The {_field_path(error['index'], field)} field is invalid: {error['message']}."


def _sentence(error: dict[str, Any], spoken: bool = True) -> str:
    """A problem in words, naming the employee and, for a duplicate, its time: ``spoken`` as a person would write
    it (to the minute), else as a log line (to the second)."""
    if error["code"] == DUPLICATE:
        day, _, clock = str(error["time"]).partition(" ")
        if spoken:
            return f"Attendance already recorded for employee {error['empId']} on {day} {clock[:5]}"
        return f"Duplicate punch: employee {error['empId']} already has attendance at {error['time']}"
    if error["code"] == "EMPLOYEE_NOT_FOUND":
        return f"Employee {error['empId']} not found"
    return f"Record {error['index'] + 1} is invalid: {error['message']}"
