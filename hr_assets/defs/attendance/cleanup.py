"""The monthly clean-up of imported attendance files past their retention period; the records stay."""

import datetime as dt
from pathlib import Path

import dagster as dg

from hr_assets.defs.attendance import store
from hr_assets.defs.attendance.importing import SOURCE
from hr_assets.defs.attendance.resources import AttendanceInboxResource
from hr_assets.lib.clock import Clock
from hr_assets.settings import Settings
from hr_assets.warehouse.resource import WarehouseResource
from hr_assets.warehouse.stored_files import delete_content, with_content


@dg.op(
    description=(
        "Delete attendance files imported more than ATTENDANCE_RETENTION_DAYS ago, their copy in the warehouse and "
        "the inbox file where this run can reach it; keep their records."
    )
)
def remove_expired_attendance_files(
    context: dg.OpExecutionContext,
    warehouse: WarehouseResource,
    clock: Clock,
    attendance_inbox: AttendanceInboxResource,
) -> int:
    attendance_inbox.check()
    now = clock.now()
    cutoff = now - dt.timedelta(days=attendance_inbox.retention_days)
    removed = 0
    with warehouse.begin() as connection:
        for expired in store.expired_files(connection, cutoff):
            delete_content(connection, with_content(connection, source=SOURCE, sha256=expired["content_sha256"]), now)
            Path(expired["file_path"]).unlink(missing_ok=True)
            store.mark_file_removed(connection, expired["id"], now)
            removed += 1
    context.log.info(f"Removed {removed} attendance file(s) imported before {cutoff:%Y-%m-%d}")
    return removed


@dg.job(description="Remove imported attendance files past their retention period.")
def attendance_file_cleanup() -> None:
    remove_expired_attendance_files()


def monthly_cleanup_schedule(settings: Settings) -> dg.ScheduleDefinition:
    """attendance_file_cleanup_schedule: the 1st of each month at 03:00 in HR_TIMEZONE."""
    return dg.ScheduleDefinition(
        job=attendance_file_cleanup,
        cron_schedule="0 3 1 * *",
        execution_timezone=settings.timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="The 1st of each month at 03:00.",
    )
