"""Payroll results: each pay period's gross pay per employee, computed once per period."""

import datetime as dt
from decimal import Decimal

import dagster as dg
from pydantic import Field

from hr_assets.defs.partitions import monthly_partitions
from hr_assets.defs.payroll import store
from hr_assets.defs.payroll.processing import process_period
from hr_assets.lib.clock import Clock
from hr_assets.settings import PayrollSettings, load
from hr_assets.warehouse.resource import WarehouseResource

PERIOD_TAG = "hr_assets/payroll_period"
payroll_settings = load(PayrollSettings)


class PayrollRunConfig(dg.Config):
    force: bool = Field(False, description="Process periods already completed again (their results are replaced).")


@dg.asset(
    partitions_def=monthly_partitions,
    group_name="payroll",
    kinds={"python", "sql"},
    owners=["team:finance"],
    deps=[
        dg.AssetDep("paycom_employees", partition_mapping=dg.AllPartitionMapping()),
        dg.AssetDep("attendance_records", partition_mapping=dg.AllPartitionMapping()),
    ],
    retry_policy=dg.RetryPolicy(
        max_retries=3,
        delay=payroll_settings.retry_delay_seconds,
        backoff=dg.Backoff.EXPONENTIAL,
        jitter=dg.Jitter.PLUS_MINUS,
    ),
    # Asset-level, not per partition: payroll runs at least monthly, so five weeks without a run is a problem.
    freshness_policy=dg.FreshnessPolicy.time_window(
        fail_window=dt.timedelta(days=35), warn_window=dt.timedelta(days=16)
    ),
    description=(
        "Gross pay per employee and pay period (payroll_results) with each period's totals (payroll_period_totals). "
        "A month's partition holds the periods that start in it: every rule makes a period due on or after its "
        "first day, so its month is always a partition when it comes due, and each period belongs to exactly one "
        "month. A run started for one period (the automation, hr-assets payroll run) processes that one; a "
        "materialization or backfill from the UI processes every period of the month. Each period is claimed "
        "first, so it is processed exactly once; completed ones are skipped unless forced."
    ),
)
def payroll_results(
    context: dg.AssetExecutionContext, config: PayrollRunConfig, warehouse: WarehouseResource, clock: Clock
) -> dg.MaterializeResult:
    month = dt.date.fromisoformat(context.partition_key)
    tagged = context.run.tags.get(PERIOD_TAG)
    with warehouse.begin() as connection:
        in_month = store.period_ids_starting_in(connection, month)
    if tagged is not None:
        if not tagged.isdigit() or int(tagged) not in in_month:
            raise dg.Failure(
                description=f"{PERIOD_TAG} {tagged}: no pay period with that id starts in {month:%Y-%m}",
                allow_retries=False,
            )
        in_month = [int(tagged)]
    outcomes = [
        process_period(warehouse.engine, period_id, context.run.run_id, force=config.force, now=clock.now())
        for period_id in in_month
    ]
    done = [outcome for outcome in outcomes if outcome.totals is not None]
    skipped = [outcome for outcome in outcomes if outcome.skipped is not None]
    for outcome in skipped:
        context.log.info(f"Period {outcome.period_id} skipped: {outcome.skipped}")
    # Counts and amounts only: no employee codes, names or individual pay in the metadata.
    return dg.MaterializeResult(
        metadata={
            "periods_processed": dg.MetadataValue.text(", ".join(str(o.period_id) for o in done) or "none"),
            "periods_skipped": dg.MetadataValue.md(
                "\n".join(f"- {o.period_id}: {o.skipped}" for o in skipped) or "none"
            ),
            "employees": sum(o.totals["employees"] for o in done),
            "gross_pay": str(sum((o.totals["gross_pay"] for o in done), start=Decimal("0.00"))),
            "overtime_hours": str(sum((o.totals["overtime_hours"] for o in done), start=Decimal("0.00"))),
            "hourly_without_attendance": sum(o.totals["hourly_without_attendance"] for o in done),
            "without_pay_data": sum(o.totals["without_pay_data"] for o in done),
        }
    )
