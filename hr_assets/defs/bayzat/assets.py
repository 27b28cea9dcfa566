"""The push of valid attendance records to Bayzat, one partition per company, each record exactly once."""

from collections import Counter

import dagster as dg

from hr_assets.defs.attendance.assets import attendance_records
from hr_assets.defs.bayzat import store
from hr_assets.defs.bayzat.push import LeaseBusy, push_company
from hr_assets.defs.bayzat.resources import BayzatResource
from hr_assets.defs.companies.store import CompanyError, company_by_slug
from hr_assets.defs.freshness import WITHIN_8_DAYS
from hr_assets.defs.partitions import bayzat_company_partitions
from hr_assets.lib.clock import Clock
from hr_assets.lib.secrets import SecretKeyError
from hr_assets.warehouse.metadata import rows_table, table_metadata
from hr_assets.warehouse.resource import WarehouseResource
from hr_assets.warehouse.tables import bayzat_sync_batches as bayzat_sync_batches_table


@dg.asset(
    partitions_def=bayzat_company_partitions,
    group_name="bayzat",
    freshness_policy=WITHIN_8_DAYS,
    kinds={"api", "sql"},
    owners=["team:hr-ops"],
    deps=[dg.AssetDep(attendance_records, partition_mapping=dg.AllPartitionMapping())],
    description=(
        "The company's due attendance records sent to Bayzat (20 a request, one request per "
        "BAYZAT_RATE_LIMIT_DELAY per key), each record's status kept in bayzat_record_pushes and each "
        "run's work per import in bayzat_sync_batches. A re-run sends only what is due: nothing is sent twice."
    ),
)
def bayzat_sync_batches(
    context: dg.AssetExecutionContext, bayzat: BayzatResource, warehouse: WarehouseResource, clock: Clock
) -> dg.MaterializeResult:
    try:
        summary = push_company(warehouse.engine, context.partition_key, bayzat, context.run.run_id, clock.now)
    except (CompanyError, LeaseBusy, SecretKeyError) as exc:
        raise dg.Failure(description=f"{context.partition_key}: {exc}") from None
    if summary.key_refused:
        raise dg.Failure(
            description=(
                f"Bayzat refused {summary.company}'s API key: {summary.synced} records synced before that, the rest "
                f"wait unsent with no retry spent; configure a new key (hr-assets bayzat configure --company "
                f"{summary.company})"
            )
        )
    if summary.stopped:
        context.log.warning(f"{summary.company}: {summary.stopped}")
    return dg.MaterializeResult(
        metadata={
            **_company_state(warehouse, context.partition_key, bayzat.retry_attempts),
            "due": summary.due,
            "synced": summary.synced,
            "already_in_bayzat": summary.already_in_bayzat,
            "rejected": summary.rejected,
            "retry_scheduled": summary.retry_scheduled,
            "retries_exhausted": summary.retries_exhausted,
            "skipped_without_punches": summary.skipped,
            "requests": summary.requests,
            "throttled_429": summary.throttled,
            "stopped": summary.stopped or "no",
            "interrupted_batches_closed": summary.interrupted_batches_closed,
        }
    )


ATTENTION_ROWS = 50
_ATTENTION_COLUMNS = {
    "employee_code": "string",
    "date": "date",
    "import_id": "int",
    "batch_id": "int",
    "retries_left": "int",
    "reason": "string",
}


def _company_state(warehouse: WarehouseResource, slug: str, retry_attempts: int) -> dict[str, object]:
    """What the asset page shows after a push: the company's records by status, its failure rate (plotted across
    pushes), the first failed records that need a person (codes, never names), and the table's standard keys."""
    with warehouse.engine.connect() as connection:
        company_id = company_by_slug(connection, slug)["id"]
        counts = store.company_status(connection).get(company_id, Counter())
        failed = store.failed_records(
            connection, company_id=company_id, retry_attempts=retry_attempts, limit=ATTENTION_ROWS
        )
        standard = table_metadata(connection, bayzat_sync_batches_table)
    return {
        **standard,
        "records_by_status": rows_table(
            [{"status": status, "records": counts[status]} for status in store.STATUSES],
            {"status": "string", "records": "int"},
        ),
        "failure_rate": dg.MetadataValue.float(round(store.failure_rate(counts), 4)),
        "records_needing_attention": rows_table(failed, _ATTENTION_COLUMNS),
    }
