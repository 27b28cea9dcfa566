"""Payroll's definitions: each pay period's gross pay, its checks, and the daily automation of due periods."""

import dagster as dg

from hr_assets.defs.payroll.assets import payroll_results_asset
from hr_assets.defs.payroll.checks import (
    payroll_hourly_without_attendance,
    payroll_one_result_per_employee,
    payroll_totals_reconcile,
)
from hr_assets.defs.payroll.schedules import payroll_automation_schedule, payroll_job
from hr_assets.settings import Settings


def definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        assets=[payroll_results_asset(settings)],
        asset_checks=[payroll_one_result_per_employee, payroll_totals_reconcile, payroll_hourly_without_attendance],
        jobs=[payroll_job],
        schedules=[payroll_automation_schedule(settings)],
    )
