"""``hr-assets companies map-department`` / ``unmap-department``, run as a person types them, on both databases:
many device departments to one company, and the rows of earlier imports following a mapping, never out of Bayzat."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from hr_assets.defs.shared import attendance_pushes
from hr_assets.defs.shared.companies import company_by_slug
from hr_assets.warehouse.integration_errors import load_integration_errors
from hr_assets.warehouse.tables import attendance_imports
from tests.bayzat.conftest import EMPLOYEES, KEYS, BayzatWorld, attendance_csv, week_of

HR_ASSETS = str(Path(sys.executable).with_name("hr-assets"))


def hr_assets(*args: str) -> subprocess.CompletedProcess[str]:
    """The command with the world's environment (the fixture set it in this process's)."""
    return subprocess.run([HR_ASSETS, *args], capture_output=True, text=True, timeout=120, check=False)


def ok(*args: str) -> str:
    result = hr_assets(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def company_ids(world: BayzatWorld) -> dict[str, int]:
    with world.engine.connect() as connection:
        return {slug: company_by_slug(connection, slug)["id"] for slug in KEYS}


def ledger_of(world: BayzatWorld, slug: str) -> list[tuple[str, str, str]]:
    return sorted((r.emp_id, r.type, r.time) for r in world.sandbox.accepted(KEYS[slug]))


def errors_of(world: BayzatWorld) -> list[tuple[int | None, str | None, str]]:
    with world.engine.connect() as connection:
        partition = connection.execute(sa.select(attendance_imports.c.partition_key)).scalar_one()
        return [(e.row_number, e.field, e.reason) for e in load_integration_errors(
            connection, asset="attendance_records", partition_key=partition)]  # fmt: skip


def the_import(world: BayzatWorld) -> dict:
    with world.engine.connect() as connection:
        return dict(connection.execute(sa.select(attendance_imports)).mappings().one())


def test_two_device_names_map_to_one_company_and_the_list_shows_both(bayzat_world: BayzatWorld) -> None:
    mapped = ok("companies", "map-department", "AdvLine Dubai", "--company", "advline")
    assert mapped == "Department 'AdvLine Dubai' maps to advline; 0 row(s) of earlier imports re-assigned\n"
    rows = [
        ("0001", "AdvLine", "2026-03-02", "08:00", "17:00"),
        ("0002", " advline   DUBAI", "2026-03-02", "08:10", "17:00"),
    ]
    assert bayzat_world.import_csv("week.csv", attendance_csv(rows)).success
    ids = company_ids(bayzat_world)
    assert [(r["company_id"], r["is_valid"]) for r in bayzat_world.records()] == [(ids["advline"], True)] * 2
    listed = {row["slug"]: row["departments"] for row in json.loads(ok("companies", "list", "--json"))}
    assert listed == {"advline": ["AdvLine", "AdvLine Dubai"], "gulfco": ["Gulf Co"]}
    assert "AdvLine, AdvLine Dubai" in ok("companies", "list")
    [entry] = [e for e in json.loads(ok("audit", "--json")) if e["action"] == "company.department.map"]
    assert (entry["target"], entry["old_values"], entry["new_values"]) == (
        "company advline",
        {"department": "AdvLine Dubai", "company": None},
        {"department": "AdvLine Dubai", "company": "advline"},
    )
    taken = hr_assets("companies", "add", "--slug", "x", "--name-en", "X", "--fingerprint-name", "ADVLINE dubai",
                      "--timezone", "UTC")  # fmt: skip
    assert (taken.returncode, taken.stderr) == (
        1, "Error: fingerprint department 'ADVLINE dubai' already maps to company 'advline'\n"
    )  # fmt: skip


def test_an_earlier_imports_unmapped_rows_become_valid_and_are_pushed(bayzat_world: BayzatWorld) -> None:
    rows = week_of("gulfco", ["0006"], days=1) + [
        ("0007", "Gulf Co Sharjah", "2026-03-02", "08:00", "17:00"),  # a second device of gulfco, not yet mapped
        ("9999", "Gulf Co Sharjah", "2026-03-02", "08:00", "17:00"),  # and an unknown employee: stays invalid
    ]
    assert bayzat_world.import_csv("week.csv", attendance_csv(rows)).success
    assert [r["status"] for r in bayzat_world.records()] == ["pending", "skipped", "skipped"]
    assert the_import(bayzat_world)["unmapped_departments"] == ["Gulf Co Sharjah"]

    mapped = ok("companies", "map-department", "gulf co sharjah", "--company", "gulfco")
    assert mapped == "Department 'gulf co sharjah' maps to gulfco; 2 row(s) of earlier imports re-assigned\n"
    gulfco = company_ids(bayzat_world)["gulfco"]
    records = bayzat_world.records()
    assert [(r["company_id"], r["is_valid"], r["status"]) for r in records] == [
        (gulfco, True, "pending"), (gulfco, True, "pending"), (gulfco, False, "skipped")
    ]  # fmt: skip
    assert [e["field"] for e in records[2]["validation_errors"]] == ["Employee ID"]
    assert errors_of(bayzat_world) == [(4, "Employee ID", "employee id '9999' is not in the employee master")]
    summary = the_import(bayzat_world)
    assert (summary["successful_records"], summary["failed_records"], summary["unmapped_departments"]) == (2, 1, None)
    assert [e["row_number"] for e in summary["validation_errors"]] == [4]

    assert bayzat_world.push("gulfco").success
    assert ("0007", "checkIn", "2026-03-02 08:00:00") in ledger_of(bayzat_world, "gulfco")
    assert [r["status"] for r in bayzat_world.records()] == ["synced", "synced", "skipped"]


def test_a_department_not_yet_pushed_moves_and_unmaps_with_its_rows(bayzat_world: BayzatWorld) -> None:
    assert bayzat_world.import_csv("week.csv", attendance_csv(week_of("advline", EMPLOYEES[:2], days=2))).success
    ids = company_ids(bayzat_world)

    moved = ok("companies", "map-department", "AdvLine", "--company", "gulfco")
    assert moved == "Department 'AdvLine' maps to gulfco (was advline); 4 row(s) of earlier imports re-assigned\n"
    assert {(r["company_id"], r["is_valid"], r["status"]) for r in bayzat_world.records()} == {
        (ids["gulfco"], True, "pending")
    }
    assert ok("companies", "map-department", "advline", "--company", "gulfco") == (
        "Department 'advline' already maps to gulfco; nothing changed\n"
    )

    unmapped = ok("companies", "unmap-department", "ADVLINE")
    assert unmapped == "Department 'ADVLINE' maps to no company (was gulfco); 4 row(s) of earlier imports re-assigned\n"
    records = bayzat_world.records()
    assert {(r["company_id"], r["is_valid"], r["status"]) for r in records} == {(None, False, "skipped")}
    reason = "department 'AdvLine' maps to no company (hr-assets companies map-department)"
    assert errors_of(bayzat_world) == [(row, "Department", reason) for row in range(2, 6)]
    assert the_import(bayzat_world)["unmapped_departments"] == ["AdvLine"]
    assert [(e["action"], e["target"]) for e in json.loads(ok("audit", "--json")) if "department" in e["action"]] == [
        ("company.department.map", "company gulfco"),
        ("company.department.unmap", "company gulfco"),
    ]
    again = hr_assets("companies", "unmap-department", "AdvLine")
    assert (again.returncode, again.stderr) == (
        1, "Error: department 'AdvLine' maps to no company (see: hr-assets companies list)\n"
    )  # fmt: skip
    assert bayzat_world.push("advline").success and bayzat_world.push("gulfco").success
    assert ledger_of(bayzat_world, "advline") == ledger_of(bayzat_world, "gulfco") == []


def test_rows_already_in_bayzat_are_never_moved(bayzat_world: BayzatWorld) -> None:
    assert bayzat_world.import_csv("week.csv", attendance_csv(week_of("advline", EMPLOYEES[:2], days=2))).success
    assert bayzat_world.push("advline").success
    before = bayzat_world.records()
    refusal = (
        "Error: department 'AdvLine' has rows already in Bayzat (synced or being sent): 4 under company advline; they "
        "stay with their company, so its mapping is not changed\n"
    )
    for command in (("map-department", "AdvLine", "--company", "gulfco"), ("unmap-department", "AdvLine")):
        refused = hr_assets("companies", *command)
        assert (refused.returncode, refused.stderr) == (1, refusal)
    assert bayzat_world.records() == before
    listed = {row["slug"]: row["departments"] for row in json.loads(ok("companies", "list", "--json"))}
    assert listed["advline"] == ["AdvLine"]
    assert not [e for e in json.loads(ok("audit", "--json")) if "department" in e["action"]]


def test_no_department_moves_while_a_push_of_its_company_runs(bayzat_world: BayzatWorld) -> None:
    assert bayzat_world.import_csv("week.csv", attendance_csv(week_of("advline", ["0001"], days=1))).success
    ids = company_ids(bayzat_world)
    advline = ids["advline"]
    with bayzat_world.engine.begin() as connection:  # a push of advline holds its lease
        assert attendance_pushes.take_lease(connection, advline, "push-run", dt.datetime.now(dt.UTC), 600)
    refused = hr_assets("companies", "map-department", "AdvLine", "--company", "gulfco")
    assert (refused.returncode, refused.stderr) == (
        1, "Error: a Bayzat push of company advline is running: try again when it has ended\n"
    )  # fmt: skip
    assert {r["company_id"] for r in bayzat_world.records()} == {advline}
    with bayzat_world.engine.begin() as connection:
        attendance_pushes.release_lease(connection, advline, "push-run")
    ok("companies", "map-department", "AdvLine", "--company", "gulfco")
    now = dt.datetime.now(dt.UTC)
    with bayzat_world.engine.begin() as connection:  # the change let go of both leases
        taken = [attendance_pushes.take_lease(connection, ids[slug], "next-push", now, 600) for slug in KEYS]
        assert taken == [True, True]


def test_a_re_assigned_row_reads_its_date_as_its_new_company_writes_dates(bayzat_world: BayzatWorld) -> None:
    ok("companies", "set", "gulfco", "--date-format", "DMY")
    rows = [("0006", "Gulf Co Sharjah", "03/04/2026", "08:00", "17:00")]  # unmapped: nothing says day or month first
    assert bayzat_world.import_csv("week.csv", attendance_csv(rows)).success
    [before] = bayzat_world.records()
    assert {e["field"] for e in before["validation_errors"]} == {"Department", "Date"}
    ok("companies", "map-department", "Gulf Co Sharjah", "--company", "gulfco")
    [after] = bayzat_world.records()
    assert (after["date"], after["is_valid"], after["status"]) == (dt.date(2026, 4, 3), True, "pending")
    assert errors_of(bayzat_world) == []
