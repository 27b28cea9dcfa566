"""The weekly Paycom sync: every Friday at 14:00 business time, for the week that starts that Friday."""

import dagster as dg

from hr_assets.defs.paycom.resources import PaycomSftpResource
from hr_assets.settings import Settings

WEEKLY_SYNC_CRON = "0 14 * * 5"  # Friday 14:00 business time

paycom_sync_job = dg.define_asset_job(
    "paycom_sync",
    selection=dg.AssetSelection.groups("paycom"),
    description="Download the week's Paycom reports, merge the roster, refresh the staff view.",
)


def weekly_sync_schedule(settings: Settings) -> dg.ScheduleDefinition:
    """Friday 14:00 in HR_TIMEZONE."""

    @dg.schedule(
        job=paycom_sync_job,
        cron_schedule=WEEKLY_SYNC_CRON,
        execution_timezone=settings.timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Friday 14:00: the roster must be fresh before the next week's schedule is finalised.",
    )
    def paycom_weekly_sync(
        context: dg.ScheduleEvaluationContext, paycom_sftp: PaycomSftpResource
    ) -> dg.RunRequest | dg.SkipReason:
        """One run per Friday; the run key keeps a re-evaluated tick from syncing the week twice."""
        if problem := paycom_sftp.problem():
            return dg.SkipReason(problem)
        friday = context.scheduled_execution_time.astimezone(settings.tz).date().isoformat()
        return dg.RunRequest(run_key=f"paycom-{friday}", partition_key=friday)

    return paycom_weekly_sync
