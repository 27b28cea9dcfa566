"""Bayzat's definitions: the push of valid attendance records per company, when it runs, and the UI's retry of
failed records."""

import dagster as dg

from hr_assets.defs.bayzat.assets import bayzat_sync_batches
from hr_assets.defs.bayzat.resources import BayzatResource
from hr_assets.defs.bayzat.retry_failed_job import bayzat_retry_failed, push_after_retry
from hr_assets.defs.bayzat.schedules import bayzat_push_job, hourly_push_schedule, push_after_import
from hr_assets.settings import Settings


def definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        assets=[bayzat_sync_batches],
        jobs=[bayzat_push_job, bayzat_retry_failed],
        schedules=[hourly_push_schedule(settings)],
        sensors=[push_after_import, push_after_retry],
        resources={"bayzat": BayzatResource.from_environment()},
    )
