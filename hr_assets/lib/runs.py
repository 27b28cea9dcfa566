"""Running the code location's jobs from the command line, through the Dagster instance.

The run is recorded in the instance at ``DAGSTER_HOME`` like any other, so it shows in the UI
with its logs, and a failed step can be re-executed from there. Its events stay in those logs: the
command prints none of them unless asked (``show_events``), and a failure is one line saying why.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

from hr_assets.defs.shared.partitions import partition_tags
from hr_assets.lib.errors import OperatorError
from hr_assets.settings import dagster_home

# The console logger at a level no event reaches: the events are in the run's logs, not on the terminal.
_QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def job_from_definitions(job_name: str) -> dg.JobDefinition:
    """Module-level so that Dagster can rebuild the job in its step processes."""
    from hr_assets.definitions import defs

    return defs().resolve_job_def(job_name)


class RunFailed(OperatorError):
    """A run a command started failed; the message is one line: why, the run, and where its logs are."""


@dataclass
class RunOutcome:
    run_id: str
    success: bool
    error: str | None = None
    materializations: dict[str, dict[str, Any]] = field(default_factory=dict)  # the last of each asset
    partition_materializations: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # asset, partition
    observations: dict[str, dict[str, Any]] = field(default_factory=dict)

    def raise_if_failed(self, ui_url: str) -> None:
        if not self.success:
            raise RunFailed(f"{self.error} (run {self.run_id}; its logs: {ui_url.rstrip('/')}/runs/{self.run_id})")


def _why(event: dg.DagsterEvent) -> str:
    """A failed step's reason in one line: what the step said (a ``dg.Failure``), else the exception, called a bug."""
    data = event.step_failure_data
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description.strip().splitlines()[0]
    error = data.error
    if error is None:
        return f"{event.step_key} failed"
    first = error.message.strip().splitlines()[0] if error.message.strip() else error.cls_name or "an error"
    return f"{event.step_key} failed with {first} (a bug: its traceback is in the run's logs)"


@contextmanager
def the_instance() -> Iterator[dg.DagsterInstance]:
    """The instance at DAGSTER_HOME; one ``ConfigurationError`` line when DAGSTER_HOME is not set."""
    dagster_home()
    with dg.DagsterInstance.get() as instance:
        yield instance


def add_dynamic_partition(partitions_def: dg.DynamicPartitionsDefinition, key: str) -> None:
    """Make ``key`` a partition in the instance (a no-op when it is one), so runs and the UI can use it."""
    with the_instance() as instance:
        if not instance.has_dynamic_partition(partitions_def.name, key):
            instance.add_dynamic_partitions(partitions_def.name, [key])


def run_partition(
    job_name: str,
    partition_key: str,
    run_config: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    assets: Sequence[str] | None = None,
    last_partition_key: str | None = None,
    show_events: bool = False,
) -> RunOutcome:
    """One run of the job for one partition (only ``assets`` when given), recorded in the instance.

    With ``last_partition_key``, the one run covers the range from ``partition_key`` to it, as a
    backfill with a single-run policy does; each materialization's metadata is then the range's.
    ``show_events`` prints the run's events as they happen, as Dagster's console logger does."""
    job = dg.build_reconstructable_job(__name__, job_from_definitions.__name__, reconstructable_args=(job_name,))
    with the_instance() as instance:
        result = dg.execute_job(
            job,
            instance,
            run_config={**(run_config or {}), **({} if show_events else _QUIET)},
            tags={**partition_tags(partition_key, last_partition_key), "hr_assets/launched_by": "cli", **(tags or {})},
            asset_selection=[dg.AssetKey(name) for name in assets] if assets else None,
        )
        failures = result.get_step_failure_events()
        outcome = RunOutcome(
            run_id=result.run_id,
            success=result.success,
            error="; ".join(dict.fromkeys(_why(event) for event in failures))
            or (None if result.success else "the run failed before its steps ran"),
        )
        for event in result.get_asset_materialization_events():
            materialization = event.step_materialization_data.materialization
            asset, metadata = (
                materialization.asset_key.to_user_string(),
                {key: value.value for key, value in materialization.metadata.items()},
            )
            outcome.materializations[asset] = metadata
            if materialization.partition is not None:
                outcome.partition_materializations.setdefault(asset, {})[materialization.partition] = metadata
        for event in result.get_asset_observation_events():
            observation = event.asset_observation_data.asset_observation
            outcome.observations[observation.asset_key.to_user_string()] = {
                key: value.value for key, value in observation.metadata.items()
            }
    return outcome
