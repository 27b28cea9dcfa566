"""When pushes run by themselves: right after an import for companies synced hourly, every hour for what is
due again (records whose retry time has come, imports not pushed yet), and once a day for daily companies.

A company set to ``manual`` is pushed only when a person asks (``hr-assets bayzat push``, or the UI).
The companies asked for at once are pushed by one run (a range of the company partitions, every company in it
at once), or by one run per stretch of consecutive partitions when companies between them are not asked for.
A run for one company carries it in the ``hr_assets/bayzat_company`` tag, which ``dagster.yaml`` limits to one
run at a time per company; the push's lease keeps two runs from pushing one company in every case.
"""

from collections.abc import Collection

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
DAILY_PUSH_HOUR = 1  # business time

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


def hourly_push_schedule(settings: Settings) -> dg.ScheduleDefinition:
    """Every hour at :05 in HR_TIMEZONE; daily companies at 01:05."""

    @dg.schedule(
        job=bayzat_push_job,
        cron_schedule="5 * * * *",
        execution_timezone=settings.timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Every hour at :05, each hourly company with records due; daily companies at 01:05.",
    )
    def bayzat_hourly_push(
        context: dg.ScheduleEvaluationContext, warehouse: WarehouseResource, bayzat: BayzatResource
    ) -> list[dg.RunRequest] | dg.SkipReason:
        if problem := bayzat.problem():
            return dg.SkipReason(problem)
        tick = context.scheduled_execution_time.astimezone(settings.tz)
        frequencies = ("hourly", "daily") if tick.hour == DAILY_PUSH_HOUR else ("hourly",)
        with warehouse.begin() as connection:
            due = due_counts(connection, context.scheduled_execution_time)
            slugs = [
                slug for slug, company_id in configs.slugs_with_ids(connection, frequencies) if due.get(company_id)
            ]
        return push_requests(context.instance, slugs, tick.strftime("%Y-%m-%dT%H"))

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
