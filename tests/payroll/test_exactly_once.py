"""Each period is processed exactly once: racing claims, the automation evaluated twice, a person's run at the same
time, a run that died, a run that lost its hold, and completed periods skipped unless forced."""

from __future__ import annotations

import datetime as dt
import threading

import dagster as dg
import pytest
import sqlalchemy as sa

from hr_assets.definitions import defs
from hr_assets.defs.payroll import store
from hr_assets.defs.payroll.assets import add_period_partitions, payroll_results_asset
from hr_assets.defs.payroll.pay import compute_period
from hr_assets.defs.payroll.periods import PeriodDates
from hr_assets.defs.payroll.processing import process_period, release_stale
from hr_assets.defs.payroll.schedules import due_now
from hr_assets.defs.shared import worked_time
from hr_assets.settings import Settings
from hr_assets.warehouse.tables import payroll_periods
from tests.payroll.conftest import NOW, PayrollWorld, employee

JANUARY = "2024-01-01..2024-01-31"
LEASE = dt.timedelta(hours=1)


@pytest.fixture
def world(payroll_world: PayrollWorld) -> PayrollWorld:
    payroll_world.add_employees(employee("0001"), employee("0002", "salary", salary="52000.00"))
    payroll_world.add_attendance([("0001", dt.date(2024, 1, 2 + d), "09:00", "17:00") for d in range(5)])
    return payroll_world


def claim(world: PayrollWorld, period_id: int, run_id: str, force: bool = False, at: dt.datetime = NOW) -> bool:
    with world.engine.begin() as connection:
        return store.claim(connection, period_id, run_id, at, force=force)


def test_of_racing_claims_exactly_one_wins(world: PayrollWorld) -> None:
    period_id = world.add_period(dt.date(2024, 1, 1), dt.date(2024, 1, 14), "bi_weekly")
    start = threading.Barrier(6)
    won: list[str] = []

    def racer(run_id: str) -> None:
        start.wait()
        if claim(world, period_id, run_id):
            won.append(run_id)

    threads = [threading.Thread(target=racer, args=(f"run-{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
    held = world.period(period_id)
    assert (held["status"], held["run_id"], held["claims"]) == ("processing", won[0], 1)
    assert claim(world, period_id, won[0])  # the holder's step retry takes it back
    with world.engine.begin() as connection:
        store.fail(connection, period_id, won[0], "ValueError: boom", NOW)
    assert world.period(period_id)["status"] == "failed"
    assert claim(world, period_id, won[0])  # a failed period may be retried


def evaluate(world: PayrollWorld, when: dt.datetime) -> list[dg.RunRequest] | dg.SkipReason:
    repository = defs().get_repository_def()
    with dg.build_schedule_context(
        instance=world.instance,
        scheduled_execution_time=when,
        repository_def=repository,
        resources={"warehouse": repository.get_top_level_resources()["warehouse"]},
    ) as context:
        result = repository.get_schedule_def("payroll_automation").evaluate_tick(context)
    return result.run_requests if result.run_requests else dg.SkipReason(result.skip_message)


def test_the_automation_requests_each_due_period_once(world: PayrollWorld) -> None:
    due = world.add_period(dt.date(2024, 1, 1), dt.date(2024, 1, 31), "monthly", {"days_before_end": 3})
    world.add_period(dt.date(2024, 2, 1), dt.date(2024, 2, 29), "monthly", {"days_before_end": 3})  # not yet
    world.add_period(dt.date(2024, 3, 4), dt.date(2024, 3, 17), "bi_weekly")  # by hand only
    tick = dt.datetime(2024, 1, 28, 2, tzinfo=dt.UTC)
    first, second = evaluate(world, tick), evaluate(world, tick)  # the same tick twice, or two overlapping
    assert [r.run_key for r in first] == [r.run_key for r in second] == [f"payroll-period-{due}-claims-0"]
    (request,) = first
    assert request.partition_key == JANUARY and "hr_assets/payroll_period" not in request.tags  # no run tag
    assert isinstance(evaluate(world, tick - dt.timedelta(days=1)), dg.SkipReason)  # the 27th: not yet
    assert world.run(due).success
    assert world.period(due)["status"] == "completed"
    skipped = evaluate(world, tick + dt.timedelta(days=1))
    assert isinstance(skipped, dg.SkipReason) and "no pay period is due" in skipped.skip_message


def live_run(world: PayrollWorld) -> dg.DagsterRun:
    """A payroll run the instance knows as started, as the automation's run is while it computes."""
    job = defs().resolve_job_def("payroll_run")
    return world.instance.create_run_for_job(job_def=job, status=dg.DagsterRunStatus.STARTED)


def test_a_persons_run_while_the_automations_run_holds_the_period_skips_it(world: PayrollWorld) -> None:
    period_id = world.add_period(dt.date(2024, 1, 1), dt.date(2024, 1, 31), "monthly", {"days_before_end": 3})
    tick = dt.datetime(2024, 1, 29, 2, tzinfo=dt.UTC)
    automation = live_run(world)
    assert claim(world, period_id, automation.run_id, at=tick - dt.timedelta(minutes=10))
    manual = world.run(period_id, at=tick - dt.timedelta(minutes=5))
    assert manual.success
    metadata = manual.get_asset_materialization_events()[0].materialization.metadata
    assert f"being processed by run {automation.run_id}" in metadata["skipped"].value
    assert world.results(period_id) == {}
    assert world.period(period_id)["run_id"] == automation.run_id
    assert release_stale(world.engine, world.instance, tick, LEASE) == []  # alive, and within its lease
    assert isinstance(evaluate(world, tick), dg.SkipReason)

    world.instance.report_run_failed(automation)  # the run died; its process never finished the period
    (request,) = evaluate(world, tick + dt.timedelta(days=1))  # released, then requested again
    assert request.run_key == f"payroll-period-{period_id}-claims-1"
    released = world.period(period_id)
    assert released["status"] == "active" and "ended (FAILURE)" in released["error_message"]
    assert world.run(period_id, at=tick + dt.timedelta(days=1, minutes=1)).success
    assert world.period(period_id)["status"] == "completed" and set(world.results(period_id)) == {"0001", "0002"}


def test_holds_of_unknown_runs_and_past_their_lease_are_released(world: PayrollWorld) -> None:
    lost = world.add_period(dt.date(2024, 1, 1), dt.date(2024, 1, 14), "bi_weekly")
    slow = world.add_period(dt.date(2024, 1, 15), dt.date(2024, 1, 28), "bi_weekly")
    alive = world.add_period(dt.date(2024, 2, 1), dt.date(2024, 2, 29), "monthly")
    assert claim(world, lost, "a-run-of-another-instance")
    hanging = live_run(world)
    assert claim(world, slow, hanging.run_id)
    assert claim(world, alive, live_run(world).run_id)
    with world.engine.begin() as connection:
        connection.execute(
            sa.update(payroll_periods).where(payroll_periods.c.id == slow).values(claimed_at=NOW - 2 * LEASE)
        )
    released = {r.period_id: r.reason for r in release_stale(world.engine, world.instance, NOW, LEASE)}
    assert set(released) == {lost, slow}
    assert "is not in the Dagster instance" in released[lost] and "longer than the lease" in released[slow]
    assert world.period(alive)["status"] == "processing"
    assert [world.period(p)["status"] for p in (lost, slow)] == ["active", "active"]


def test_a_run_that_lost_its_hold_writes_nothing(world: PayrollWorld) -> None:
    period_id = world.add_period(dt.date(2024, 1, 1), dt.date(2024, 1, 14), "bi_weekly")
    assert claim(world, period_id, "slow-run")
    release_stale(world.engine, world.instance, NOW, LEASE)  # "slow-run" is unknown: released
    assert claim(world, period_id, "next-run")
    with world.engine.begin() as connection:
        dates = store.dates_of(store.period(connection, period_id))
        pay = compute_period(dates, worked_time.roster_history(connection, dates.start, dates.end), {})
    with pytest.raises(store.LostClaim, match="no longer held by run slow-run"), world.engine.begin() as connection:
        store.write_results(connection, period_id, pay, "slow-run", NOW)
    assert world.results(period_id) == {} and world.totals(period_id) is None
    assert world.period(period_id)["run_id"] == "next-run"


def test_a_completed_period_is_skipped_unless_forced(world: PayrollWorld) -> None:
    period_id = world.add_period(dt.date(2024, 1, 1), dt.date(2024, 1, 14), "bi_weekly")
    first = world.run(period_id)
    assert first.success
    assert world.results(period_id)["0001"]["regular_hours"] == 40
    again = world.run(period_id)
    metadata = again.get_asset_materialization_events()[0].materialization.metadata
    assert f"completed by run {first.run_id}" in metadata["skipped"].value
    assert {row["run_id"] for row in world.results(period_id).values()} == {first.run_id}
    forced = world.run(period_id, force=True)
    assert {row["run_id"] for row in world.results(period_id).values()} == {forced.run_id}
    assert world.period(period_id)["claims"] == 2 and world.totals(period_id)["run_id"] == forced.run_id


@pytest.mark.usefixtures("dagster_home")
def test_the_automation_is_on_by_default_daily_at_two_in_the_business_timezone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HR_TIMEZONE", "Europe/Madrid")
    payroll_automation = defs().get_repository_def().get_schedule_def("payroll_automation")
    assert payroll_automation.default_status == dg.DefaultScheduleStatus.RUNNING
    assert payroll_automation.cron_schedule == "0 2 * * *"
    assert payroll_automation.execution_timezone == "Europe/Madrid"


def test_a_step_retry_counts_the_periods_its_earlier_attempt_completed(world: PayrollWorld) -> None:
    period_id = world.add_period(dt.date(2024, 1, 1), dt.date(2024, 1, 14), "bi_weekly")
    done = process_period(world.engine, period_id, "run-a", force=False, now=NOW)
    retried = process_period(world.engine, period_id, "run-a", force=False, now=NOW)
    other = process_period(world.engine, period_id, "run-b", force=False, now=NOW)
    assert retried.totals == done.totals and retried.skipped is None
    assert other.totals is None and other.skipped.startswith("completed by run run-a")


def test_failed_steps_retry_three_times_with_exponential_backoff() -> None:
    policy = payroll_results_asset(Settings.from_environment()).op.retry_policy
    assert policy.max_retries == 3 and policy.backoff == dg.Backoff.EXPONENTIAL and policy.delay > 0


def test_a_partition_without_its_period_fails_without_retrying(world: PayrollWorld) -> None:
    period_id = world.add_period(dt.date(2024, 2, 1), dt.date(2024, 2, 14), "bi_weekly")
    add_period_partitions(world.instance, ["2024-02-01..2024-02-15"])  # a partition whose period was never saved
    result = world.run_partition("2024-02-01..2024-02-15")
    assert not result.success
    (failure,) = result.get_step_failure_events()  # one attempt: no retries of a request that cannot succeed
    assert "partition 2024-02-01..2024-02-15: no pay period from 2024-02-01 to 2024-02-15" in (
        failure.step_failure_data.error.message
    )
    assert world.period(period_id)["status"] == "active"


def test_the_automation_adds_the_partitions_of_periods_that_have_none(world: PayrollWorld) -> None:
    with world.engine.begin() as connection:  # as a warehouse from before partitions were per period holds them
        store.add_period(connection, PeriodDates(dt.date(2024, 3, 1), dt.date(2024, 3, 15), "semi_monthly"), None,
                         timezone="UTC", now=NOW)  # fmt: skip
    evaluate(world, dt.datetime(2024, 3, 2, 2, tzinfo=dt.UTC))
    assert world.instance.has_dynamic_partition("payroll_periods", "2024-03-01..2024-03-15")


def test_due_now_releases_the_periods_of_dead_runs_then_finds_them_due(world: PayrollWorld) -> None:
    """The daily automation and ``hr-assets payroll run-due`` both start here."""
    period_id = world.add_period(dt.date(2024, 1, 1), dt.date(2024, 1, 31), "monthly", {"days_before_end": 3})
    assert claim(world, period_id, "a-run-of-a-crashed-instance")
    found = due_now(
        world.engine, world.instance, dt.datetime(2024, 1, 29, 2, tzinfo=dt.UTC), Settings.from_environment()
    )
    assert [(r.period_id, r.reason) for r in found.released] == [
        (period_id, "run a-run-of-a-crashed-instance is not in the Dagster instance")
    ]
    assert ([period["id"] for period in found.due], found.automated) == ([period_id], 1)
    assert world.period(period_id)["status"] == "active"
