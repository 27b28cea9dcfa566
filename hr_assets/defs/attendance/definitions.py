"""Attendance's definitions: each fingerprint file imported from the inbox, the monthly clean-up of old files, and a
company's own employee list imported from the launchpad."""

import dagster as dg

from hr_assets.defs.attendance.assets import attendance_records
from hr_assets.defs.attendance.cleanup import attendance_file_cleanup, monthly_cleanup_schedule
from hr_assets.defs.attendance.employee_list_job import companies_import_employees
from hr_assets.defs.attendance.resources import AttendanceInboxResource
from hr_assets.defs.attendance.sensors import attendance_inbox
from hr_assets.settings import Settings


def definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        assets=[attendance_records],
        jobs=[attendance_file_cleanup, companies_import_employees],
        schedules=[monthly_cleanup_schedule(settings)],
        sensors=[attendance_inbox],
        resources={"attendance_inbox": AttendanceInboxResource.from_environment()},
    )
