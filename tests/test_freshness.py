"""Every asset says how fresh it must be, and the daemon's evaluation marks a late one as failing."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

# Dagster's own test tools: the daemon's workspace, and a clock set back for one materialization.
from dagster._core.definitions.freshness import FreshnessState
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.test_utils import create_test_daemon_workspace_context, freeze_time
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
from dagster._daemon.freshness import FreshnessDaemon

from hr_assets.defs.shared.freshness import WITHIN_8_DAYS, closed_month_by_the_3rd
from hr_assets.defs.shared.partitions import first_friday_on_or_after
from hr_assets.settings import Settings
from tests.conftest import REPO

ROSTER = ("paycom_roster_files", "paycom_employees", "scheduling_staff")
REVENUE_CHAIN = (
    "holded_services",
    "holded_invoices",
    "fourgeeks_students",
    "service_periods",
    "notion_external_ids",
    "accruals",
)


@pytest.fixture
def policies(dagster_home: Path) -> dict[str, dg.FreshnessPolicy | None]:
    from hr_assets.definitions import defs

    return {spec.key.to_user_string(): spec.freshness_policy for spec in defs().resolve_all_asset_specs()}


def test_every_asset_has_a_freshness_policy(policies: dict[str, dg.FreshnessPolicy | None]) -> None:
    assert [name for name, policy in policies.items() if policy is None] == []


def test_the_roster_within_8_days_and_the_revenue_chain_the_closed_month_by_the_3rd(
    policies: dict[str, dg.FreshnessPolicy | None],
) -> None:
    closed_month = closed_month_by_the_3rd(Settings.from_environment())
    assert {name: policies[name] for name in ROSTER} == dict.fromkeys(ROSTER, WITHIN_8_DAYS)
    assert {name: policies[name] for name in REVENUE_CHAIN} == dict.fromkeys(REVENUE_CHAIN, closed_month)
    assert WITHIN_8_DAYS.fail_window.to_timedelta() == dt.timedelta(days=8)
    assert (closed_month.deadline_cron, closed_month.lower_bound_delta) == ("0 0 3 * *", dt.timedelta(days=2))


@pytest.fixture
def empty_instance(dagster_home: Path) -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as instance:
        yield instance


# Dagster's in-process snapshot of a schedule reads its own deprecated ``environment_vars``; we never set it.
@pytest.mark.filterwarnings("ignore:Property `ScheduleDefinition.environment_vars` is deprecated:DeprecationWarning")
def test_a_roster_synced_9_days_ago_is_late_and_one_synced_today_is_not(
    empty_instance: dg.DagsterInstance,
) -> None:
    now = dt.datetime.now(dt.UTC)
    last_friday = first_friday_on_or_after(now.date() - dt.timedelta(days=6))
    with freeze_time(now - dt.timedelta(days=9)):
        empty_instance.report_runless_asset_event(
            dg.AssetMaterialization("paycom_employees", partition=str(last_friday - dt.timedelta(days=7)))
        )
    empty_instance.report_runless_asset_event(dg.AssetMaterialization("scheduling_staff", partition=str(last_friday)))

    # The code location in this process, not behind a gRPC server: the freshness evaluation is the same, and gRPC's
    # timers do not run under libfaketime (make test-shifted-clock).
    target = InProcessWorkspaceLoadTarget(
        InProcessCodeLocationOrigin(
            LoadableTargetOrigin(module_name="hr_assets.definitions", working_directory=str(REPO)),
            location_name="hr_assets",
        )
    )
    with create_test_daemon_workspace_context(target, empty_instance) as workspace:
        list(FreshnessDaemon().run_iteration(workspace))

    keys = [dg.AssetKey(name) for name in ("paycom_employees", "scheduling_staff", "paycom_roster_files")]
    states = {
        key.to_user_string(): record.freshness_state
        for key, record in empty_instance.get_freshness_state_records(keys).items()
    }
    assert states == {
        "paycom_employees": FreshnessState.FAIL,
        "scheduling_staff": FreshnessState.PASS,
        "paycom_roster_files": FreshnessState.UNKNOWN,  # never materialized: nothing to judge yet
    }
