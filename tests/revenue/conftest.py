"""The revenue twins (Holded, 4Geeks, Notion) serving three months, and the platform pointed at them."""

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from hr_assets.defs.fourgeeks.resources import FourGeeksResource
from hr_assets.defs.holded.resources import HoldedResource
from hr_assets.defs.notion.resources import NotionResource
from hr_sandbox.notion import CLIENTS
from hr_sandbox.revenue import RevenueSandbox
from tests.resources import definitions_with, resource_from

MONTHS = [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]


@pytest.fixture
def notion_data_sources() -> tuple[str, ...]:
    """The Notion clients database's data sources; a test parametrizes it to give the database more."""
    return (CLIENTS,)


@pytest.fixture
def revenue_sandbox(tmp_path: Path, notion_data_sources: tuple[str, ...]) -> Iterator[RevenueSandbox]:
    with RevenueSandbox(
        tmp_path / "revenue",
        start=MONTHS[0],
        months=len(MONTHS),
        invoices_per_month=40,
        notion_data_sources=notion_data_sources,
    ) as sandbox:
        yield sandbox


@pytest.fixture
def revenue_env(
    monkeypatch: pytest.MonkeyPatch,
    dagster_home: Path,
    warehouse_url: str,
    revenue_sandbox: RevenueSandbox,
    tmp_path: Path,
) -> dict[str, str]:
    """The platform's settings, for the commands the tests run; the runs in this process get the twins through
    ``revenue_resources``."""
    environment = {
        **revenue_sandbox.environment(),
        "HR_WAREHOUSE_URL": warehouse_url,
        "HR_HISTORY_START": "2025-06-01",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return environment


def revenue_resources(environment: dict[str, str]) -> dict[str, object]:
    """The three APIs on their twins, retrying after a hundredth of a second instead of half a second."""
    return {
        key: resource_from(integration, environment, backoff_initial_s=0.01)
        for key, integration in (
            ("holded", HoldedResource),
            ("fourgeeks", FourGeeksResource),
            ("notion", NotionResource),
        )
    }


def run_month(
    instance: dg.DagsterInstance, month: dt.date, assets: list[str] | None = None
) -> dg.ExecuteInProcessResult:
    job = definitions_with(**revenue_resources(dict(os.environ))).resolve_job_def("revenue_chain")
    selection = [dg.AssetKey(name) for name in assets] if assets else None
    return job.execute_in_process(
        partition_key=month.isoformat(), instance=instance, raise_on_error=False, asset_selection=selection
    )


def run_range(instance: dg.DagsterInstance, first: dt.date, last: dt.date) -> dg.ExecuteInProcessResult:
    """One run for the months ``first`` to ``last``, as a backfill of the chain runs them."""
    return (
        definitions_with(**revenue_resources(dict(os.environ)))
        .resolve_job_def("revenue_chain")
        .execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags={
                "dagster/asset_partition_range_start": first.isoformat(),
                "dagster/asset_partition_range_end": last.isoformat(),
            },
        )
    )


def checks(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {
        event.event_specific_data.check_name: event.event_specific_data.passed
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def failures(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    return {event.step_key: event.step_failure_data.error.message for event in result.get_step_failure_events()}
