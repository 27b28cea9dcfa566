"""A clock stopped at one instant, bound as the ``clock`` resource where a test needs to say when "now" is."""

from __future__ import annotations

import datetime as dt

from hr_assets.lib.clock import Clock


class FixedClock(Clock):
    at: str  # an ISO instant with its offset (resource fields are plain config values)

    def now(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.at)


def stopped_at(instant: dt.datetime) -> FixedClock:
    if instant.tzinfo is None:
        raise ValueError("a clock tells aware times only")
    return FixedClock(at=instant.isoformat())
