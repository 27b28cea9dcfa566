"""The push of valid attendance records to Bayzat, one partition per company, each record exactly once."""

import warnings
from collections import Counter
from collections.abc import Iterator
from typing import Any

import dagster as dg

from hr_assets.defs.bayzat import store
from hr_assets.defs.bayzat.push import PushSummary, push_companies
from hr_assets.defs.bayzat.resources import BayzatResource
from hr_assets.defs.shared import attendance_pushes
from hr_assets.defs.shared.companies import company_by_slug
from hr_assets.defs.shared.freshness import WITHIN_8_DAYS
from hr_assets.defs.shared.partitions import bayzat_company_partitions
from hr_assets.lib.clock import Clock
from hr_assets.lib.secrets import SecretKeyError
from hr_assets.warehouse.metadata import row_count, rows_table, table_definition
from hr_assets.warehouse.resource import WarehouseResource
from hr_assets.warehouse.tables import bayzat_sync_batches as bayzat_sync_batches_table

# ``backfill_policy`` is marked beta in Dagster 1.13; its warning would be printed by every command that loads the
# definitions, and tells an operator nothing.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.BetaWarning)

    @dg.asset(
        partitions_def=bayzat_company_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="bayzat",
        freshness_policy=WITHIN_8_DAYS,
        kinds={"api", "sql"},
        owners=["team:hr-ops"],
        metadata=table_definition(bayzat_sync_batches_table),
        deps=[dg.AssetDep("attendance_records", partition_mapping=dg.AllPartitionMapping())],
        description=(
            "The company's due attendance records sent to Bayzat (20 a request, one request per "
            "BAYZAT_RATE_LIMIT_DELAY per key), each record's status kept in bayzat_record_pushes and each "
            "run's work per import in bayzat_sync_batches. A re-run sends only what is due: nothing is sent twice. "
            "A backfill over many companies is one run, pushing every company at once, each at its own key's limit."
        ),
    )
    def bayzat_sync_batches(
        context: dg.AssetExecutionContext, bayzat: BayzatResource, warehouse: WarehouseResource, clock: Clock
    ) -> Iterator[dg.AssetMaterialization | dg.MaterializeResult[Any]]:
        """Each company of the run is its own partition's materialization, with its own metadata. When some fail,
        the others are still materialized (each its own event, as a failing step has no output), and the run fails
        saying which failed and why."""
        slugs = context.partition_keys
        try:
            pushes = push_companies(warehouse.engine, slugs, bayzat, context.run.run_id, clock.now)
        except SecretKeyError as exc:
            raise dg.Failure(description=str(exc)) from None
        for push in pushes:
            if push.summary.stopped and push.failure is None:
                context.log.warning(f"{push.summary.company}: {push.summary.stopped}")
            if push.summary.answers_unread:
                context.log.warning(
                    f"{push.summary.company}: Bayzat's answer about {push.summary.answers_unread} punches could not be "
                    "read, so their records stay due and are retried as scheduled; hr-assets bayzat failed shows "
                    "each answer"
                )
        state = _companies_state(warehouse, [push.summary.company for push in pushes if push.failure is None], bayzat)
        materialized = {
            push.summary.company: {**state[push.summary.company], **_push_metadata(push.summary)}
            for push in pushes
            if push.failure is None
        }
        failures = [push.failure for push in pushes if push.failure is not None]
        if failures:
            for slug, metadata in materialized.items():
                yield dg.AssetMaterialization(asset_key=context.asset_key, partition=slug, metadata=metadata)
            heading = (
                "" if len(slugs) == 1 else f"{len(failures)} of {len(slugs)} companies failed, the others pushed: "
            )
            raise dg.Failure(description=heading + "; ".join(failures))
        for slug, metadata in materialized.items():
            context.add_asset_metadata(metadata, partition_key=slug)
        yield dg.MaterializeResult()


def _push_metadata(summary: PushSummary) -> dict[str, object]:
    """The push's counts: each due record in one fate, so that ``due`` is the sum of the fates (``PushSummary``)."""
    return {
        "due": summary.due,
        "synced": summary.synced,
        "already_in_bayzat": summary.already_in_bayzat,
        "rejected": summary.rejected,
        "retry_scheduled": summary.retry_scheduled,
        "retries_exhausted": summary.retries_exhausted,
        "not_sent": summary.not_sent,
        "skipped_without_punches": summary.skipped,
        "answers_unread": summary.answers_unread,
        "sent_one_by_one": summary.sent_one_by_one,
        "requests": summary.requests,
        "throttled_429": summary.throttled,
        "stopped": summary.stopped or "no",
        "interrupted_batches_closed": summary.interrupted_batches_closed,
    }


ATTENTION_ROWS = 50
_ATTENTION_COLUMNS = {
    "employee_code": "string",
    "date": "date",
    "import_id": "int",
    "batch_id": "int",
    "retries_left": "int",
    "reason": "string",
}


def _companies_state(
    warehouse: WarehouseResource, slugs: list[str], bayzat: BayzatResource
) -> dict[str, dict[str, Any]]:
    """What each company's asset page shows after a push: its records by status, its failure rate (plotted across
    pushes), the first failed records that need a person (codes, never names), and the table's row count."""
    with warehouse.engine.connect() as connection:
        counts = store.company_status(connection)
        standard = row_count(connection, bayzat_sync_batches_table)
        state = {}
        for slug in slugs:
            company_id = company_by_slug(connection, slug)["id"]
            failed = store.failed_records(
                connection, company_id=company_id, retry_attempts=bayzat.max_retry_attempts, limit=ATTENTION_ROWS
            )
            company_counts = counts.get(company_id, Counter())
            state[slug] = {
                **standard,
                "records_by_status": rows_table(
                    [{"status": status, "records": company_counts[status]} for status in attendance_pushes.STATUSES],
                    {"status": "string", "records": "int"},
                ),
                "failure_rate": dg.MetadataValue.float(round(store.failure_rate(company_counts), 4)),
                "records_needing_attention": rows_table(failed, _ATTENTION_COLUMNS),
            }
    return state
