"""The staff the scheduling side plans with, and their worked hours, refreshed after each Paycom sync (the asset's
dep), after each attendance import (a sensor: an asset dep on the attendance asset would make the paycom and
attendance groups depend on each other, since attendance already reads the Paycom roster), and every day just after
midnight (a schedule), so the hours are the day's and the week's even when nothing was synced or imported."""

from collections import Counter
from typing import Any

import dagster as dg

from hr_assets.defs.paycom import store
from hr_assets.defs.paycom.assets import GROUP, week_of
from hr_assets.defs.paycom.hours import first_day_counted, staff_hours
from hr_assets.defs.paycom.staff import staff_rows
from hr_assets.defs.shared import worked_time
from hr_assets.defs.shared.freshness import WITHIN_8_DAYS
from hr_assets.defs.shared.jobs import attendance_import_job
from hr_assets.defs.shared.partitions import weekly_sync_partitions
from hr_assets.lib.clock import Clock
from hr_assets.settings import Settings
from hr_assets.warehouse import tables
from hr_assets.warehouse.metadata import row_count, rows_table, table_definition
from hr_assets.warehouse.resource import WarehouseResource


def scheduling_staff_asset(settings: Settings) -> dg.AssetsDefinition:
    """The staff view, one partition per weekly sync."""

    @dg.asset(
        partitions_def=weekly_sync_partitions(settings),
        group_name=GROUP,
        freshness_policy=WITHIN_8_DAYS,
        kinds={"python", "sql"},
        owners=["team:scheduling"],
        deps=["paycom_employees"],
        metadata=table_definition(tables.scheduling_staff),
        description=(
            "The staff the scheduling side can plan with, from the newest week's roster: availability, role, weekly "
            "hour cap (an override set with `hr-assets staff set-cap` wins), and hours worked this week, pay period "
            "and year as payroll counts them, with what is left before overtime and the cap. Refreshed after each "
            "attendance import by the scheduling_staff_after_attendance sensor, and daily at 00:05 by the "
            "scheduling_staff_daily_refresh schedule."
        ),
    )
    def scheduling_staff(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, clock: Clock
    ) -> dg.MaterializeResult[Any]:
        week, today = week_of(context), clock.today()
        with warehouse.begin() as connection:
            newest = store.latest_snapshot_week(connection)
            if newest is not None and week < newest:
                context.log.info(
                    f"Week {week} is older than the newest synced week {newest}; the staff view stays as is."
                )
                return dg.MaterializeResult(
                    metadata={
                        "superseded_by_week": str(newest),
                        "staff": 0,
                        **row_count(connection, tables.scheduling_staff),
                    }
                )
            rows = staff_rows(store.snapshot(connection, week))
            period = store.pay_period_containing(connection, today)
            dates = (period["start_date"], period["end_date"]) if period else None
            first = first_day_counted(today, dates and dates[0])
            worked = worked_time.worked_minutes(worked_time.shifts(connection, first, today))
            figures = staff_hours(today, dates, worked_time.roster_history(connection, first, today), worked)
            store.write_staff(
                connection,
                rows,
                figures,
                week=week,
                as_of=today,
                pay_period_id=period["id"] if period else None,
                now=clock.now(),
            )
            staff_table = row_count(connection, tables.scheduling_staff)
        roles = Counter(row["role"] for row in rows)
        counted = [figures[row["employee_code"]] for row in rows if row["employee_code"] in figures]
        return dg.MaterializeResult(
            metadata={
                "staff": len(rows),
                "available_for_scheduling": sum(row["available_for_scheduling"] for row in rows),
                "by_role": rows_table(
                    [{"role": role, "staff": staff} for role, staff in sorted(roles.items())],
                    {"role": "string", "staff": "int"},
                ),
                "hours_as_of": str(today),
                "with_hours_this_week": sum(1 for hours in counted if hours.hours_this_week > 0),
                "in_overtime_this_week": sum(1 for hours in counted if hours.overtime_hours_this_week > 0),
                **staff_table,
            }
        )

    return scheduling_staff


DAILY_REFRESH_CRON = "5 0 * * *"  # 00:05 business time: the day's hours, and a new week's from its first minutes

scheduling_staff_refresh_job = dg.define_asset_job(
    "scheduling_staff_refresh",
    selection=dg.AssetSelection.assets("scheduling_staff"),
    description="Recount the staff view's worked hours (after an attendance import, and daily).",
)


def refresh_request(warehouse: WarehouseResource, run_key: str) -> dg.RunRequest | dg.SkipReason:
    """A refresh of the newest synced week's staff view, or why there is none to refresh."""
    with warehouse.begin() as connection:
        newest = store.latest_snapshot_week(connection)
    if newest is None:
        return dg.SkipReason("no Paycom week synced yet: there is no staff view to refresh")
    return dg.RunRequest(run_key=run_key, partition_key=newest.isoformat())


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[attendance_import_job],
    request_job=scheduling_staff_refresh_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="After each attendance import, refresh scheduling_staff's hours for the newest synced week.",
)
def scheduling_staff_after_attendance(
    context: dg.RunStatusSensorContext, warehouse: WarehouseResource
) -> dg.RunRequest | dg.SkipReason:
    return refresh_request(warehouse, context.dagster_run.run_id)


def daily_refresh_schedule(settings: Settings) -> dg.ScheduleDefinition:
    """Every day at 00:05 in HR_TIMEZONE: without it, a week with no sync or import would serve last week's hours."""

    @dg.schedule(
        job=scheduling_staff_refresh_job,
        cron_schedule=DAILY_REFRESH_CRON,
        execution_timezone=settings.timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Daily at 00:05, recount scheduling_staff's hours in the newest synced week's view.",
    )
    def scheduling_staff_daily_refresh(
        context: dg.ScheduleEvaluationContext, warehouse: WarehouseResource
    ) -> dg.RunRequest | dg.SkipReason:
        day = context.scheduled_execution_time.astimezone(settings.tz).date()
        return refresh_request(warehouse, f"staff-{day.isoformat()}")

    return scheduling_staff_daily_refresh
