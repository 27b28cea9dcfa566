"""Accruals' definitions: each month's recognized revenue, its checks, and the UI's jobs that close and re-open a
month."""

import dagster as dg

from hr_assets.defs.accruals.assets import accruals_asset
from hr_assets.defs.accruals.checks import accruals_checks
from hr_assets.defs.accruals.closing_jobs import accruals_close_month, accruals_reopen_month
from hr_assets.settings import Settings


def definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        assets=[accruals_asset(settings)],
        asset_checks=accruals_checks(settings),
        jobs=[accruals_close_month, accruals_reopen_month],
    )
