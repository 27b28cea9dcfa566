"""The shared jobs and the revenue chain's schedules."""

import dagster as dg

from hr_assets.defs.shared.jobs import attendance_import_job
from hr_assets.defs.shared.revenue_chain import revenue_chain_job, revenue_schedules
from hr_assets.settings import Settings


def definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(jobs=[attendance_import_job, revenue_chain_job], schedules=revenue_schedules(settings))
