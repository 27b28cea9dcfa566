"""Automation rules of pay periods (JSON on the period), checked when saved and evaluated in the business
timezone.

``{"run_on_date": "2024-01-25"}`` is due from that date, ``{"days_before_end": 3}`` from the third day before the
period's last day, ``{"cron": "0 0 25 * *"}`` from the cron's first tick on or after the period's first day.
Dates mean the whole local day in ``HR_TIMEZONE``: due from its first instant (local midnight, or the first
instant after it when a DST change skips midnight), so 23:30 on the eve in New York is not yet the day even
though it is already that day in UTC. Cron ticks are found by Dagster's own cron iterator, the one its schedules
use, so a tick in an hour that DST skips fires once at the hour after the jump and a tick in a repeated hour
fires once, as Dagster schedules do.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator

from hr_assets.defs.payroll.periods import PeriodDates, PeriodError
from hr_assets.lib import cron

# A rule may make a period due after it ends (pay in arrears), but not forever after it.
MAX_DAYS_DUE_AFTER_END = 31


class RuleError(PeriodError):
    """An automation rule is malformed or does not fit its period; one line naming the field."""


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RunOnDate(_Rule):
    run_on_date: dt.date


class DaysBeforeEnd(_Rule):
    days_before_end: StrictInt = Field(ge=0)


class CronRule(_Rule):
    cron: str

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        if not cron.is_valid(value):
            raise ValueError(f"{value!r} is not a cron expression of five fields such as '0 0 25 * *'")
        return value


Rule = RunOnDate | DaysBeforeEnd | CronRule
_RULES: dict[str, type[Rule]] = {"run_on_date": RunOnDate, "days_before_end": DaysBeforeEnd, "cron": CronRule}


def parse_rule(raw: object) -> Rule:
    """A rule from its JSON text or object; a RuleError saying what is wrong otherwise."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise RuleError(f"automation_rule is not JSON: {exc.msg} at character {exc.pos}") from None
    if not isinstance(raw, Mapping) or len(raw) != 1 or next(iter(raw)) not in _RULES:
        given = ", ".join(sorted(map(str, raw))) if isinstance(raw, Mapping) else type(raw).__name__
        raise RuleError(
            f"automation_rule needs exactly one of {', '.join(_RULES)} (got {given or 'nothing'}), "
            'e.g. {"days_before_end": 3}'
        )
    (key,) = raw
    try:
        return _RULES[key].model_validate(dict(raw))
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_input=False)[0]
        raise RuleError(f"automation_rule.{key}: {error['msg'].removeprefix('Value error, ')}") from None


def rule_json(rule: Rule) -> dict[str, object]:
    return rule.model_dump(mode="json")


def due_from(rule: Rule, period: PeriodDates, timezone: str) -> dt.datetime:
    """The instant from which the period is due under ``rule`` (aware, in ``timezone``)."""
    if isinstance(rule, RunOnDate):
        return _day_starts(rule.run_on_date, timezone)
    if isinstance(rule, DaysBeforeEnd):
        return _day_starts(period.end - dt.timedelta(days=rule.days_before_end), timezone)
    return cron.first_tick_from(_day_starts(period.start, timezone), rule.cron, timezone)


def check_fits(rule: Rule, period: PeriodDates, timezone: str) -> None:
    """Refuse a rule that would run payroll before the period starts, or long after it ends."""
    key = next(iter(rule_json(rule)))
    due = due_from(rule, period, timezone)
    day = due.astimezone(ZoneInfo(timezone)).date()
    if day < period.start:
        raise RuleError(f"automation_rule.{key}: due on {day}, before the period starts on {period.start}")
    if day > period.end + dt.timedelta(days=MAX_DAYS_DUE_AFTER_END):
        raise RuleError(
            f"automation_rule.{key}: first due on {day}, more than {MAX_DAYS_DUE_AFTER_END} days after the period "
            f"ends on {period.end}"
        )


def describe(rule: Rule, period: PeriodDates, timezone: str) -> str:
    """What the rule says and when it makes the period due, for operators."""
    due = due_from(rule, period, timezone).astimezone(ZoneInfo(timezone))
    if isinstance(rule, RunOnDate):
        what = f"on {rule.run_on_date}"
    elif isinstance(rule, DaysBeforeEnd):
        what = f"{rule.days_before_end} day(s) before the end ({period.end})"
    else:
        what = f"cron {rule.cron!r}"
    return f"{what}: due from {due:%Y-%m-%d %H:%M %Z}"


@dataclass(frozen=True)
class Due:
    period_id: int
    due_from: dt.datetime
    is_due: bool
    why: str


def evaluate(periods: Iterable[Mapping[str, Any]], now: dt.datetime, timezone: str) -> list[Due]:
    """Each automated period's due time under its rule, and whether it has come at ``now`` (aware)."""
    evaluated = []
    for row in periods:
        dates = PeriodDates(row["start_date"], row["end_date"], row["period_type"])
        rule = parse_rule(row["automation_rule"])
        due = due_from(rule, dates, timezone)
        # Compared in UTC: == and ordering between zones misbehave for times in a repeated hour (PEP 495).
        is_due = now.astimezone(dt.UTC) >= due.astimezone(dt.UTC)
        evaluated.append(Due(row["id"], due, is_due, describe(rule, dates, timezone)))
    return evaluated


def _day_starts(day: dt.date, timezone: str) -> dt.datetime:
    """The first instant of ``day`` in ``timezone``: local midnight, or the instant after it when DST skips it.

    ``fold=0`` takes the offset in force before a change, so a skipped midnight lands on the first real instant.
    """
    return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(timezone))
