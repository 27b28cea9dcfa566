"""The push of valid attendance records to Bayzat, one partition per company, each record exactly once."""

import dagster as dg

from hr_assets.defs.attendance.assets import attendance_records
from hr_assets.defs.bayzat.push import LeaseBusy, push_company
from hr_assets.defs.bayzat.resources import BayzatResource
from hr_assets.defs.companies.store import CompanyError
from hr_assets.defs.freshness import WITHIN_8_DAYS
from hr_assets.defs.partitions import bayzat_company_partitions
from hr_assets.lib.clock import Clock
from hr_assets.lib.secrets import SecretKeyError
from hr_assets.warehouse.resource import WarehouseResource


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
