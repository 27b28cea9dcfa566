"""The revenue chain as the old sync script knew it: its steps, its job, and when it runs.

The script's fixed order of imports (services, invoices, crm-clients, service-periods,
notion-external-id) is the assets' lineage, and accruals a step of their own after them; ``--from-step`` is
an asset selection; a date range is a backfill over month partitions. The job, which the schedules run,
holds every step.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

import dagster as dg

from hr_assets.defs.fourgeeks.resources import FourGeeksResource
from hr_assets.defs.holded.resources import HoldedResource
from hr_assets.defs.notion.resources import NotionResource
from hr_assets.defs.shared.freshness import CLOSED_MONTH_BY_THE_3RD
from hr_assets.defs.shared.partitions import monthly_partitions, revenue_backfill_policy
from hr_assets.settings import RevenueScheduleSettings, load, platform_settings

# The steps as operators name them (``hr-assets sync --from-step``), in their fixed order, with each one's asset.
STEPS = {
    "services": "holded_services",
    "invoices": "holded_invoices",
    "crm-clients": "crm_students",
    "service-periods": "service_periods",
    "notion-external-id": "notion_external_ids",
    "accruals": "accruals",
}


# A run with this tag set to "true" closes its accrual months once they are computed (the month-close schedule).
CLOSE_TAG = "hr_assets/close_accrual_months"


def revenue_month_asset(**options: Any) -> Callable[..., dg.AssetsDefinition]:
    """``@dg.asset`` for the chain's monthly steps: month partitions, a backfill as one run for its range, late when
    the month just closed is not in by the 3rd; ``options`` add the step's own (group, deps, description...)."""
    return dg.asset(
        partitions_def=monthly_partitions,
        backfill_policy=revenue_backfill_policy,
        freshness_policy=CLOSED_MONTH_BY_THE_3RD,
        **options,
    )


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

_when = load(RevenueScheduleSettings)


def _unconfigured(holded: HoldedResource, fourgeeks: FourGeeksResource, notion: NotionResource) -> dg.SkipReason | None:
    """The chain reads all three APIs: a tick without one of them skips, saying which setting is missing."""
    problems = [problem for resource in (holded, fourgeeks, notion) if (problem := resource.problem())]
    return dg.SkipReason("; ".join(problems)) if problems else None


@dg.schedule(
    job=revenue_chain_job,
    cron_schedule=f"0 {_when.monthly_hour} {_when.monthly_day} * *",
    execution_timezone=platform_settings.timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "The month just ended, once it is over (HR_REVENUE_MONTHLY_DAY / _HOUR): imports and accruals, then closes "
        "its accruals."
    ),
)
def revenue_month_close(
    context: dg.ScheduleEvaluationContext, holded: HoldedResource, fourgeeks: FourGeeksResource, notion: NotionResource
) -> dg.RunRequest | dg.SkipReason:
    if skip := _unconfigured(holded, fourgeeks, notion):
        return skip
    today = context.scheduled_execution_time.astimezone(platform_settings.tz).date()
    closed = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1).isoformat()
    return dg.RunRequest(run_key=f"close-{closed}", partition_key=closed, tags={CLOSE_TAG: "true"})


@dg.schedule(
    job=revenue_chain_job,
    cron_schedule=f"0 {_when.daily_hour} * * *",
    execution_timezone=platform_settings.timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The month in progress, refreshed every day (HR_REVENUE_DAILY_HOUR).",
)
def revenue_month_refresh(
    context: dg.ScheduleEvaluationContext, holded: HoldedResource, fourgeeks: FourGeeksResource, notion: NotionResource
) -> dg.RunRequest | dg.SkipReason:
    if skip := _unconfigured(holded, fourgeeks, notion):
        return skip
    today = context.scheduled_execution_time.astimezone(platform_settings.tz).date()
    return dg.RunRequest(run_key=f"refresh-{today.isoformat()}", partition_key=today.replace(day=1).isoformat())
