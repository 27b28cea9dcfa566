"""How fresh each asset must be. The daemon evaluates these policies and the UI marks a late asset (asset page,
asset graph, and the "Freshness" filter of the asset catalog).

Dagster's policies judge an asset by its newest materialization of any partition, not partition by partition.
"""

import datetime as dt

import dagster as dg

from hr_assets.settings import Settings

# Paycom pushes weekly and the roster syncs every Friday: a week and a day without a sync is late.
# The attendance files and their Bayzat pushes follow the same weekly fingerprint reports.
WITHIN_8_DAYS = dg.FreshnessPolicy.time_window(fail_window=dt.timedelta(days=8))


def closed_month_by_the_3rd(settings: Settings) -> dg.FreshnessPolicy:
    """The revenue chain's month just closed is synced on the 1st (revenue_month_close): by the 3rd at 00:00
    business time each asset must have been materialized since the 1st."""
    return dg.FreshnessPolicy.cron(
        deadline_cron="0 0 3 * *", lower_bound_delta=dt.timedelta(days=2), timezone=settings.timezone
    )
