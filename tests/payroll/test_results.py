"""A completed period's pay per employee on SQLite and PostgreSQL: stored from the exact minutes and rounded once to
the cent, read back with names and the terms of each run of days, and listed by ``hr-assets payroll results`` as a
table, JSON and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from hr_assets.defs.payroll.assets import PAY_TABLE_ROWS, pay_table
from hr_assets.defs.payroll.results import COLUMNS, pay_results
from tests.payroll.conftest import PayrollWorld, employee

pytestmark = pytest.mark.commands
HR_ASSETS = str(Path(sys.executable).with_name("hr-assets"))
FIRST = dt.date(2024, 1, 1)  # a Monday


def day(offset: int) -> dt.date:
    return FIRST + dt.timedelta(days=offset)


def results(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HR_ASSETS, "payroll", "results", *args], capture_output=True, text=True, timeout=180, check=False
    )


@pytest.fixture
def paid(payroll_world: PayrollWorld) -> tuple[PayrollWorld, int]:
    world = payroll_world
    raised = employee("R1", rate="30.0000")
    world.add_employees(employee("E1", rate="20.0000") | {"last_name": "Lopez"})
    world.add_employees(
        employee("H1", rate="20.0000"),
        employee("S1", "salary", salary="52000.00", overtime_eligible=False),
        raised,
    )
    world.add_snapshot(day(4), employee("R1", rate="20.0000"))  # R1's raise: 20.00 until the first week's Friday
    world.add_snapshot(day(11), raised)
    world.add_attendance(
        [("E1", day(1), "09:00", "16:40")]  # 7 h 40 min
        + [("H1", day(d), "08:00", "16:00") for d in range(5)]  # 40 h
        + [("H1", day(5), "09:00", "16:40"), ("H1", day(7), "09:00", "16:40")]  # 7 h 40 min overtime, then regular
        + [("R1", day(0), "09:00", "10:00"), ("R1", day(7), "09:00", "10:00")]
    )
    period_id = world.add_period(FIRST, day(13), "bi_weekly")
    result = world.run(period_id)
    assert result.success
    assert all(check.passed for check in result.get_asset_check_evaluations() if check.check_name != (
        "payroll_hourly_without_attendance"))  # fmt: skip
    return world, period_id


def test_pay_is_stored_from_the_exact_minutes_and_read_per_employee(paid: tuple[PayrollWorld, int]) -> None:
    world, period_id = paid
    stored = world.results(period_id)
    # 460 min at 20.00 = 153.333... -> 153.33; the hours shown are 7.67 (paid from them it would be 153.40).
    e1 = stored["E1"]
    assert (e1["regular_minutes"], e1["regular_hours"], e1["gross_pay"]) == (460, Decimal("7.67"), Decimal("153.33"))
    # 2860 regular min x 20.00 / 60 + 460 overtime min x 20.00 x 1.5 / 60 = 953.333... + 230 -> 1183.33
    # (from the rounded hours, 47.67 x 20 + 7.67 x 30, it would be 1183.50).
    h1 = stored["H1"]
    assert (h1["regular_minutes"], h1["overtime_minutes"]) == (2860, 460)
    assert (h1["regular_hours"], h1["overtime_hours"], h1["gross_pay"]) == (
        Decimal("47.67"),
        Decimal("7.67"),
        Decimal("1183.33"),
    )
    assert world.totals(period_id)["gross_pay"] == Decimal("153.33") + Decimal("1183.33") + Decimal("2000.00") + 50

    with world.engine.connect() as connection:
        listed = {row["employee_code"]: row for row in pay_results(connection, period_id)}
    assert list(listed) == ["E1", "H1", "R1", "S1"]
    assert {name: listed["E1"][name] for name in ("name", "terms", "overtime_multiplier", "gross_pay")} == {
        "name": "NameE1 Lopez",
        "terms": "hourly 20.0000 x1.5",
        "overtime_multiplier": Decimal("1.5"),
        "gross_pay": Decimal("153.33"),
    }
    salaried = listed["S1"]
    assert (salaried["terms"], salaried["overtime_multiplier"], salaried["gross_pay"]) == (
        "salary 52000.00 a year",
        None,
        Decimal("2000.00"),
    )
    raise_ = listed["R1"]  # paid 20.00 in the first week, 30.00 in the second
    assert raise_["terms"] == "2024-01-01..2024-01-07 hourly 20.0000 x1.5; 2024-01-08..2024-01-14 hourly 30.0000 x1.5"
    assert [(rate["hourly_rate"], rate["regular_minutes"], rate["gross_pay"]) for rate in raise_["rates"]] == [
        (Decimal("20.0000"), 60, Decimal("20.00")),
        (Decimal("30.0000"), 60, Decimal("30.00")),
    ]
    assert (raise_["hourly_rate"], raise_["gross_pay"]) == (Decimal("30.0000"), Decimal("50.00"))
    assert set(listed["E1"]) == {*COLUMNS, "rates"}  # codes, names, hours, terms and pay: nothing else


def test_the_results_command_lists_a_completed_period_as_a_table_json_and_csv(paid: tuple[PayrollWorld, int]) -> None:
    world, period_id = paid
    table = results("--period", str(period_id))
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["employee_code", "name", "terms", "paid_days", "regular_hours", "overtime_hours",
                                "gross_pay", "note"]  # fmt: skip
    e1 = next(line for line in lines if line.startswith("E1 "))
    assert e1.split() == ["E1", "NameE1", "Lopez", "hourly", "20.0000", "x1.5", "14", "7.67", "0.00", "153.33", "-"]

    by_days = results("--period", "2024-01-01..2024-01-14", "--json")
    assert by_days.returncode == 0, by_days.stderr
    answer = json.loads(by_days.stdout)
    assert (answer["id"], answer["partition_key"], answer["period_type"]) == (period_id, "2024-01-01..2024-01-14",
                                                                           "bi_weekly")  # fmt: skip
    h1 = next(row for row in answer["results"] if row["employee_code"] == "H1")
    assert (h1["regular_minutes"], h1["overtime_minutes"], h1["overtime_multiplier"], h1["gross_pay"]) == (
        2860,
        460,
        "1.5",
        "1183.33",
    )

    spreadsheet = results("--period", str(period_id), "--csv")
    assert spreadsheet.returncode == 0, spreadsheet.stderr
    rows = list(csv.DictReader(io.StringIO(spreadsheet.stdout)))
    assert list(rows[0]) == list(COLUMNS) and [row["employee_code"] for row in rows] == ["E1", "H1", "R1", "S1"]
    assert (rows[1]["gross_pay"], rows[1]["regular_hours"], rows[3]["hourly_rate"], rows[3]["overtime_multiplier"]) == (
        "1183.33",
        "47.67",
        "",
        "",
    )

    active = world.add_period(day(14), day(27), "bi_weekly")
    for named, error in (
        (str(active), f"Error: period {active} (2024-01-15..2024-01-28) is active: its results are listed once it is"),
        ("99", "Error: period_id 99: no such pay period"),
        ("2024-02-01..2024-02-14", "Error: partition 2024-02-01..2024-02-14: no pay period from 2024-02-01"),
        ("January", "Error: partition 'January': not a period's first..last day"),
    ):
        refused = results("--period", named)
        assert refused.returncode == 1 and refused.stderr.startswith(error), refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    both = results("--period", str(period_id), "--csv", "--json")
    assert both.returncode != 0 and "give --csv or --json, not both" in both.stderr


def test_the_materializations_table_shows_the_first_thousand_and_says_how_to_list_all() -> None:
    rows = [{"employee_code": f"E{n:05d}", "name": f"Name {n}", "gross_pay": Decimal("10.00")} for n in range(1001)]
    shown = pay_table(rows, 7)
    assert len(shown["pay_results"].records) == PAY_TABLE_ROWS == 1000
    assert shown["pay_results"].records[-1].data["employee_code"] == "E00999"
    assert shown["pay_results_shown"].value == (
        "the first 1000 of 1001 employees by code; all of them: hr-assets payroll results --period 7"
    )
    assert set(pay_table(rows[:1000], 7)) == {"pay_results"}
