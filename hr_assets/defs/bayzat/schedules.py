"""When pushes run by themselves: right after an import for companies synced hourly, every hour for what is
due again (records whose retry time has come, imports not pushed yet), and once a day for daily companies.

A company set to ``manual`` is pushed only when a person asks (``hr-assets bayzat push``, or the UI).
Each request carries the company in the ``hr_assets/bayzat_company`` tag, which ``dagster.yaml`` limits
to one run at a time per company; the push's lease enforces the same for runs started any other way.
"""

import dagster as dg

from hr_assets.defs.attendance import store as attendance_store
from hr_assets.defs.attendance.sensors import attendance_import_job
from hr_assets.defs.bayzat import configs
from hr_assets.defs.bayzat.assets import bayzat_sync_batches
from hr_assets.defs.bayzat.resources import BayzatResource
from hr_assets.defs.bayzat.store import due_counts
from hr_assets.defs.partitions import bayzat_company_partitions
from hr_assets.settings import platform_settings
from hr_assets.warehouse.resource import WarehouseResource

COMPANY_TAG = "hr_assets/bayzat_company"
DAILY_PUSH_HOUR = 1  # business time

bayzat_push_job = dg.define_asset_job(
    "bayzat_push",
    selection=dg.AssetSelection.assets(bayzat_sync_batches),
    description="Push one company's due attendance records to Bayzat.",
)


def push_request(slug: str, run_key: str) -> dg.RunRequest:
    return dg.RunRequest(run_key=run_key, partition_key=slug, tags={COMPANY_TAG: slug})


def _with_partitions(instance: dg.DagsterInstance, slugs: list[str]) -> list[str]:
    """Only companies that are partitions (``bayzat configure`` adds them): a request for another would fail."""
    known = set(instance.get_dynamic_partitions(bayzat_company_partitions.name))
    return [slug for slug in slugs if slug in known]


@dg.schedule(
    job=bayzat_push_job,
    cron_schedule="5 * * * *",
    execution_timezone=platform_settings.timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every hour at :05, each hourly company with records due; daily companies at 01:05.",
)
def bayzat_hourly_push(
    context: dg.ScheduleEvaluationContext, warehouse: WarehouseResource, bayzat: BayzatResource
) -> list[dg.RunRequest] | dg.SkipReason:
    if problem := bayzat.problem():
        return dg.SkipReason(problem)
    tick = context.scheduled_execution_time.astimezone(platform_settings.tz)
    frequencies = ("hourly", "daily") if tick.hour == DAILY_PUSH_HOUR else ("hourly",)
    with warehouse.begin() as connection:
        due = due_counts(connection, context.scheduled_execution_time)
        slugs = [slug for slug, company_id in configs.slugs_with_ids(connection, frequencies) if due.get(company_id)]
    hour = tick.strftime("%Y-%m-%dT%H")
    return [push_request(slug, f"{slug}-{hour}") for slug in _with_partitions(context.instance, slugs)]


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
        imported = attendance_store.import_by_key(connection, key)
        companies = set(attendance_store.companies_of_import(connection, imported["id"])) if imported else set()
        slugs = [
            slug for slug, company_id in configs.slugs_with_ids(connection, ("hourly",)) if company_id in companies
        ]
    run_id = context.dagster_run.run_id
    return [push_request(slug, f"{slug}-after-{run_id}") for slug in _with_partitions(context.instance, slugs)]
