"""Gross pay: overtime by work week (also across a period boundary), salaries by period type, hires and
terminations inside the period, exact cents."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from hr_assets.defs.payroll.pay import compute_period, expected_gross
from hr_assets.defs.payroll.periods import PeriodDates
from hr_assets.defs.shared.worked_time import EmployeeHistory, RosterRow, worked_minutes
from tests.payroll.conftest import employee

MONDAY = dt.date(2024, 1, 1)
BI_WEEKLY = PeriodDates(MONDAY, dt.date(2024, 1, 14), "bi_weekly")


def day(offset: int, first: dt.date = MONDAY) -> dt.date:
    return first + dt.timedelta(days=offset)


def shifts_of(code: str, days: list[dt.date], check_in: str, check_out: str, import_id: int = 1) -> list[tuple]:
    return [(code, d, dt.time.fromisoformat(check_in), dt.time.fromisoformat(check_out), import_id) for d in days]


def history(current: dict, *snapshots: tuple[dt.date, dict]) -> EmployeeHistory:
    """An employee's current roster row and weekly snapshots (Friday, row), oldest first."""
    return EmployeeHistory(
        [week for week, _ in snapshots],
        [RosterRow.from_mapping(row) for _, row in snapshots],
        RosterRow.from_mapping(current),
    )


def pay_of(period: PeriodDates, roster: list[dict], shifts: list[tuple], in_minutes: bool = False) -> dict[str, tuple]:
    """code -> (paid days, regular hours, overtime hours, gross pay, had attendance), from the current roster only;
    ``in_minutes``: the regular and overtime minutes in place of the hours."""
    histories = {row["employee_code"]: history(row) for row in roster}
    return {
        result.code: (
            result.paid_days,
            result.regular_minutes if in_minutes else result.regular_hours,
            result.overtime_minutes if in_minutes else result.overtime_hours,
            result.gross_pay,
            result.attended,
        )
        for result in compute_period(period, histories, worked_minutes(shifts))
    }


def test_overtime_is_per_work_week_not_per_period() -> None:
    week_one = shifts_of("H1", [day(d) for d in range(5)], "08:00", "17:00")  # 45 h
    week_two = shifts_of("H1", [day(d) for d in range(7, 12)], "09:00", "16:00")  # 35 h
    paid = pay_of(BI_WEEKLY, [employee("H1", rate="20.0000")], week_one + week_two)
    # 80 hours in the period, but 45 in the first week: 5 of them are overtime.
    assert paid["H1"] == (14, Decimal(75), Decimal(5), Decimal("1650.00"), True)


def test_a_week_split_by_a_period_boundary_pays_its_overtime_once() -> None:
    first_half = PeriodDates(dt.date(2024, 1, 1), dt.date(2024, 1, 15), "semi_monthly")
    second_half = PeriodDates(dt.date(2024, 1, 16), dt.date(2024, 1, 31), "semi_monthly")
    # The week of Monday 15 January: 10 h on Monday (first half), 10 h Tuesday to Friday (second half) = 50 h.
    week = shifts_of("H1", [dt.date(2024, 1, 15 + d) for d in range(5)], "07:00", "17:00")
    roster = [employee("H1", rate="10.0000")]
    first, second = pay_of(first_half, roster, week)["H1"], pay_of(second_half, roster, week)["H1"]
    assert first[1:4] == (Decimal(10), Decimal(0), Decimal("100.00"))
    # Tuesday to Thursday bring the week to 40 h; Friday's 10 h are its overtime.
    assert second[1:4] == (Decimal(30), Decimal(10), Decimal("450.00"))


def test_overtime_only_for_the_eligible() -> None:
    week = shifts_of("X", [day(d) for d in range(5)], "08:00", "17:00")
    paid = pay_of(BI_WEEKLY, [employee("X", overtime_eligible=False)], week)
    assert paid["X"][1:4] == (Decimal(45), Decimal(0), Decimal("900.00"))


@pytest.mark.parametrize(
    ("period", "gross"),
    [
        (PeriodDates(MONDAY, day(6), "weekly"), "1000.00"),
        (BI_WEEKLY, "2000.00"),
        (PeriodDates(MONDAY, dt.date(2024, 1, 15), "semi_monthly"), "2166.67"),  # 52000 / 24 = 2166.666...
        (PeriodDates(dt.date(2024, 2, 1), dt.date(2024, 2, 29), "monthly"), "4333.33"),
    ],
)
def test_salaried_pay_is_the_annual_salary_over_the_periods_of_the_year(period: PeriodDates, gross: str) -> None:
    paid = pay_of(period, [employee("S", "salary", salary="52000.00", overtime_eligible=False)], [])
    assert paid["S"][0] == period.days and paid["S"][3] == Decimal(gross)


def test_hires_and_terminations_inside_the_period_are_paid_for_their_days() -> None:
    roster = [
        employee("NEW", "salary", salary="52000.00", hired=day(3)),  # 11 of 14 days
        employee("LEFT", "salary", salary="52000.00", terminated=day(4)),  # 5 of 14 days
        employee("BACK", "salary", salary="52000.00", hired=dt.date(2019, 1, 1), terminated=dt.date(2023, 6, 30),
                 rehired=day(7)),  # rehired for the second week: 7 days
        employee("GONE", "salary", salary="52000.00", terminated=day(-1)),  # left before the period: no result
        employee("LATER", "hourly", hired=day(14)),  # starts after it: no result
        employee("HLEFT", "hourly", rate="20.0000", terminated=day(1)),  # hours after the termination do not count
    ]  # fmt: skip
    shifts = shifts_of("HLEFT", [day(d) for d in range(4)], "09:00", "17:00")
    paid = pay_of(BI_WEEKLY, roster, shifts)
    assert set(paid) == {"NEW", "LEFT", "BACK", "HLEFT"}
    assert paid["NEW"][0] == 11 and paid["NEW"][3] == Decimal("1571.43")  # 2000 x 11/14 = 1571.428...
    assert paid["LEFT"][0] == 5 and paid["LEFT"][3] == Decimal("714.29")  # 2000 x 5/14 = 714.285...
    assert paid["BACK"][0] == 7 and paid["BACK"][3] == Decimal("1000.00")
    assert paid["HLEFT"][:4] == (2, Decimal(16), Decimal(0), Decimal("320.00"))


def test_hours_night_shifts_corrected_imports_and_no_attendance() -> None:
    shifts = (
        shifts_of("N", [day(0)], "22:00", "06:30")  # ends the next morning: 8.5 h
        + shifts_of("N", [day(1)], "08:00", "12:00", import_id=1)  # a corrected file says 08:00-16:20 (8 h 20 m)
        + shifts_of("N", [day(1)], "08:00", "16:20", import_id=2)
        + shifts_of("N", [day(2)], "08:00:00", "08:10:59")  # 10 whole minutes = 0.17 h
        + shifts_of("N", [day(3)], "09:00", "10:00", import_id=3)  # a file listing a day twice: the longest counts
        + shifts_of("N", [day(3)], "09:00", "11:00", import_id=3)
    )
    roster = [employee("N", rate="12.0000"), employee("IDLE"), employee("NOPAY", None)]
    paid = pay_of(BI_WEEKLY, roster, shifts)
    # 510 + 500 + 10 + 120 = 1140 minutes = 19.00 h
    assert paid["N"][1:5] == (Decimal(19), Decimal(0), Decimal("228.00"), True)
    assert paid["IDLE"][1:5] == (Decimal(0), Decimal(0), Decimal("0.00"), False)
    assert paid["NOPAY"][3] == Decimal("0.00")


def test_each_week_is_paid_with_the_terms_of_its_snapshot() -> None:
    # A raise from 20.00 to 25.00 synced on the second week's Friday, and overtime eligibility lost with it.
    before, after = employee("H", rate="20.0000"), employee("H", rate="25.0000", overtime_eligible=False)
    roster = {"H": history(after, (day(4), before), (day(11), after))}
    shifts = shifts_of(
        "H", [day(d) for d in range(5)] + [day(d) for d in range(7, 12)], "08:00", "17:00"
    )  # 45 h a week
    (result,) = compute_period(BI_WEEKLY, roster, worked_minutes(shifts))
    first, second = result.rates
    assert (first.first_day, first.last_day, first.terms.hourly_rate) == (day(0), day(6), Decimal("20.0000"))
    assert (first.regular_hours, first.overtime_hours, first.gross_pay) == (40, 5, Decimal("950.00"))  # 800 + 150
    assert (second.first_day, second.last_day, second.terms.hourly_rate) == (day(7), day(13), Decimal("25.0000"))
    assert (second.regular_hours, second.overtime_hours, second.gross_pay) == (45, 0, Decimal("1125.00"))
    assert (result.gross_pay, result.terms.hourly_rate) == (Decimal("2075.00"), Decimal("25.0000"))
    assert (result.regular_hours, result.overtime_hours) == (85, 5)


def test_a_salary_raise_inside_the_period_pays_each_side_its_days() -> None:
    before, after = employee("S", "salary", salary="52000.00"), employee("S", "salary", salary="78000.00")
    roster = {"S": history(after, (day(4), before), (day(11), after))}
    (result,) = compute_period(BI_WEEKLY, roster, {})
    # 52000 / 26 x 7/14 = 1000.00 and 78000 / 26 x 7/14 = 1500.00
    assert [rate.gross_pay for rate in result.rates] == [Decimal("1000.00"), Decimal("1500.00")]
    assert [rate.paid_days for rate in result.rates] == [7, 7]


def test_days_before_the_first_snapshot_take_it_and_no_snapshot_means_the_current_roster() -> None:
    first = employee("A", rate="15.0000")
    roster = {
        "A": history(employee("A", rate="30.0000"), (day(25), first)),
        "B": history(employee("B", rate="30.0000")),
    }
    shifts = shifts_of("A", [day(0)], "09:00", "10:00") + shifts_of("B", [day(0)], "09:00", "10:00")
    paid = {result.code: result.gross_pay for result in compute_period(BI_WEEKLY, roster, worked_minutes(shifts))}
    assert paid == {"A": Decimal("15.00"), "B": Decimal("30.00")}


def test_the_periods_own_roster_decides_who_is_in_it() -> None:
    # Terminated in the period as the period's snapshot says, although a later one rehired them.
    in_period = employee("T", "salary", salary="52000.00", terminated=day(6))
    later = employee("T", "salary", salary="52000.00", terminated=day(6), rehired=day(30))
    (result,) = compute_period(BI_WEEKLY, {"T": history(later, (day(11), in_period), (day(32), later))}, {})
    assert (result.paid_days, result.gross_pay) == (7, Decimal("1000.00"))


def test_pay_is_the_exact_minutes_rounded_once_to_the_cent() -> None:
    # 7 h 40 min at 20.00: 460 x 20 / 60 = 153.333... -> 153.33 (from hours rounded to 7.67 it would be 153.40).
    paid = pay_of(BI_WEEKLY, [employee("R", rate="20.0000")], shifts_of("R", [day(0)], "09:00", "16:40"))
    assert paid["R"][1:4] == (Decimal("7.67"), Decimal(0), Decimal("153.33"))  # the hours shown, rounded
    # Overtime likewise: a 40 h week, then 7 h 40 min past it at 20.00 x 1.5: 460 x 30 / 60 = 230.00 (not 230.10).
    week = shifts_of("O", [day(d) for d in range(5)], "08:00", "16:00") + shifts_of("O", [day(5)], "09:00", "16:40")
    paid = pay_of(BI_WEEKLY, [employee("O", rate="20.0000")], week, in_minutes=True)
    assert paid["O"][1:4] == (2400, 460, Decimal("1030.00"))
    # Regular and overtime pay of one run of terms are rounded once, together: 40 h and 25 min of overtime at 19.99
    # are 799.60 + 12.49375 = 812.09375 -> 812.09 (from 0.42 h of overtime it would be 812.19).
    week = shifts_of("T", [day(d) for d in range(5)], "08:00", "16:00") + shifts_of("T", [day(5)], "09:00", "09:25")
    paid = pay_of(BI_WEEKLY, [employee("T", rate="19.9900")], week)
    assert paid["T"][1:4] == (Decimal(40), Decimal("0.42"), Decimal("812.09"))


def test_cents_are_exact_and_rounded_half_up() -> None:
    # 10.005 is a half cent: half up gives 10.01 (banker's rounding or a float would give 10.00).
    paid = pay_of(BI_WEEKLY, [employee("R", rate="10.0050")], shifts_of("R", [day(0)], "09:00", "10:00"))
    assert paid["R"][3] == Decimal("10.01")
    # 15 minutes at 20.02 are 5.005 exactly: half up gives 5.01 (half even would give 5.00).
    paid = pay_of(BI_WEEKLY, [employee("Q", rate="20.0200")], shifts_of("Q", [day(0)], "09:00", "09:15"))
    assert paid["Q"][3] == Decimal("5.01")
    # 0.1 x 3 as floats is 0.30000000000000004; in cents it is 0.30.
    paid = pay_of(
        BI_WEEKLY, [employee("T", rate="0.1000")], shifts_of("T", [day(d) for d in range(3)], "09:00", "10:00")
    )
    assert paid["T"][3] == Decimal("0.30")


def test_random_rosters_match_the_decimal_recomputation_of_each_result() -> None:
    rng = random.Random(5)  # noqa: S311 - reproducible test data
    roster, shifts = [], []
    for n in range(300):
        code = f"E{n:04d}"
        if rng.random() < 0.3:
            roster.append(
                employee(
                    code,
                    "salary",
                    salary=f"{rng.randrange(2_000_000, 20_000_000) / 100:.2f}",
                    hired=day(rng.randrange(-30, 14)),
                    overtime_eligible=False,
                )
            )
        else:
            roster.append(
                employee(
                    code,
                    rate=f"{rng.randrange(100_000, 900_000) / 10_000:.4f}",
                    overtime_eligible=rng.random() < 0.8,
                    terminated=day(rng.randrange(0, 40)),
                )
            )
        for offset in range(-6, 14):
            if rng.random() < 0.7:
                start = dt.time(rng.randrange(5, 12), rng.randrange(60))
                end = dt.time(rng.randrange(13, 23), rng.randrange(60), rng.randrange(60))
                shifts.append((code, day(offset), start, end, 1))
    for period in (BI_WEEKLY, PeriodDates(MONDAY, dt.date(2024, 1, 15), "semi_monthly")):
        paid = pay_of(period, roster, shifts, in_minutes=True)
        assert len(paid) > 250
        by_code = {row["employee_code"]: row for row in roster}
        for code, (days, regular, overtime, gross, _) in paid.items():  # one rate each: the roster did not change
            row = by_code[code]
            assert gross == expected_gross(
                pay_type=row["pay_type"], hourly_rate=row["hourly_rate"], annual_salary=row["annual_salary"],
                regular_minutes=regular, overtime_minutes=overtime, paid_days=days, period=period,
            ), code  # fmt: skip
        assert any(overtime > 0 for _, _, overtime, _, _ in paid.values())
