"""What a person does by hand from the UI: the launchpad of ``bayzat_retry_failed`` retries the failed records of
one import, one batch or one company (``hr-assets bayzat retry-failed`` does the same), audited as the command is;
``push_after_retry`` then pushes the companies with records due."""

import dagster as dg
from pydantic import Field

from hr_assets.defs.bayzat.resources import BayzatResource
from hr_assets.defs.bayzat.retry_failed import companies_due, retry_failed
from hr_assets.defs.bayzat.schedules import bayzat_push_job, push_requests
from hr_assets.defs.shared.companies import CompanyError
from hr_assets.lib import launched
from hr_assets.lib.clock import Clock
from hr_assets.warehouse.resource import WarehouseResource

RECORDS_RESET = "records_reset"


class RetryFailedConfig(dg.Config):
    """Which failed records to send again: give at least one; given together, only the records all of them name."""

    import_id: int | None = Field(
        None,
        description=(
            "Only the failed records of this attendance import: its id, the import_id column of "
            "records_needing_attention on the bayzat_sync_batches asset page (or hr-assets attendance imports)."
        ),
    )
    batch_id: int | None = Field(
        None,
        description=(
            "Only the failed records of this push batch: its id, the batch_id column of records_needing_attention."
        ),
    )
    company: str | None = Field(
        None,
        description="Only this company's failed records: its slug, the bayzat_sync_batches partition (e.g. advline).",
    )


@dg.op(
    description=(
        "Set the chosen failed records back to pending with a fresh retry budget, audited; push_after_retry then "
        "pushes their companies."
    )
)
def reset_failed_records(
    context: dg.OpExecutionContext,
    config: RetryFailedConfig,
    warehouse: WarehouseResource,
    bayzat: BayzatResource,
    clock: Clock,
) -> dg.Output[int]:
    bayzat.check()  # the pushes that follow need the key: say so before changing any record
    if config.import_id is None and config.batch_id is None and config.company is None:
        raise dg.Failure(
            description="say which failed records to retry: give import_id, batch_id or company in the run config",
            allow_retries=False,
        )
    now = clock.now()
    try:
        with warehouse.begin() as connection:
            count, target = retry_failed(
                connection,
                now=now,
                command=launched.command(context),
                actor=launched.actor(context.run),
                slug=config.company,
                import_id=config.import_id,
                batch_id=config.batch_id,
            )
    except CompanyError as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from None
    context.log.info(f"{count} failed record(s) of {target} set to be sent again")
    return dg.Output(count, metadata={RECORDS_RESET: count, "target": target})


@dg.job(
    description=(
        "Send failed Bayzat records again, with a fresh retry budget: one import's, one batch's or one company's "
        "(the run config says which); the companies with records due are then pushed (push_after_retry)."
    )
)
def bayzat_retry_failed() -> None:
    reset_failed_records()


def records_reset(instance: dg.DagsterInstance, run_id: str) -> int:
    """How many records the run of ``bayzat_retry_failed`` reset, from its output's metadata."""
    reset = 0
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_OUTPUT):
        found = entry.dagster_event.step_output_data.metadata.get(RECORDS_RESET) if entry.dagster_event else None
        if isinstance(found, dg.IntMetadataValue) and found.value is not None:
            reset += found.value
    return reset


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[bayzat_retry_failed],
    request_job=bayzat_push_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After a retry of failed records, push every company with records due, whatever its frequency.",
)
def push_after_retry(
    context: dg.RunStatusSensorContext, warehouse: WarehouseResource, bayzat: BayzatResource, clock: Clock
) -> list[dg.RunRequest] | dg.SkipReason:
    if problem := bayzat.problem():
        return dg.SkipReason(problem)
    run_id = context.dagster_run.run_id
    if not records_reset(context.instance, run_id):
        return dg.SkipReason(f"run {run_id} found no failed record to retry")
    with warehouse.begin() as connection:
        slugs = companies_due(connection, clock.now())
    return push_requests(context.instance, slugs, f"retry-{run_id}")
