"""The Friday 14:00 schedule and the week partitions in the business timezone, across DST changes."""

import json
import os
import subprocess
import sys
from pathlib import Path

# Evaluated in a fresh interpreter: HR_TIMEZONE is read when the definitions are imported.
PROBE = """
import datetime as dt, json
from zoneinfo import ZoneInfo
import dagster as dg
from hr_assets.defs.shared.partitions import weekly_sync_partitions
from hr_assets.defs.paycom.schedules import paycom_weekly_sync
from hr_assets.definitions import defs

repository = defs().get_repository_def()

result = {"timezone": paycom_weekly_sync.execution_timezone, "cron": paycom_weekly_sync.cron_schedule,
          "default_status": paycom_weekly_sync.default_status.value, "ticks": {}, "windows": {}}
for instant in ("2026-10-30T18:00:00+00:00", "2026-11-06T19:00:00+00:00", "2026-03-06T19:00:00+00:00",
                "2026-03-13T18:00:00+00:00"):
    when = dt.datetime.fromisoformat(instant).astimezone(ZoneInfo("America/New_York"))
    context = dg.build_schedule_context(
        scheduled_execution_time=when, repository_def=repository, resources=repository.get_top_level_resources()
    )
    [request] = paycom_weekly_sync.evaluate_tick(context).run_requests
    result["ticks"][instant] = [request.partition_key, request.run_key]
for key in ("2026-10-30", "2026-03-06"):
    window = weekly_sync_partitions.time_window_for_partition_key(key)
    result["windows"][key] = [window.start.isoformat(), window.end.isoformat()]
print(json.dumps(result))
"""


def test_friday_afternoon_in_new_york_on_both_sides_of_the_clock_changes(tmp_path: Path) -> None:
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text("")
    environment = {
        **os.environ,
        "HR_TIMEZONE": "America/New_York",
        "DAGSTER_HOME": str(tmp_path),
        "PAYCOM_SFTP_HOST": "127.0.0.1",
        "PAYCOM_SFTP_USERNAME": "probe",
        "PAYCOM_SFTP_PASSWORD": "probe",
        "PAYCOM_SFTP_KNOWN_HOSTS": str(known_hosts),
    }
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True, check=True
    )
    probe = json.loads(completed.stdout.strip().splitlines()[-1])
    assert (probe["timezone"], probe["cron"], probe["default_status"]) == ("America/New_York", "0 14 * * 5", "RUNNING")
    # 14:00 New York is 18:00 UTC in summer time and 19:00 UTC in winter: the same Friday either way.
    assert probe["ticks"] == {
        "2026-10-30T18:00:00+00:00": ["2026-10-30", "paycom-2026-10-30"],
        "2026-11-06T19:00:00+00:00": ["2026-11-06", "paycom-2026-11-06"],
        "2026-03-06T19:00:00+00:00": ["2026-03-06", "paycom-2026-03-06"],
        "2026-03-13T18:00:00+00:00": ["2026-03-13", "paycom-2026-03-13"],
    }
    # Weeks run from local midnight to local midnight, 169 or 167 hours across a change.
    assert probe["windows"] == {
        "2026-10-30": ["2026-10-30T00:00:00-04:00", "2026-11-06T00:00:00-05:00"],
        "2026-03-06": ["2026-03-06T00:00:00-05:00", "2026-03-13T00:00:00-04:00"],
    }
