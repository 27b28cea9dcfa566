"""scheduling_staff's worked hours on SQLite and PostgreSQL: counted as payroll counts them (one function), kept
caps and links across refreshes, and the sensor that refreshes it after an attendance import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import dagster as dg
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from hr_assets.cli.app import cli
from hr_assets.definitions import defs
from hr_assets.defs.paycom.scheduling_staff import scheduling_staff_after_attendance
from hr_assets.warehouse import audit
from hr_assets.warehouse.tables import paycom_employee_snapshots, scheduling_staff
from tests.clock import stopped_at
from tests.payroll.conftest import PayrollWorld, employee, payroll_world  # noqa: F401 - the fixture

WEEK = dt.date(2026, 11, 13)  # the Friday keying the synced week
TODAY = dt.date(2026, 11, 18)  # a Wednesday: the work week is 16-22 November
AT = dt.datetime(2026, 11, 18, 15, tzinfo=dt.UTC)
MONDAY, TUESDAY = dt.date(2026, 11, 16), dt.date(2026, 11, 17)
SNAPSHOT_FIELDS = {column.name for column in paycom_employee_snapshots.columns}


def add_roster(world: PayrollWorld, *rows: dict) -> None:
    world.add_employees(*rows)
    with world.engine.begin() as connection:
        connection.execute(
            sa.insert(paycom_employee_snapshots),
            [{**{k: v for k, v in row.items() if k in SNAPSHOT_FIELDS}, "sync_week": WEEK} for row in rows],
        )


def refresh(world: PayrollWorld) -> dict[str, dict]:
    result = (
        defs()
        .resolve_job_def("scheduling_staff_refresh")
        .execute_in_process(
            partition_key=WEEK.isoformat(), instance=world.instance, resources={"clock": stopped_at(AT)}
        )
    )
    assert result.success
    with world.engine.connect() as connection:
        return {row["employee_code"]: dict(row) for row in connection.execute(sa.select(scheduling_staff)).mappings()}


@pytest.fixture
def world(payroll_world: PayrollWorld) -> PayrollWorld:  # noqa: F811 - the imported fixture, used
    add_roster(
        payroll_world,
        employee("H1"),
        employee("H2", overtime_eligible=False),
        employee("S1", "salary", salary="65000.00", overtime_eligible=False),
    )
    payroll_world.add_attendance(
        [("H1", day, "08:00", "23:00") for day in (MONDAY, TUESDAY, TODAY)]  # 45 h
        + [
            ("H1", dt.date(2026, 11, 10), "09:00", "17:00"),  # last week: in the pay period, not this week
            ("H1", dt.date(2026, 1, 5), "09:00", "13:00"),  # January: this year only
            ("H1", dt.date(2025, 12, 29), "09:00", "13:00"),  # last year: nowhere
            ("H1", dt.date(2026, 11, 19), "09:00", "17:00"),  # tomorrow: not yet counted
            ("H2", TUESDAY, "22:00", "06:00"),  # a night shift: ends the next day, 8 h
        ]
    )
    payroll_world.add_attendance([("H1", MONDAY, "08:00", "20:00")], "corrected.csv")  # newest import: 12 h
    return payroll_world


def test_hours_are_counted_as_payroll_counts_them(world: PayrollWorld) -> None:
    period = world.add_period(dt.date(2026, 11, 9), dt.date(2026, 11, 22), "bi_weekly")
    staff = refresh(world)
    h1, h2, s1 = staff["H1"], staff["H2"], staff["S1"]
    assert (h1["hours_this_week"], h1["overtime_hours_this_week"]) == (Decimal("42.00"), Decimal("2.00"))
    assert (h1["hours_this_period"], h1["hours_this_year"]) == (Decimal("50.00"), Decimal("54.00"))
    assert (h1["hours_left_before_overtime"], h1["hours_left_before_cap"]) == (Decimal("0.00"), Decimal("0.00"))
    assert (h1["max_hours_per_week"], h1["pay_period_id"], h1["hours_as_of"]) == (40, period, TODAY)
    assert (h2["hours_this_week"], h2["overtime_hours_this_week"]) == (Decimal("8.00"), Decimal("0.00"))
    assert (h2["hours_left_before_overtime"], h2["hours_left_before_cap"]) == (None, Decimal("42.00"))
    assert (h2["max_hours_per_week"], s1["hours_this_week"], s1["max_hours_per_week"]) == (50, Decimal("0.00"), 50)

    # Payroll over the same days (the period up to today) counts the same hours: both use one function.
    with world.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM attendance_import_records WHERE date > :today"), {"today": TODAY})
    assert world.run(period, at=AT).success
    paid = world.results(period)
    assert paid["H1"]["regular_hours"] + paid["H1"]["overtime_hours"] == h1["hours_this_period"]
    assert paid["H2"]["regular_hours"] == h2["hours_this_period"] == Decimal("8.00")


def test_no_pay_period_leaves_the_period_hours_empty(world: PayrollWorld) -> None:
    staff = refresh(world)
    assert staff["H1"]["hours_this_period"] is None and staff["H1"]["pay_period_id"] is None
    assert staff["H1"]["hours_this_week"] == Decimal("42.00")


def test_a_cap_override_and_an_app_link_are_kept_across_refreshes(world: PayrollWorld) -> None:
    refresh(world)
    runner = CliRunner()
    assert runner.invoke(cli, ["staff", "set-cap", "H2", "30"]).output == "H2: weekly cap 30 hours (override)\n"
    assert runner.invoke(cli, ["staff", "link", "H2", "app-77"]).exit_code == 0
    with world.engine.connect() as connection:
        logged = [(e["action"], e["target"], e["new_values"]) for e in audit.entries(connection)]
    assert logged == [
        ("staff.weekly_cap", "employee H2", {"weekly_cap_override": 30}),
        ("staff.scheduling_app_id", "employee H2", {"scheduling_app_staff_id": "app-77"}),
    ]
    staff = refresh(world)["H2"]
    assert (staff["max_hours_per_week"], staff["weekly_cap_override"]) == (30, 30)
    assert (staff["hours_left_before_cap"], staff["scheduling_app_staff_id"]) == (Decimal("22.00"), "app-77")
    cleared = runner.invoke(cli, ["staff", "set-cap", "H2", "--clear"])
    assert cleared.output == "H2: weekly cap 50 hours (the default)\n"
    staff = refresh(world)["H2"]
    assert (staff["max_hours_per_week"], staff["weekly_cap_override"]) == (50, None)
    assert staff["scheduling_app_staff_id"] == "app-77"
    unknown = runner.invoke(cli, ["staff", "set-cap", "NOPE", "30"])
    assert unknown.exit_code == 1 and "employee 'NOPE' is not in scheduling_staff" in unknown.output
    both = runner.invoke(cli, ["staff", "set-cap", "H2", "30", "--clear"])
    assert both.exit_code == 2 and "give HOURS or --clear" in both.output


def test_an_attendance_import_requests_a_refresh_of_the_newest_week(world: PayrollWorld) -> None:
    run = world.instance.create_run_for_job(
        defs().resolve_job_def("attendance_import"), run_id="0f4c1e7a-0000-4000-8000-000000000001"
    )
    context = dg.build_run_status_sensor_context(
        sensor_name="scheduling_staff_after_attendance",
        dagster_event=dg.DagsterEvent(event_type_value="PIPELINE_SUCCESS", job_name="attendance_import"),
        dagster_instance=world.instance,
        dagster_run=run,
        resources={"warehouse": defs().resources["warehouse"]},
    )
    request = scheduling_staff_after_attendance(context)
    assert isinstance(request, dg.RunRequest)
    assert (request.partition_key, request.run_key) == (WEEK.isoformat(), run.run_id)
