"""What the payroll rules rely on in Dagster's cron helpers (``hr_assets/lib/cron.py``), pinned."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hr_assets.lib import cron

MADRID = ZoneInfo("Europe/Madrid")


@pytest.mark.parametrize(
    ("expression", "start", "first"),
    [
        ("0 0 25 * *", dt.datetime(2024, 1, 1, tzinfo=MADRID), dt.datetime(2024, 1, 25, tzinfo=MADRID)),
        ("0 0 25 * *", dt.datetime(2024, 1, 25, tzinfo=MADRID), dt.datetime(2024, 1, 25, tzinfo=MADRID)),  # at start
        ("0 0 L * *", dt.datetime(2024, 2, 1, tzinfo=MADRID), dt.datetime(2024, 2, 29, tzinfo=MADRID)),  # leap year
        # 02:30 does not exist on 2024-03-31 in Madrid: the tick is the hour after the jump, 03:00 summer time
        ("30 2 * * *", dt.datetime(2024, 3, 31, tzinfo=MADRID), dt.datetime(2024, 3, 31, 1, 0, tzinfo=dt.UTC)),
        # 02:30 happens twice on 2024-10-27: the tick is once, the second, in winter time (UTC+1)
        ("30 2 * * *", dt.datetime(2024, 10, 27, tzinfo=MADRID), dt.datetime(2024, 10, 27, 1, 30, tzinfo=dt.UTC)),
    ],
)
def test_the_first_tick_from_a_start(expression: str, start: dt.datetime, first: dt.datetime) -> None:
    tick = cron.first_tick_from(start, expression, "Europe/Madrid")
    assert tick.timestamp() == first.timestamp()  # an instant: PEP 495 makes == false for a repeated hour


@pytest.mark.parametrize(("expression", "valid"), [("0 0 25 * *", True), ("0 0 L * *", True), ("0 0 30 2 *", False),
                                                     ("every day", False), ("0 0 * *", False)])  # fmt: skip
def test_which_expressions_are_cron(expression: str, valid: bool) -> None:
    assert cron.is_valid(expression) is valid
