"""The revenue chain's two schedules and its accruals step, run directly (the imports before it call Holded, 4Geeks
and Notion: their tests are in tests/revenue, on the twins)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import dagster as dg
import pytest
import sqlalchemy as sa

from hr_assets.defs.accruals.assets import accruals_asset
from hr_assets.defs.fourgeeks.resources import FourGeeksResource
from hr_assets.defs.holded.resources import HoldedResource
from hr_assets.defs.notion.resources import NotionResource
from hr_assets.defs.shared.revenue_chain import CLOSE_TAG, revenue_schedules
from hr_assets.settings import Settings
from hr_assets.warehouse.resource import WarehouseResource
from hr_assets.warehouse.tables import accrual_closes, accruals, holded_services
from tests.accruals.test_any_order import AT, CreditNote, Invoice, arrive, credit
from tests.clock import FixedClock
from tests.unit.conftest import select, tick

SETTINGS = Settings(timezone="Europe/Madrid", revenue_monthly_day=2, revenue_monthly_hour=6, revenue_daily_hour=5)
VENDORS = {
    "holded": HoldedResource(api_key="holded-key"),
    "fourgeeks": FourGeeksResource(api_token="4geeks-token", academy_id=7),
    "notion": NotionResource(token="notion-token", database_id="clients"),
}


def schedule(name: str) -> dg.ScheduleDefinition:
    return next(definition for definition in revenue_schedules(SETTINGS) if definition.name == name)


def test_the_month_close_asks_for_the_month_just_ended_tagged_to_close_it() -> None:
    at = dt.datetime(2026, 4, 2, 6, tzinfo=SETTINGS.tz)
    request = tick(schedule("revenue_month_close"), at, **VENDORS)
    assert (request.run_key, request.partition_key, request.tags[CLOSE_TAG]) == (
        "close-2026-03-01",
        "2026-03-01",
        "true",
    )


def test_the_daily_refresh_asks_for_the_month_in_progress_and_skips_naming_what_is_missing() -> None:
    at = dt.datetime(2026, 4, 1, 5, tzinfo=SETTINGS.tz)  # 03:00 UTC: still the 1st in Madrid
    refresh = schedule("revenue_month_refresh")
    request = tick(refresh, at, **VENDORS)
    assert (request.run_key, request.partition_key) == ("refresh-2026-04-01", "2026-04-01")

    without_notion = {**VENDORS, "notion": NotionResource(database_id="clients")}
    skipped = tick(refresh, at, **without_notion)
    assert skipped == dg.SkipReason("Notion is not configured: NOTION_TOKEN is not set")


@pytest.mark.filterwarnings("ignore::dagster.BetaWarning")  # the chain's backfill policy
def test_accruals_recognize_each_line_over_its_service_days_and_a_tagged_run_closes_the_month(
    warehouse: WarehouseResource, clock: FixedClock
) -> None:
    with warehouse.begin() as connection:
        connection.execute(sa.insert(holded_services).values(id="svc", name="Course", code="COURSE", synced_at=AT))
        # 310.00 over 2026-03-01..31: 10.00 a day, all in March; 300.00 over 2026-03-22..2026-04-20: 100.00 in March
        arrive(connection, Invoice(1, dt.date(2026, 3, 1), 31_000, (dt.date(2026, 3, 1), dt.date(2026, 3, 31))))
        arrive(connection, Invoice(2, dt.date(2026, 3, 20), 30_000, (dt.date(2026, 3, 22), dt.date(2026, 4, 20))))
    asset = accruals_asset(Settings())
    resources = {"warehouse": warehouse, "clock": clock}

    result = dg.materialize([asset], partition_key="2026-03-01", resources=resources, tags={CLOSE_TAG: "true"})

    metadata = result.asset_materializations_for_node("accruals")[0].metadata
    assert metadata["recognized_in_month"].value == 410.0
    assert metadata["deferred_balance"].value == 200.0
    assert metadata["closed_months"].value == "2026-03"
    march = {row["invoice_id"]: row["recognized_amount"] for row in select(warehouse, accruals)}
    assert march == {"INV-1": Decimal("310.00"), "INV-2": Decimal("100.00")}
    assert [row["month"] for row in select(warehouse, accrual_closes)] == [dt.date(2026, 3, 1)]


@pytest.mark.filterwarnings("ignore::dagster.BetaWarning")  # the chain's backfill policy
def test_accruals_count_the_refunds_of_cancelled_invoices_they_leave_out(
    warehouse: WarehouseResource, clock: FixedClock
) -> None:
    """March's invoice, refunded in part in March and in April and then cancelled: nothing is recognized, and each
    month counts its refund among the credits of cancelled invoices."""
    invoice = Invoice(1, dt.date(2026, 3, 1), 31_000, (dt.date(2026, 3, 1), dt.date(2026, 3, 31)))
    with warehouse.begin() as connection:
        connection.execute(sa.insert(holded_services).values(id="svc", name="Course", code="COURSE", synced_at=AT))
        arrive(connection, invoice, cancelled=True)
        credit(connection, CreditNote("CN-1", 1, dt.date(2026, 3, 10), 5_000, names_invoice=True))
        credit(connection, CreditNote("CN-2", 1, dt.date(2026, 4, 2), 5_000, names_invoice=True, by_number=True))
    resources = {"warehouse": warehouse, "clock": clock}

    result = dg.materialize(
        [accruals_asset(Settings())],
        resources=resources,
        tags={"dagster/asset_partition_range_start": "2026-03-01", "dagster/asset_partition_range_end": "2026-04-01"},
    )

    metadata = result.asset_materializations_for_node("accruals")[0].metadata
    assert metadata["credits_of_cancelled_invoices"].value == 2
    by_month = {row.data["month"]: row.data for row in metadata["by_month"].value.records}
    assert [figures["credits_of_cancelled_invoices"] for figures in by_month.values()] == [1, 1]
    assert metadata["recognized_in_month"].value == 0.0 and metadata["unmatched_lines"].value == 0
    assert select(warehouse, accruals) == []
