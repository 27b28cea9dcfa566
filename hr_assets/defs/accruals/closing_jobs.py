"""What a person does to an accrual month from the UI: the launchpads of ``accruals_close_month`` and
``accruals_reopen_month`` take the month, as ``hr-assets accruals close|reopen`` do, audited as the commands are."""

import datetime as dt

import dagster as dg
from pydantic import Field

from hr_assets.defs.accruals import store
from hr_assets.defs.accruals.closing import MonthAction, change_month
from hr_assets.lib import launched
from hr_assets.lib.clock import Clock
from hr_assets.warehouse.resource import WarehouseResource


class AccrualMonthConfig(dg.Config):
    month: str = Field(description="The accrual month, YYYY-MM (e.g. 2026-01).")


def _first_day(month: str) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise dg.Failure(
            description=f"month {month!r}: write it as YYYY-MM, e.g. 2026-01", allow_retries=False
        ) from None


def _change(
    context: dg.OpExecutionContext, action: MonthAction, month: str, warehouse: WarehouseResource, clock: Clock
) -> dg.Output[None]:
    first_day, now, who = _first_day(month), clock.now(), launched.actor(context.run)
    with warehouse.begin() as connection:
        try:
            change_month(connection, action, first_day, now, by=who, command=launched.command(context))
        except ValueError as exc:
            raise dg.Failure(description=str(exc), allow_retries=False) from None
        summary = store.booked_summary(connection, first_day)
    metadata = {"month": month, "by": who, "recognized": str(summary["recognized_in_month"])}
    if action == "close":
        metadata["deferred"] = str(summary["deferred_balance"])
    return dg.Output(None, metadata=metadata)


@dg.op(description="Book the month one last time and close it: its figures never change while it is closed.")
def close_accrual_month(
    context: dg.OpExecutionContext, config: AccrualMonthConfig, warehouse: WarehouseResource, clock: Clock
) -> dg.Output[None]:
    return _change(context, "close", config.month, warehouse, clock)


@dg.op(description="Open a closed month again and book it, and every open month, from the lines as they are now.")
def reopen_accrual_month(
    context: dg.OpExecutionContext, config: AccrualMonthConfig, warehouse: WarehouseResource, clock: Clock
) -> dg.Output[None]:
    return _change(context, "reopen", config.month, warehouse, clock)


@dg.job(description="Close an accrual month (hr-assets accruals close): what its lines owe it later is a catch-up.")
def accruals_close_month() -> None:
    close_accrual_month()


@dg.job(
    description="Re-open a closed accrual month (hr-assets accruals reopen) and book it from the lines as they are."
)
def accruals_reopen_month() -> None:
    reopen_accrual_month()
