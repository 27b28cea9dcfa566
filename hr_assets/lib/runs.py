"""Running the code location's jobs from the command line, through the Dagster instance.

The run is recorded in the instance at ``DAGSTER_HOME`` like any other, so it shows in the UI
with its logs, and a failed step can be re-executed from there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import dagster as dg


def job_from_definitions(job_name: str) -> dg.JobDefinition:
    """Module-level so that Dagster can rebuild the job in its step processes."""
    from hr_assets.definitions import defs

    return defs().resolve_job_def(job_name)


@dataclass
class RunOutcome:
    run_id: str
    success: bool
    error: str | None = None
    materializations: dict[str, dict[str, Any]] = field(default_factory=dict)
    observations: dict[str, dict[str, Any]] = field(default_factory=dict)


def add_dynamic_partition(partitions_def: dg.DynamicPartitionsDefinition, key: str) -> None:
    """Make ``key`` a partition in the instance (a no-op when it is one), so runs and the UI can use it."""
    with dg.DagsterInstance.get() as instance:
        if not instance.has_dynamic_partition(partitions_def.name, key):
            instance.add_dynamic_partitions(partitions_def.name, [key])


def run_partition(
    job_name: str,
    partition_key: str,
    run_config: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    assets: Sequence[str] | None = None,
    last_partition_key: str | None = None,
) -> RunOutcome:
    """One run of the job for one partition (only ``assets`` when given), recorded in the instance.

    With ``last_partition_key``, the one run covers the range from ``partition_key`` to it, as a
    backfill with a single-run policy does; each materialization's metadata is then the range's."""
    partition_tags = (
        {"dagster/asset_partition_range_start": partition_key, "dagster/asset_partition_range_end": last_partition_key}
        if last_partition_key
        else {"dagster/partition": partition_key}
    )
    job = dg.build_reconstructable_job(__name__, job_from_definitions.__name__, reconstructable_args=(job_name,))
    with dg.DagsterInstance.get() as instance:
        result = dg.execute_job(
            job,
            instance,
            run_config=dict(run_config or {}),
            tags={**partition_tags, "hr_assets/launched_by": "cli", **(tags or {})},
            asset_selection=[dg.AssetKey(name) for name in assets] if assets else None,
        )
        failures = result.get_step_failure_events()
        outcome = RunOutcome(
            run_id=result.run_id,
            success=result.success,
            error="; ".join(
                f"{event.step_key}: {event.step_failure_data.error.message.strip()}"
                for event in failures
                if event.step_failure_data.error
            )
            or (None if result.success else "the run failed; see its logs in the UI"),
        )
        for event in result.get_asset_materialization_events():
            materialization = event.step_materialization_data.materialization
            outcome.materializations[materialization.asset_key.to_user_string()] = {
                key: value.value for key, value in materialization.metadata.items()
            }
        for event in result.get_asset_observation_events():
            observation = event.asset_observation_data.asset_observation
            outcome.observations[observation.asset_key.to_user_string()] = {
                key: value.value for key, value in observation.metadata.items()
            }
    return outcome
