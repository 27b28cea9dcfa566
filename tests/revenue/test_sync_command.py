"""`hr-assets sync`: the old script's options, refused when wrong, and an in-process run for the range."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import click
import dagster as dg
import pytest

from hr_assets.cli.revenue import month_range
from hr_assets.defs.shared.revenue_chain import assets_from_step
from hr_assets.settings import Settings
from hr_assets.warehouse import tables
from hr_sandbox.revenue import RevenueSandbox
from tests.conftest import ON_SQLITE
from tests.paycom.conftest import rows

HR_ASSETS = str(Path(sys.executable).with_name("hr-assets"))
TODAY = dt.date(2026, 11, 22)
FIRST_YEAR = 2024  # HR_HISTORY_START's year


def test_from_step_selects_the_import_steps_from_it_and_accruals_only_when_asked() -> None:
    imports = ["holded_invoices", "fourgeeks_students", "service_periods", "notion_external_ids"]
    assert assets_from_step("invoices") == imports
    assert assets_from_step("invoices", with_accruals=True) == [*imports, "accruals"]
    assert assets_from_step("accruals") == ["accruals"]
    assert assets_from_step("accruals", with_accruals=True) == ["accruals"]
    assert assets_from_step("services")[0] == "holded_services"
    assert "accruals" not in assets_from_step("services")


def test_dates_and_years_as_the_old_script_read_them() -> None:
    def months(year: int | None, start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
        return month_range(year, start, end, TODAY, FIRST_YEAR)

    assert months(None, "2024-03-01", "2024-07-01") == (dt.date(2024, 3, 1), dt.date(2024, 7, 1))
    assert months(2025, None, None) == (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    assert months(None, None, None) == (dt.date(2026, 1, 1), dt.date(2026, 12, 1)), "this year so far"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((None, "2024-03-15", "2024-07-01"), "2024-03-15 is not the first day of a month"),
        ((None, "2024-07-01", "2024-03-01"), "2024-03-01 is not after --start-date 2024-07-01"),
        ((None, "2024-03-01", None), "give both --start-date and --end-date"),
        ((1999, None, None), "1999 is outside 2024..2026"),
        ((None, "March", "2024-07-01"), "'March' is not a date in YYYY-MM-DD form"),
    ],
)
def test_wrong_options_are_refused_with_a_clear_message(arguments: tuple, message: str) -> None:
    with pytest.raises(click.UsageError, match=message):
        month_range(*arguments, TODAY, FIRST_YEAR)


@pytest.mark.usefixtures("revenue_env")
@pytest.mark.commands
@ON_SQLITE
def test_in_process_runs_the_months_in_one_run_through_the_instance(dagster_home: Path, warehouse_url: str) -> None:
    completed = subprocess.run(
        [
            HR_ASSETS,
            "sync",
            "--from-step",
            "services",
            "--start-date",
            "2026-01-01",
            "--end-date",
            "2026-03-01",
            "--in-process",
            "--with-accruals",
        ],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert "months: 2026-01 to 2026-02 (2)" in completed.stdout
    assert "Done in one run" in completed.stdout
    assert {row["month"] for row in rows(warehouse_url, tables.accrual_months)} == {
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    }
    # The steps' counts, as the old script's results had them, over the two months.
    lines = completed.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[1:-1]] == [
        "  services",
        "  invoices (2 months)",
        "  crm-clients (2 months)",
        "  service-periods (2 months)",
        "  notion-external-id (2 months)",
        "  accruals (2 months)",
    ]
    invoiced = invoice_counts(warehouse_url)
    assert lines[2] == (
        f"  invoices (2 months): {invoiced[0]} invoices processed, {invoiced[1]} clients created, "
        f"{invoiced[2]} clients updated"
    )
    accruals = rows(warehouse_url, tables.accruals)
    assert lines[6].startswith(f"  accruals (2 months): {len(accruals)} lines recognized, ")
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs()
        materialized = instance.get_materialized_partitions(dg.AssetKey("accruals"))
    assert [
        (run.tags["dagster/asset_partition_range_start"], run.tags["dagster/asset_partition_range_end"]) for run in runs
    ] == [("2026-01-01", "2026-02-01")]
    assert materialized == {"2026-01-01", "2026-02-01"}


def invoice_counts(warehouse_url: str) -> tuple[int, int, int]:
    """(invoices, clients created, clients updated) as a first sync of the stored months counts them: a client named
    by a month's invoices or credit notes is created in the first such month and updated in each later one."""
    invoices, contacts = rows(warehouse_url, tables.holded_invoices), rows(warehouse_url, tables.holded_contacts)
    named_by_month: dict[dt.date, set[str]] = {}
    for invoice in invoices:
        named_by_month.setdefault(invoice["invoice_month"], set()).add(invoice["contact_id"])
    for note in rows(warehouse_url, tables.holded_credit_notes):
        named_by_month.setdefault(note["credit_note_month"], set()).add(note["contact_id"])
    listed = {contact["id"] for contact in contacts}
    named = sum(len(month_contacts & listed) for month_contacts in named_by_month.values())
    return len(invoices), len(contacts), named - len(contacts)


def sync(*arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HR_ASSETS, "sync", *arguments, "--in-process"],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.commands
@pytest.mark.parametrize("warehouse_url", ["sqlite", "postgresql"], indirect=True)
def test_only_step_runs_that_step_alone_and_a_failed_month_fails_alone_named_in_the_summary(
    revenue_env: dict[str, str], revenue_sandbox: RevenueSandbox, dagster_home: Path, warehouse_url: str
) -> None:
    def start(month: int) -> int:
        return int(dt.datetime(2026, month, 1, tzinfo=Settings.from_environment().tz).timestamp())

    # Holded fails the range's listing, then February's once the months are listed one by one.
    documents = "/api/invoicing/v1/documents"
    the_range = {"starttmp": str(start(1)), "endtmp": str(start(4) - 1)}
    revenue_sandbox.holded.inject("500", times=2, path_prefix=documents, params=the_range)
    revenue_sandbox.holded.inject("500", times=2, path_prefix=documents, params={"starttmp": str(start(2))})
    failed = sync(
        "--only-step", "invoices", "--start-date", "2026-01-01", "--end-date", "2026-04-01", HOLDED_MAX_ATTEMPTS="2"
    )
    with dg.DagsterInstance.get() as instance:
        (run,) = instance.get_runs()
        stored = instance.get_materialized_partitions(dg.AssetKey("holded_invoices"))
    assert run.asset_selection == {dg.AssetKey("holded_invoices")}, "that step alone"
    assert stored == {"2026-01-01", "2026-03-01"}
    assert failed.returncode == 1
    invoiced = invoice_counts(warehouse_url)
    assert failed.stdout.splitlines() == [
        "Steps: holded_invoices; months: 2026-01 to 2026-03 (3)",
        f"  invoices (2 months): {invoiced[0]} invoices processed, {invoiced[1]} clients created, "
        f"{invoiced[2]} clients updated",
        f"Ran in one run ({run.run_id}); see it in the UI.",
    ]
    assert failed.stderr.splitlines() == [
        "Error: 1 of 3 months failed, the others stored: 2026-02: Holded: gave up after 2 attempts; last answer 500: "
        f"Internal Server Error (run {run.run_id}; its logs: http://127.0.0.1:3000/runs/{run.run_id})"
    ]

    again = sync("--only-step", "invoices", "--start-date", "2026-02-01", "--end-date", "2026-03-01")
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[1].startswith("  invoices (1 month): ")
    with dg.DagsterInstance.get() as instance:
        assert instance.get_materialized_partitions(dg.AssetKey("holded_invoices")) == {
            "2026-01-01",
            "2026-02-01",
            "2026-03-01",
        }
        assert not instance.get_materialized_partitions(dg.AssetKey("fourgeeks_students"))

    refused = sync("--only-step", "invoices", "--from-step", "services", "--year", "2026")
    assert refused.returncode == 2
    assert "--only-step runs one step: give it without --from-step and --with-accruals" in refused.stderr


@pytest.mark.usefixtures("revenue_env")
@pytest.mark.commands
@ON_SQLITE
def test_without_a_webserver_the_command_says_what_to_do(dagster_home: Path) -> None:
    environment = {**os.environ, "HR_DAGSTER_URL": "http://127.0.0.1:9"}
    completed = subprocess.run(
        [HR_ASSETS, "sync", "--from-step", "accruals", "--year", "2026"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 1
    assert "the Dagster webserver at http://127.0.0.1:9 did not answer" in completed.stderr
    assert "--in-process" in completed.stderr and "Traceback" not in completed.stderr


@pytest.mark.commands
@ON_SQLITE
def test_a_vendor_s_refusal_is_one_line_with_the_run_and_where_its_logs_are(
    revenue_env: dict[str, str], revenue_sandbox: RevenueSandbox, dagster_home: Path
) -> None:
    revenue_sandbox.holded.inject("html", times=6, path_prefix="/api/invoicing/v1/services")
    completed = subprocess.run(
        [HR_ASSETS, "sync", "--start-date", "2026-01-01", "--end-date", "2026-02-01", "--in-process"],
        env={**os.environ, "HR_DAGSTER_URL": "https://dagster.example.org"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    with dg.DagsterInstance.get() as instance:
        (run,) = instance.get_runs()
    assert (completed.returncode, completed.stdout) == (1, "")
    assert completed.stderr.splitlines() == [
        "Error: Holded answered 200: answered with HTML/non-JSON instead of JSON "
        f"(run {run.run_id}; its logs: https://dagster.example.org/runs/{run.run_id})"
    ]


@pytest.mark.commands
def test_list_steps_prints_the_steps_in_their_order_with_accruals_apart(dagster_home: Path) -> None:
    completed = subprocess.run(
        [HR_ASSETS, "sync", "--list-steps"], env=os.environ, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    header, rule, *rows = completed.stdout.splitlines()
    assert header.split()[:4] == ["order", "step", "asset", "kind"]
    assert [row.split()[:3] for row in rows] == [
        ["1", "services", "holded_services"],
        ["2", "invoices", "holded_invoices"],
        ["3", "crm-clients", "fourgeeks_students"],
        ["4", "service-periods", "service_periods"],
        ["5", "notion-external-id", "notion_external_ids"],
        ["6", "accruals", "accruals"],
    ]
    assert "a step of its own (--from-step accruals, or --with-accruals)" in rows[-1]
    assert "Holded's service catalog" in rows[0]
