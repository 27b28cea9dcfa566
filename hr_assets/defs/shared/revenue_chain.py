"""The revenue chain as the old sync script knew it: its steps, its job, and when it runs.

The script's fixed order of imports (services, invoices, crm-clients, service-periods,
notion-external-id) is the assets' lineage, and accruals a step of their own after them; ``--from-step`` and
``--only-step`` are asset selections; a date range is a backfill over month partitions. The job, which the
schedules run, holds every step.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

import dagster as dg

from hr_assets.defs.shared.freshness import closed_month_by_the_3rd
from hr_assets.defs.shared.partitions import monthly_partitions, revenue_backfill_policy
from hr_assets.lib.integration import IntegrationResource
from hr_assets.settings import Settings

# The steps as operators name them (``hr-assets sync --from-step``), in their fixed order, with each one's asset:
# the one table from the seed's words to the assets.
STEPS = {
    "services": "holded_services",
    "invoices": "holded_invoices",
    "crm-clients": "fourgeeks_students",
    "service-periods": "service_periods",
    "notion-external-id": "notion_external_ids",
    "accruals": "accruals",
}

# What each step counts, as the old script's results did (invoices processed, clients created and updated...): figures
# of the step's materialization metadata, and the ``hr-assets sync`` summary's.
STEP_COUNTS = {
    "services": ("services",),
    "invoices": ("invoices_processed", "clients_created", "clients_updated"),
    "crm-clients": ("matched_students", "clients_created", "clients_updated"),
    "service-periods": ("periods", "periods_created", "periods_updated"),
    "notion-external-id": ("pages_matched", "without_page"),
    "accruals": ("lines_recognized", "unmatched_lines"),
}

# A run with this tag set to "true" closes its accrual months once they are computed (the month-close schedule).
CLOSE_TAG = "hr_assets/close_accrual_months"


def revenue_month_asset(settings: Settings, **options: Any) -> Callable[..., dg.AssetsDefinition]:
    """``@dg.asset`` for the chain's monthly steps: month partitions, a backfill as one run for its range, late when
    the month just closed is not in by the 3rd; ``options`` add the step's own (group, deps, description...)."""
    decorator: Callable[..., dg.AssetsDefinition] = dg.asset(
        partitions_def=monthly_partitions(settings),
        backfill_policy=revenue_backfill_policy,
        freshness_policy=closed_month_by_the_3rd(settings),
        **options,
    )
    return decorator


def assets_from_step(step: str, with_accruals: bool = False) -> list[str]:
    """The import steps from ``step`` through notion-external-id, then accruals if asked; accruals alone is
    accruals alone: it is a step of its own, not an import."""
    if step == "accruals":
        return [STEPS["accruals"]]
    imports = list(STEPS)[: list(STEPS).index("accruals")]
    chosen = [STEPS[name] for name in imports[imports.index(step) :]]
    return [*chosen, STEPS["accruals"]] if with_accruals else chosen


revenue_chain_job = dg.define_asset_job(
    "revenue_chain",
    selection=dg.AssetSelection.assets(*STEPS.values()),
    description="Holded invoices, 4Geeks students and periods, Notion ids and accruals for one month.",
)


def _unconfigured(*vendors: IntegrationResource) -> dg.SkipReason | None:
    """The chain reads all three APIs: a tick without one of them skips, saying which setting is missing."""
    problems = [problem for resource in vendors if (problem := resource.problem())]
    return dg.SkipReason("; ".join(problems)) if problems else None


def revenue_schedules(settings: Settings) -> list[dg.ScheduleDefinition]:
    """The month just ended, on HR_REVENUE_MONTHLY_DAY at HR_REVENUE_MONTHLY_HOUR, and the month in progress every
    day at HR_REVENUE_DAILY_HOUR, in HR_TIMEZONE. ``holded``, ``fourgeeks`` and ``notion`` are those vendors'
    resources."""

    @dg.schedule(
        job=revenue_chain_job,
        cron_schedule=f"0 {settings.revenue_monthly_hour} {settings.revenue_monthly_day} * *",
        execution_timezone=settings.timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=(
            "The month just ended, once it is over (HR_REVENUE_MONTHLY_DAY / _HOUR): imports and accruals, then "
            "closes its accruals."
        ),
    )
    def revenue_month_close(
        context: dg.ScheduleEvaluationContext,
        holded: IntegrationResource,
        fourgeeks: IntegrationResource,
        notion: IntegrationResource,
    ) -> dg.RunRequest | dg.SkipReason:
        if skip := _unconfigured(holded, fourgeeks, notion):
            return skip
        today = context.scheduled_execution_time.astimezone(settings.tz).date()
        closed = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1).isoformat()
        return dg.RunRequest(run_key=f"close-{closed}", partition_key=closed, tags={CLOSE_TAG: "true"})

    @dg.schedule(
        job=revenue_chain_job,
        cron_schedule=f"0 {settings.revenue_daily_hour} * * *",
        execution_timezone=settings.timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="The month in progress, refreshed every day (HR_REVENUE_DAILY_HOUR).",
    )
    def revenue_month_refresh(
        context: dg.ScheduleEvaluationContext,
        holded: IntegrationResource,
        fourgeeks: IntegrationResource,
        notion: IntegrationResource,
    ) -> dg.RunRequest | dg.SkipReason:
        if skip := _unconfigured(holded, fourgeeks, notion):
            return skip
        today = context.scheduled_execution_time.astimezone(settings.tz).date()
        return dg.RunRequest(run_key=f"refresh-{today.isoformat()}", partition_key=today.replace(day=1).isoformat())

    return [revenue_month_close, revenue_month_refresh]
