"""Every shape Bayzat may answer in, each survived with a push killed mid-request: every punch ends in Bayzat once, no
record Bayzat holds is failed, every record it refuses is failed with its words, and the run's counts add up."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
from collections import Counter

import dagster as dg
import pytest

from hr_assets.defs.bayzat.store import reset_failed
from hr_sandbox.bayzat import ANSWER_SHAPES, AcceptedRecord
from tests.bayzat.conftest import EMPLOYEES, KEYS, BayzatWorld, attendance_csv, week_of
from tests.bayzat.test_push import BIN, ledger_of, make_due
from tests.conftest import ON_SQLITE
from tests.waiting import wait_until

READABLE = [shape for shape in ANSWER_SHAPES if shape != "opaque"]
UNKNOWN = "0001"  # not yet in Bayzat: each of its records is refused
KNOWN = EMPLOYEES[1:5]
DAYS = 6
HELD = [AcceptedRecord("0002", "checkIn", f"2026-03-0{2 + day} 08:5{day}:00") for day in range(3)]  # entered by hand
REFUSAL = {"fields": "empId is invalid"}  # how each shape words "Employee 0001 not found"


def a_bayzat_in_use(world: BayzatWorld, shape: str) -> None:
    """Bayzat answers advline in ``shape``, does not know 0001, and holds three of 0002's check-ins already; the
    file holds six days of five employees (30 records, 60 punches)."""
    world.sandbox.add_key(KEYS["advline"], employees=KNOWN)
    world.sandbox.hold(KEYS["advline"], HELD)
    world.sandbox.set_answer_shape(shape, KEYS["advline"])  # gulfco keeps the twin's own shape
    assert world.import_csv("week.csv", attendance_csv(week_of("advline", EMPLOYEES[:5], days=DAYS))).success


def every_known_punch() -> set[tuple[str, str, str]]:
    rows = week_of("advline", KNOWN, days=DAYS)
    return {
        (emp_id, kind, f"{day} {clock}:00")
        for emp_id, _, day, check_in, check_out in rows
        for kind, clock in (("checkIn", check_in), ("checkOut", check_out))
    }


def push_killed_mid_request(world: BayzatWorld) -> None:
    """``hr-assets bayzat push`` killed while Bayzat holds back the answer to a request it has handled."""
    push = subprocess.Popen(
        [str(BIN / "hr-assets"), "bayzat", "push", "--company", "advline", "--in-process"],
        env={**os.environ, "BAYZAT_RATE_LIMIT_DELAY": "0.3", "BAYZAT_TIMEOUT_SECONDS": "20"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(lambda: len(world.sandbox.requests) >= 1, "the push's first request", every_s=0.01)
        world.sandbox.inject("timeout")
        wait_until(lambda: world.sandbox.held_back == 1, "the answer held back", every_s=0.01)
        assert push.poll() is None, "the push ended before it could be killed"
    finally:
        os.killpg(push.pid, signal.SIGKILL)
        push.wait()


def counts(result: dg.ExecuteInProcessResult) -> dict[str, int]:
    (materialization,) = result.asset_materializations_for_node("bayzat_sync_batches")
    return {key: value.value for key, value in materialization.metadata.items() if isinstance(value.value, int)}


def add_up(run: dict[str, int]) -> bool:
    """due = synced + already there + refused + retry scheduled (+ the fates that need no answer)."""
    fates = ("synced", "already_in_bayzat", "rejected", "retry_scheduled", "retries_exhausted", "not_sent")
    return run["due"] == sum(run[fate] for fate in fates) + run["skipped_without_punches"]


@pytest.mark.parametrize("shape", READABLE)
def test_each_answer_shape_settles_every_record_by_what_bayzat_said_through_a_kill(
    bayzat_world: BayzatWorld, shape: str
) -> None:
    a_bayzat_in_use(bayzat_world, shape)

    push_killed_mid_request(bayzat_world)
    assert "syncing" in {r["status"] for r in bayzat_world.records()}  # the request in flight, its answer lost
    result = bayzat_world.push("advline")

    assert result.success
    run = counts(result)
    assert add_up(run) and run["retry_scheduled"] == run["retries_exhausted"] == run["not_sent"] == 0
    ledger = ledger_of(bayzat_world, "advline")
    assert len(ledger) == len(set(ledger)) and set(ledger) == every_known_punch()  # each punch once, none lost
    records = bayzat_world.records()
    assert {r["status"] for r in records if r["csv_employee_id"] != UNKNOWN} == {"synced"}
    refused = [r for r in records if r["csv_employee_id"] == UNKNOWN]
    assert len(refused) == DAYS and {r["status"] for r in refused} == {"failed"}
    assert all(r["next_retry_at"] is None for r in refused)
    words = REFUSAL.get(shape, "Employee 0001 not found")
    assert all(words in r["error"] for r in refused), refused[0]["error"]
    (materialization,) = result.asset_materializations_for_node("bayzat_sync_batches")
    shown = [row.data for row in materialization.metadata["records_needing_attention"].value.records]
    assert [(row["employee_code"], row["reason"]) for row in shown] == [("0001", r["error"]) for r in refused]
    assert bayzat_world.sandbox.accepted(KEYS["gulfco"]) == []


def test_answers_that_say_nothing_leave_records_due_with_the_answer_kept_until_bayzat_says(
    bayzat_world: BayzatWorld,
) -> None:
    a_bayzat_in_use(bayzat_world, "opaque")

    push_killed_mid_request(bayzat_world)
    result = bayzat_world.push("advline")

    assert result.success
    run = counts(result)
    assert add_up(run) and run["synced"] == run["already_in_bayzat"] == run["rejected"] == 0
    assert run["retry_scheduled"] == run["due"] > 0 and run["answers_unread"] >= run["due"]
    due = bayzat_world.records()  # the killed run's too
    assert {r["status"] for r in due} == {"failed"} and all(r["next_retry_at"] is not None for r in due)
    assert all('Bayzat answered 200: {"status": "queued", "received": 1}' in r["error"] for r in due)
    logged = [e.user_message for e in bayzat_world.instance.all_logs(result.run_id) if e.level == 30]
    assert any(f"answer about {run['answers_unread']} punches could not be read" in line for line in logged)
    ledger = ledger_of(bayzat_world, "advline")
    assert len(ledger) == len(set(ledger))

    bayzat_world.sandbox.set_answer_shape("index", KEYS["advline"])  # Bayzat answers plainly again
    make_due(bayzat_world)
    result = bayzat_world.push("advline")

    assert result.success and add_up(counts(result))
    ledger = ledger_of(bayzat_world, "advline")
    assert len(ledger) == len(set(ledger)) and set(ledger) == every_known_punch()
    statuses = Counter((r["csv_employee_id"] == UNKNOWN, r["status"]) for r in bayzat_world.records())
    assert statuses == {(False, "synced"): len(KNOWN) * DAYS, (True, "failed"): DAYS}


@ON_SQLITE
def test_a_punchs_verdict_never_stops_its_sibling_and_a_deployment_teaches_the_push_new_duplicate_words(
    bayzat_world: BayzatWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    morning = [(emp_id, dept, day, check_in, "") for emp_id, dept, day, check_in, _ in week_of("advline", ["0001"])]
    assert bayzat_world.import_csv("morning.csv", attendance_csv(morning)).success
    assert bayzat_world.push("advline").success  # Bayzat holds the three check-ins
    bayzat_world.sandbox.set_answer_shape("message")  # a 409 naming no record: each punch is then asked alone
    bayzat_world.sandbox.duplicate_words = "Registro ya existe"
    assert bayzat_world.import_csv("day.csv", attendance_csv(week_of("advline", ["0001"]))).success

    first = bayzat_world.push("advline")

    assert first.success
    whole_days = bayzat_world.records(attendance_import_id=2)
    assert {r["status"] for r in whole_days} == {"failed"}  # "Registro ya existe" is no duplicate wording yet
    assert {r["error"] for r in whole_days} == {"checkIn: Registro ya existe"}
    assert [kind for _, kind, _ in ledger_of(bayzat_world, "advline")].count("checkOut") == 3  # yet each was sent

    monkeypatch.setenv("BAYZAT_DUPLICATE_PHRASES", "ya existe|déjà enregistré")
    with bayzat_world.engine.begin() as connection:  # a person retries them (hr-assets bayzat retry-failed)
        assert reset_failed(connection, None, dt.datetime.now(dt.UTC)) == 3
    second = bayzat_world.push("advline")

    assert second.success
    assert counts(second)["already_in_bayzat"] == 3
    assert {r["status"] for r in bayzat_world.records()} == {"synced"}
    ledger = ledger_of(bayzat_world, "advline")
    assert len(ledger) == len(set(ledger)) == 6
