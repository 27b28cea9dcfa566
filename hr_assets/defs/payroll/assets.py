"""Payroll results: each pay period's gross pay per employee, computed once per period."""

import datetime as dt
from typing import Any

import dagster as dg
from pydantic import Field

from hr_assets.defs.payroll import store
from hr_assets.defs.payroll.periods import PeriodError
from hr_assets.defs.payroll.processing import process_period
from hr_assets.defs.payroll.results import SHOWN, pay_results
from hr_assets.defs.shared.partitions import keys_name, payroll_period_partitions
from hr_assets.lib.clock import Clock
from hr_assets.settings import Settings
from hr_assets.warehouse import tables
from hr_assets.warehouse.metadata import amount, row_count, rows_table, table_definition
from hr_assets.warehouse.resource import WarehouseResource

PAY_TABLE_ROWS = 1000


class PayrollRunConfig(dg.Config):
    force: bool = Field(False, description="Process periods already completed again (their results are replaced).")


def payroll_results_asset(settings: Settings) -> dg.AssetsDefinition:
    """Pay per period, its failed steps retried after HR_PAYROLL_RETRY_DELAY_SECONDS, doubled each time."""

    @dg.asset(
        partitions_def=payroll_period_partitions,
        group_name="payroll",
        kinds={"python", "sql"},
        owners=["team:finance"],
        deps=[
            dg.AssetDep("paycom_employees", partition_mapping=dg.AllPartitionMapping()),
            dg.AssetDep("attendance_records", partition_mapping=dg.AllPartitionMapping()),
        ],
        retry_policy=dg.RetryPolicy(
            max_retries=3,
            delay=settings.payroll_retry_delay_seconds,
            backoff=dg.Backoff.EXPONENTIAL,
            jitter=dg.Jitter.PLUS_MINUS,
        ),
        metadata=table_definition(tables.payroll_results),
        # Asset-level, not per partition: payroll runs at least monthly, so five weeks without a run is a problem.
        freshness_policy=dg.FreshnessPolicy.time_window(
            fail_window=dt.timedelta(days=35), warn_window=dt.timedelta(days=16)
        ),
        description=(
            "Gross pay per employee and pay period (payroll_results), the rates each was paid at "
            "(payroll_result_rates) and each period's totals (payroll_period_totals). One partition per pay period, "
            "named after its first and last day (2026-01-01..2026-01-15), added with the period. Each day is paid with "
            "the roster in force in its week (the weekly snapshots). The period is claimed first, so it is processed "
            "exactly once; a completed one is skipped unless forced. A completed period's materialization shows its "
            "pay per employee (pay_results: codes and names, hours, terms and pay)."
        ),
    )
    def payroll_results(
        context: dg.AssetExecutionContext, config: PayrollRunConfig, warehouse: WarehouseResource, clock: Clock
    ) -> dg.MaterializeResult[Any]:
        try:
            with warehouse.begin() as connection:
                period_id = store.period_of_partition(connection, context.partition_key)["id"]
        except PeriodError as exc:
            raise dg.Failure(description=str(exc), allow_retries=False) from None
        outcome = process_period(warehouse.engine, period_id, context.run.run_id, force=config.force, now=clock.now())
        with warehouse.engine.connect() as connection:
            results_table = row_count(connection, tables.payroll_results)
            completed = store.period(connection, period_id)["status"] == "completed"
            paid = pay_table(pay_results(connection, period_id), period_id) if completed else {}
        if outcome.skipped is not None:
            context.log.info(f"Period {period_id} skipped: {outcome.skipped}")
            return dg.MaterializeResult(
                metadata={
                    "period_id": period_id,
                    "skipped": dg.MetadataValue.text(outcome.skipped),
                    **paid,
                    **results_table,
                }
            )
        totals = outcome.totals
        if totals is None:  # a period not skipped is completed, with its totals
            raise RuntimeError(f"period {period_id} was processed but has no totals")
        return dg.MaterializeResult(
            metadata={
                "period_id": period_id,
                "employees": totals["employees"],
                "gross_pay": amount(totals["gross_pay"]),
                "overtime_hours": amount(totals["overtime_hours"]),
                "hourly_without_attendance": totals["hourly_without_attendance"],
                "without_pay_data": totals["without_pay_data"],
                **paid,
                **results_table,
            }
        )

    return payroll_results


def pay_table(rows: list[dict[str, Any]], period_id: int) -> dict[str, dg.MetadataValue]:
    """The period's pay per employee as the table ``pay_results``: codes, names, hours, terms and pay, no other data
    of the person (results.py). At most PAY_TABLE_ROWS of them, by code: the event log keeps every materialization's
    metadata (10,000 rows would be 2.4 MB each time), and the command and the API list them all."""
    shown: dict[str, dg.MetadataValue] = {"pay_results": rows_table(rows[:PAY_TABLE_ROWS], SHOWN)}
    if len(rows) > PAY_TABLE_ROWS:
        shown["pay_results_shown"] = dg.MetadataValue.text(
            f"the first {PAY_TABLE_ROWS} of {len(rows)} employees by code; all of them: "
            f"hr-assets payroll results --period {period_id}"
        )
    return shown


def add_period_partitions(instance: dg.DagsterInstance, keys: list[str]) -> list[str]:
    """Make each period's key a partition of ``payroll_results`` (those already there are left); the keys added."""
    name = keys_name(payroll_period_partitions)
    missing = [key for key in keys if not instance.has_dynamic_partition(name, key)]
    if missing:
        instance.add_dynamic_partitions(name, missing)
    return missing
