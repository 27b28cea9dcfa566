"""The Friday 14:00 schedule and the week partitions in the business timezone, across DST changes."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from hr_assets.definitions import defs
from hr_assets.defs.shared.partitions import weekly_sync_partitions
from hr_assets.settings import Settings


def test_friday_afternoon_in_new_york_on_both_sides_of_the_clock_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text("")
    environment = {
        "HR_TIMEZONE": "America/New_York",
        "DAGSTER_HOME": str(tmp_path),
        "PAYCOM_SFTP_HOST": "127.0.0.1",
        "PAYCOM_SFTP_USERNAME": "probe",
        "PAYCOM_SFTP_PASSWORD": "probe",
        "PAYCOM_SFTP_KNOWN_HOSTS": str(known_hosts),
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    repository = defs().get_repository_def()  # the timezone is read here, where the definitions are built
    schedule = repository.get_schedule_def("paycom_weekly_sync")
    assert (schedule.execution_timezone, schedule.cron_schedule, schedule.default_status) == (
        "America/New_York",
        "0 14 * * 5",
        dg.DefaultScheduleStatus.RUNNING,
    )

    def tick(instant: str) -> list[str]:
        when = dt.datetime.fromisoformat(instant).astimezone(ZoneInfo("America/New_York"))
        context = dg.build_schedule_context(
            scheduled_execution_time=when, repository_def=repository, resources=repository.get_top_level_resources()
        )
        [request] = schedule.evaluate_tick(context).run_requests
        return [request.partition_key, request.run_key]

    # 14:00 New York is 18:00 UTC in summer time and 19:00 UTC in winter: the same Friday either way.
    assert tick("2026-10-30T18:00:00+00:00") == ["2026-10-30", "paycom-2026-10-30"]
    assert tick("2026-11-06T19:00:00+00:00") == ["2026-11-06", "paycom-2026-11-06"]
    assert tick("2026-03-06T19:00:00+00:00") == ["2026-03-06", "paycom-2026-03-06"]
    assert tick("2026-03-13T18:00:00+00:00") == ["2026-03-13", "paycom-2026-03-13"]
    # Weeks run from local midnight to local midnight, 169 or 167 hours across a change.
    weeks = weekly_sync_partitions(Settings.from_environment())
    windows = {key: weeks.time_window_for_partition_key(key) for key in ("2026-10-30", "2026-03-06")}
    assert {key: [window.start.isoformat(), window.end.isoformat()] for key, window in windows.items()} == {
        "2026-10-30": ["2026-10-30T00:00:00-04:00", "2026-11-06T00:00:00-05:00"],
        "2026-03-06": ["2026-03-06T00:00:00-05:00", "2026-03-13T00:00:00-04:00"],
    }
