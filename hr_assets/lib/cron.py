"""Cron expressions read as Dagster's schedules read them: the one module that uses Dagster's cron helpers.

Payroll's cron rules must fire exactly when a Dagster schedule with the same expression would (the same days, the
same answer on a daylight-saving change, ``L`` for a month's last day). Dagster keeps those helpers private
(``dagster._utils.schedules``), so they are used here alone, and ``tests/lib/test_cron.py`` pins what they do: an
upgrade of Dagster that changed them fails that test, not a payroll run.
"""

from __future__ import annotations

import datetime as dt

from dagster._utils.schedules import cron_string_iterator, is_valid_cron_string


def is_valid(expression: str) -> bool:
    return is_valid_cron_string(expression)


def first_tick_from(start: dt.datetime, expression: str, timezone: str) -> dt.datetime:
    """The expression's first tick at or after ``start`` (aware), in ``timezone``."""
    return next(cron_string_iterator(start.timestamp(), expression, timezone))
