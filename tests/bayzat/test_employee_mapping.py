"""``hr-assets companies map-employee`` and Bayzat, on both databases: a mapped device id's earlier rows are pushed
under the employee code it stands for, and rows already in Bayzat never change code."""

from __future__ import annotations

import json

from tests.bayzat.conftest import DEPARTMENTS, BayzatWorld, attendance_csv, week_of
from tests.bayzat.test_department_mapping import hr_assets, ledger_of, ok


def test_a_mapped_device_ids_earlier_rows_are_pushed_under_its_code(bayzat_world: BayzatWorld) -> None:
    rows = [("6", DEPARTMENTS["gulfco"], "2026-03-02", "08:00", "17:00")]  # the device drops the roster's zeros
    assert bayzat_world.import_csv("week.csv", attendance_csv(rows)).success
    [before] = bayzat_world.records()
    assert (before["is_valid"], before["status"]) == (False, "skipped")
    assert before["validation_errors"][0]["reason"] == (
        "employee id '6' is not in the employee master (the master has '0006': leading zeros differ)"
    )

    said = ok("companies", "map-employee", "gulfco", "6", "0006")
    assert said == "Device id '6' of gulfco stands for '0006'; 1 row(s) of earlier imports validated again\n"
    [after] = bayzat_world.records()
    assert (after["csv_employee_id"], after["employee_code"], after["status"]) == ("6", "0006", "pending")
    assert bayzat_world.push("gulfco").success
    assert ledger_of(bayzat_world, "gulfco") == [
        ("0006", "checkIn", "2026-03-02 08:00:00"),
        ("0006", "checkOut", "2026-03-02 17:00:00"),
    ]


def test_rows_already_in_bayzat_keep_their_code(bayzat_world: BayzatWorld) -> None:
    assert bayzat_world.import_csv("week.csv", attendance_csv(week_of("advline", ["0001"], days=2))).success
    assert bayzat_world.push("advline").success
    before = bayzat_world.records()
    refused = hr_assets("companies", "map-employee", "advline", "0001", "0002")
    assert (refused.returncode, refused.stderr) == (
        1,
        "Error: device id '0001' of company advline has 2 row(s) already in Bayzat (synced or being sent) under "
        "another code; they keep it, so its mapping is not changed\n",
    )
    assert bayzat_world.records() == before
    assert not [e for e in json.loads(ok("audit", "--json")) if e["action"] == "company.employee.map"]
    # A mapping that leaves the sent rows' code as it is changes nothing in Bayzat, and is kept.
    assert ok("companies", "map-employee", "advline", "0001", "0001").endswith(
        "0 row(s) of earlier imports validated again\n"
    )
    assert bayzat_world.records() == before
