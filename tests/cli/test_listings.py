"""Every listing takes ``--json``: the command tree is walked, and each command that prints rows or a summary to be
read (its callback calls one of hr_assets/cli/output.py's ``PRINTERS``) must take it. The listings that gained it are
run as a person and a script run them: the JSON parses, and says what the table says."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import click
import pytest

from hr_assets.cli.app import cli
from hr_assets.cli.output import PRINTERS
from hr_assets.defs.accruals import store as accruals_store
from hr_assets.lib.secrets import masked
from hr_assets.warehouse.engine import migrate, warehouse_engine
from hr_assets.warehouse.tables import accrual_months
from tests.api.conftest import fill
from tests.conftest import ON_SQLITE

pytestmark = pytest.mark.commands

HR_ASSETS = str(Path(sys.executable).with_name("hr-assets"))
# What the walk finds: written out, so a walk that stopped seeing commands (or a listing gone) fails too.
LISTINGS = {
    "hr-assets accruals list",
    "hr-assets api token list",
    "hr-assets attendance imports",
    "hr-assets attendance show",
    "hr-assets audit",
    "hr-assets bayzat failed",
    "hr-assets bayzat list",
    "hr-assets bayzat status",
    "hr-assets companies list",
    "hr-assets errors list",
    "hr-assets paycom files",
    "hr-assets payroll due",
    "hr-assets payroll list",
    "hr-assets payroll month",
    "hr-assets payroll results",
    "hr-assets status",
    "hr-assets sync",  # --list-steps
}
API_KEY = "bayzat-key-0123456789"


def every_command(group: click.Group, path: str) -> Iterator[tuple[str, click.Command]]:
    context = click.Context(group, info_name=path)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        yield f"{path} {name}", command
        if isinstance(command, click.Group):
            yield from every_command(command, f"{path} {name}")


def prints_for_reading(command: click.Command) -> bool:
    """Its callback calls one of ``PRINTERS``."""
    if command.callback is None:
        return False
    tree = ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(command.callback))))
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    return bool(called & set(PRINTERS))


def test_every_listing_takes_json() -> None:
    commands = dict(every_command(cli, "hr-assets"))
    listings = {path for path, command in commands.items() if prints_for_reading(command)}
    assert listings == LISTINGS
    without = [
        path
        for path in sorted(listings)
        if not any(isinstance(p, click.Option) and p.opts == ["--json"] and p.is_flag for p in commands[path].params)
    ]
    assert without == [], f"listings without --json (hr_assets.cli.output.json_option): {without}"


@pytest.fixture
def environment(warehouse_url: str, dagster_home: Path) -> dict[str, str]:
    migrate(warehouse_engine(warehouse_url))
    return os.environ | {
        "HR_WAREHOUSE_URL": warehouse_url,
        "HR_TIMEZONE": "UTC",
        "HR_SECRET_KEY": "a-secret-key-of-at-least-32-characters",
        "BAYZAT_API_KEY": API_KEY,
    }


def run(environment: dict[str, str], *args: str) -> str:
    completed = subprocess.run([HR_ASSETS, *args], env=environment, capture_output=True, text=True, timeout=180)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def both(environment: dict[str, str], *args: str) -> tuple[object, list[str]]:
    """The listing as a script reads it (parsed JSON) and as a person reads it (its lines)."""
    return json.loads(run(environment, *args, "--json")), run(environment, *args).splitlines()


@ON_SQLITE
def test_the_listings_that_gained_json_say_what_their_tables_say(
    environment: dict[str, str], warehouse_url: str
) -> None:
    for empty in (("accruals", "list"), ("api", "token", "list"), ("payroll", "list"), ("payroll", "due")):
        assert json.loads(run(environment, *empty, "--json")) == [], empty

    fill(warehouse_url)  # a roster of 5, 4 scheduling staff (3 available), one Paycom sync
    at = dt.datetime(2026, 2, 3, 9, 30, tzinfo=dt.UTC)
    with warehouse_engine(warehouse_url).begin() as connection:
        for month, recognized in ((dt.date(2026, 1, 1), "100.00"), (dt.date(2026, 2, 1), "40.50")):
            figures = {"invoiced_in_month": Decimal("1"), "invoiced_to_date": Decimal("1"), "unmatched_lines": 0}
            connection.execute(
                accrual_months.insert().values(
                    month=month,
                    recognized_in_month=Decimal(recognized),
                    recognized_to_date=Decimal(recognized),
                    deferred_balance=Decimal("9.99"),
                    computed_at=at,
                    **figures,
                )
            )
        accruals_store.record_close(connection, dt.date(2026, 1, 1), at, "controller")
    run(environment, "companies", "add", "--slug", "acme", "--name-en", "Acme", "--timezone", "Asia/Dubai")
    run(environment, "bayzat", "configure", "--company", "acme", "--skip-test")
    token = run(environment, "api", "token", "create", "--name", "scheduler").strip()
    run(environment, "payroll", "add-period", "--start", "2024-01-01", "--end", "2024-01-14", "--type", "bi_weekly",
        "--rule", '{"run_on_date": "2024-01-12"}')  # fmt: skip
    run(environment, "payroll", "add-period", "--start", "2024-01-15", "--end", "2024-01-31", "--type", "bi_weekly")

    status, lines = both(environment, "status")
    assert status["timezone"] == {"name": "UTC", "source": "HR_TIMEZONE"}
    assert lines[0] == "Timezone: UTC (HR_TIMEZONE)"
    integrations = lines[2 : lines.index("Recent Paycom syncs:")]
    assert [(i["integration"], i["problem"] is None) for i in status["integrations"]] == [
        (line[2:28].strip(), line[29:] == "configured") for line in integrations
    ]
    assert ("Paycom", False) in [(i["integration"], i["problem"] is None) for i in status["integrations"]]
    [sync] = status["recent_syncs"]
    assert (sync["sync_week"], sync["started_at"], sync["employees_terminated"]) == (
        "2026-11-20",
        "2026-11-20T15:00:00+00:00",
        1,
    )
    assert lines[lines.index("Recent Paycom syncs:") + 1].startswith("  week 2026-11-20  2026-11-20 15:00 UTC")
    assert status["paycom_roster"] == {"active": 3, "on_leave": 1, "terminated": 1}
    assert "Paycom roster: 3 active, 1 on_leave, 1 terminated" in lines
    assert status["scheduling_staff"] == {"synced": 4, "available_for_scheduling": 3}
    assert lines[-1] == "Scheduling staff: 4 synced from Paycom, 3 available for scheduling"

    months, lines = both(environment, "accruals", "list")
    assert [(m["month"], m["recognized_in_month"], m["catch_up"], m["closed"], m["closed_by"]) for m in months] == [
        ("2026-01", "100.00", "0", True, "controller"),
        ("2026-02", "40.50", "0", False, None),
    ]
    assert months[0]["closed_at"] == "2026-02-03T09:30:00+00:00"
    assert [line.split()[:3] for line in lines] == [
        ["2026-01", "recognized", "100.00"],
        ["2026-02", "recognized", "40.50"],
    ]
    assert lines[0].endswith("closed 2026-02-03 09:30 by controller") and lines[1].endswith("  open")

    tokens, lines = both(environment, "api", "token", "list")
    assert [(t["name"], t["scope"], t["revoked_at"]) for t in tokens] == [("scheduler", "read", None)]
    assert [line.split()[:2] + line.split()[-1:] for line in lines] == [["scheduler", "read", "live"]]
    assert token not in json.dumps(tokens) and token not in "\n".join(lines)

    accounts, lines = both(environment, "bayzat", "list")
    assert [(a["slug"], a["api_key"], a["is_enabled"], a["sync_frequency"], a["last_sync_at"]) for a in accounts] == [
        ("acme", masked(API_KEY), True, "manual", None)
    ]
    assert [line.split() for line in lines] == [["acme", "key", masked(API_KEY), "enabled", "manual", "last", "push",
                                                 "never"]]  # fmt: skip
    assert API_KEY not in json.dumps(accounts)

    periods, lines = both(environment, "payroll", "list")
    assert [(p["id"], p["start_date"], p["end_date"], p["status"], p["automation_rule"]) for p in periods] == [
        (1, "2024-01-01", "2024-01-14", "active", {"run_on_date": "2024-01-12"}),
        (2, "2024-01-15", "2024-01-31", "active", None),
    ]
    assert [line.split()[:6] for line in lines] == [
        ["1", "bi_weekly", "2024-01-01", "to", "2024-01-14", "active"],
        ["2", "bi_weekly", "2024-01-15", "to", "2024-01-31", "active"],
    ]

    due, lines = both(environment, "payroll", "due")
    assert [(d["period_id"], d["is_due"]) for d in due] == [(1, True)]
    assert dt.datetime.fromisoformat(due[0]["due_from"]).date() == dt.date(2024, 1, 12)
    assert [line.split()[:2] for line in lines] == [["1", "DUE"]] and due[0]["why"] in lines[0]

    month, lines = both(environment, "payroll", "month", "2024-01")
    assert [(p["id"], p["partition_key"], p["status"], p["gross_pay"]) for p in month["periods"]] == [
        (1, "2024-01-01..2024-01-14", "active", None),
        (2, "2024-01-15..2024-01-31", "active", None),
    ]
    assert (month["month"], month["completed"], month["gross_pay"]) == ("2024-01", 0, "0.00")
    assert [line.split()[:2] for line in lines[:-1]] == [
        ["1", "2024-01-01..2024-01-14"],
        ["2", "2024-01-15..2024-01-31"],
    ]
    assert lines[-1].startswith("2024-01: 0 of 2 period(s) completed, gross pay 0.00")


@ON_SQLITE
def test_status_shows_the_machines_zone_when_hr_timezone_is_not_set(environment: dict[str, str]) -> None:
    """No silent UTC: without HR_TIMEZONE the platform takes the machine's zone, as cron did, and says so."""
    machine = {name: value for name, value in environment.items() if name != "HR_TIMEZONE"} | {"TZ": "Asia/Dubai"}
    status, lines = both(machine, "status")
    assert status["timezone"] == {"name": "Asia/Dubai", "source": "machine"}
    assert lines[0] == "Timezone: Asia/Dubai (the machine's; HR_TIMEZONE sets another)"


def test_sync_lists_its_steps_as_json_the_same_as_its_table(dagster_home: Path) -> None:
    steps, lines = both(dict(os.environ), "sync", "--list-steps")
    header, _rule, *rows = lines
    assert list(steps[0]) == header.split()
    assert [[str(step["order"]), step["step"], step["asset"]] for step in steps] == [row.split()[:3] for row in rows]
    assert steps[0]["description"] in rows[0] and steps[-1]["kind"] in rows[-1]
    refused = subprocess.run([HR_ASSETS, "sync", "--json"], capture_output=True, text=True, timeout=120)
    assert (refused.returncode, refused.stderr.splitlines()) == (
        2,
        ["Error: --json goes with --list-steps (a sync prints what it launched) (see hr-assets sync --help)"],
    )
