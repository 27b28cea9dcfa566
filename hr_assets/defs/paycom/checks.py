"""Checks on each week's roster. The blocking ones keep a suspicious roster from the staff view."""

import datetime as dt
from collections import defaultdict
from typing import Any

import dagster as dg

from hr_assets.defs.paycom import store
from hr_assets.defs.shared.partitions import weekly_sync_partitions
from hr_assets.lib.row_errors import reasons_table
from hr_assets.settings import Settings
from hr_assets.warehouse.integration_errors import load_integration_errors
from hr_assets.warehouse.resource import WarehouseResource

MAX_ACTIVE_DROP = 0.20
_LISTED = 20  # clashing codes a failure names; its metadata counts them all


def _week(context: dg.AssetCheckExecutionContext) -> dt.date:
    return dt.date.fromisoformat(context.partition_key)


def _same_person_key(code: str) -> str:
    """``1234`` and ``01234`` (or ``123a`` and ``123A``) are one code typed two ways."""
    return code.lstrip("0").casefold() or "0"


def roster_checks(settings: Settings) -> list[dg.AssetChecksDefinition]:
    """The week's roster checks, on the weekly sync partitions."""
    weeks = weekly_sync_partitions(settings)

    @dg.asset_check(
        asset="paycom_employees",
        blocking=True,
        partitions_def=weeks,
        description="The week's roster is not empty and no employee code appears twice, even typed two ways.",
    )
    def roster_is_whole_and_unique(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        with warehouse.begin() as connection:
            codes = store.snapshot_codes(connection, _week(context))
        spellings: dict[str, list[str]] = defaultdict(list)
        for code in codes:
            spellings[_same_person_key(code)].append(code)
        clashes = sorted(", ".join(sorted(group)) for group in spellings.values() if len(group) > 1)
        listed = "; ".join(clashes[:_LISTED]) + (
            f" and {len(clashes) - _LISTED} more" if len(clashes) > _LISTED else ""
        )
        return dg.AssetCheckResult(
            passed=bool(codes) and not clashes,
            description="the roster is empty"
            if not codes
            else (f"codes that denote one employee: {listed}" if clashes else None),
            metadata={"employees": len(codes), "clashing_codes": len(clashes)},
        )

    @dg.asset_check(
        asset="paycom_employees",
        blocking=True,
        partitions_def=weeks,
        description="Active employees did not drop by more than 20% since the last snapshot (a forced sync may).",
    )
    def active_headcount_holds(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        week = _week(context)
        with warehouse.begin() as connection:
            active = store.active_count(connection, week)
            previous_week = store.previous_snapshot_week(connection, week)
            previous = store.active_count(connection, previous_week) if previous_week else 0
            sync = store.latest_sync(connection, week)
        forced = bool(sync and sync["forced"])
        drop = (previous - active) / previous if previous else 0.0
        metadata: dict[str, Any] = {
            "active": active,
            "previous_active": previous,
            "drop": round(drop, 4),
            "forced": forced,
        }
        if previous_week:
            metadata["previous_week"] = str(previous_week)
        if drop <= MAX_ACTIVE_DROP:
            return dg.AssetCheckResult(passed=True, metadata=metadata)
        if forced:
            return dg.AssetCheckResult(
                passed=True,
                metadata=metadata,
                description=f"active fell {drop:.0%}, accepted because the sync was forced",
            )
        return dg.AssetCheckResult(
            passed=False,
            metadata=metadata,
            description=f"active employees fell {drop:.0%} ({previous} → {active}) since {previous_week}",
        )

    @dg.asset_check(
        asset="paycom_employees",
        partitions_def=weeks,
        description="Every input row was usable (warns, with the reasons, when some were not).",
    )
    def no_invalid_rows(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.begin() as connection:
            errors = load_integration_errors(connection, asset="paycom_employees", partition_key=context.partition_key)
        return dg.AssetCheckResult(
            passed=not errors,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "invalid_rows": len(errors),
                "reasons": reasons_table(errors),
            },
        )

    return [roster_is_whole_and_unique, active_headcount_holds, no_invalid_rows]
