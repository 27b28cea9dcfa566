"""The web UI as a person uses it, in headless Chromium, on the platform `make dev` starts.

Lineage, a backfill of three months of the revenue chain, "Materialize all" of the Paycom group with the
attendance and Bayzat sensors following it, an asset's metadata and the automation list; records Bayzat
rejected, shown on the push's asset page and retried from the launchpad of ``bayzat_retry_failed``.
Screenshots of each step go to test-artifacts/ui/.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import dagster as dg
import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from hr_assets.defs.bayzat.store import failed_records
from hr_assets.defs.shared.partitions import weekly_sync_partitions
from hr_assets.defs.shared.revenue_chain import STEPS
from hr_assets.settings import Settings
from hr_assets.warehouse.audit import entries
from hr_assets.warehouse.engine import warehouse_engine
from hr_assets.warehouse.tables import paycom_employees
from hr_sandbox.bayzat import BayzatSandbox
from hr_sandbox.http_server import SandboxHttpServer
from tests.conftest import master_employee
from tests.running_platform import RunningPlatform, failures, sandbox_environment, wait_for_backfill
from tests.ui.conftest import ARTIFACTS, months_back
from tests.waiting import wait_until

# One platform for the package: its tests run in one worker (make test: --dist loadgroup).
pytestmark = [pytest.mark.platform, pytest.mark.twins, pytest.mark.xdist_group("ui_platform")]

ASSET_GRAPH = """
query { assetNodes { assetKey { path } groupName dependencyKeys { path } } }
"""
RUN_STATUS = """
query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }
"""
BACKFILLS = """
query { partitionBackfillsOrError(limit: 20) {
  ... on PartitionBackfills { results { id partitionNames assetSelection { path } } } } }
"""
AUTOMATION_STATES = """
query { repositoriesOrError { ... on RepositoryConnection { nodes {
  schedules { name scheduleState { status } }
  sensors { name sensorState { status } } } } } }
"""
# What the platform has at least; the graph must show these and whatever else the code location defines.
KNOWN_ASSETS = {
    "paycom_roster_files",
    "paycom_employees",
    "scheduling_staff",
    "attendance_records",
    "bayzat_sync_batches",
    *STEPS.values(),
}
AUTOMATIONS = [
    "paycom_weekly_sync",
    "revenue_month_close",
    "revenue_month_refresh",
    "bayzat_hourly_push",
    "attendance_file_cleanup_schedule",
    "attendance_inbox",
    "push_after_import",
    "push_after_retry",
]
MONTHLY = [name for name in STEPS.values() if name != "holded_services"]
SENSOR_FED = ["attendance_records", "bayzat_sync_batches"]  # materialized by the inbox and push sensors


def _graphql(platform: RunningPlatform, query: str, **variables: object) -> dict:
    answer = httpx.post(f"{platform.url}/graphql", json={"query": query, "variables": variables}, timeout=30).json()
    assert "errors" not in answer, answer
    return answer["data"]


def _shot(page: Page, platform: RunningPlatform, step: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{platform.label}-{step}.png", full_page=True)


def _filter_graph(page: Page, selection: str) -> None:
    """Type an asset selection into the graph's search and filter box, as a person does."""
    page.goto("/asset-groups")
    page.locator(".CodeMirror").first.click()
    page.keyboard.type(selection)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/asset-groups~"))


def _hr_assets(platform: RunningPlatform, *args: str, **environment: str) -> None:
    """A command as a person types it, against the platform."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "hr-assets"), *args],
        env={**platform.environment, **environment}, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def _materialize_group(page: Page, group: str) -> None:
    """The group's Materialize button; a partitioned group asks which partitions: the latest, or for dynamic ones
    (which have no "Latest") all, which is the one pay period the test added."""
    _filter_graph(page, f"group:{group}")
    page.get_by_role("button", name=re.compile("Materialize")).first.click()
    dialog = page.get_by_role("dialog")
    launched = page.get_by_text("Launched run")
    expect(dialog.or_(launched).first).to_be_visible()
    if dialog.is_visible():
        # Payroll's partitions are dynamic (its pay periods): the dialog has no "Latest" for them.
        dialog.get_by_role("button", name="All" if group == "payroll" else "Latest", exact=True).click()
        expect(dialog.get_by_text(re.compile(r"^1 partition$"))).to_be_visible()
        dialog.get_by_role("button", name=re.compile("^Launch")).click()
    expect(launched).to_be_visible()


def _wait_until(condition, what: str, platform: RunningPlatform) -> None:
    """Sensors' and runs' work in the daemon: a loaded machine takes minutes over it."""
    wait_until(condition, what, timeout_s=300, every_s=3, detail=platform.log_tail)


def test_the_ui_shows_lineage_backfills_months_materializes_everything_and_lists_automations(
    page: Page, platform: RunningPlatform
) -> None:
    # The asset graph: every asset the code location defines, and one edge per dependency.
    nodes = _graphql(platform, ASSET_GRAPH)["assetNodes"]
    groups = {node["assetKey"]["path"][0]: node["groupName"] for node in nodes}
    assets = set(groups)
    assert KNOWN_ASSETS <= assets
    page.goto("/asset-groups")
    expect(page.get_by_text("Global asset lineage")).to_be_visible()
    # A fresh instance greets its first visitor with the community sign-up (once per instance).
    page.get_by_role("button", name="Skip", exact=True).click()
    expect(page.get_by_role("button", name="Skip", exact=True)).to_be_hidden()
    page.get_by_role("button").filter(has=page.get_by_role("img", name="settings")).last.click()
    page.get_by_role("menuitem", name=re.compile("Expand all groups")).click()
    graph = page.locator("svg")
    for name in sorted(assets):
        expect(graph.get_by_text(name, exact=True).first).to_be_visible()
    expect(page.locator("svg path[marker-end]")).to_have_count(sum(len(node["dependencyKeys"]) for node in nodes))
    page.keyboard.press("Escape")  # close the graph's settings menu
    _shot(page, platform, "1-asset-graph")

    # A backfill of three closed months of the whole revenue chain, from the graph filtered to it.
    months = months_back(1, 3)
    _filter_graph(page, 'key:"holded_services"+')
    page.get_by_role("button", name="Materialize all…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text(f"Launch runs to materialize {len(STEPS)} assets")).to_be_visible()
    dialog.get_by_text("Show all partitions").click()
    partitions = dialog.locator("input").first
    partitions.fill(f"[{months[0]}...{months[-1]}]")
    partitions.press("Enter")
    expect(dialog.get_by_text("3 partitions", exact=True)).to_be_visible()
    _shot(page, platform, "2-backfill-dialog")
    dialog.get_by_role("button", name="Launch backfill").click()
    expect(dialog).to_be_hidden()
    [backfill] = [
        backfill
        for backfill in _graphql(platform, BACKFILLS)["partitionBackfillsOrError"]["results"]
        if backfill["partitionNames"] == months
    ]
    assert {key["path"][0] for key in backfill["assetSelection"]} == set(STEPS.values())
    with platform.instance() as instance:
        assert wait_for_backfill(platform.url, backfill["id"]) == "COMPLETED_SUCCESS", failures(instance)
        for name in MONTHLY:
            assert set(months) <= instance.get_materialized_partitions(dg.AssetKey(name)), name
        assert instance.get_latest_materialization_event(dg.AssetKey("holded_services")) is not None

    page.goto("/runs?view=backfills")
    expect(page.get_by_text(backfill["id"], exact=True)).to_be_visible()
    _shot(page, platform, "3-backfills")
    page.goto("/assets/accruals?view=partitions")
    page.get_by_text(re.compile(r"^Missing \(\d+\)$")).click()  # only what is materialized stays listed
    for month in months:
        expect(page.get_by_text(month, exact=True).first).to_be_visible()
    _shot(page, platform, "4-accruals-partitions")

    # "Materialize all" group by group, latest partition, as a person does on a fresh platform (the whole
    # graph's "Materialize all" cannot mix weekly, monthly and per-file partitions). Paycom first: the inbox
    # sensor then imports the sandbox's fingerprint report and the push sensor sends it to the Bayzat twin.
    week = weekly_sync_partitions(Settings.from_environment()).get_last_partition_key()
    # Payroll's partitions are its pay periods: a person adds one first, here last month's first half.
    last_month = dt.date.fromisoformat(months_back(1, 1)[0])
    added = subprocess.run(
        [str(Path(sys.executable).parent / "hr-assets"), "payroll", "add-period", "--type", "semi_monthly",
         "--start", str(last_month), "--end", str(last_month.replace(day=15))],
        env=platform.environment, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    _materialize_group(page, "paycom")
    _shot(page, platform, "5-paycom-launched")
    with platform.instance() as instance:

        def materialized(name: str) -> bool:
            return instance.get_latest_materialization_event(dg.AssetKey(name)) is not None

        _wait_until(lambda: all(map(materialized, SENSOR_FED)), "the sensors' imports and pushes", platform)
        for group in sorted({groups[name] for name in assets if not materialized(name)}):
            _materialize_group(page, group)
        _wait_until(lambda: all(map(materialized, assets)), "every asset materialized", platform)
        assert week in instance.get_materialized_partitions(dg.AssetKey("paycom_employees"))
        assert failures(instance) == ""
        assert not instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE]))
        for name in assets:
            latest = instance.get_latest_materialization_event(dg.AssetKey(name))
            assert instance.get_run_by_id(latest.run_id).status == dg.DagsterRunStatus.SUCCESS, name
        roster = instance.get_latest_materialization_event(dg.AssetKey("paycom_employees"))
        roster_size = roster.asset_materialization.metadata["roster_size"].value
    assert roster_size >= 30

    # paycom_employees: its latest materialization's metadata and its lineage.
    page.goto("/assets/paycom_employees")
    for label in ("roster_size", "employees_processed", "active_employees", "rows_invalid"):
        expect(page.get_by_text(label, exact=True).first).to_be_visible()
    roster_row = page.locator("tr").filter(has=page.get_by_text("roster_size", exact=True))
    expect(roster_row).to_contain_text(str(roster_size))
    expect(page.get_by_text("Upstream assets")).to_be_visible()
    expect(page.get_by_text("paycom_roster_files", exact=True).first).to_be_visible()
    expect(page.get_by_text("scheduling_staff", exact=True).first).to_be_visible()
    _shot(page, platform, "6-paycom-employees")

    # Automation: every schedule and sensor listed, its toggle showing its state; ours all running.
    [repository] = _graphql(platform, AUTOMATION_STATES)["repositoriesOrError"]["nodes"]
    states = {item["name"]: item["scheduleState"]["status"] for item in repository["schedules"]}
    states |= {item["name"]: item["sensorState"]["status"] for item in repository["sensors"]}
    assert {name: states.get(name) for name in AUTOMATIONS} == dict.fromkeys(AUTOMATIONS, "RUNNING")
    page.goto("/automation")
    for name, status in states.items():
        row = page.locator("[data-index]").filter(has=page.get_by_text(name, exact=True))
        expect(row).to_have_count(1)
        toggle = row.locator("input[type=checkbox]").last
        expect(toggle).to_be_checked(checked=status == "RUNNING")
    _shot(page, platform, "7-automation")


LAUNCHPAD_KEY = "bayzat-key-launchpad-4b1d9c07"
LAUNCHPAD_STAFF = ["8801", "8802", "8803"]  # not in the Paycom twin's roster, so no other test touches them


def test_records_bayzat_rejected_show_on_the_asset_page_and_are_retried_from_the_launchpad(
    page: Page, platform: RunningPlatform
) -> None:
    # A company of its own whose Bayzat (a twin of this test's) does not know 8801, and its staff in the master.
    twin = BayzatSandbox(api_keys=[LAUNCHPAD_KEY], known_employees={LAUNCHPAD_KEY: LAUNCHPAD_STAFF[1:]})
    sandbox = sandbox_environment(platform.sandbox_directory)
    engine = warehouse_engine(platform.warehouse_url)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        connection.execute(sa.insert(paycom_employees), [master_employee(code, now) for code in LAUNCHPAD_STAFF])
    with SandboxHttpServer(twin) as server:
        _hr_assets(platform, "companies", "add", "--slug", "launchpad", "--name-en", "Launchpad",
                   "--fingerprint-name", "Launchpad", "--timezone", "Asia/Dubai")  # fmt: skip
        _hr_assets(platform, "bayzat", "configure", "--company", "launchpad", "--api-url", f"{server.url}/attendance",
                   "--sync-frequency", "hourly", HR_SECRET_KEY=sandbox["HR_SECRET_KEY"],
                   BAYZAT_API_KEY=LAUNCHPAD_KEY)  # fmt: skip

        # The file arrives in the inbox: the sensor imports it and the push follows; Bayzat rejects 8801's two days.
        lines = ["Employee ID,First Name,Department,Date,Weekday,Check In,Check Out,Clock In,Clock Out"]
        lines += [
            f"{code},Staff,Launchpad,{day:%Y-%m-%d},{day:%A},08:5{n},17:0{n},08:00,17:00"
            for code in LAUNCHPAD_STAFF
            for n, day in enumerate([dt.date(2026, 3, 2), dt.date(2026, 3, 3)])
        ]
        inbox = Path(sandbox["ATTENDANCE_INBOX_DIRECTORY"])
        (inbox / "launchpad_week.csv").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")

        def rejected() -> list[dict]:
            with engine.connect() as connection:
                company = connection.execute(sa.text("SELECT id FROM companies WHERE slug = 'launchpad'")).scalar_one()
                return failed_records(connection, company_id=company, retry_attempts=5)

        def pushed() -> bool:  # 8802's and 8803's two days of two punches sent, 8801's two days refused
            return len(twin.accepted(LAUNCHPAD_KEY)) == 2 * 2 * 2 and len(rejected()) == 2

        _wait_until(pushed, "the import and its push, with 8801 rejected", platform)
        [import_id] = {row["import_id"] for row in rejected()}
        assert {row["employee_code"] for row in rejected()} == {"8801"}

        # The push's asset page: the company's records needing attention, by employee code, with Bayzat's reason.
        # A fresh instance greets its first visitor with the community sign-up (once per instance): skip it.
        page.add_locator_handler(page.get_by_role("button", name="Skip", exact=True), lambda skip: skip.click())
        page.goto("/assets/bayzat_sync_batches?view=partitions&partition=launchpad")
        attention = page.locator("tr").filter(has=page.get_by_text("records_needing_attention", exact=True))
        expect(attention.get_by_text("8801", exact=True)).to_have_count(2)
        expect(attention.get_by_text("Employee 8801 not found", exact=True)).to_have_count(2)
        expect(page.get_by_role("button", name="Skip", exact=True)).to_be_hidden()
        _shot(page, platform, "8-records-needing-attention")

        # Bayzat now knows 8801: the launchpad of bayzat_retry_failed describes its fields; the import's id typed in.
        twin.add_key(LAUNCHPAD_KEY, employees=LAUNCHPAD_STAFF)
        page.goto("/locations/hr_assets/jobs/bayzat_retry_failed/playground")
        page.locator(".CodeMirror").first.click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(f"ops:\n  reset_failed_records:\n    config:\n      import_id: {import_id}")
        described = ("records of this attendance import", "records of this push batch", "this company's failed records")
        for field in described:  # the docs beside the editor: each field with its description
            expect(page.get_by_text(field)).to_be_visible()
        expect(page.get_by_text("No errors", exact=True)).to_be_visible()
        _shot(page, platform, "9-launchpad")
        page.get_by_role("button", name="Launch Run").click()
        expect(page).to_have_url(re.compile(r"/runs/[0-9a-f-]{36}"))
        run_id = re.search(r"/runs/([0-9a-f-]{36})", page.url).group(1)

        def status() -> str:
            return _graphql(platform, RUN_STATUS, id=run_id)["runOrError"]["status"]

        _wait_until(lambda: status() in ("SUCCESS", "FAILURE", "CANCELED"), "the retry run", platform)
        assert status() == "SUCCESS", platform.log_tail()
        _shot(page, platform, "10-retry-run")
        with engine.connect() as connection:
            [entry] = [e for e in entries(connection) if e["command"] == f"bayzat_retry_failed run {run_id}"]
        assert (entry["actor"], entry["target"], entry["new_values"]) == (
            "dagster-ui",
            f"import {import_id}",
            {"records": 2},
        )

        # push_after_retry's push sends 8801's days; nothing needs attention any more.
        _wait_until(lambda: rejected() == [] and len(twin.accepted(LAUNCHPAD_KEY)) == 3 * 2 * 2, "the push", platform)
        with platform.instance() as instance:
            [push] = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/sensor_name": "push_after_retry"}))
            assert (push.job_name, push.tags["dagster/partition"]) == ("bayzat_push", "launchpad")
            _wait_until(lambda: instance.get_run_by_id(push.run_id).is_finished, "the push run's end", platform)
            assert instance.get_run_by_id(push.run_id).status == dg.DagsterRunStatus.SUCCESS
    page.goto(f"/runs/{push.run_id}")
    expect(page.get_by_text("Launched by push_after_retry")).to_be_visible()
    expect(page.get_by_text("RUN_SUCCESS", exact=True)).to_be_visible()
    _shot(page, platform, "11-push-after-retry")
