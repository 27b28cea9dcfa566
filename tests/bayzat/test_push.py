"""The push end to end: fingerprint files imported, records sent to the Bayzat twin once each, every answer handled."""

from __future__ import annotations

import collections
import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from hr_assets.defs.bayzat.push import LeaseBusy, push_company
from hr_assets.defs.bayzat.resources import BayzatResource
from hr_assets.defs.shared import attendance_pushes
from hr_assets.defs.shared.companies import company_by_slug
from hr_assets.lib.clock import Clock
from tests.bayzat.conftest import EMPLOYEES, KEYS, SECRET_KEY, BayzatWorld, attendance_csv, week_of
from tests.conftest import ON_SQLITE
from tests.waiting import wait_until

BIN = Path(sys.executable).parent


def ledger_of(world: BayzatWorld, slug: str) -> list[tuple[str, str, str]]:
    return sorted((r.emp_id, r.type, r.time) for r in world.sandbox.accepted(KEYS[slug]))


def test_two_companies_every_record_once(bayzat_world: BayzatWorld) -> None:
    rows = week_of("advline", EMPLOYEES[:5]) + week_of("gulfco", EMPLOYEES[5:])
    imported = bayzat_world.import_csv("week.csv", attendance_csv(rows))
    assert imported.success
    for slug in KEYS:
        result = bayzat_world.push(slug)
        assert result.success
    assert len(ledger_of(bayzat_world, "advline")) == 5 * 3 * 2
    assert len(ledger_of(bayzat_world, "gulfco")) == 5 * 3 * 2
    assert ("0001", "checkIn", "2026-03-02 08:50:00") in ledger_of(bayzat_world, "advline")
    assert {r["status"] for r in bayzat_world.records()} == {"synced"}
    sent = len(bayzat_world.sandbox.requests)
    for slug in KEYS:
        assert bayzat_world.push(slug).success
    assert len(bayzat_world.sandbox.requests) == sent  # nothing was due, nothing was sent


def test_one_run_pushes_every_company_and_one_companys_failure_stops_no_other(bayzat_world: BayzatWorld) -> None:
    rows = week_of("advline", EMPLOYEES[:5]) + week_of("gulfco", EMPLOYEES[5:])
    assert bayzat_world.import_csv("week.csv", attendance_csv(rows)).success
    bayzat_world.sandbox.revoke_key(KEYS["gulfco"])
    result = bayzat_world.push_all()
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.user_failure_data.description
    assert failure.startswith("1 of 2 companies failed, the others pushed: Bayzat refused gulfco's API key")
    assert KEYS["gulfco"] not in failure
    (materialization,) = result.asset_materializations_for_node("bayzat_sync_batches")
    assert materialization.partition == "advline" and materialization.metadata["synced"].value == 15
    assert materialization.metadata["records_by_status"].value.records[2].data == {"status": "synced", "records": 15}
    pushed = bayzat_world.instance.get_materialized_partitions(dg.AssetKey("bayzat_sync_batches"))
    assert pushed == {"advline"}
    assert {r["status"] for r in bayzat_world.records(company_id=1)} == {"synced"}
    assert {r["status"] for r in bayzat_world.records(company_id=2)} == {"pending"}  # no retry spent
    assert len(ledger_of(bayzat_world, "advline")) == 5 * 3 * 2

    bayzat_world.sandbox.add_key(KEYS["gulfco"], employees=EMPLOYEES)
    with bayzat_world.engine.begin() as connection:
        connection.execute(sa.text("UPDATE bayzat_configs SET needs_new_key = false"))  # a new key, configured
    result = bayzat_world.push_all()
    assert result.success
    metadata = {m.partition: m.metadata for m in result.asset_materializations_for_node("bayzat_sync_batches")}
    assert (metadata["advline"]["due"].value, metadata["gulfco"]["synced"].value) == (0, 15)
    assert metadata["gulfco"]["failure_rate"].value == 0.0
    assert len(ledger_of(bayzat_world, "gulfco")) == 5 * 3 * 2


def advline_week(world: BayzatWorld, employees: list[str] | None = None, days: int = 3) -> None:
    assert world.import_csv("advline.csv", attendance_csv(week_of("advline", employees or EMPLOYEES[:5], days))).success


def make_due(world: BayzatWorld) -> None:
    """Bring every scheduled retry forward to now, as the passing of time would."""
    with world.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE bayzat_record_pushes SET next_retry_at = :past WHERE next_retry_at IS NOT NULL"),
            {"past": dt.datetime(2000, 1, 1, tzinfo=dt.UTC)},
        )


@ON_SQLITE
def test_records_bayzat_rejects_fail_with_its_message_and_the_rest_of_the_chunk_goes(bayzat_world: BayzatWorld) -> None:
    bayzat_world.sandbox.add_key(KEYS["advline"], employees=EMPLOYEES[1:5])  # Bayzat does not know 0001
    advline_week(bayzat_world)
    assert bayzat_world.push("advline").success
    rejected = [r for r in bayzat_world.records() if r["csv_employee_id"] == "0001"]
    assert {r["status"] for r in rejected} == {"failed"}
    assert all(r["next_retry_at"] is None and "0001" in r["error"] for r in rejected)
    assert len(ledger_of(bayzat_world, "advline")) == 4 * 3 * 2
    sent = len(bayzat_world.sandbox.requests)
    assert bayzat_world.push("advline").success
    assert len(bayzat_world.sandbox.requests) == sent  # not retried blindly


@ON_SQLITE
def test_a_refused_key_stops_the_company_without_spending_retries(bayzat_world: BayzatWorld) -> None:
    advline_week(bayzat_world)
    bayzat_world.sandbox.revoke_key(KEYS["advline"])
    result = bayzat_world.push("advline")
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error
    assert "refused advline's API key" in failure.message and KEYS["advline"] not in failure.message
    records = bayzat_world.records()
    assert {r["status"] for r in records} == {"pending"}
    assert {r["retry_count"] for r in records} == {0}
    assert len(bayzat_world.sandbox.requests) == 1
    with bayzat_world.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT needs_new_key FROM bayzat_configs WHERE id = 1")).scalar_one()


@ON_SQLITE
def test_a_server_error_schedules_the_chunk_for_retry_and_the_rest_goes_on(bayzat_world: BayzatWorld) -> None:
    advline_week(bayzat_world)  # 15 records: a chunk of 10, then one of 5
    bayzat_world.sandbox.inject("500")
    before = dt.datetime.now(dt.UTC)
    assert bayzat_world.push("advline").success
    failed = bayzat_world.records(status="failed")
    assert len(failed) == 10 and {r["retry_count"] for r in failed} == {1}
    for record in failed:
        wait = record["next_retry_at"] - before
        assert dt.timedelta(minutes=5) <= wait < dt.timedelta(minutes=6)
    assert len(bayzat_world.records(status="synced")) == 5
    sent = len(bayzat_world.sandbox.requests)
    assert bayzat_world.push("advline").success
    assert len(bayzat_world.sandbox.requests) == sent  # not due yet
    make_due(bayzat_world)
    assert bayzat_world.push("advline").success
    assert {r["status"] for r in bayzat_world.records()} == {"synced"}
    assert len(ledger_of(bayzat_world, "advline")) == 15 * 2


NAMING_SHAPES = pytest.mark.parametrize("shape", ["index", "record", "message"])


@NAMING_SHAPES
def test_an_answer_lost_to_a_timeout_is_settled_by_bayzats_already_exists(
    bayzat_world: BayzatWorld, shape: str
) -> None:
    advline_week(bayzat_world, days=2)  # 10 records, one request
    bayzat_world.sandbox.inject("timeout")  # Bayzat takes the records, the answer never arrives in time
    assert bayzat_world.push("advline").success
    assert len(bayzat_world.records(status="failed")) == 10
    assert len(ledger_of(bayzat_world, "advline")) == 20
    make_due(bayzat_world)
    bayzat_world.sandbox.answer_shape = shape
    result = bayzat_world.push("advline")
    assert result.success
    metadata = result.asset_materializations_for_node("bayzat_sync_batches")[0].metadata
    assert metadata["already_in_bayzat"].value == 10
    assert {r["status"] for r in bayzat_world.records()} == {"synced"}
    assert len(ledger_of(bayzat_world, "advline")) == 20  # still once each


@ON_SQLITE
@NAMING_SHAPES
def test_already_exists_is_found_in_any_answer_and_only_what_bayzat_refuses_fails(
    bayzat_world: BayzatWorld, shape: str
) -> None:
    mornings = [
        (emp_id, dept, day, check_in, "") for emp_id, dept, day, check_in, _ in week_of("advline", EMPLOYEES[:5])
    ]
    assert bayzat_world.import_csv("morning.csv", attendance_csv(mornings)).success
    assert bayzat_world.push("advline").success  # Bayzat holds the 15 check-ins
    bayzat_world.sandbox.add_key(KEYS["advline"], employees=EMPLOYEES[1:5])  # and no longer knows 0001
    bayzat_world.sandbox.answer_shape = shape
    sent = len(bayzat_world.sandbox.requests)
    advline_week(bayzat_world)  # the whole days: each record's check-in is in Bayzat, its check-out is not

    result = bayzat_world.push("advline")

    assert result.success
    metadata = result.asset_materializations_for_node("bayzat_sync_batches")[0].metadata
    assert (metadata["synced"].value, metadata["rejected"].value) == (12, 3)
    evening = bayzat_world.records(attendance_import_id=2)
    failed = [r for r in evening if r["status"] == "failed"]
    assert {r["csv_employee_id"] for r in failed} == {"0001"} and len(failed) == 3
    assert all("0001 not found" in r["error"] and r["next_retry_at"] is None for r in failed)
    assert {r["status"] for r in evening if r["csv_employee_id"] != "0001"} == {"synced"}
    ledger = ledger_of(bayzat_world, "advline")
    assert len(ledger) == len(set(ledger)) == 15 + 12
    answers = collections.Counter(request.status for request in bayzat_world.sandbox.requests[sent:])
    if shape == "message":  # two chunks answered 409, then their punches one a request, 0001's both
        assert answers == {409: 2 + 12, 200: 12, 400: 6}
    else:  # the named duplicates set aside, the rest of each chunk sent again
        assert answers == {400: 2, 200: 2}


@ON_SQLITE
def test_throttling_is_waited_out_and_the_push_goes_on(bayzat_world: BayzatWorld) -> None:
    advline_week(bayzat_world)
    bayzat_world.sandbox.inject("429", times=2)
    result = bayzat_world.push("advline")
    assert result.success
    metadata = result.asset_materializations_for_node("bayzat_sync_batches")[0].metadata
    assert metadata["throttled_429"].value == 2
    assert {r["status"] for r in bayzat_world.records()} == {"synced"}


@ON_SQLITE
def test_invalid_rows_are_stored_with_reasons_and_never_sent(bayzat_world: BayzatWorld) -> None:
    rows = week_of("advline", ["0001"], days=1) + [
        ("9999", "AdvLine", "2026-03-02", "08:00", "17:00"),  # unknown employee
        ("0002", "Nowhere Ltd", "2026-03-02", "08:00", "17:00"),  # unmapped department
        ("0003", "AdvLine", "2026-02-30", "08:00", "17:00"),  # no such date
        ("0004", "AdvLine", "2026-03-02", "25:00", "17:00"),  # no such time
    ]
    result = bayzat_world.import_csv("mixed.csv", attendance_csv(rows))
    assert result.success
    metadata = result.asset_materializations_for_node("attendance_records")[0].metadata
    assert (metadata["rows"].value, metadata["valid_records"].value, metadata["invalid_records"].value) == (5, 1, 4)
    assert [row.data["department"] for row in metadata["unmapped_departments"].value.records] == ["Nowhere Ltd"]
    records = bayzat_world.records()
    assert [r["is_valid"] for r in records] == [True, False, False, False, False]
    assert [r["status"] for r in records] == ["pending"] + ["skipped"] * 4
    assert bayzat_world.push("advline").success
    assert ledger_of(bayzat_world, "advline") == [
        ("0001", "checkIn", "2026-03-02 08:50:00"),
        ("0001", "checkOut", "2026-03-02 17:00:00"),
    ]


@ON_SQLITE
def test_reimporting_a_file_after_its_push_sends_nothing_again(bayzat_world: BayzatWorld) -> None:
    advline_week(bayzat_world)
    assert bayzat_world.push("advline").success
    advline_week(bayzat_world)  # the same file, imported again (a re-run of its partition)
    assert {r["status"] for r in bayzat_world.records()} == {"synced"}
    assert len(bayzat_world.records()) == 15
    sent = len(bayzat_world.sandbox.requests)
    assert bayzat_world.push("advline").success
    assert len(bayzat_world.sandbox.requests) == sent


@ON_SQLITE
def test_the_api_key_is_stored_encrypted_and_appears_in_no_event(bayzat_world: BayzatWorld) -> None:
    advline_week(bayzat_world)
    bayzat_world.sandbox.inject("500")
    runs = [bayzat_world.push("advline")]
    bayzat_world.sandbox.revoke_key(KEYS["advline"])
    make_due(bayzat_world)
    runs.append(bayzat_world.push("advline"))
    with bayzat_world.engine.connect() as connection:
        tables = connection.execute(sa.text("SELECT * FROM bayzat_configs")).all()
        errors = connection.execute(sa.text("SELECT error FROM bayzat_record_pushes")).all()
    assert KEYS["advline"] not in repr(tables) + repr(errors)
    logs = [entry.to_json() for run in runs for entry in bayzat_world.instance.all_logs(run.run_id)]
    assert len(logs) > 10 and not [entry for entry in logs if KEYS["advline"] in entry]
    assert any("refused advline's API key" in entry for entry in logs)


def test_a_push_killed_between_sending_and_recording_is_settled_by_the_next_run(bayzat_world: BayzatWorld) -> None:
    assert bayzat_world.import_csv("month.csv", attendance_csv(week_of("advline", EMPLOYEES[:5], days=9))).success
    accepted = lambda: len(bayzat_world.sandbox.accepted(KEYS["advline"]))  # noqa: E731
    push = subprocess.Popen(
        [str(BIN / "hr-assets"), "bayzat", "push", "--company", "advline", "--in-process"],
        env={**os.environ, "BAYZAT_RATE_LIMIT_DELAY": "0.3", "BAYZAT_TIMEOUT_SECONDS": "20"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(lambda: accepted() >= 40, "two requests of ten records", every_s=0.01)
        bayzat_world.sandbox.inject("timeout")  # Bayzat takes the third request and holds its answer back
        wait_until(lambda: accepted() >= 60, "the third request", every_s=0.01)
        assert push.poll() is None, "the push ended before it could be killed"
    finally:
        os.killpg(push.pid, signal.SIGKILL)
        push.wait()
    counts = collections.Counter(r["status"] for r in bayzat_world.records())
    assert counts == {"synced": 20, "syncing": 10, "pending": 15}
    assert batches(bayzat_world) == [("processing", 45, 0, 0)]
    result = bayzat_world.push("advline")
    assert result.success
    metadata = result.asset_materializations_for_node("bayzat_sync_batches")[0].metadata
    assert metadata["already_in_bayzat"].value == 10  # the request in flight, found in Bayzat
    assert metadata["interrupted_batches_closed"].value == 1
    assert batches(bayzat_world) == [("interrupted", 45, 20, 0), ("completed", 25, 25, 0)]
    assert bayzat_world.push("advline").success
    assert batches(bayzat_world)[0] == ("interrupted", 45, 20, 0)  # closed once, and left as it was
    assert {r["status"] for r in bayzat_world.records()} == {"synced"}
    ledger = ledger_of(bayzat_world, "advline")
    assert len(ledger) == len(set(ledger)) == 5 * 9 * 2


def test_one_process_pushing_two_companies_killed_mid_way_loses_and_repeats_nothing(
    bayzat_world: BayzatWorld,
) -> None:
    rows = week_of("advline", EMPLOYEES[:5], days=9) + week_of("gulfco", EMPLOYEES[5:], days=9)
    assert bayzat_world.import_csv("month.csv", attendance_csv(rows)).success
    accepted = lambda slug: len(bayzat_world.sandbox.accepted(KEYS[slug]))  # noqa: E731
    push = subprocess.Popen(
        [str(BIN / "hr-assets"), "bayzat", "push", "--all", "--in-process"],
        env={**os.environ, "BAYZAT_RATE_LIMIT_DELAY": "0.3", "BAYZAT_TIMEOUT_SECONDS": "20"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(lambda: accepted("advline") >= 40 and accepted("gulfco") >= 40, "two requests of each", every_s=0.01)
        assert push.poll() is None, "the push ended before it could be killed"
    finally:
        os.killpg(push.pid, signal.SIGKILL)
        push.wait()
    statuses = collections.Counter(r["status"] for r in bayzat_world.records())
    assert 2 * 10 <= statuses["synced"] < 90  # each company had two requests answered, and not all
    result = bayzat_world.push_all()
    assert result.success
    metadata = {m.partition: m.metadata for m in result.asset_materializations_for_node("bayzat_sync_batches")}
    assert {slug: m["interrupted_batches_closed"].value for slug, m in metadata.items()} == {"advline": 1, "gulfco": 1}
    assert {r["status"] for r in bayzat_world.records()} == {"synced"}
    for slug in KEYS:
        ledger = ledger_of(bayzat_world, slug)
        assert len(ledger) == len(set(ledger)) == 5 * 9 * 2
    assert [status for status, *_ in batches(bayzat_world)] == ["interrupted", "interrupted", "completed", "completed"]


def batches(world: BayzatWorld) -> list[tuple[str, int, int, int]]:
    """Each batch's (status, total, synced, failed), oldest first."""
    query = "SELECT status, total_records, synced_records, failed_records FROM bayzat_sync_batches ORDER BY id"
    with world.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(query))]


@ON_SQLITE
def test_a_later_export_of_the_same_days_sends_only_the_punches_bayzat_lacks(bayzat_world: BayzatWorld) -> None:
    morning = [(emp_id, dept, day, check_in, "") for emp_id, dept, day, check_in, _ in week_of("advline", ["0001"])]
    assert bayzat_world.import_csv("morning.csv", attendance_csv(morning)).success
    assert bayzat_world.push("advline").success
    assert bayzat_world.import_csv("evening.csv", attendance_csv(week_of("advline", ["0001"]))).success
    result = bayzat_world.push("advline")
    assert result.success
    assert {r["status"] for r in bayzat_world.records()} == {"synced"}
    ledger = ledger_of(bayzat_world, "advline")
    assert len(ledger) == len(set(ledger)) == 3 * 2
    assert [kind for _, kind, _ in ledger].count("checkOut") == 3


def test_one_run_at_a_time_pushes_a_company(bayzat_world: BayzatWorld) -> None:
    advline_week(bayzat_world)
    bayzat, clock = (
        BayzatResource(hr_secret_key=SECRET_KEY, rate_limit_delay=0.06, lease_seconds=1),
        Clock(),
    )  # the lease lapses in real time
    with bayzat_world.engine.begin() as connection:
        company_id = company_by_slug(connection, "advline")["id"]
        assert attendance_pushes.take_lease(connection, company_id, "another-run", clock.now(), 60)
    with pytest.raises(LeaseBusy):
        push_company(bayzat_world.engine, "advline", bayzat, "this-run", clock.now, lease_wait_s=0.2)
    assert bayzat_world.sandbox.requests == []  # nothing was sent while the other run held the company
    with bayzat_world.engine.begin() as connection:  # the other run died: its hold lapses
        assert attendance_pushes.take_lease(connection, company_id, "another-run", clock.now(), 0.5)
    summary = push_company(bayzat_world.engine, "advline", bayzat, "this-run", clock.now, lease_wait_s=5)
    assert summary.synced == 15
    with bayzat_world.engine.connect() as connection:
        held = connection.execute(sa.text("SELECT push_lease_run_id FROM bayzat_configs")).scalars().all()
    assert held == [None, None]  # released at the end
