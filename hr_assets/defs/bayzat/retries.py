"""When a failed attendance record is pushed again: 5 min, 30 min, 2 h, 8 h, then 24 h after its failure."""

from __future__ import annotations

import datetime as dt

RETRY_DELAYS = (
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=8),
    dt.timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_DELAYS)


def next_retry_at(failed_attempts: int, now: dt.datetime, max_attempts: int = MAX_ATTEMPTS) -> dt.datetime | None:
    """When to retry a record that has now failed ``failed_attempts`` times (its first push included).

    ``max_attempts`` is how many retries it gets (``BAYZAT_MAX_RETRY_ATTEMPTS``, 5); once they are used up the answer
    is None and the record stays failed until a person retries it. Past the schedule's end (a larger
    ``max_attempts``) the last delay repeats. The delay is elapsed time, so it is added in UTC: a DST
    change does not stretch or shrink it.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if failed_attempts < 1:
        raise ValueError("a retry follows at least one failed attempt")
    if failed_attempts > max_attempts:
        return None
    delay = RETRY_DELAYS[min(failed_attempts, len(RETRY_DELAYS)) - 1]
    return (now.astimezone(dt.UTC) + delay).astimezone(now.tzinfo)
