"""The platform's one clock: every time a decision or a record depends on comes from here.

Leases, due rules, retry times, "skip when recent", retention and the times stored with records are all
taken from one ``now``, read where the work starts and passed down as a value:

- assets, jobs and sensors take the ``clock`` resource (bound in ``definitions.py``);
- a schedule decides at its tick's ``scheduled_execution_time``, the time Dagster gives the tick;
- each ``hr-assets`` command reads one ``Clock`` and passes its time on.

A test sets the time by binding another clock (``tests/clock.py``) or by giving a schedule its tick.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg
from pydantic import Field


class Clock(dg.ConfigurableResource["Clock"]):
    """The real time, timezone-aware."""

    timezone: str = Field(
        default="UTC", description="The business timezone (HR_TIMEZONE): the one today() is a date in."
    )

    def now(self) -> dt.datetime:
        """This instant, in UTC."""
        return dt.datetime.now(dt.UTC)

    @property
    def tz(self) -> ZoneInfo:
        """The business timezone."""
        return ZoneInfo(self.timezone)

    def today(self) -> dt.date:
        """Today's date in the business timezone."""
        return self.now().astimezone(self.tz).date()
