"""A backfill launched through the webserver's GraphQL API, as a script does (what `hr-assets sync` sends)."""

from __future__ import annotations

import dagster as dg
import httpx
import pytest

from hr_assets.defs.shared.revenue_chain import STEPS, assets_from_step
from hr_assets.lib.webserver import launch_asset_backfill
from tests.running_platform import RunningPlatform, failures, wait_for_backfill
from tests.ui.conftest import months_back

# One platform for the package: its tests run in one worker (make test: --dist loadgroup).
pytestmark = [pytest.mark.platform, pytest.mark.xdist_group("ui_platform")]

BACKFILL = """
query($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    __typename
    ... on PartitionBackfill {
      status numPartitions partitionNames title
      assetSelection { path }
      tags { key value }
    }
  }
}
"""


def test_a_backfill_launched_over_graphql_is_run_by_the_daemon(platform: RunningPlatform) -> None:
    months = months_back(4, 3)  # three months before those the browser test backfills
    chain = assets_from_step("invoices")
    backfill_id = launch_asset_backfill(platform.url, chain, months, title="graphql test")

    with platform.instance() as instance:
        # The instance the platform runs on: dagster-postgres, with nothing in SQLite under DAGSTER_HOME.
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert not (platform.dagster_home / "history").exists()
        assert platform.warehouse_url.startswith("postgresql")
        assert wait_for_backfill(platform.url, backfill_id) == "COMPLETED_SUCCESS", failures(instance)
        for name in chain:
            assert set(months) <= instance.get_materialized_partitions(dg.AssetKey(name)), name
        runs = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/backfill": backfill_id}))
        assert runs, "the daemon launched no run"
        assert {run.status for run in runs} == {dg.DagsterRunStatus.SUCCESS}
        # One run per month, or one for the range when the assets' backfill policy says so.
        covered = {run.tags.get("dagster/partition") or run.tags["dagster/asset_partition_range_start"] for run in runs}
        assert covered <= set(months) and months[0] in covered
        assert {run.tags["hr_assets/launched_by"] for run in runs} == {"cli"}

    # The same backfill as any script sees it: a plain POST to /graphql.
    answer = httpx.post(
        f"{platform.url}/graphql", json={"query": BACKFILL, "variables": {"id": backfill_id}}, timeout=30
    ).json()
    backfill = answer["data"]["partitionBackfillOrError"]
    assert backfill["__typename"] == "PartitionBackfill"
    assert backfill["status"] == "COMPLETED_SUCCESS"
    assert backfill["numPartitions"] == 3
    assert backfill["partitionNames"] == months
    assert backfill["title"] == "graphql test"
    assert {key["path"][0] for key in backfill["assetSelection"]} == set(chain) < set(STEPS.values())


def test_a_backfill_over_the_bayzat_companies_is_one_run_that_pushes_each(platform: RunningPlatform) -> None:
    with platform.instance() as instance:
        companies = instance.get_dynamic_partitions("bayzat_companies")
    assert len(companies) >= 2, "the sandbox configures its demo companies"
    backfill_id = launch_asset_backfill(platform.url, ["bayzat_sync_batches"], companies, title="every company")
    with platform.instance() as instance:
        assert wait_for_backfill(platform.url, backfill_id) == "COMPLETED_SUCCESS", failures(instance)
        (run,) = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/backfill": backfill_id}))
        assert (run.tags["dagster/asset_partition_range_start"], run.tags["dagster/asset_partition_range_end"]) == (
            companies[0],
            companies[-1],
        )
        pushed = [
            entry.asset_materialization.partition
            for entry in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
            if entry.asset_materialization is not None
        ]
        assert sorted(pushed) == sorted(companies)  # one materialization per company, each with its own metadata
