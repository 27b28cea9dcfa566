"""No day is paid twice: a period sharing any day with another is refused, naming it, on SQLite and PostgreSQL, also
when two people add overlapping periods at the same moment."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from hr_assets.defs.payroll.periods import PeriodError
from tests.payroll.conftest import PayrollWorld


def test_a_period_overlapping_another_is_refused_naming_it(payroll_world: PayrollWorld) -> None:
    world = payroll_world
    first = world.add_period(dt.date(2024, 1, 1), dt.date(2024, 1, 15), "semi_monthly")
    second = world.add_period(dt.date(2024, 1, 16), dt.date(2024, 1, 31), "semi_monthly")  # the next day: fine
    world.add_period(dt.date(2023, 12, 25), dt.date(2023, 12, 31), "weekly")  # the days before: fine
    # The case: a weekly period across the two semi-monthly ones would pay 8 to 14 January again.
    with pytest.raises(PeriodError) as refused:
        world.add_period(dt.date(2024, 1, 15), dt.date(2024, 1, 21), "weekly")
    assert str(refused.value) == (
        f"a semi_monthly period 2024-01-01 to 2024-01-15 exists already (id {first}): it overlaps 2024-01-15 to "
        "2024-01-21, and a day is paid by one period only"
    )
    for start, end, period_type, clash in (
        (dt.date(2024, 1, 31), dt.date(2024, 2, 13), "bi_weekly", second),  # its last day only
        (dt.date(2023, 12, 1), dt.date(2024, 2, 29), "monthly", None),  # around all of them: the earliest is named
        (dt.date(2024, 1, 5), dt.date(2024, 1, 11), "weekly", first),  # inside one
        (dt.date(2024, 1, 16), dt.date(2024, 1, 31), "monthly", second),  # the same days, another type
    ):
        with pytest.raises(PeriodError, match="exists already") as refused:
            world.add_period(start, end, period_type)
        named = "2023-12-25 to 2023-12-31" if clash is None else f"(id {clash})"
        assert named in str(refused.value) and "\n" not in str(refused.value)
    with world.engine.connect() as connection:
        count = connection.exec_driver_sql("SELECT COUNT(*) FROM payroll_periods").scalar_one()
    assert count == 3


def test_of_overlapping_periods_added_at_the_same_moment_one_is_saved(payroll_world: PayrollWorld) -> None:
    world = payroll_world
    start = threading.Barrier(4)
    saved: list[int] = []
    refused: list[str] = []

    def add(offset: int) -> None:
        first = dt.date(2024, 3, 1) + dt.timedelta(days=offset)
        start.wait()
        try:
            saved.append(world.add_period(first, first + dt.timedelta(days=13), "bi_weekly"))
        except PeriodError as exc:
            refused.append(str(exc))

    threads = [threading.Thread(target=add, args=(offset,)) for offset in range(4)]  # each overlaps each other
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(saved) == 1 and len(refused) == 3
    assert all(f"(id {saved[0]})" in message for message in refused)
