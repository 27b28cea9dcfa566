"""The revenue chain month by month against the Holded, 4Geeks and Notion twins, on both databases."""

import datetime as dt
import getpass
import os
import subprocess
from collections import defaultdict
from decimal import Decimal

import dagster as dg
import pytest

from hr_assets.defs.accruals import store
from hr_assets.defs.accruals.matching import accrual_lines
from hr_assets.defs.accruals.recognition import accruals_for_months
from hr_assets.defs.shared.invoice_lines import lines_invoiced_up_to
from hr_assets.defs.shared.revenue_chain import CLOSE_TAG
from hr_assets.settings import Settings
from hr_assets.warehouse import tables
from hr_assets.warehouse.engine import warehouse_engine
from hr_sandbox.notion import TWO_DATA_SOURCES
from hr_sandbox.revenue import RevenueSandbox
from tests.conftest import ON_SQLITE, materialized
from tests.paycom.conftest import rows
from tests.resources import definitions_with
from tests.revenue.conftest import MONTHS, checks, failures, revenue_resources, run_month, run_range
from tests.revenue.test_sync_command import HR_ASSETS

pytestmark = pytest.mark.usefixtures("revenue_env")
STAMPS = ("synced_at", "computed_at", "created_at", "run_id", "id")
DATA = (
    tables.holded_invoices,
    tables.holded_invoice_lines,
    tables.holded_credit_notes,
    tables.holded_credit_note_lines,
    tables.holded_contacts,
    tables.crm_students,
    tables.service_periods,
    tables.notion_client_pages,
    tables.accruals,
    tables.accrual_months,
    tables.integration_errors,
)
CONTACTS = "/api/invoicing/v1/contacts"
INVOICES = "/api/invoicing/v1/documents/invoice"


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_a_month_lands_to_the_cent_and_every_check_passes(
    instance: dg.DagsterInstance, warehouse_url: str, revenue_sandbox: RevenueSandbox
) -> None:
    result = run_month(instance, MONTHS[0])
    assert result.success, failures(result)
    assert all(checks(result).values()), checks(result)

    generated = [i for i in revenue_sandbox.data.invoices if dt.datetime.fromtimestamp(i["date"], dt.UTC).month == 1]
    stored = {row["id"]: row for row in rows(warehouse_url, tables.holded_invoices)}
    assert stored.keys() == {invoice["id"] for invoice in generated}
    for invoice in generated:
        assert stored[invoice["id"]]["total"] == _money(invoice["total"])
    refunds = [n for n in revenue_sandbox.data.credit_notes if dt.datetime.fromtimestamp(n["date"], dt.UTC).month == 1]
    notes = {row["id"]: row for row in rows(warehouse_url, tables.holded_credit_notes)}
    assert refunds and notes.keys() == {note["id"] for note in refunds}
    for note in refunds:
        assert notes[note["id"]]["total"] == _money(note["total"])
        assert notes[note["id"]]["credited_invoice_id"] == note.get("from", {}).get("id")
    summary = rows(warehouse_url, tables.accrual_months)[0]
    lines = rows(warehouse_url, tables.holded_invoice_lines)
    credited = rows(warehouse_url, tables.holded_credit_note_lines)
    assert summary["invoiced_to_date"] == sum(line["net_amount"] for line in lines) - sum(
        line["net_amount"] for line in credited
    )
    assert summary["recognized_to_date"] + summary["deferred_balance"] == summary["invoiced_to_date"]
    recognized = sum(row["recognized_amount"] for row in rows(warehouse_url, tables.accruals))
    assert recognized == summary["recognized_in_month"] > 0
    assert materialized(result)["fourgeeks_students"]["matched_students"] > 0
    assert materialized(result)["notion_external_ids"]["pages_matched"] > 0
    contacts = rows(warehouse_url, tables.holded_contacts)
    invoiced = materialized(result)["holded_invoices"]
    assert (invoiced["invoices_processed"], invoiced["clients_created"], invoiced["clients_updated"]) == (
        len(stored),
        len(contacts),
        0,
    )
    students = materialized(result)["fourgeeks_students"]
    assert students["clients_created"] == len(rows(warehouse_url, tables.crm_students)) == students["matched_students"]
    periods = materialized(result)["service_periods"]
    assert periods["periods"] == periods["periods_created"] == len(rows(warehouse_url, tables.service_periods)) > 0

    again = materialized(run_month(instance, MONTHS[0]))  # the same month again: every client stored already
    assert (again["holded_invoices"]["clients_created"], again["holded_invoices"]["clients_updated"]) == (
        0,
        len(contacts),
    )
    assert again["fourgeeks_students"]["clients_updated"] == students["clients_created"]
    assert again["service_periods"]["periods_updated"] == periods["periods"]


def test_later_months_never_change_an_earlier_one_and_reruns_change_nothing(
    instance: dg.DagsterInstance, warehouse_url: str
) -> None:
    assert run_month(instance, MONTHS[0]).success
    january = [row for row in rows(warehouse_url, tables.accruals) if row["month"] == MONTHS[0]]
    for month in MONTHS[1:]:
        assert run_month(instance, month).success
    assert [row for row in rows(warehouse_url, tables.accruals) if row["month"] == MONTHS[0]] == january

    before = {table.name: rows(warehouse_url, table, without=STAMPS) for table in DATA}
    assert run_month(instance, MONTHS[1]).success
    assert {table.name: rows(warehouse_url, table, without=STAMPS) for table in DATA} == before

    recognized_per_line = defaultdict(Decimal)
    for row in rows(warehouse_url, tables.accruals):
        recognized_per_line[(row["invoice_id"], row["line_no"])] += row["recognized_amount"]
    nets = {
        (line["invoice_id"], line["line_no"]): line["net_amount"]
        for line in rows(warehouse_url, tables.holded_invoice_lines)
    } | {
        (line["credit_note_id"], line["line_no"]): -line["net_amount"]
        for line in rows(warehouse_url, tables.holded_credit_note_lines)
    }
    assert all(abs(total) <= abs(nets[key]) for key, total in recognized_per_line.items())
    assert any(total < 0 for total in recognized_per_line.values()), "the refunds are recognized, negative"


def test_a_backfill_is_one_run_for_the_range_and_writes_what_month_by_month_runs_write(
    instance: dg.DagsterInstance, warehouse_url: str, revenue_sandbox: RevenueSandbox
) -> None:
    def contact_listings() -> int:
        return sum(1 for request in revenue_sandbox.holded.requests if request.path == CONTACTS)

    result = run_range(instance, MONTHS[0], MONTHS[-1])
    assert result.success, failures(result)
    assert checks(result) and all(checks(result).values()), checks(result)
    keys = {month.isoformat() for month in MONTHS}
    for asset in ("holded_invoices", "fourgeeks_students", "service_periods", "notion_external_ids", "accruals"):
        assert instance.get_materialized_partitions(dg.AssetKey(asset)) == keys, asset
    figures = materialized(result)["holded_invoices"]
    assert figures["months"] == "2026-01 to 2026-03 (3)"
    assert figures["invoices_processed"] == len(rows(warehouse_url, tables.holded_invoices))
    assert materialized(result)["accruals"]["deferred_balance"] == float(
        rows(warehouse_url, tables.accrual_months)[-1]["deferred_balance"]
    )
    by_month = [row.data for row in figures["by_month"].records]
    assert [row["month"] for row in by_month] == ["2026-01", "2026-02", "2026-03"]
    assert sum(row["invoices_processed"] for row in by_month) == figures["invoices_processed"]
    assert sum(row["net_invoiced"] for row in by_month) == pytest.approx(figures["net_invoiced"])
    for asset, table in (("holded_invoices", tables.holded_invoices), ("accruals", tables.accruals)):
        assert materialized(result)[asset]["dagster/row_count"] == len(rows(warehouse_url, table)) > 0, asset
    errors = rows(warehouse_url, tables.integration_errors)
    assert {error["partition_key"] for error in errors if error["asset"] == "holded_invoices"} <= keys
    assert all(error["partition_key"] for error in errors if error["asset"] != "holded_services")
    one_run = {table.name: rows(warehouse_url, table, without=STAMPS) for table in DATA}
    listings_in_one_run = contact_listings()

    for month in MONTHS:
        assert run_month(instance, month).success
    assert {table.name: rows(warehouse_url, table, without=STAMPS) for table in DATA} == one_run
    assert contact_listings() - listings_in_one_run == len(MONTHS) * listings_in_one_run


@ON_SQLITE
def test_bad_records_are_explained_and_the_month_goes_on(instance: dg.DagsterInstance, warehouse_url: str) -> None:
    for month in MONTHS:
        assert run_month(instance, month).success
    errors = rows(warehouse_url, tables.integration_errors)
    by_asset = defaultdict(list)
    for error in errors:
        by_asset[error["asset"]].append(error["reason"])
    assert any("is not in the catalog" in r or "has no service" in r for r in by_asset["holded_invoices"])
    assert any("no 4Geeks student has this contact's email" in r for r in by_asset["fourgeeks_students"])
    unknown = [line for line in rows(warehouse_url, tables.holded_invoice_lines) if line["service_id"] is None]
    assert unknown, "lines with an unknown service are kept, and recognized in their invoice month"
    assert sum(row["unmatched_lines"] for row in rows(warehouse_url, tables.accrual_months)) >= len(unknown)


@pytest.mark.parametrize("notion_data_sources", [TWO_DATA_SOURCES])
def test_notion_with_two_data_sources_reads_the_chosen_one_and_without_a_choice_says_which_there_are(
    instance: dg.DagsterInstance, warehouse_url: str, revenue_sandbox: RevenueSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    clients, former = revenue_sandbox.notion.data_sources
    result = run_month(instance, MONTHS[0])  # the sandbox's settings name the clients' data source
    assert result.success, failures(result)
    found = materialized(result)["notion_external_ids"]["pages_matched"]
    assert found == len(rows(warehouse_url, tables.notion_client_pages)) > 0
    queried = {r.path for r in revenue_sandbox.notion.requests if r.method == "POST"}
    assert queried == {f"/v1/data_sources/{clients['id']}/query"}

    monkeypatch.delenv("NOTION_DATA_SOURCE_ID")
    again = run_month(instance, MONTHS[0], ["notion_external_ids"])
    assert not again.success
    message = failures(again)["notion_external_ids"].strip()
    assert "\n" not in message and message.endswith(
        f"Notion: database {revenue_sandbox.notion_database_id} has 2 data sources, Clients ({clients['id']}), "
        f"Former clients ({former['id']}): set NOTION_DATA_SOURCE_ID to the one that holds the clients"
    )
    assert len(rows(warehouse_url, tables.notion_client_pages)) == found, "the month's pages are kept"


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("html", "Holded answered 200: answered with HTML/non-JSON instead of JSON"),
        ("500", "Holded: gave up after 6 attempts; last answer 500"),
    ],
)
@ON_SQLITE
def test_an_api_failure_fails_the_month_with_a_clear_message(
    instance: dg.DagsterInstance, warehouse_url: str, revenue_sandbox: RevenueSandbox, fault: str, message: str
) -> None:
    revenue_sandbox.holded.inject(fault, times=6, path_prefix="/api/invoicing/v1/documents")
    result = run_month(instance, MONTHS[0], ["holded_invoices"])
    assert not result.success
    assert message in failures(result)["holded_invoices"]
    assert rows(warehouse_url, tables.holded_invoices) == []


def month_start(month: dt.date) -> str:
    """Holded's ``starttmp`` of the month's listing: its first second in HR_TIMEZONE."""
    start = dt.datetime.combine(month, dt.time(), tzinfo=Settings.from_environment().tz)
    return str(int(start.timestamp()))


def test_in_a_range_a_month_whose_listing_fails_fails_alone_and_the_others_are_materialized(
    instance: dg.DagsterInstance, warehouse_url: str, revenue_sandbox: RevenueSandbox
) -> None:
    february, april = MONTHS[1], dt.date(2026, 4, 1)
    # Holded fails the range's listing, then February's once the months are listed one by one.
    the_range = {"starttmp": month_start(MONTHS[0]), "endtmp": str(int(month_start(april)) - 1)}
    revenue_sandbox.holded.inject("500", times=6, path_prefix=INVOICES, params=the_range)
    revenue_sandbox.holded.inject("500", times=6, path_prefix=INVOICES, params={"starttmp": month_start(february)})
    result = run_range(instance, MONTHS[0], MONTHS[-1])
    assert not result.success
    (failure,) = result.get_step_failure_events()
    assert failure.step_key == "holded_invoices"
    described = failure.step_failure_data.user_failure_data
    assert described.description == (
        "1 of 3 months failed, the others stored: 2026-02: Holded: gave up after 6 attempts; last answer 500: "
        "Internal Server Error"
    )
    assert described.metadata["failed_months"].value == "2026-02"
    stored = {MONTHS[0].isoformat(), MONTHS[2].isoformat()}
    assert instance.get_materialized_partitions(dg.AssetKey("holded_invoices")) == stored
    invoices = rows(warehouse_url, tables.holded_invoices)
    assert {invoice["invoice_month"].isoformat() for invoice in invoices} == stored
    by_month = {event.partition: event.metadata for event in result.asset_materializations_for_node("holded_invoices")}
    for key in stored:  # each month materialized with its own figures
        month_invoices = [invoice for invoice in invoices if invoice["invoice_month"].isoformat() == key]
        assert by_month[key]["invoices_processed"].value == len(month_invoices) > 0
    assert not instance.get_materialized_partitions(dg.AssetKey("accruals")), "the later steps wait for it"
    listings = [request for request in revenue_sandbox.holded.requests if request.path == INVOICES]
    assert [request.status for request in listings].count(500) == 12, "the range's attempts, then February's"

    again = run_month(instance, february)  # Holded answers again: February alone, and the chain goes on
    assert again.success, failures(again)
    assert instance.get_materialized_partitions(dg.AssetKey("holded_invoices")) == {m.isoformat() for m in MONTHS}


def _month_figures(warehouse_url: str) -> dict[dt.date, tuple[Decimal, Decimal, Decimal]]:
    """(recognized in month, deferred, invoiced to date) by month."""
    return {
        row["month"]: (row["recognized_in_month"], row["deferred_balance"], row["invoiced_to_date"])
        for row in rows(warehouse_url, tables.accrual_months)
    }


@ON_SQLITE
def test_months_run_out_of_order_in_separate_runs_end_as_in_order_and_a_closed_month_stays(
    instance: dg.DagsterInstance, warehouse_url: str
) -> None:
    later, earlier = MONTHS[1], MONTHS[0]
    first = run_month(instance, later)  # February alone: January's invoices are not imported yet
    assert first.success, failures(first)
    february_alone = _month_figures(warehouse_url)[later][0]
    second = run_month(instance, earlier)  # January's run brings February up to January's lines
    assert second.success and all(checks(second).values()), checks(second)
    assert materialized(second)["accruals"]["open_months_also_recomputed"] == "2026-02"

    with warehouse_engine(warehouse_url).connect() as connection:
        lines = lines_invoiced_up_to(connection, later)
        periods = store.periods_of_clients_invoiced_up_to(connection, later)
    in_order = accruals_for_months(accrual_lines(lines, periods), [earlier, later])
    figures = _month_figures(warehouse_url)
    for month in in_order:
        assert figures[month.month][:2] == (
            store.amount(month.recognized_in_month_cents),
            store.amount(month.deferred_cents),
        ), month.month
    assert figures[later][0] > february_alone, "January's lines owe February their share"

    # February closed from the command line; then March runs, and January again: February never moves.
    completed = subprocess.run(
        [HR_ASSETS, "accruals", "close", "2026-02"], env=dict(os.environ), capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith(f"Closed 2026-02 by {getpass.getuser()}: recognized {figures[later][0]}")
    closed_rows = [row for row in rows(warehouse_url, tables.accruals) if row["month"] == later]
    for month in (MONTHS[2], earlier):
        result = run_month(instance, month)
        assert result.success and all(checks(result).values()), checks(result)
    assert [row for row in rows(warehouse_url, tables.accruals) if row["month"] == later] == closed_rows
    assert _month_figures(warehouse_url)[later] == figures[later]
    listing = subprocess.run(
        [HR_ASSETS, "accruals", "list"], env=dict(os.environ), capture_output=True, text=True, timeout=120
    )
    assert "closed " in listing.stdout.splitlines()[1] and "open" in listing.stdout.splitlines()[0]


@ON_SQLITE
def test_the_month_close_run_closes_its_month(instance: dg.DagsterInstance, warehouse_url: str) -> None:
    job = definitions_with(**revenue_resources(dict(os.environ))).resolve_job_def("revenue_chain")
    result = job.execute_in_process(
        partition_key=MONTHS[0].isoformat(), instance=instance, raise_on_error=False, tags={CLOSE_TAG: "true"}
    )
    assert result.success and all(checks(result).values()), checks(result)
    assert checks(result)["closed_months_unchanged"]
    assert materialized(result)["accruals"]["closed_months"] == "2026-01"
    [close] = rows(warehouse_url, tables.accrual_closes)
    assert close["month"] == MONTHS[0] and close["closed_by"] == getpass.getuser() and close["reopened_at"] is None
    january = [row for row in rows(warehouse_url, tables.accruals) if row["month"] == MONTHS[0]]
    assert run_month(instance, MONTHS[0]).success  # run again: a closed month is not booked again
    assert [row for row in rows(warehouse_url, tables.accruals) if row["month"] == MONTHS[0]] == january


def test_an_invoice_cancelled_after_its_month_closed_is_a_catch_up_in_the_first_open_month(
    instance: dg.DagsterInstance, warehouse_url: str, revenue_sandbox: RevenueSandbox
) -> None:
    """January runs and closes; Holded then cancels one of January's invoices: once January's invoices are read again,
    the invoice is stored cancelled and February books minus what January recognized of it, as a catch-up; January
    never changes."""
    job = definitions_with(**revenue_resources(dict(os.environ))).resolve_job_def("revenue_chain")
    closed = job.execute_in_process(
        partition_key=MONTHS[0].isoformat(), instance=instance, raise_on_error=False, tags={CLOSE_TAG: "true"}
    )
    assert closed.success, failures(closed)
    january_rows = rows(warehouse_url, tables.accruals)
    invoices = {row["id"] for row in rows(warehouse_url, tables.holded_invoices)}
    january = {row["invoice_id"]: row["recognized_amount"] for row in january_rows if row["invoice_id"] in invoices}
    cancelled = next(invoice_id for invoice_id, amount in sorted(january.items()) if amount > 0)
    revenue_sandbox.holded.cancel_invoice(cancelled)

    result = run_month(instance, MONTHS[1])
    assert result.success and all(checks(result).values()), checks(result)
    assert {row["id"]: row["cancelled"] for row in rows(warehouse_url, tables.holded_invoices)}[cancelled] is False
    assert materialized(result)["holded_invoices"]["cancelled_invoices"] == 0  # February's: none
    february = [row for row in rows(warehouse_url, tables.accruals) if row["month"] == MONTHS[1]]
    assert not [row for row in february if row["invoice_id"] == cancelled], "January's copy is not re-read yet"

    again = run_month(instance, MONTHS[0])  # January's import again: the invoice is now cancelled
    assert again.success and all(checks(again).values()), checks(again)
    assert materialized(again)["holded_invoices"]["cancelled_invoices"] == 1
    assert {row["id"]: row["cancelled"] for row in rows(warehouse_url, tables.holded_invoices)}[cancelled] is True
    catch_up = [
        row
        for row in rows(warehouse_url, tables.accruals)
        if row["month"] == MONTHS[1] and row["invoice_id"] == cancelled
    ]
    assert [(row["kind"], row["recognized_amount"]) for row in catch_up] == [("catch_up", -january[cancelled])]
    assert [row for row in rows(warehouse_url, tables.accruals) if row["month"] == MONTHS[0]] == january_rows


def test_a_credit_note_whose_totals_disagree_with_its_lines_fails_its_check_alone(
    instance: dg.DagsterInstance, warehouse_url: str, revenue_sandbox: RevenueSandbox
) -> None:
    """Holded lists one of January's refunds with a total a cent above its lines': it is stored as listed, and the
    credit notes' check fails naming it, the invoices' passing."""
    january = [n for n in revenue_sandbox.data.credit_notes if dt.datetime.fromtimestamp(n["date"], dt.UTC).month == 1]
    note = january[0]
    revenue_sandbox.holded.amend_credit_note(note["id"], total=round(note["total"] + 0.01, 2))

    result = run_month(instance, MONTHS[0], assets=["holded_services", "holded_invoices"])
    assert result.success, failures(result)
    evaluations = {evaluation.check_name: evaluation for evaluation in result.get_asset_check_evaluations()}
    assert {name: evaluation.passed for name, evaluation in evaluations.items()} == {
        "invoice_totals_match_lines": True,
        "credit_note_totals_match_lines": False,
    }
    metadata = {name: entry.value for name, entry in evaluations["credit_note_totals_match_lines"].metadata.items()}
    assert (metadata["credit_notes"], metadata["mismatched"]) == (len(january), 1)
    [example] = metadata["examples"].records
    expected = _money(note["total"])
    assert example.data == {
        "credit_note": note["docNumber"],
        "problem": f"total {expected + Decimal('0.01')} != {expected} from lines",
    }
