"""Automation rules: when each makes a period due in the business timezone, across DST and month ends, and the
rules refused when a period is saved."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hr_assets.defs.payroll.periods import PeriodDates, PeriodError, calendar_of
from hr_assets.defs.payroll.rules import RuleError, check_fits, due_from, evaluate, parse_rule

JANUARY = PeriodDates(dt.date(2024, 1, 1), dt.date(2024, 1, 31), "monthly")
LEAP_FEBRUARY = PeriodDates(dt.date(2024, 2, 1), dt.date(2024, 2, 29), "monthly")
MADRID = "Europe/Madrid"
NEW_YORK = "America/New_York"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("raw", "period", "timezone", "due"),
    [
        ({"run_on_date": "2024-01-25"}, JANUARY, MADRID, "2024-01-25T00:00:00+01:00"),
        ({"days_before_end": 3}, JANUARY, MADRID, "2024-01-28T00:00:00+01:00"),
        ({"days_before_end": 3}, LEAP_FEBRUARY, MADRID, "2024-02-26T00:00:00+01:00"),  # the 29th is the end
        ({"days_before_end": 0}, LEAP_FEBRUARY, NEW_YORK, "2024-02-29T00:00:00-05:00"),
        ('{"cron": "0 0 25 * *"}', JANUARY, MADRID, "2024-01-25T00:00:00+01:00"),
        ({"cron": "0 0 L * *"}, LEAP_FEBRUARY, MADRID, "2024-02-29T00:00:00+01:00"),  # the month's last day
        # The hour DST skips: Dagster's schedules fire at 03:00 CEST, and so does the rule.
        (
            {"cron": "0 2 * * *"},
            PeriodDates(dt.date(2024, 3, 31), dt.date(2024, 4, 13), "bi_weekly"),
            MADRID,
            "2024-03-31T03:00:00+02:00",
        ),
        # The hour DST repeats: once, after the change (CET), as Dagster's schedules do.
        (
            {"cron": "30 2 * * *"},
            PeriodDates(dt.date(2024, 10, 27), dt.date(2024, 11, 9), "bi_weekly"),
            MADRID,
            "2024-10-27T02:30:00+01:00",
        ),
        # A date after the spring change: local midnight is UTC+2 now, not +1.
        ({"days_before_end": 1}, PeriodDates(dt.date(2024, 3, 18), dt.date(2024, 3, 31), "bi_weekly"), MADRID,
         "2024-03-30T00:00:00+01:00"),
        ({"days_before_end": 0}, PeriodDates(dt.date(2024, 3, 18), dt.date(2024, 3, 31), "bi_weekly"), MADRID,
         "2024-03-31T00:00:00+01:00"),
        ({"days_before_end": 0}, PeriodDates(dt.date(2024, 3, 25), dt.date(2024, 4, 1), "weekly"), MADRID,
         "2024-04-01T00:00:00+02:00"),
    ],
)  # fmt: skip
def test_when_each_rule_makes_a_period_due(raw: object, period: PeriodDates, timezone: str, due: str) -> None:
    found = due_from(parse_rule(raw), period, timezone)
    assert found.timestamp() == at(due).timestamp()  # == between zones is always False in a repeated hour (PEP 495)
    assert found.utcoffset() == at(due).utcoffset()


def test_a_day_starts_at_local_midnight_not_utc_midnight() -> None:
    """23:30 on the 27th in New York is already the 28th in UTC, but not yet the due day there."""
    row = {
        "id": 7,
        "start_date": JANUARY.start,
        "end_date": JANUARY.end,
        "period_type": "monthly",
        "automation_rule": {"days_before_end": 3},
    }
    before = dt.datetime(2024, 1, 27, 23, 30, tzinfo=ZoneInfo(NEW_YORK))
    assert before.astimezone(dt.UTC).date() == dt.date(2024, 1, 28)
    (not_yet,) = evaluate([row], before, NEW_YORK)
    (due,) = evaluate([row], before + dt.timedelta(minutes=30), NEW_YORK)
    assert not not_yet.is_due and due.is_due
    assert due.due_from == dt.datetime(2024, 1, 28, tzinfo=ZoneInfo(NEW_YORK))
    assert due.period_id == 7 and "3 day(s) before the end (2024-01-31): due from 2024-01-28 00:00 EST" == due.why


def test_a_cron_in_the_skipped_hour_is_due_once_the_clocks_have_jumped() -> None:
    row = {
        "id": 1,
        "start_date": dt.date(2024, 3, 31),
        "end_date": dt.date(2024, 4, 13),
        "period_type": "bi_weekly",
        "automation_rule": {"cron": "0 2 * * *"},
    }
    (before,) = evaluate([row], dt.datetime(2024, 3, 31, 0, 59, tzinfo=dt.UTC), MADRID)  # 01:59 CET
    (after,) = evaluate([row], dt.datetime(2024, 3, 31, 1, 0, tzinfo=dt.UTC), MADRID)  # 03:00 CEST
    assert (before.is_due, after.is_due) == (False, True)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{days_before_end: 3}", "automation_rule is not JSON"),
        ({}, "automation_rule needs exactly one of run_on_date, days_before_end, cron (got nothing)"),
        ({"days_before": 3}, "(got days_before)"),
        ({"days_before_end": 3, "cron": "0 0 25 * *"}, "(got cron, days_before_end)"),
        ([3], "got list"),
        ({"days_before_end": -1}, "automation_rule.days_before_end: Input should be greater than or equal to 0"),
        ({"days_before_end": "3"}, "automation_rule.days_before_end: Input should be a valid integer"),
        ({"run_on_date": "25/01/2024"}, "automation_rule.run_on_date: Input should be a valid date"),
        ({"cron": "0 0 30 2 *"}, "automation_rule.cron: '0 0 30 2 *' is not a cron expression"),
        ({"cron": "every day"}, "automation_rule.cron: 'every day' is not a cron expression"),
    ],
)
def test_a_malformed_rule_is_refused_with_what_is_wrong(raw: object, message: str) -> None:
    with pytest.raises(RuleError) as refused:
        parse_rule(raw)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"run_on_date": "2023-12-31"}, "automation_rule.run_on_date: due on 2023-12-31, before the period starts"),
        ({"days_before_end": 31}, "automation_rule.days_before_end: due on 2023-12-31, before the period starts"),
        ({"run_on_date": "2024-03-15"}, "more than 31 days after the period ends on 2024-01-31"),
        ({"cron": "0 0 1 6 *"}, "automation_rule.cron: first due on 2024-06-01, more than 31 days after"),
    ],
)
def test_a_rule_that_does_not_fit_its_period_is_refused(raw: object, message: str) -> None:
    with pytest.raises(RuleError, match="automation_rule") as refused:
        check_fits(parse_rule(raw), JANUARY, MADRID)
    assert message in str(refused.value)


def test_a_leap_day_cron_fits_a_leap_february_only() -> None:
    check_fits(parse_rule({"cron": "0 0 29 2 *"}), LEAP_FEBRUARY, MADRID)
    february = PeriodDates(dt.date(2025, 2, 1), dt.date(2025, 2, 28), "monthly")
    with pytest.raises(RuleError, match="first due on 2028-02-29"):
        check_fits(parse_rule({"cron": "0 0 29 2 *"}), february, MADRID)


def test_rules_that_fit_pass() -> None:
    for raw in ({"run_on_date": "2024-01-31"}, {"days_before_end": 30}, {"cron": "0 0 1 * *"}):
        check_fits(parse_rule(raw), JANUARY, MADRID)  # the 1st, the 1st, and February's 1st
    assert due_from(parse_rule({"cron": "0 0 1 * *"}), JANUARY, MADRID) == at("2024-01-01T00:00:00+01:00")


def test_calendars_of_each_type_follow_each_other_to_the_month_end() -> None:
    semi = calendar_of("semi_monthly", dt.date(2024, 1, 16), dt.date(2024, 2, 20))
    assert [(p.start.isoformat(), p.end.isoformat()) for p in semi] == [
        ("2024-01-16", "2024-01-31"),
        ("2024-02-01", "2024-02-15"),
        ("2024-02-16", "2024-02-29"),
    ]
    monthly = calendar_of("monthly", dt.date(2023, 12, 1), dt.date(2024, 2, 1))
    assert [p.end for p in monthly] == [dt.date(2023, 12, 31), dt.date(2024, 1, 31), dt.date(2024, 2, 29)]
    biweekly = calendar_of("bi_weekly", dt.date(2024, 1, 1), dt.date(2024, 1, 29))
    assert [p.days for p in biweekly] == [14, 14, 14] and biweekly[-1].end == dt.date(2024, 2, 11)
    assert len(calendar_of("weekly", dt.date(2024, 1, 1), dt.date(2024, 12, 31))) == 53
    with pytest.raises(PeriodError, match="monthly periods start on the 1st"):
        calendar_of("monthly", dt.date(2024, 1, 2), dt.date(2024, 3, 1))
    with pytest.raises(PeriodError, match="period_type 'fortnightly': use one of weekly, bi_weekly"):
        calendar_of("fortnightly", dt.date(2024, 1, 1), dt.date(2024, 3, 1))
    with pytest.raises(PeriodError, match="end_date 2024-01-01 is before start_date 2024-01-02"):
        PeriodDates(dt.date(2024, 1, 2), dt.date(2024, 1, 1), "weekly")
