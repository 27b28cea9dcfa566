"""Success and failure notifications of the sync jobs, posted to ``HR_NOTIFY_WEBHOOK_URL``.

Both sensors watch every job of the code location and speak only for the jobs in ``messages.NEXT_STEPS``,
including asset backfills and UI materializations of those jobs' assets.
Without a webhook they send nothing and their tick says so. A refused post fails the tick with the
webhook's one-line answer, which Dagster also records on the run it was about.
"""

from collections.abc import Callable

import dagster as dg

from hr_assets.defs.alerts import messages
from hr_assets.defs.alerts.resources import NotifyResource


def _asset_counts(instance: dg.DagsterInstance, run: dg.DagsterRun) -> dict[str, dict[str, int | str]]:
    """Each materialization's counts by its asset, or, in a run over a range of partitions (many companies' pushes),
    by its asset and partition (``bayzat_sync_batches advline``)."""
    found = {}
    for entry in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
        materialization = entry.asset_materialization
        if materialization is not None:
            label = materialization.asset_key.to_user_string()
            if materialization.partition and "dagster/partition" not in run.tags:
                label = f"{label} {materialization.partition}"
            found[label] = messages.counts(materialization.metadata)
    return found


def _step_errors(context: dg.RunFailureSensorContext) -> list[str]:
    errors = [
        f"{event.step_key}: {messages.readable_error(error.cls_name, error.message)}"
        for event in context.get_step_failure_events()
        if (error := event.step_failure_data.error)
    ]
    return errors or ([context.failure_event.message] if context.failure_event.message else [])


def _notified_job(run: dg.DagsterRun, repository: dg.RepositoryDefinition | None) -> str | None:
    """The notified job a run is: its own job, or for a run of the implicit asset job (an asset backfill, a
    "Materialize" in the UI) the notified job whose assets it ran."""
    if run.job_name in messages.NEXT_STEPS:
        return run.job_name
    if repository is None or not run.asset_selection:
        return None
    return next(
        (
            name
            for name in messages.NEXT_STEPS
            if repository.has_job(name)
            and run.asset_selection <= repository.get_job(name).asset_layer.selected_asset_keys
        ),
        None,
    )


def _send(
    context: dg.RunStatusSensorContext, notify: NotifyResource, text_for: Callable[[str, str | None], str]
) -> dg.SkipReason | None:
    """Posts the run's message; None lets the sensor go on to the next run in the same tick."""
    run = context.dagster_run
    job_name = _notified_job(run, context.repository_def)
    if job_name is None:
        return None
    if problem := notify.problem():
        return dg.SkipReason(f"{problem}: no notification for {job_name} run {run.run_id}")
    notify.post_text(text_for(job_name, notify.run_url(run.run_id)))
    context.log.info(f"Notified the webhook of {job_name} run {run.run_id}")
    return None


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Posts each sync run's success, with its counts and what needs attention (a Bayzat push that failed more "
        "than HR_NOTIFY_FAILURE_RATE of its records, records without retries left), to HR_NOTIFY_WEBHOOK_URL."
    ),
)
def notify_sync_success(context: dg.RunStatusSensorContext, notify: NotifyResource) -> dg.SkipReason | None:
    run = context.dagster_run
    partition, asset_counts = messages.partition_label(run.tags), _asset_counts(context.instance, run)
    attention = messages.needs_attention(partition, asset_counts, notify.failure_rate)
    return _send(
        context,
        notify,
        lambda job_name, link: messages.success_text(job_name, partition, asset_counts, link, attention),
    )


@dg.run_failure_sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Posts each failed sync run's error and next step to HR_NOTIFY_WEBHOOK_URL.",
)
def notify_sync_failure(context: dg.RunFailureSensorContext, notify: NotifyResource) -> dg.SkipReason | None:
    run = context.dagster_run
    return _send(
        context,
        notify,
        lambda job_name, link: messages.failure_text(
            job_name, messages.partition_label(run.tags), _step_errors(context), link
        ),
    )
