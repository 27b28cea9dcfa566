"""The retry schedule: 5 min, 30 min, 2 h, 8 h, 24 h, then failed until a person retries."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hr_assets.defs.bayzat.retries import next_retry_at

NOW = dt.datetime(2024, 5, 1, 12, 0, tzinfo=ZoneInfo("Asia/Dubai"))


@pytest.mark.parametrize(
    ("failed_attempts", "delay"),
    [
        (1, dt.timedelta(minutes=5)),
        (2, dt.timedelta(minutes=30)),
        (3, dt.timedelta(hours=2)),
        (4, dt.timedelta(hours=8)),
        (5, dt.timedelta(hours=24)),
    ],
)
def test_each_failure_waits_longer(failed_attempts: int, delay: dt.timedelta) -> None:
    assert next_retry_at(failed_attempts, NOW) == NOW + delay


def test_once_the_retries_are_used_up_the_record_stays_failed() -> None:
    assert next_retry_at(6, NOW) is None
    assert next_retry_at(3, NOW, max_attempts=2) is None
    assert next_retry_at(2, NOW, max_attempts=2) == NOW + dt.timedelta(minutes=30)


def test_a_longer_budget_repeats_the_last_delay() -> None:
    assert next_retry_at(7, NOW, max_attempts=8) == NOW + dt.timedelta(hours=24)


def test_the_delay_is_elapsed_time_across_a_dst_change() -> None:
    madrid = ZoneInfo("Europe/Madrid")
    before_the_change = dt.datetime(2024, 3, 31, 1, 0, tzinfo=madrid)  # clocks jump from 02:00 to 03:00

    retry = next_retry_at(3, before_the_change)

    assert retry is not None and retry.tzinfo is madrid
    assert retry.replace(tzinfo=None) == dt.datetime(2024, 3, 31, 4, 0)
    assert retry.astimezone(dt.UTC) - before_the_change.astimezone(dt.UTC) == dt.timedelta(hours=2)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_retry_at(1, dt.datetime(2024, 5, 1, 12, 0))


def test_a_retry_needs_a_failure_first() -> None:
    with pytest.raises(ValueError, match="at least one failed attempt"):
        next_retry_at(0, NOW)
