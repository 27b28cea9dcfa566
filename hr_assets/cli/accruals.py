"""``hr-assets accruals``: close and re-open accrual months, and list them with their catch-ups."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

import click

from hr_assets.cli.output import json_option, print_lines
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


LIST_COLUMNS = (
    "month",
    "recognized_in_month",
    "catch_up",
    "deferred_balance",
    "closed",
    "closed_at",
    "closed_by",
    "reopened_at",
    "reopened_by",
)


@accruals.command("list")
@json_option
def list_(as_json: bool) -> None:
    """Every stored month: recognized (of it the catch-ups), deferred, and whether it is closed, when and by whom."""
    with warehouse().connect() as connection:
        rows = []
        for month in store.stored_months(connection):
            summary, record = store.booked_summary(connection, month), store.close_of(connection, month) or {}
            rows.append(
                {
                    "month": f"{month:%Y-%m}",
                    "recognized_in_month": summary["recognized_in_month"],
                    "catch_up": store.catch_up_in_month(connection, month),
                    "deferred_balance": summary["deferred_balance"],
                    "closed": bool(record) and record["reopened_at"] is None,
                }
                | {column: record.get(column) for column in LIST_COLUMNS[5:]}
            )
    empty = "No accrual months yet (hr-assets sync --from-step accruals)."
    print_lines(rows, LIST_COLUMNS, as_json=as_json, empty=empty, line=_month_line)


def _month_line(row: Mapping[str, Any]) -> str:
    state = "open"
    if row["closed"]:
        state = f"closed {row['closed_at']:%Y-%m-%d %H:%M} by {row['closed_by']}"
    elif row["closed_at"]:
        state = f"open (reopened {row['reopened_at']:%Y-%m-%d %H:%M} by {row['reopened_by']})"
    return (
        f"{row['month']}  recognized {row['recognized_in_month']:>14} (catch-up {row['catch_up']})  "
        f"deferred {row['deferred_balance']:>14}  {state}"
    )
