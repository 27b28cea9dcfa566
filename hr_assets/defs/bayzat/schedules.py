"""When pushes run by themselves: right after an import for companies synced hourly, every hour for what is
due again (records whose retry time has come, imports not pushed yet), and once a day for daily companies, at 01:05
in each company's own timezone.

A company set to ``manual`` is pushed only when a person asks (``hr-assets bayzat push``, or the UI).
The companies asked for at once are pushed by one run (a range of the company partitions, every company in it
at once), or by one run per stretch of consecutive partitions when companies between them are not asked for.
A run for one company carries it in the ``hr_assets/bayzat_company`` tag, which ``dagster.yaml`` limits to one
run at a time per company; the push's lease keeps two runs from pushing one company in every case.
"""

import datetime as dt
from collections.abc import Collection
from zoneinfo import ZoneInfo

import dagster as dg

from hr_assets.defs.bayzat import configs
from hr_assets.defs.bayzat.assets import bayzat_sync_batches
from hr_assets.defs.bayzat.resources import BayzatResource
from hr_assets.defs.bayzat.store import due_counts
from hr_assets.defs.shared import attendance_pushes
from hr_assets.defs.shared.jobs import attendance_import_job
from hr_assets.defs.shared.partitions import bayzat_company_partitions, keys_name, partition_tags
from hr_assets.settings import Settings
from hr_assets.warehouse.resource import WarehouseResource

COMPANY_TAG = "hr_assets/bayzat_company"
DAILY_PUSH_TIME = dt.time(1, 5)  # a daily company's push, in its own timezone

bayzat_push_job = dg.define_asset_job(
    "bayzat_push",
    selection=dg.AssetSelection.assets(bayzat_sync_batches),
    description="Push the due attendance records of one company, or of a range of companies all at once, to Bayzat.",
)


def company_stretches(instance: dg.DagsterInstance, slugs: Collection[str]) -> list[tuple[str, str]]:
    """``slugs`` as stretches of consecutive company partitions, (first, last) each: one run pushes a stretch.
    A company that is not a partition yet (``bayzat configure`` adds it) is left out: its run would fail."""
    wanted = set(slugs)
    stretches: list[list[str]] = [[]]
    for key in instance.get_dynamic_partitions(keys_name(bayzat_company_partitions)):
        if key in wanted:
            stretches[-1].append(key)
        elif stretches[-1]:
            stretches.append([])
    return [(stretch[0], stretch[-1]) for stretch in stretches if stretch]


def company_tags(first: str, last: str) -> dict[str, str]:
    """The tags of a push run over ``first``..``last``: for one company the company, which ``dagster.yaml`` limits to
    one run at a time per company; a range run has none, its companies' leases keep the runs apart."""
    return {COMPANY_TAG: first} if first == last else {}


def push_requests(instance: dg.DagsterInstance, slugs: Collection[str], run_key: str) -> list[dg.RunRequest]:
    """One run request per stretch of ``slugs``, its key ``run_key`` after the stretch."""
    requests = []
    for first, last in company_stretches(instance, slugs):
        tags = company_tags(first, last)
        if first == last:
            requests.append(dg.RunRequest(run_key=f"{first}-{run_key}", partition_key=first, tags=tags))
        else:
            requests.append(
                dg.RunRequest(run_key=f"{first}..{last}-{run_key}", tags={**partition_tags(first, last), **tags})
            )
    return requests


def daily_push_due(tick: dt.datetime, timezone: str) -> bool:
    """Whether the hourly tick at ``tick`` pushes a daily company in ``timezone``: the first tick at or after
    ``DAILY_PUSH_TIME`` of its day there, the one whose hour before was still earlier (or another day).

    Ticks are an hour apart in real time, across the business zone's clock changes too (Dagster runs both of a
    repeated hour), so this is one tick a day in every zone: on the day the company's clock skips 01:05 (Europe/London
    springs from 01:00 to 02:00) the tick at 02:05 pushes, on the day it repeats 01:05 only the first does, and in a
    zone half an hour off the business zone's the tick at 01:35 does.
    """
    zone, instant = ZoneInfo(timezone), tick.astimezone(dt.UTC)
    now, before = instant.astimezone(zone), (instant - dt.timedelta(hours=1)).astimezone(zone)
    return now.time() >= DAILY_PUSH_TIME and (before.date() < now.date() or before.time() < DAILY_PUSH_TIME)


def hourly_push_schedule(settings: Settings) -> dg.ScheduleDefinition:
    """Every hour at :05 in HR_TIMEZONE; each daily company at 01:05 in its own timezone (``daily_push_due``)."""

    @dg.schedule(
        job=bayzat_push_job,
        cron_schedule="5 * * * *",
        execution_timezone=settings.timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=(
            "Every hour at :05, each hourly company with records due; each daily company at 01:05 in its own timezone."
        ),
    )
    def bayzat_hourly_push(
        context: dg.ScheduleEvaluationContext, warehouse: WarehouseResource, bayzat: BayzatResource
    ) -> list[dg.RunRequest] | dg.SkipReason:
        if problem := bayzat.problem():
            return dg.SkipReason(problem)
        tick = context.scheduled_execution_time
        with warehouse.begin() as connection:
            due = due_counts(connection, tick)
            slugs = [
                slug
                for slug, company_id, frequency, timezone in configs.scheduled(connection)
                if due.get(company_id) and (frequency == "hourly" or daily_push_due(tick, timezone))
            ]
        # The hour with its offset: a repeated hour's second tick is another run, its companies' pushes not skipped.
        return push_requests(context.instance, slugs, tick.astimezone(settings.tz).strftime("%Y-%m-%dT%H%z"))

    return bayzat_hourly_push


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[attendance_import_job],
    request_job=bayzat_push_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After an import, push the file's records of every company synced hourly.",
)
def push_after_import(
    context: dg.RunStatusSensorContext, warehouse: WarehouseResource, bayzat: BayzatResource
) -> list[dg.RunRequest] | dg.SkipReason:
    if problem := bayzat.problem():
        return dg.SkipReason(problem)
    key = context.dagster_run.tags.get("dagster/partition", "")
    with warehouse.begin() as connection:
        imported = attendance_pushes.import_by_key(connection, key)
        companies = set(attendance_pushes.companies_of_import(connection, imported["id"])) if imported else set()
        slugs = [
            slug for slug, company_id in configs.slugs_with_ids(connection, ("hourly",)) if company_id in companies
        ]
    return push_requests(context.instance, slugs, f"after-{context.dagster_run.run_id}")
