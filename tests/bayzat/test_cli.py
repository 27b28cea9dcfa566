"""The commands an operator uses: companies, Bayzat accounts (the key never on the command line), imports."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hr_sandbox.bayzat import AcceptedRecord
from tests.bayzat.conftest import EMPLOYEES, KEYS, BayzatWorld, attendance_csv, week_of

pytestmark = pytest.mark.commands

BIN = Path(sys.executable).parent


@pytest.fixture
def warehouse_url(tmp_path: Path) -> str:
    """The commands on SQLite only: the warehouse code under them runs on both databases in test_push."""
    return f"sqlite:///{tmp_path / 'warehouse.db'}"


def hr_assets(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "hr-assets"), *args], input=stdin, capture_output=True, text=True, timeout=120, env=env
    )


def test_companies_and_a_bayzat_account_from_the_command_line(bayzat_world: BayzatWorld) -> None:
    added = hr_assets(
        "companies", "add", "--slug", "northwind", "--name-en", "Northwind", "--fingerprint-name", "NW",
        "--timezone", "Asia/Riyadh",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "northwind" in hr_assets("companies", "list").stdout
    assert hr_assets("companies", "set", "northwind", "--date-format", "dmy").stdout == "northwind: dates DMY\n"
    listed = {row["slug"]: row for row in json.loads(hr_assets("companies", "list", "--json").stdout)}
    assert (listed["northwind"]["departments"], listed["northwind"]["date_format"]) == (["NW"], "DMY")
    missing = hr_assets("companies", "set", "nowhere", "--date-format", "MDY")
    assert (missing.returncode, missing.stderr) == (
        1,
        "Error: no company with slug 'nowhere' (see: hr-assets companies list)\n",
    )
    taken = hr_assets(
        "companies", "add", "--slug", "other", "--name-en", "O", "--fingerprint-name", " nw ", "--timezone", "UTC"
    )  # fmt: skip
    assert taken.returncode == 1 and "already maps to company 'northwind'" in taken.stderr
    assert "Traceback" not in taken.stderr

    key = "bayzat-key-northwind-0c9a7e21"
    bayzat_world.sandbox.add_key(key)
    configured = hr_assets("bayzat", "configure", "--company", "northwind", "--api-url", bayzat_world.url, stdin=key)
    assert configured.returncode == 0, configured.stderr
    assert "manual" in configured.stdout, "a new account is pushed when a person asks, as the seed's default"
    assert key not in configured.stdout and "****7e21" in configured.stdout
    [entry] = [e for e in json.loads(hr_assets("audit", "--json").stdout) if e["action"] == "bayzat.account"]
    assert (entry["target"], entry["old_values"]) == ("company northwind", None)
    assert entry["new_values"] == {"api_url": bayzat_world.url, "api_key": "****7e21", "is_enabled": True,
                                   "sync_frequency": "manual"}  # fmt: skip
    assert key not in hr_assets("audit").stdout
    listing = hr_assets("bayzat", "list").stdout
    assert "northwind" in listing and key not in listing
    assert hr_assets("bayzat", "test-connection", "--company", "northwind").returncode == 0
    bayzat_world.sandbox.revoke_key(key)
    refused = hr_assets("bayzat", "test-connection", "--company", "northwind")
    assert refused.returncode == 1 and "401" in refused.stderr and key not in refused.stderr
    assert "northwind" in bayzat_world.instance.get_dynamic_partitions("bayzat_companies")


def test_a_wrong_key_is_not_saved(bayzat_world: BayzatWorld) -> None:
    wrong = hr_assets(
        "bayzat", "configure", "--company", "advline", "--api-url", bayzat_world.url, stdin="not-a-key-123456"
    )
    assert wrong.returncode == 1 and "not saved" in wrong.stderr and "not-a-key" not in wrong.stderr


def test_without_a_secret_key_nothing_is_stored_and_the_message_says_why(bayzat_world: BayzatWorld) -> None:
    environment = {name: value for name, value in os.environ.items() if name != "HR_SECRET_KEY"}
    refused = hr_assets("bayzat", "configure", "--company", "advline", stdin="some-key-0123456789", env=environment)
    assert refused.returncode == 1
    assert "HR_SECRET_KEY is not set" in refused.stderr and "Traceback" not in refused.stderr


def test_import_push_and_retry_failed_by_hand(bayzat_world: BayzatWorld, tmp_path: Path) -> None:
    path = tmp_path / "hand.csv"
    path.write_text(attendance_csv(week_of("advline", EMPLOYEES[:2], days=2)), encoding="utf-8")
    imported = hr_assets("attendance", "import", "--in-process", str(path))
    assert imported.returncode == 0, imported.stderr
    assert "4 rows, 4 valid, 0 invalid" in imported.stdout
    bayzat_world.sandbox.inject("500")
    pushed = hr_assets("bayzat", "push", "--company", "advline", "--in-process")
    assert pushed.returncode == 0 and "retry_scheduled 4" in pushed.stdout
    retried = hr_assets("bayzat", "retry-failed", "--in-process", "--company", "advline")
    assert retried.returncode == 0, retried.stderr
    assert "4 failed record(s)" in retried.stdout and "synced 4" in retried.stdout
    assert len(bayzat_world.sandbox.accepted(KEYS["advline"])) == 8


def test_push_all_pushes_every_company_in_one_run_and_async_needs_the_webserver(
    bayzat_world: BayzatWorld, tmp_path: Path
) -> None:
    path = tmp_path / "both.csv"
    rows = week_of("advline", EMPLOYEES[:2], days=2) + week_of("gulfco", EMPLOYEES[2:3], days=2)
    path.write_text(attendance_csv(rows), encoding="utf-8")
    assert hr_assets("attendance", "import", "--in-process", str(path)).returncode == 0
    pushed = hr_assets("bayzat", "push", "--all", "--in-process")
    assert pushed.returncode == 0, pushed.stderr
    lines = pushed.stdout.splitlines()
    assert [line.split()[3] for line in lines] == ["advline:", "gulfco:"]
    assert len({line.split()[1] for line in lines}) == 1  # one run for both
    assert "synced 4" in lines[0] and "synced 2" in lines[1]
    neither = hr_assets("bayzat", "push")
    assert neither.returncode == 2 and "give --company S (one or more) or --all" in neither.stderr
    queued = hr_assets("bayzat", "push", "--all", "--async", env={**os.environ, "HR_DAGSTER_URL": "http://127.0.0.1:9"})
    assert queued.returncode == 1 and queued.stderr.startswith("Error: the Dagster webserver at http://127.0.0.1:9")


def test_status_failed_records_settings_and_one_imports_retry(bayzat_world: BayzatWorld, tmp_path: Path) -> None:
    bayzat_world.sandbox.add_key(KEYS["advline"], employees=EMPLOYEES[1:3])  # Bayzat does not know 0001
    path = tmp_path / "week.csv"
    path.write_text(attendance_csv(week_of("advline", EMPLOYEES[:3], days=2)), encoding="utf-8")
    assert hr_assets("attendance", "import", "--in-process", str(path)).returncode == 0
    assert hr_assets("bayzat", "push", "--company", "advline", "--in-process").returncode == 0

    status = {row["company"]: row for row in json.loads(hr_assets("bayzat", "status", "--json").stdout)}
    assert {name: status["advline"][name] for name in ("pending", "synced", "failed", "skipped")} == {
        "pending": 0, "synced": 4, "failed": 2, "skipped": 0,
    }  # fmt: skip
    assert status["advline"]["failure_rate"] == "33.3%" and status["advline"]["last_push"] is not None
    assert status["gulfco"]["synced"] == 0
    assert "advline" in hr_assets("bayzat", "status", "--company", "advline").stdout

    failed = json.loads(hr_assets("bayzat", "failed", "--company", "advline", "--json").stdout)
    assert [(row["company"], row["employee_code"], row["retries_left"]) for row in failed] == [
        ("advline", "0001", 0),
        ("advline", "0001", 0),
    ]
    assert all("0001" in row["reason"] and "Name0001" not in json.dumps(row) for row in failed)
    [import_id] = {row["import_id"] for row in failed}
    assert json.loads(hr_assets("bayzat", "failed", "--import", str(import_id + 1), "--json").stdout) == []

    [listed] = json.loads(hr_assets("attendance", "imports", "--json").stdout)
    assert (listed["id"], listed["filename"], listed["total_records"]) == (import_id, "week.csv", 6)
    assert listed["bayzat"] == "advline 4 synced, 2 failed"
    shown = hr_assets("attendance", "show", str(import_id)).stdout
    assert "filename:            week.csv" in shown
    assert [line.split() for line in shown.splitlines() if line.startswith("advline")] == [
        ["advline", "0", "0", "4", "2", "0"]
    ]
    missing = hr_assets("attendance", "show", "999")
    assert (
        missing.returncode == 1
        and missing.stderr == "Error: no attendance import 999 (see: hr-assets attendance imports)\n"
    )

    changed = hr_assets("bayzat", "set", "--company", "advline", "--sync-frequency", "daily", "--disabled")
    assert changed.stdout == "advline: sync_frequency hourly -> daily, is_enabled True -> False\n"
    assert hr_assets("bayzat", "set", "--company", "advline", "--disabled").stdout == "advline: nothing to change\n"
    assert "disabled" in hr_assets("bayzat", "list").stdout
    [entry] = [e for e in json.loads(hr_assets("audit", "--json").stdout) if e["action"] == "bayzat.settings"]
    assert (entry["old_values"], entry["new_values"]) == (
        {"sync_frequency": "hourly", "is_enabled": True},
        {"sync_frequency": "daily", "is_enabled": False},
    )
    assert hr_assets("bayzat", "set", "--company", "advline", "--enabled").returncode == 0
    nothing = hr_assets("bayzat", "set", "--company", "advline")
    assert nothing.returncode == 2 and "give --sync-frequency, --enabled or --disabled" in nothing.stderr

    bayzat_world.sandbox.add_key(KEYS["advline"], employees=EMPLOYEES[:3])  # now Bayzat knows 0001
    retried = hr_assets("bayzat", "retry-failed", "--in-process", "--import", str(import_id))
    assert retried.returncode == 0, retried.stderr
    assert "2 failed record(s) set to be sent again" in retried.stdout and "synced 2" in retried.stdout
    assert json.loads(hr_assets("bayzat", "failed", "--json").stdout) == []


def test_a_200_with_a_result_per_record_is_read_and_every_refusal_shows_with_bayzats_words(
    bayzat_world: BayzatWorld, tmp_path: Path
) -> None:
    bayzat_world.sandbox.add_key(KEYS["advline"], employees=EMPLOYEES[1:3])  # Bayzat does not know 0001
    day_one = [
        AcceptedRecord("0002", "checkIn", "2026-03-02 08:50:00"),
        AcceptedRecord("0002", "checkOut", "2026-03-02 17:00:00"),
    ]
    bayzat_world.sandbox.hold(KEYS["advline"], day_one)  # entered by hand
    bayzat_world.sandbox.set_answer_shape("results")
    path = tmp_path / "week.csv"
    path.write_text(attendance_csv(week_of("advline", EMPLOYEES[:3], days=2)), encoding="utf-8")
    assert hr_assets("attendance", "import", "--in-process", str(path)).returncode == 0

    pushed = hr_assets("bayzat", "push", "--company", "advline", "--in-process")

    assert pushed.returncode == 0, pushed.stderr
    assert (
        pushed.stdout.split("succeeded; ")[1] == "due 6, synced 3, already_in_bayzat 1, rejected 2, retry_scheduled 0\n"
    )
    failed = json.loads(hr_assets("bayzat", "failed", "--json").stdout)
    reason = "Employee 0001 not found"  # both punches' reason
    assert [(row["employee_code"], row["reason"]) for row in failed] == [("0001", reason), ("0001", reason)]
    listed = json.loads(hr_assets("errors", "list", "--source", "bayzat", "--json").stdout)
    assert [(row["partition_key"], row["file_name"], row["row_number"], row["reason"]) for row in listed] == [
        ("advline", "week.csv", 2, reason),
        ("advline", "week.csv", 3, reason),
    ]
    exported = hr_assets("errors", "export", "--format", "csv", str(tmp_path / "errors.csv"))
    assert exported.returncode == 0 and exported.stdout.startswith("Wrote 2 errors")
    rows = list(csv.DictReader((tmp_path / "errors.csv").open(encoding="utf-8")))
    assert [(row["source"], row["asset"], row["reason"]) for row in rows] == [
        ("bayzat", "bayzat_sync_batches", reason)
    ] * 2
    assert json.loads(hr_assets("errors", "list", "--source", "attendance", "--json").stdout) == []
