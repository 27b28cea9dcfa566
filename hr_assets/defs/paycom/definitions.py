"""Paycom's definitions: the weekly roster sync from SFTP and the staff view it feeds, refreshed daily."""

import dagster as dg

from hr_assets.defs.paycom.assets import roster_assets
from hr_assets.defs.paycom.checks import roster_checks
from hr_assets.defs.paycom.resources import PaycomSftpResource
from hr_assets.defs.paycom.schedules import paycom_sync_job, weekly_sync_schedule
from hr_assets.defs.paycom.scheduling_staff import (
    daily_refresh_schedule,
    scheduling_staff_after_attendance,
    scheduling_staff_asset,
    scheduling_staff_refresh_job,
)
from hr_assets.settings import Settings


def definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        assets=[*roster_assets(settings), scheduling_staff_asset(settings)],
        asset_checks=roster_checks(settings),
        jobs=[paycom_sync_job, scheduling_staff_refresh_job],
        schedules=[weekly_sync_schedule(settings), daily_refresh_schedule(settings)],
        sensors=[scheduling_staff_after_attendance],
        resources={"paycom_sftp": PaycomSftpResource.from_environment()},
    )
