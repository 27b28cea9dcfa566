"""Waiting for something a test cannot make happen at once (a process to start, a run or a sensor to finish, a page
to show it): poll for the condition, up to a deadline generous enough for a machine whose cores are all busy.

A test never sleeps a fixed time for such a thing, and never gives it a short deadline: on a loaded machine a web UI
takes a minute to start and a run twice as long as on a quiet one. The deadline only bounds a failure.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# A process's start, a run's or a tick's work, an answer: none takes this long on the 2-core machine even when
# another suite keeps both cores busy. Longer jobs (a backfill, an image build) pass their own deadline.
WAIT_S = 180.0
# Playwright's deadlines are milliseconds: every locator action, navigation and `expect` waits up to this.
PAGE_WAIT_MS = int(WAIT_S * 1000)


def wait_until(
    condition: Callable[[], T],
    what: str,
    *,
    timeout_s: float = WAIT_S,
    every_s: float = 1.0,
    detail: Callable[[], str] = lambda: "",
) -> T:
    """``condition()`` once it is truthy, asked every ``every_s``; fails naming ``what`` (and ``detail()``, a log's
    tail say) after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not (outcome := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout_s:.0f}s\n{detail()}".rstrip())
        time.sleep(every_s)
    return outcome
