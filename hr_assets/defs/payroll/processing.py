"""Processing one pay period exactly once, and releasing periods whose run died.

1. ``store.claim`` takes the period for the run (one conditional UPDATE, committed on its own): a second run,
   a second tick's run or a person's run at the same moment finds it taken and skips it, saying by whom.
2. Reading the roster as it was in the period's weeks and the hours, computing, writing the results, rates and
   totals and marking the period completed
   happen in one transaction, which checks that the run still holds the period: a run whose hold was released
   as stale writes nothing, so a period's results are never written by two runs.
3. A failure marks the period ``failed`` with its message and re-raises, so the step's retry policy runs it
   again (the same run may take its own failed period back); a person can run a failed period by hand.
4. A crash leaves the period ``processing``. ``release_stale`` gives it back to automation when its run is over
   (or unknown) in the Dagster instance, or has held it longer than ``HR_PAYROLL_LEASE_MINUTES``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import dagster as dg
from sqlalchemy.engine import Engine

from hr_assets.defs.payroll import store
from hr_assets.defs.payroll.pay import compute_period
from hr_assets.defs.shared import worked_time

_WEEK_BEFORE = dt.timedelta(days=6)  # a period's first work week may begin up to 6 days before it


@dataclass(frozen=True)
class PeriodOutcome:
    period_id: int
    totals: dict[str, Any] | None  # None when skipped
    skipped: str | None = None


def process_period(engine: Engine, period_id: int, run_id: str, *, force: bool, now: dt.datetime) -> PeriodOutcome:
    """Claim, compute and store one period for ``run_id``; skipped (with why) when it cannot be claimed."""
    with engine.begin() as connection:
        if not store.claim(connection, period_id, run_id, now, force=force):
            period = store.period(connection, period_id)
            if period["status"] == "completed" and period["run_id"] == run_id:  # an earlier attempt of this step
                return PeriodOutcome(period_id, store.totals(connection, period_id))
            return PeriodOutcome(period_id, None, store.why_not_claimed(period))
    try:
        with engine.begin() as connection:
            dates = store.dates_of(store.period(connection, period_id))
            first_day = dates.start - _WEEK_BEFORE
            roster = worked_time.roster_history(connection, first_day, dates.end)
            worked = worked_time.worked_minutes(worked_time.shifts(connection, first_day, dates.end))
            totals = store.write_results(connection, period_id, compute_period(dates, roster, worked), run_id, now)
    except Exception as exc:
        with engine.begin() as connection:
            store.fail(connection, period_id, run_id, f"{type(exc).__name__}: {exc}".splitlines()[0], now)
        raise
    return PeriodOutcome(period_id, totals)


@dataclass(frozen=True)
class Released:
    period_id: int
    run_id: str
    reason: str

    @property
    def line(self) -> str:
        return f"Released period {self.period_id}: {self.reason}"


def release_stale(
    engine: Engine, instance: dg.DagsterInstance, now: dt.datetime, lease: dt.timedelta
) -> list[Released]:
    """Periods left ``processing`` by a run that is over, unknown to the instance, or past its lease: back to active."""
    with engine.begin() as connection:
        held = store.processing(connection)
    released = []
    for row in held:
        run = instance.get_run_by_id(row["run_id"]) if row["run_id"] else None
        if run is None:
            reason = f"run {row['run_id']} is not in the Dagster instance"
        elif run.is_finished:
            reason = f"run {row['run_id']} ended ({run.status.value}) without finishing the period"
        elif row["claimed_at"] < now - lease:
            reason = f"run {row['run_id']} held it for longer than the lease ({lease})"
        else:
            continue
        with engine.begin() as connection:
            if store.release(connection, row["id"], row["run_id"], reason, now):
                released.append(Released(row["id"], row["run_id"], reason))
    return released
