"""``hr-assets accruals``: close and re-open accrual months, and list them with their catch-ups."""

import datetime as dt

import click

from hr_assets.cli.warehouse import running_command, warehouse
from hr_assets.defs.accruals import ledger, store
from hr_assets.defs.accruals.closing import change_month
from hr_assets.lib.clock import Clock


def _month(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{value}-01")
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a month in YYYY-MM form", param_hint="MONTH") from None


@click.group()
def accruals() -> None:
    """Accrual months: a month is closed when its close runs, and never changes while closed."""


@accruals.command("close")
@click.argument("month")
def close(month: str) -> None:
    """Book MONTH (YYYY-MM) from the lines as they are and close it: what its lines owe it later is a catch-up in
    the first open month after it."""
    first_day, who = _month(month), ledger.operator()
    with warehouse().begin() as connection:
        try:
            now = Clock().now()
            change_month(connection, "close", first_day, now, by=who, command=running_command())
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        summary = store.booked_summary(connection, first_day)
    click.echo(
        f"Closed {month} by {who}: recognized {summary['recognized_in_month']}, deferred {summary['deferred_balance']}"
    )


@accruals.command("reopen")
@click.argument("month")
def reopen(month: str) -> None:
    """Open MONTH (YYYY-MM) again and book it, and every open month stored, from the lines as they are now."""
    first_day, who = _month(month), ledger.operator()
    with warehouse().begin() as connection:
        try:
            now = Clock().now()
            change_month(connection, "reopen", first_day, now, by=who, command=running_command())
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        summary = store.booked_summary(connection, first_day)
    click.echo(f"Reopened {month} by {who}: recognized {summary['recognized_in_month']}")


@accruals.command("list")
def list_() -> None:
    """Every stored month: recognized (of it the catch-ups), deferred, and whether it is closed, when and by whom."""
    with warehouse().connect() as connection:
        months = store.stored_months(connection)
        if not months:
            click.echo("No accrual months yet (hr-assets sync --from-step accruals).")
        for month in months:
            summary, record = store.month_summary(connection, month), store.close_of(connection, month)
            state = "open"
            if record and record["reopened_at"] is None:
                state = f"closed {record['closed_at']:%Y-%m-%d %H:%M} by {record['closed_by']}"
            elif record:
                state = f"open (reopened {record['reopened_at']:%Y-%m-%d %H:%M} by {record['reopened_by']})"
            click.echo(
                f"{month:%Y-%m}  recognized {summary['recognized_in_month']:>14} "
                f"(catch-up {store.catch_up_in_month(connection, month)})  "
                f"deferred {summary['deferred_balance']:>14}  {state}"
            )
