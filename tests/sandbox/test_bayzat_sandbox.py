"""The Bayzat attendance twin over a real socket on 127.0.0.1, driven with httpx as the platform drives Bayzat."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from hr_sandbox.attendance import DEMO_COMPANIES, AttendanceSandbox
from hr_sandbox.bayzat import ATTENDANCE_PATH, AcceptedRecord, BayzatSandbox
from hr_sandbox.cli import serve as sandbox_command
from hr_sandbox.http_server import TIMEOUT_FAULT_SECONDS, Headers, SandboxHttpServer, SandboxRequest, key_id
from hr_sandbox.paycom_reports import sandbox_employees
from tests.waiting import WAIT_S

pytestmark = pytest.mark.twins  # starts the twins itself (tests/conftest.py)

KEY = "bayzat-company-a-secret"
OTHER_KEY = "bayzat-company-b-secret"
FAST = 1000.0  # a rate limit no test reaches, except where the limit is the point
CHECK_IN = {"empId": "0042", "type": "checkIn", "time": "2024-05-01 09:00:00"}
CHECK_OUT = {"empId": "0042", "type": "checkOut", "time": "2024-05-01 17:30:00"}


class Bayzat:
    """A client for the twin: ``push`` posts records to the full ``api_url`` as the platform does."""

    def __init__(self, client: httpx.Client, api_url: str) -> None:
        self.client = client
        self.api_url = api_url

    def push(self, records: list[Any], key: str | None = KEY, **kwargs: Any) -> httpx.Response:
        headers = {"x-api-key": key} if key is not None else {}
        return self.client.post(self.api_url, json={"records": records}, headers=headers, **kwargs)


@contextmanager
def served(api: BayzatSandbox) -> Iterator[Bayzat]:
    with SandboxHttpServer(api) as server, httpx.Client(timeout=5) as client:
        yield Bayzat(client, f"{server.url}/attendance")


@pytest.fixture()
def api() -> BayzatSandbox:
    return BayzatSandbox([KEY, OTHER_KEY], rate_limit_per_second=FAST)


@pytest.fixture()
def bayzat(api: BayzatSandbox) -> Iterator[Bayzat]:
    with served(api) as client:
        yield client


def check_ins(count: int, emp_id: str = "0042") -> list[dict[str, str]]:
    return [{"empId": emp_id, "type": "checkIn", "time": f"2024-05-{day:02d} 09:00:00"} for day in range(1, count + 1)]


def accepted(*records: dict[str, str]) -> list[AcceptedRecord]:
    return [AcceptedRecord(record["empId"], record["type"], record["time"]) for record in records]


def errors(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 400 and response.json()["message"] == "Validation failed", response.text
    return response.json()["errors"]


def test_a_clean_request_is_accepted_into_the_keys_ledger(bayzat: Bayzat, api: BayzatSandbox) -> None:
    response = bayzat.push([CHECK_IN, CHECK_OUT])

    assert (response.status_code, response.json()) == (200, {"success": True})
    assert api.accepted(KEY) == accepted(CHECK_IN, CHECK_OUT)
    assert api.accepted(OTHER_KEY) == []
    assert api.ledger == {key_id(KEY): accepted(CHECK_IN, CHECK_OUT)}


def test_a_missing_or_unknown_key_is_refused(bayzat: Bayzat, api: BayzatSandbox) -> None:
    for key in (None, "", "not-a-key"):
        response = bayzat.push([CHECK_IN], key=key)

        assert (response.status_code, response.json()) == (401, {"success": False, "message": "Invalid API key"})
    assert api.ledger == {}


def test_a_key_revoked_mid_push_is_refused_and_keeps_what_it_pushed(bayzat: Bayzat, api: BayzatSandbox) -> None:
    assert bayzat.push([CHECK_IN]).status_code == 200
    api.revoke_key(KEY)

    assert bayzat.push([CHECK_OUT]).status_code == 401
    assert bayzat.push([CHECK_OUT], key=OTHER_KEY).status_code == 200
    api.add_key(KEY)
    assert bayzat.push([CHECK_OUT]).status_code == 200
    assert api.accepted(KEY) == accepted(CHECK_IN, CHECK_OUT)


def test_twenty_records_pass_and_twenty_one_are_refused_whole(bayzat: Bayzat, api: BayzatSandbox) -> None:
    too_many = bayzat.push(check_ins(21))

    assert too_many.status_code == 400 and "errors" not in too_many.json()
    assert too_many.json() == {"success": False, "message": "At most 20 records per request, got 21"}
    assert api.ledger == {}
    assert bayzat.push(check_ins(20)).status_code == 200
    assert len(api.accepted(KEY)) == 20


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"records=1", "Request body must be JSON"),
        (b'{"data": []}', "records must be a list"),
        (b'{"records": {"empId": "1"}}', "records must be a list"),
        (b"[]", "records must be a list"),
        (b'{"records": []}', "records must not be empty"),
    ],
)
def test_a_malformed_body_is_a_400_without_per_record_errors(
    bayzat: Bayzat, api: BayzatSandbox, body: bytes, message: str
) -> None:
    response = bayzat.client.post(bayzat.api_url, content=body, headers={"x-api-key": KEY})

    assert (response.status_code, response.json()) == (400, {"success": False, "message": message})
    assert api.ledger == {}


def test_invalid_records_are_named_by_index_and_nothing_of_the_request_is_accepted(
    bayzat: Bayzat, api: BayzatSandbox
) -> None:
    records: list[Any] = [
        CHECK_IN,
        {"type": "checkIn", "time": "2024-05-02 09:00:00"},
        {"empId": 42, "type": "checkIn", "time": "2024-05-03 09:00:00"},
        {"empId": "", "type": "checkIn", "time": "2024-05-04 09:00:00"},
        {"empId": "0042", "type": "checkin", "time": "2024-05-05 09:00:00"},
        {"empId": "0042", "type": "checkIn", "time": "2024-05-06T09:00:00"},
        {"empId": "0042", "type": "checkIn", "time": "2024-5-7 09:00:00"},
        {"empId": "0042", "type": "checkIn", "time": "2024-02-30 09:00:00"},
        {"empId": "0042", "type": "checkIn", "time": "2024-05-08 09:00:00+04:00"},
        "0042 checkIn",
        CHECK_OUT,
    ]

    found = errors(bayzat.push(records))

    assert [error["index"] for error in found] == list(range(1, 10))
    assert {error["code"] for error in found} == {"INVALID_RECORD"}
    assert found[0] == {
        "index": 1,
        "empId": None,
        "type": "checkIn",
        "time": "2024-05-02 09:00:00",
        "code": "INVALID_RECORD",
        "message": "empId must be a non-empty string",
    }
    assert found[3]["message"] == "type must be checkIn or checkOut"
    assert found[4]["message"] == "time must be YYYY-MM-DD HH:MM:SS"
    assert api.ledger == {}  # the two good records were not taken either
    assert bayzat.push([CHECK_IN, CHECK_OUT]).status_code == 200


def test_a_record_bayzat_already_has_is_a_duplicate_and_blocks_its_request(bayzat: Bayzat, api: BayzatSandbox) -> None:
    assert bayzat.push([CHECK_IN]).status_code == 200
    new = {"empId": "0042", "type": "checkIn", "time": "2024-05-02 09:00:00"}
    same_time_other_type = {**CHECK_IN, "type": "checkOut"}

    found = errors(bayzat.push([new, CHECK_IN, same_time_other_type]))

    assert [(error["index"], error["code"], error["empId"], error["time"]) for error in found] == [
        (1, "DUPLICATE_RECORD", "0042", CHECK_IN["time"]),
        (2, "DUPLICATE_RECORD", "0042", CHECK_IN["time"]),
    ]
    assert {error["message"] for error in found} == {"Attendance record already exists"}
    assert api.accepted(KEY) == accepted(CHECK_IN)  # the new record was not taken either


def test_duplicates_can_be_named_by_record_instead_of_index(bayzat: Bayzat, api: BayzatSandbox) -> None:
    assert bayzat.push([CHECK_IN]).status_code == 200
    api.answer_shape = "record"

    found = errors(bayzat.push([CHECK_OUT, CHECK_IN, {**CHECK_OUT, "empId": ""}]))

    assert found == [
        {"empId": "0042", "type": "checkIn", "time": CHECK_IN["time"], "code": "DUPLICATE_RECORD",
         "message": "Attendance record already exists"},
        {"empId": "", "type": "checkOut", "time": CHECK_OUT["time"], "code": "INVALID_RECORD",
         "message": "empId must be a non-empty string"},
    ]  # fmt: skip
    assert api.accepted(KEY) == accepted(CHECK_IN)


def test_duplicates_can_be_a_409_that_names_no_record(bayzat: Bayzat, api: BayzatSandbox) -> None:
    assert bayzat.push([CHECK_IN]).status_code == 200
    api.answer_shape = "message"

    duplicate = bayzat.push([CHECK_OUT, CHECK_IN])
    invalid = bayzat.push([CHECK_OUT, {**CHECK_OUT, "empId": ""}])

    assert (duplicate.status_code, duplicate.json()) == (
        409,
        {"success": False, "message": "Attendance record already exists"},
    )
    assert [error["index"] for error in errors(invalid)] == [1]  # other problems are still named
    assert api.accepted(KEY) == accepted(CHECK_IN)


def test_validation_errors_can_be_keyed_by_field_path(bayzat: Bayzat, api: BayzatSandbox) -> None:
    api.hold(KEY, accepted(CHECK_IN))
    api.answer_shape = "fields"

    response = bayzat.push([CHECK_OUT, CHECK_IN, {**CHECK_OUT, "empId": ""}, {**CHECK_OUT, "time": "17:30"}])

    assert (response.status_code, response.json()) == (
        422,
        {
            "message": "The given data was invalid.",
            "errors": {
                "records.1.time": ["Attendance record already exists."],
                "records.2.empId": ["The records.2.empId field is invalid: empId must be a non-empty string."],
                "records.3.time": ["The records.3.time field is invalid: time must be YYYY-MM-DD HH:MM:SS."],
            },
        },
    )
    assert api.accepted(KEY) == accepted(CHECK_IN)


def test_an_unknown_employee_is_an_invalid_selection_in_field_path_answers() -> None:
    api = BayzatSandbox([KEY], rate_limit_per_second=FAST, known_employees={KEY: {"0042"}}, answer_shape="fields")
    with served(api) as bayzat:
        response = bayzat.push([CHECK_IN, {**CHECK_OUT, "empId": "7"}])

    assert response.json()["errors"] == {"records.1.empId": ["The selected records.1.empId is invalid."]}


@pytest.mark.parametrize(
    ("shape", "status", "content_type", "duplicate", "unknown"),
    [
        ("text", 422, "text/plain; charset=utf-8", "Attendance already recorded for employee 0042 on 2024-05-01 09:00",
         "Employee 7 not found"),
        ("sentence", 400, "application/json",
         '{"success":false,"message":"Duplicate punch: employee 0042 already has attendance at 2024-05-01 09:00:00"}',
         '{"success":false,"message":"Employee 7 not found"}'),
    ],
)  # fmt: skip
def test_problems_can_be_told_in_words_the_first_one_only(
    shape: str, status: int, content_type: str, duplicate: str, unknown: str
) -> None:
    api = BayzatSandbox([KEY], rate_limit_per_second=FAST, known_employees={KEY: {"0042"}}, answer_shape=shape)
    api.hold(KEY, accepted(CHECK_IN))
    with served(api) as bayzat:
        both = bayzat.push([CHECK_OUT, CHECK_IN, {**CHECK_OUT, "empId": "7"}])
        one = bayzat.push([CHECK_OUT, {**CHECK_OUT, "empId": "7"}])

    assert (both.status_code, both.headers["content-type"], both.text) == (status, content_type, duplicate)
    assert (one.status_code, one.text) == (status, unknown)
    assert api.accepted(KEY) == accepted(CHECK_IN)


def test_results_answer_each_record_and_store_the_good_ones() -> None:
    api = BayzatSandbox([KEY], rate_limit_per_second=FAST, known_employees={KEY: {"0042"}}, answer_shape="results")
    api.hold(KEY, accepted(CHECK_IN))
    with served(api) as bayzat:
        response = bayzat.push([CHECK_IN, CHECK_OUT, {**CHECK_OUT, "empId": "7"}, dict(CHECK_OUT)])

    assert (response.status_code, response.json()) == (
        200,
        [
            {"status": "duplicate", "message": "Attendance record already exists"},
            {"status": "created"},
            {"status": "error", "message": "Employee 7 not found"},
            {"status": "duplicate", "message": "Attendance record already exists"},
        ],
    )
    assert api.accepted(KEY) == accepted(CHECK_IN, CHECK_OUT)


def test_an_opaque_answer_says_nothing_of_what_was_stored(bayzat: Bayzat, api: BayzatSandbox) -> None:
    api.answer_shape = "opaque"

    clean = bayzat.push([CHECK_IN])
    with_a_problem = bayzat.push([CHECK_OUT, CHECK_IN])

    assert (clean.status_code, clean.json()) == (200, {"status": "queued", "received": 1})
    assert (with_a_problem.status_code, with_a_problem.json()) == (200, {"status": "queued", "received": 2})
    assert api.accepted(KEY) == accepted(CHECK_IN)  # the second request was refused whole, silently


def test_each_key_can_have_its_own_answer_shape(bayzat: Bayzat, api: BayzatSandbox) -> None:
    api.hold(KEY, accepted(CHECK_IN))
    api.hold(OTHER_KEY, accepted(CHECK_IN))
    api.set_answer_shape("message", KEY)
    api.set_answer_shape("record")  # every other key

    mine, other = bayzat.push([CHECK_IN]), bayzat.push([CHECK_IN], key=OTHER_KEY)

    assert mine.status_code == 409 and "index" not in errors(other)[0]
    with pytest.raises(ValueError, match="unknown answer shape"):
        api.set_answer_shape("xml", KEY)  # type: ignore[arg-type]


def test_duplicates_are_per_key(bayzat: Bayzat, api: BayzatSandbox) -> None:
    assert bayzat.push([CHECK_IN]).status_code == 200
    assert bayzat.push([CHECK_IN], key=OTHER_KEY).status_code == 200
    assert api.ledger == {key_id(KEY): accepted(CHECK_IN), key_id(OTHER_KEY): accepted(CHECK_IN)}


def test_a_record_repeated_within_one_request_is_a_duplicate(bayzat: Bayzat, api: BayzatSandbox) -> None:
    found = errors(bayzat.push([CHECK_IN, CHECK_OUT, dict(CHECK_IN)]))

    assert [(error["index"], error["code"]) for error in found] == [(2, "DUPLICATE_RECORD")]
    assert api.ledger == {}


def test_an_employee_bayzat_does_not_know_is_refused_and_leading_zeros_matter() -> None:
    api = BayzatSandbox([KEY, OTHER_KEY], rate_limit_per_second=FAST, known_employees={KEY: {"0042"}})
    without_zeros = {**CHECK_IN, "empId": "42"}
    with served(api) as bayzat:
        found = errors(bayzat.push([CHECK_OUT, without_zeros]))
        assert bayzat.push([without_zeros], key=OTHER_KEY).status_code == 200  # a key not named knows everyone
        assert bayzat.push([CHECK_IN, CHECK_OUT]).status_code == 200
        api.add_key("company-c", employees={"7"})
        assert errors(bayzat.push([CHECK_IN], key="company-c"))[0]["code"] == "EMPLOYEE_NOT_FOUND"

    assert found == [
        {
            "index": 1,
            "empId": "42",
            "type": "checkIn",
            "time": CHECK_IN["time"],
            "code": "EMPLOYEE_NOT_FOUND",
            "message": "Employee 42 not found",
        }
    ]
    assert api.accepted(KEY) == accepted(CHECK_IN, CHECK_OUT)


def test_a_key_above_one_request_per_second_gets_429_while_another_key_does_not() -> None:
    api = BayzatSandbox([KEY, OTHER_KEY])
    with served(api) as bayzat:
        first = bayzat.push([CHECK_IN])
        second = bayzat.push([CHECK_OUT])
        other = bayzat.push([CHECK_OUT], key=OTHER_KEY)

    assert first.status_code == 200 and other.status_code == 200
    assert (second.status_code, second.headers["retry-after"]) == (429, "1")
    assert second.json()["success"] is False and second.json()["message"]
    assert api.throttled == 1
    assert api.accepted(KEY) == accepted(CHECK_IN) and api.accepted(OTHER_KEY) == accepted(CHECK_OUT)


def test_the_rate_limit_judges_requests_by_arrival_in_whatever_order_threads_read_them() -> None:
    api = BayzatSandbox([KEY], rate_limit_per_second=10)  # at least 80 ms apart, with the jitter tolerance

    def status(arrived: float, day: int) -> int:
        body = json.dumps({"records": check_ins(day)[-1:]}).encode()
        request = SandboxRequest("POST", ATTENDANCE_PATH, {}, Headers([("x-api-key", KEY)]), body, arrived=arrived)
        reply = api.serve(request)
        assert reply.response is not None
        return reply.response.status

    assert status(100.2, 1) == 200
    assert status(100.0, 2) == 200, "read after the first, but it arrived 200 ms before it"
    assert status(100.1, 3) == 200, "100 ms from both neighbours"
    assert status(100.15, 4) == 429, "50 ms from both neighbours"
    assert api.throttled == 1 and len(api.accepted(KEY)) == 3


TWIN_IN_ITS_OWN_PROCESS = """
import sys
from hr_sandbox.bayzat import BayzatSandbox
from hr_sandbox.http_server import SandboxHttpServer

with SandboxHttpServer(BayzatSandbox([sys.argv[1]], rate_limit_per_second=10)) as server:
    print(server.url, flush=True)
    sys.stdin.read()
"""


def test_requests_paced_at_the_limit_are_judged_at_arrival_though_the_twin_reads_them_late() -> None:
    """The twin's process is held up (stopped) while two requests arrive 100 ms apart; it reads both at once
    when it resumes, and still admits both: their arrival is when the kernel received them."""
    twin = subprocess.Popen(
        [sys.executable, "-c", TWIN_IN_ITS_OWN_PROCESS, KEY], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert twin.stdout is not None
        bayzat = Bayzat(httpx.Client(timeout=10), f"{twin.stdout.readline().strip()}/attendance")
        os.kill(twin.pid, signal.SIGSTOP)
        with bayzat.client, ThreadPoolExecutor(2) as pool:
            first = pool.submit(bayzat.push, check_ins(1))
            time.sleep(0.1)
            second = pool.submit(bayzat.push, check_ins(2)[1:])
            time.sleep(0.3)
            os.kill(twin.pid, signal.SIGCONT)
            statuses = [first.result().status_code, second.result().status_code]
    finally:
        os.kill(twin.pid, signal.SIGCONT)
        twin.communicate(timeout=WAIT_S)
    assert statuses == [200, 200]


def test_an_injected_500_answers_in_bayzats_shape_and_accepts_nothing(bayzat: Bayzat, api: BayzatSandbox) -> None:
    api.inject("500")

    response = bayzat.push([CHECK_IN])

    assert (response.status_code, response.json()) == (500, {"success": False, "message": "Internal Server Error"})
    assert api.ledger == {}
    assert bayzat.push([CHECK_IN]).status_code == 200


def test_a_dropped_connection_accepts_nothing(bayzat: Bayzat, api: BayzatSandbox) -> None:
    api.inject("drop")

    with pytest.raises(httpx.RemoteProtocolError):
        bayzat.push([CHECK_IN])
    assert api.ledger == {}
    assert bayzat.push([CHECK_IN]).status_code == 200


def test_a_timeout_accepts_the_records_although_the_client_gave_up(bayzat: Bayzat, api: BayzatSandbox) -> None:
    api.inject("timeout")

    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        bayzat.push([CHECK_IN, CHECK_OUT], timeout=0.3)

    assert time.monotonic() - started < TIMEOUT_FAULT_SECONDS
    assert api.accepted(KEY) == accepted(CHECK_IN, CHECK_OUT)  # sent, but never confirmed
    retried = errors(bayzat.push([CHECK_IN, CHECK_OUT]))
    assert [(error["index"], error["code"]) for error in retried] == [(0, "DUPLICATE_RECORD"), (1, "DUPLICATE_RECORD")]


def test_concurrent_pushes_of_the_same_record_are_accepted_once(bayzat: Bayzat, api: BayzatSandbox) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(lambda _: bayzat.push([CHECK_IN]).status_code, range(8)))

    assert statuses == [200] + [400] * 7
    assert api.accepted(KEY) == accepted(CHECK_IN)


@pytest.mark.parametrize(("method", "path"), [("GET", "/attendance"), ("POST", "/attendances"), ("POST", "/")])
def test_any_other_route_is_a_404_in_bayzats_shape(bayzat: Bayzat, method: str, path: str) -> None:
    url = bayzat.api_url.removesuffix("/attendance") + path
    response = bayzat.client.request(method, url, json={"records": [CHECK_IN]}, headers={"x-api-key": KEY})

    assert response.status_code == 404
    assert response.json() == {"success": False, "message": f"Cannot {method} {path}"}


def test_the_key_never_appears_in_the_request_log_or_the_ledger() -> None:
    api = BayzatSandbox([KEY, OTHER_KEY])
    with served(api) as bayzat:
        assert bayzat.push([CHECK_IN]).status_code == 200
        assert bayzat.push([CHECK_OUT]).status_code == 429
        assert bayzat.push([CHECK_IN], key="wrong-key").status_code == 401

    assert [logged.key_id for logged in api.requests] == [key_id(KEY), key_id(KEY), key_id("wrong-key")]
    assert [logged.status for logged in api.requests] == [200, 429, 401]
    for secret in (KEY, "wrong-key"):
        assert secret not in repr(api.requests) and secret not in repr(api.ledger)
        assert secret not in repr(vars(api))


def test_the_demo_twin_answers_each_company_in_its_shape_and_can_start_with_a_history(tmp_path: Path) -> None:
    sandbox = AttendanceSandbox(tmp_path, FAST, answer_shapes={None: "results", "gulfcare": "text"})
    report = sandbox.write_report(sandbox_employees(40), dt.date(2026, 3, 11))
    rows = list(csv.DictReader(report.open(encoding="utf-8")))

    sandbox.give_history(report)

    for company in DEMO_COMPANIES:
        key = sandbox.keys[company.slug]
        codes = list(dict.fromkeys(row["Employee ID"] for row in rows if row["Department"] == company.department))
        first = [row for row in rows if row["Employee ID"] == codes[0]][:3]
        assert sandbox.bayzat.accepted(key) == [
            AcceptedRecord(codes[0], "checkIn", f"{row['Date']} {row['Check In']}:00") for row in first
        ]
        with served(sandbox.bayzat) as bayzat:
            known, unknown = (bayzat.push([{**CHECK_IN, "empId": code}], key=key) for code in (codes[1], codes[-1]))
        assert known.status_code == 200
        if company.slug == "gulfcare":
            assert (unknown.status_code, unknown.text) == (422, f"Employee {codes[-1]} not found")
        else:
            assert unknown.json() == [{"status": "error", "message": f"Employee {codes[-1]} not found"}]


@pytest.mark.parametrize("value", ["xml", "nowhere=text", "advline=", "advline=xml"])
def test_a_sandbox_answer_shape_is_checked_before_anything_starts(value: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(sandbox_command, ["--directory", str(tmp_path), "--bayzat-answer", value])

    assert result.exit_code == 2 and "give SHAPE or COMPANY=SHAPE" in result.output
    assert list(tmp_path.iterdir()) == []
