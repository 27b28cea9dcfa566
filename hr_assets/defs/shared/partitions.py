"""The platform's partitions, all in the one business timezone (``HR_TIMEZONE``): the weekly and monthly ones are
made from the settings (``weekly_sync_partitions(settings)``), where the definitions are built.

Paycom syncs are weekly and keyed by the Friday of the sync: weeks run Friday to Friday
(``day_offset=5``) and the week in progress is a partition too (``end_offset=1``), so the Friday
schedule can sync the week that starts that very day.

The revenue chain is monthly from ``HR_HISTORY_START``'s month; the month in progress is a
partition too, so the daily schedule can refresh it. A backfill of the chain is one run for its
whole range of months (``revenue_backfill_policy``), so what does not depend on the month (Holded's
contacts, 4Geeks' students and enrolments, Notion's pages) is listed once a run, not once a month;
every month is still written in a transaction of its own, so re-running a range is safe.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from hr_assets.settings import Settings

FRIDAY = 4  # date.weekday()


def first_friday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(FRIDAY - day.weekday()) % 7)


def weekly_sync_partitions(settings: Settings) -> dg.WeeklyPartitionsDefinition:
    return dg.WeeklyPartitionsDefinition(
        start_date=first_friday_on_or_after(settings.history_start).isoformat(),
        day_offset=5,
        timezone=settings.timezone,
        end_offset=1,
    )


def monthly_partitions(settings: Settings) -> dg.MonthlyPartitionsDefinition:
    return dg.MonthlyPartitionsDefinition(
        start_date=settings.history_start.replace(day=1).isoformat(), timezone=settings.timezone, end_offset=1
    )


revenue_backfill_policy = dg.BackfillPolicy.single_run()


def partition_months(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> list[dt.date]:
    """The months a run covers, in order: one for a scheduled run, every one of a backfill's range."""
    return [dt.date.fromisoformat(key) for key in context.partition_keys]


def month_windows(context: dg.AssetExecutionContext) -> dict[dt.date, dg.TimeWindow]:
    """The months a run covers, each with its window in ``HR_TIMEZONE``: for what is listed month by month, so that
    a vendor failing one month's listing fails that month only."""
    partitions_def = context.assets_def.partitions_def
    if not isinstance(partitions_def, dg.TimeWindowPartitionsDefinition):
        raise TypeError(f"{context.asset_key.to_user_string()} is not partitioned by month")
    return {
        dt.date.fromisoformat(key): partitions_def.time_window_for_partition_key(key) for key in context.partition_keys
    }


def partition_tags(partition_key: str, last_partition_key: str | None = None) -> dict[str, str]:
    """The tags that make a run cover one partition, or with ``last_partition_key`` the range from ``partition_key``
    to it in one run, as a backfill with a single-run policy does."""
    if last_partition_key is None or last_partition_key == partition_key:
        return {"dagster/partition": partition_key}
    return {
        "dagster/asset_partition_range_start": partition_key,
        "dagster/asset_partition_range_end": last_partition_key,
    }


# One partition per imported attendance file (added by the inbox sensor or ``hr-assets attendance import``),
# and one per company with a Bayzat account (added by ``hr-assets bayzat configure``).
attendance_file_partitions = dg.DynamicPartitionsDefinition(name="attendance_files")
bayzat_company_partitions = dg.DynamicPartitionsDefinition(name="bayzat_companies")
# One per pay period, named after its days (``2026-01-01..2026-01-15``); adding a period adds its partition.
payroll_period_partitions = dg.DynamicPartitionsDefinition(name="payroll_periods")


def keys_name(partitions_def: dg.DynamicPartitionsDefinition) -> str:
    """The name the instance keeps a dynamic partitions definition's keys under (each of the above has one)."""
    if partitions_def.name is None:
        raise ValueError("a dynamic partitions definition without a name keeps no keys in the instance")
    return partitions_def.name
