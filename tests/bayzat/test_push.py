"""The push end to end: fingerprint files imported, records sent to the Bayzat twin once each, every answer handled."""

from __future__ import annotations

from tests.bayzat.conftest import EMPLOYEES, KEYS, BayzatWorld, attendance_csv, week_of


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
    assert {r["bayzat_sync_status"] for r in bayzat_world.records()} == {"synced"}
    sent = len(bayzat_world.sandbox.requests)
    for slug in KEYS:
        assert bayzat_world.push(slug).success
    assert len(bayzat_world.sandbox.requests) == sent  # nothing was due, nothing was sent
