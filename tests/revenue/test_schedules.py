"""The month-close and daily-refresh schedules pick the right month in the business timezone."""

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from hr_assets.definitions import defs
from hr_assets.defs.shared.revenue_chain import CLOSE_TAG


@pytest.mark.usefixtures("revenue_env")
def test_close_takes_the_month_just_ended_and_refresh_the_month_in_progress() -> None:
    repository = defs().get_repository_def()
    revenue_month_close = repository.get_schedule_def("revenue_month_close")
    revenue_month_refresh = repository.get_schedule_def("revenue_month_refresh")
    utc = ZoneInfo("UTC")

    def request_of(schedule: dg.ScheduleDefinition, when: dt.datetime) -> dg.RunRequest:
        context = dg.build_schedule_context(
            scheduled_execution_time=when, repository_def=repository, resources=repository.get_top_level_resources()
        )
        [request] = schedule.evaluate_tick(context).run_requests
        return request

    def requested(schedule: dg.ScheduleDefinition, when: dt.datetime) -> tuple[str, str]:
        request = request_of(schedule, when)
        return request.partition_key, request.run_key

    assert revenue_month_close.cron_schedule == "0 6 1 * *"
    assert revenue_month_close.default_status == dg.DefaultScheduleStatus.RUNNING
    assert requested(revenue_month_close, dt.datetime(2026, 3, 1, 6, tzinfo=utc)) == ("2026-02-01", "close-2026-02-01")
    assert requested(revenue_month_close, dt.datetime(2026, 1, 1, 6, tzinfo=utc)) == ("2025-12-01", "close-2025-12-01")
    assert requested(revenue_month_refresh, dt.datetime(2026, 2, 17, 5, tzinfo=utc)) == (
        "2026-02-01",
        "refresh-2026-02-17",
    )
    # the close closes the month's accruals once computed; the refresh leaves its month open
    assert request_of(revenue_month_close, dt.datetime(2026, 3, 1, 6, tzinfo=utc)).tags[CLOSE_TAG] == "true"
    assert CLOSE_TAG not in request_of(revenue_month_refresh, dt.datetime(2026, 2, 17, 5, tzinfo=utc)).tags
