"""The payroll automation: every day at HR_PAYROLL_RUN_HOUR (02:00) in HR_TIMEZONE, a run for each due period.

Before it looks for due periods, it releases those left ``processing`` by a run that died, and adds the partition
of any period that has none yet (``due_now``, which ``hr-assets payroll run-due`` calls too). Each request asks for
the period's own partition. Each request's run key is the period and its number of claims so far: a second
evaluation of the same day, or an overlapping one, asks for the same key and Dagster launches it once; after a dead
run's period is released, its claims count has moved on, so the next evaluation requests a new run. The run itself
claims the period, so a person's run of it at the same moment cannot make it run twice either.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import dagster as dg
from sqlalchemy.engine import Engine

from hr_assets.defs.payroll import store
from hr_assets.defs.payroll.assets import add_period_partitions
from hr_assets.defs.payroll.processing import Released, release_stale
from hr_assets.defs.payroll.rules import evaluate
from hr_assets.settings import Settings
from hr_assets.warehouse.resource import WarehouseResource

payroll_job = dg.define_asset_job(
    "payroll_run",
    selection=dg.AssetSelection.assets("payroll_results"),
    description="Process one pay period: the partition named after its days.",
)


def run_request(period: dict[str, Any]) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=f"payroll-period-{period['id']}-claims-{period['claims']}",
        partition_key=store.dates_of(period).partition_key,
    )


@dataclass(frozen=True)
class DueNow:
    released: list[Released]  # periods of dead runs given back to automation
    partitions_added: list[str]
    automated: int  # automated, active periods after the releases
    due: list[dict[str, Any]]  # those of them due now, oldest first


def due_now(engine: Engine, instance: dg.DagsterInstance, now: dt.datetime, settings: Settings) -> DueNow:
    """What the daily automation does before it asks for runs, and ``hr-assets payroll run-due`` with it: release the
    periods left ``processing`` by dead runs (``release_stale``, HR_PAYROLL_LEASE_MINUTES), add the partition of any
    period that has none (added straight to the warehouse, or before partitions were per period), and find the
    automated, active periods whose rule makes them due at ``now``."""
    released = release_stale(engine, instance, now, settings.payroll_lease)
    with engine.begin() as connection:
        candidates = {row["id"]: row for row in store.automated_active(connection)}
        keys = store.partition_keys(connection)
    added = add_period_partitions(instance, keys)
    due = [candidates[item.period_id] for item in evaluate(candidates.values(), now, settings.timezone) if item.is_due]
    return DueNow(released, added, len(candidates), due)


def payroll_automation_schedule(settings: Settings) -> dg.ScheduleDefinition:
    """Daily at HR_PAYROLL_RUN_HOUR in HR_TIMEZONE; a run holds a period for HR_PAYROLL_LEASE_MINUTES."""

    @dg.schedule(
        job=payroll_job,
        cron_schedule=f"0 {settings.payroll_run_hour} * * *",
        execution_timezone=settings.timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Daily: release periods of dead runs, then request a run for each period its rule makes due.",
    )
    def payroll_automation(
        context: dg.ScheduleEvaluationContext, warehouse: WarehouseResource
    ) -> list[dg.RunRequest] | dg.SkipReason:
        # The tick's time is the one now of this evaluation: the leases are judged and the rules evaluated at it.
        found = due_now(warehouse.engine, context.instance, context.scheduled_execution_time, settings)
        for released in found.released:
            context.log.warning(released.line)
        for key in found.partitions_added:
            context.log.info(f"Added the partition of pay period {key}")
        if not found.due:
            return dg.SkipReason(f"no pay period is due ({found.automated} automated and active)")
        return [run_request(period) for period in found.due]

    return payroll_automation
