"""The code location's runs as commands see them, through the Dagster instance at ``DAGSTER_HOME``.

A run is recorded in the instance like any other, so it shows in the UI with its logs, and a failed step can be
re-executed from there. A command either waits for a run the queue started (``wait_for_run``) or runs one in its
own process (``run_partition``); either way its outcome is read from the run's event log (``outcome_of``). Its
events stay in those logs: the command prints none of them unless asked, and a failure is one line saying why: a
blocking check that failed is said by what its own result found, with what the command's person can do about it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

from hr_assets.defs.shared.partitions import keys_name, partition_tags
from hr_assets.lib.errors import OperatorError
from hr_assets.settings import dagster_home

# The console logger at a level no event reaches: the events are in the run's logs, not on the terminal.
_QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
# What a command's outcome is read from.
_OUTCOME_EVENTS = {
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.ASSET_MATERIALIZATION,
    dg.DagsterEventType.ASSET_OBSERVATION,
    dg.DagsterEventType.ASSET_CHECK_EVALUATION,
}
# The error a step fails with when a blocking check of it failed: the check's result says why, not the error.
_CHECK_FAILED = "DagsterAssetCheckFailedError"
_RETRY_RUN_TAG = "dagster/auto_retry_run_id"  # on a failed run, the run the daemon's run retries started in its place


def job_from_definitions(job_name: str) -> dg.JobDefinition:
    """Module-level so that Dagster can rebuild the job in its step processes."""
    from hr_assets.definitions import defs

    return defs().resolve_job_def(job_name)


class RunFailed(OperatorError):
    """A run a command started failed; the message is one line for each reason (a blocking check that failed, or
    another step's failure), the last followed by the run and where its logs are."""


@dataclass(frozen=True)
class FailedCheck:
    """A blocking check that failed the run, and what it found: its result's description (else its metadata)."""

    check_name: str
    asset: str
    finding: str


@dataclass(frozen=True)
class CheckRemedy:
    """How a command says a blocking check's failure: ``{what} check failed: {finding}; {remedy}``, where ``remedy``
    is what the command's person can do (the command's own options)."""

    what: str
    remedy: str


@dataclass
class RunOutcome:
    run_id: str
    success: bool
    error: str | None = None  # why it failed, other than by a blocking check
    failed_checks: list[FailedCheck] = field(default_factory=list)
    materializations: dict[str, dict[str, Any]] = field(default_factory=dict)  # the last of each asset
    partition_materializations: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # asset, partition
    observations: dict[str, dict[str, Any]] = field(default_factory=dict)

    def raise_if_failed(self, ui_url: str, remedies: Mapping[str, CheckRemedy] | None = None) -> None:
        """``RunFailed`` when the run failed; ``remedies``: by check name, how the command says its failure."""
        if self.success:
            return
        lines = [_check_line(check, (remedies or {}).get(check.check_name)) for check in self.failed_checks]
        if self.error or not lines:
            lines.append(self.error or "the run failed")
        where = f"(run {self.run_id}; its logs: {ui_url.rstrip('/')}/runs/{self.run_id})"
        raise RunFailed("\n".join([*lines[:-1], f"{lines[-1]} {where}"]))


def _check_line(check: FailedCheck, remedy: CheckRemedy | None) -> str:
    if remedy is None:
        return f"check {check.check_name} of {check.asset} failed: {check.finding}"
    return f"{remedy.what} check failed: {check.finding}; {remedy.remedy}"


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


def _failed_blocking_checks(failure: dg.DagsterEvent, events: Sequence[dg.DagsterEvent]) -> list[FailedCheck]:
    """The blocking checks whose failure failed the step, each with what its own result found; none when the step
    failed otherwise."""
    error = failure.step_failure_data.error
    if error is None or error.cls_name != _CHECK_FAILED:
        return []
    evaluations = [
        event.asset_check_evaluation_data
        for event in events
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION and event.step_key == failure.step_key
    ]
    return [
        FailedCheck(evaluation.check_name, evaluation.asset_key.to_user_string(), _finding(evaluation))
        for evaluation in evaluations
        if not evaluation.passed and evaluation.blocking and evaluation.severity == dg.AssetCheckSeverity.ERROR
    ]


def _finding(evaluation: dg.AssetCheckEvaluation) -> str:
    """What the check said it found: its description's first line, else its metadata's plain values."""
    if evaluation.description and evaluation.description.strip():
        return evaluation.description.strip().splitlines()[0]
    values = {name: value.value for name, value in evaluation.metadata.items()}
    plain = [f"{name} {value}" for name, value in values.items() if isinstance(value, str | int | float | bool)]
    return ", ".join(plain) or "it said nothing more"


@contextmanager
def the_instance() -> Iterator[dg.DagsterInstance]:
    """The instance at DAGSTER_HOME; one ``ConfigurationError`` line when DAGSTER_HOME is not set."""
    dagster_home()
    with dg.DagsterInstance.get() as instance:
        yield instance


def add_dynamic_partition(partitions_def: dg.DynamicPartitionsDefinition, key: str) -> None:
    """Make ``key`` a partition in the instance (a no-op when it is one), so runs and the UI can use it."""
    with the_instance() as instance:
        if not instance.has_dynamic_partition(keys_name(partitions_def), key):
            instance.add_dynamic_partitions(keys_name(partitions_def), [key])


def run_partition(
    job_name: str,
    partition_key: str,
    run_config: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    assets: Sequence[str] | None = None,
    last_partition_key: str | None = None,
    show_events: bool = False,
) -> RunOutcome:
    """One run of the job for one partition (only ``assets`` when given) in this process, recorded in the instance.

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
        return outcome_of(instance, result.run_id)


def wait_for_run(
    run_id: str,
    on_event: Callable[[dg.EventLogEntry], None] | None = None,
    still_queued: Callable[[dg.DagsterInstance], None] | None = None,
    poll_s: float = 0.5,
) -> RunOutcome:
    """The outcome of a run the queue started, once it has ended, however long it takes: read from the instance's
    run storage. A run the daemon's run retries start again is followed to its retry's end. ``on_event`` is given
    each of its events as it is stored; ``still_queued`` is called now and then while the run waits in the queue
    (it may raise to stop waiting)."""
    cursor, checked = None, 0.0
    with the_instance() as instance:
        while True:
            run = instance.get_run_by_id(run_id)
            if run is None:
                raise OperatorError(f"run {run_id} is not in the instance at DAGSTER_HOME")
            if on_event is not None:
                records = instance.get_records_for_run(run_id, cursor=cursor)
                for record in records.records:
                    on_event(record.event_log_entry)
                cursor = records.cursor
            if run.is_finished and not run.is_complete_and_waiting_to_retry:
                retry = run.tags.get(_RETRY_RUN_TAG)
                if retry is None:
                    return outcome_of(instance, run_id)
                run_id, cursor = retry, None
                continue
            if still_queued is not None and run.status == dg.DagsterRunStatus.QUEUED and time.monotonic() > checked:
                still_queued(instance)
                checked = time.monotonic() + 30
            time.sleep(poll_s)


def outcome_of(instance: dg.DagsterInstance, run_id: str) -> RunOutcome:
    """What a finished run did, from its event log: whether it succeeded and why not, each asset's last
    materialization (and each partition's), each observation."""
    run = instance.get_run_by_id(run_id)
    success = run is not None and run.status == dg.DagsterRunStatus.SUCCESS
    logs = instance.all_logs(run_id, of_type=_OUTCOME_EVENTS)
    events = [entry.dagster_event for entry in logs if entry.dagster_event is not None]
    failures = [event for event in events if event.event_type == dg.DagsterEventType.STEP_FAILURE]
    failed_checks = {event.step_key: _failed_blocking_checks(event, events) for event in failures}
    canceled = run is not None and run.status == dg.DagsterRunStatus.CANCELED
    outcome = RunOutcome(
        run_id=run_id,
        success=success,
        error="; ".join(dict.fromkeys(_why(event) for event in failures if not failed_checks[event.step_key]))
        or (
            None
            if success or any(failed_checks.values())
            else "the run was canceled"
            if canceled
            else "the run failed before its steps ran"
        ),
        failed_checks=[check for checks in failed_checks.values() for check in checks],
    )
    for event in events:
        if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.step_materialization_data.materialization
            asset, metadata = (
                materialization.asset_key.to_user_string(),
                {key: value.value for key, value in materialization.metadata.items()},
            )
            outcome.materializations[asset] = metadata
            if materialization.partition is not None:
                outcome.partition_materializations.setdefault(asset, {})[materialization.partition] = metadata
        elif event.event_type == dg.DagsterEventType.ASSET_OBSERVATION:
            observation = event.asset_observation_data.asset_observation
            outcome.observations[observation.asset_key.to_user_string()] = {
                key: value.value for key, value in observation.metadata.items()
            }
    return outcome
