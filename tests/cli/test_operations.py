"""The commands that answer HR operations' questions without SQL, run as a person types them, on both databases:
integration errors listed and exported, Paycom's files, and the audit log of configuration changes."""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from hr_assets.defs.paycom import store as paycom_store
from hr_assets.lib.row_errors import RowError
from hr_assets.warehouse.engine import migrate, warehouse_engine
from hr_assets.warehouse.integration_errors import add_integration_errors

pytestmark = pytest.mark.commands

HR_ASSETS = str(Path(sys.executable).with_name("hr-assets"))
TODAY = dt.datetime.now(dt.UTC).replace(microsecond=0)  # stored times built from today
FILE = {"report_type": "pay", "size_bytes": None, "sha256": None, "downloaded_at": None, "status": "parsed",
        "error_message": None}  # fmt: skip
HOSTILE = '=HYPERLINK("http://example.invalid","x")'


def hr_assets(warehouse_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"HR_WAREHOUSE_URL": warehouse_url, "HR_TIMEZONE": "UTC"}
    return subprocess.run([HR_ASSETS, *args], capture_output=True, text=True, timeout=120, env=env, check=False)


def ok(warehouse_url: str, *args: str) -> str:
    result = hr_assets(warehouse_url, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def errors_stored(warehouse_url: str) -> str:
    engine = warehouse_engine(warehouse_url)
    migrate(engine)
    old, new = TODAY - dt.timedelta(days=10), TODAY
    with engine.begin() as connection:
        for source, at, errors in (
            ("paycom", old, [RowError("directory.numbers", 4, "Employee Code", "the code is empty")]),
            ("attendance", new, [RowError("week.csv", 3, "Date", f"{HOSTILE!r} is not a date", "42")]),
        ):
            add_integration_errors(
                connection, source=source, asset="a", partition_key="p", run_id="r", errors=errors, now=at
            )
        paycom_store.replace_files(
            connection,
            dt.date(2026, 11, 20),
            [
                {**FILE, "file_name": "directory.numbers", "report_type": "directory", "size_bytes": 2048},
                {**FILE, "file_name": "pay.csv", "status": "not_downloaded", "error_message": "gone"},
            ],
        )
    return warehouse_url


def test_errors_are_listed_whole_filtered_and_as_json(errors_stored: str) -> None:
    everything = json.loads(ok(errors_stored, "errors", "list", "--json"))
    assert [(e["source"], e["file_name"], e["row_number"], e["field"]) for e in everything] == [
        ("attendance", "week.csv", 3, "Date"),
        ("paycom", "directory.numbers", 4, "Employee Code"),
    ]
    assert everything[0]["reason"] == f"{HOSTILE!r} is not a date"
    since = (TODAY - dt.timedelta(days=1)).strftime("%Y-%m-%d")
    assert [e["source"] for e in json.loads(ok(errors_stored, "errors", "list", "--since", since, "--json"))] == [
        "attendance"
    ]
    assert json.loads(ok(errors_stored, "errors", "list", "--source", "holded", "--json")) == []
    assert ok(errors_stored, "errors", "list", "--source", "holded") == "No integration errors.\n"
    header, rule, *rows = ok(errors_stored, "errors", "list").splitlines()
    assert header.split() == ["created_at", "source", "asset", "partition_key", "file_name", "row_number", "field",
                              "reason"]  # fmt: skip
    assert len(rows) == 2 and set(rule) == {"-", " "}
    for row in rows:  # aligned: every column starts where its header does
        assert row[header.index("source")] != " " and row[header.index("source") - 1] == " "
    refused = hr_assets(errors_stored, "errors", "list", "--source", "sap")
    assert refused.returncode == 2 and refused.stderr.startswith("Error: Invalid value for '--source'")
    assert "Traceback" not in refused.stderr


def test_errors_export_to_csv_and_xlsx_as_stored_never_as_formulas(errors_stored: str, tmp_path: Path) -> None:
    assert ok(errors_stored, "errors", "export", "--format", "csv", str(tmp_path / "e.csv")).startswith("Wrote 2 ")
    with (tmp_path / "e.csv").open(newline="", encoding="utf-8") as file:
        header, *rows = list(csv.reader(file))
    assert header[1:] == ["source", "asset", "partition_key", "file_name", "row_number", "field", "reason"]
    assert [row[1] for row in rows] == ["attendance", "paycom"]
    assert rows[0][7] == f"{HOSTILE!r} is not a date"

    xlsx = tmp_path / "e.xlsx"
    ok(errors_stored, "errors", "export", "--format", "xlsx", "--source", "attendance", str(xlsx))
    sheet = load_workbook(xlsx)["integration_errors"]
    header_row, row = list(sheet.iter_rows())
    assert [cell.value for cell in header_row][1:3] == ["source", "asset"]
    reason = row[7]
    assert (reason.value, reason.data_type) == (f"{HOSTILE!r} is not a date", "s")
    assert row[5].value == 3  # numbers stay numbers


def test_paycom_files_shows_each_chosen_file_and_its_status(errors_stored: str) -> None:
    files = json.loads(ok(errors_stored, "paycom", "files", "--json"))
    assert [(f["sync_week"], f["file_name"], f["status"], f["error_message"]) for f in files] == [
        ("2026-11-20", "directory.numbers", "parsed", None),
        ("2026-11-20", "pay.csv", "not_downloaded", "gone"),
    ]
    table = ok(errors_stored, "paycom", "files")
    assert "directory.numbers" in table and "not_downloaded" in table


def test_configuration_changes_are_audited_and_the_log_refuses_changes(warehouse_url: str) -> None:
    migrate(warehouse_engine(warehouse_url))
    ok(warehouse_url, "companies", "add", "--slug", "acme", "--name-en", "Acme", "--timezone", "Asia/Dubai")
    ok(warehouse_url, "companies", "set", "acme", "--date-format", "DMY")
    entries = json.loads(ok(warehouse_url, "audit", "--json"))
    assert [(e["action"], e["target"], e["command"], e["actor"]) for e in entries] == [
        ("company.add", "company acme", "hr-assets companies add", getpass.getuser()),
        ("company.date_format", "company acme", "hr-assets companies set", getpass.getuser()),
    ]
    assert entries[0]["new_values"]["timezone"] == "Asia/Dubai"
    assert (entries[1]["old_values"], entries[1]["new_values"]) == ({"date_format": None}, {"date_format": "DMY"})
    tomorrow = (TODAY + dt.timedelta(days=1)).strftime("%Y-%m-%d")
    assert ok(warehouse_url, "audit", "--since", tomorrow) == "Nothing in the audit log yet.\n"

    engine = warehouse_engine(warehouse_url)
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DatabaseError, match="audit_log is append-only"), engine.begin() as connection:
            connection.execute(sa.text(statement))
    assert len(json.loads(ok(warehouse_url, "audit", "--json"))) == 2
