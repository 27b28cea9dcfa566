"""``hr-assets payroll``: pay periods, their automation rules, and payroll runs by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import click

from hr_assets.cli.jobs import ASYNC_OPTION, IN_PROCESS_OPTION, queue_job, run_job, ui_url
from hr_assets.cli.output import json_option, print_csv, print_json, print_lines, print_rows
from hr_assets.cli.warehouse import audited, warehouse
from hr_assets.defs.payroll import store
from hr_assets.defs.payroll.assets import add_period_partitions
from hr_assets.defs.payroll.periods import PERIOD_TYPES, STATUSES, PeriodDates, PeriodError, calendar_of
from hr_assets.defs.payroll.processing import release_stale
from hr_assets.defs.payroll.results import COLUMNS as RESULT_COLUMNS
from hr_assets.defs.payroll.results import SHOWN, completed_period_named, pay_results
from hr_assets.defs.payroll.rules import Rule, evaluate, parse_rule
from hr_assets.defs.payroll.schedules import due_now
from hr_assets.lib.clock import Clock
from hr_assets.lib.runs import the_instance
from hr_assets.settings import Settings

_DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.group()
def payroll() -> None:
    """Pay periods and payroll runs."""


def _rule(text: str | None) -> Rule | None:
    return parse_rule(text) if text is not None else None


@payroll.command("add-period")
@click.option("--start", "start", type=_DATE, required=True, help="First day, YYYY-MM-DD.")
@click.option("--end", "end", type=_DATE, required=True, help="Last day (included), YYYY-MM-DD.")
@click.option("--type", "period_type", type=click.Choice(PERIOD_TYPES), required=True)
@click.option("--rule", help="Automation rule as JSON, e.g. '{\"days_before_end\": 3}'; without it, run by hand only.")
def add_period(start: dt.datetime, end: dt.datetime, period_type: str, rule: str | None) -> None:
    """Add one pay period."""
    settings = Settings.from_environment()
    dates = PeriodDates(start.date(), end.date(), period_type)
    with warehouse().begin() as connection:
        now = Clock().now()
        period_id = store.add_period(connection, dates, _rule(rule), timezone=settings.timezone, now=now)
        audited(
            connection,
            action="payroll.add_period",
            target=f"period {period_id}",
            now=now,
            new={"type": period_type, "start": dates.start, "end": dates.end, "rule": rule},
        )
    with the_instance() as instance:
        add_period_partitions(instance, [dates.partition_key])
    click.echo(f"Added period {period_id}: {period_type} {dates.start} to {dates.end}, {rule or 'run by hand'}")


@payroll.command("generate")
@click.option("--type", "period_type", type=click.Choice(PERIOD_TYPES), required=True)
@click.option("--start", "start", type=_DATE, required=True, help="The first period's first day.")
@click.option("--until", "until", type=_DATE, required=True, help="No period starts after this day.")
@click.option("--rule", help="Automation rule for every period, as JSON; without it, run by hand only.")
def generate(period_type: str, start: dt.datetime, until: dt.datetime, rule: str | None) -> None:
    """Add a calendar of periods of one type; periods that exist already are left as they are."""
    settings = Settings.from_environment()
    parsed, now = _rule(rule), Clock().now()
    added, kept, keys = [], 0, []
    with warehouse().begin() as connection:
        existing = {(row["period_type"], row["start_date"], row["end_date"]) for row in store.periods(connection)}
        for dates in calendar_of(period_type, start.date(), until.date()):
            if (dates.period_type, dates.start, dates.end) in existing:
                kept += 1
                continue
            added.append(store.add_period(connection, dates, parsed, timezone=settings.timezone, now=now))
            keys.append(dates.partition_key)
        if added:
            audited(
                connection,
                action="payroll.generate",
                target=f"periods {added[0]} to {added[-1]}",
                now=now,
                new={"type": period_type, "start": start.date(), "until": until.date(), "rule": rule},
            )
    with the_instance() as instance:
        add_period_partitions(instance, keys)
    ids = f" (ids {added[0]} to {added[-1]})" if added else ""
    click.echo(f"Added {len(added)} {period_type} period(s){ids}; {kept} existed already")


LIST_COLUMNS = (
    "id",
    "period_type",
    "start_date",
    "end_date",
    "status",
    "automation_enabled",
    "automation_rule",
    "processed_at",
    "error_message",
)


@payroll.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only periods with this status.")
@json_option
def list_(status: str | None, as_json: bool) -> None:
    """The pay periods, their rules and where each stands."""
    tz = Settings.from_environment().tz
    with warehouse().connect() as connection:
        rows = store.periods(connection, status)
    empty = "No pay periods (hr-assets payroll add-period or generate)."
    print_lines(rows, LIST_COLUMNS, as_json=as_json, empty=empty, line=partial(_period_line, tz=tz))


def _period_line(row: Mapping[str, Any], tz: ZoneInfo) -> str:
    rule = row["automation_rule"] if row["automation_enabled"] else "by hand"
    when = f"processed {row['processed_at'].astimezone(tz):%Y-%m-%d %H:%M}" if row["processed_at"] else ""
    return (
        f"{row['id']:>5} {row['period_type']:<12} {row['start_date']} to {row['end_date']} "
        f"{row['status']:<10} {rule!s:<28} {when} {row['error_message'] or ''}".rstrip()
    )


@payroll.command("due")
@json_option
def due(as_json: bool) -> None:
    """Which automated periods are due now, and why (or when they will be)."""
    timezone = Settings.from_environment().timezone
    with warehouse().connect() as connection:
        rows = store.automated_active(connection)
    items = [vars(item) for item in evaluate(rows, Clock().now(), timezone)]
    print_lines(
        items,
        ("period_id", "is_due", "due_from", "why"),
        as_json=as_json,
        empty="No automated active periods.",
        line=lambda item: f"{item['period_id']:>5} {'DUE' if item['is_due'] else 'not yet':<8} {item['why']}",
    )


@payroll.command("run")
@click.option("--period-id", type=int, required=True)
@click.option("--force", is_flag=True, help="Run a completed period again (its results are replaced).")
@ASYNC_OPTION
@IN_PROCESS_OPTION
def run(period_id: int, force: bool, in_background: bool) -> None:
    """Process one period now, in a run through the run queue (it shows in the UI)."""
    engine = warehouse()
    with engine.connect() as connection:
        period = store.period(connection, period_id)
    if period["status"] == "completed" and not force:
        click.echo(f"Period {period_id} skipped: {store.why_not_claimed(period)}")
        return
    now, settings = Clock().now(), Settings.from_environment()
    if now.astimezone(settings.tz).date() < period["start_date"]:
        raise PeriodError(f"period_id {period_id} starts on {period['start_date']}: it can run from its first day on")
    key = store.dates_of(period).partition_key
    with the_instance() as instance:
        add_period_partitions(instance, [key])
        if period["status"] == "processing":
            for released in release_stale(engine, instance, now, settings.payroll_lease):
                click.echo(released.line)
    config = {"ops": {"payroll_results": {"config": {"force": force}}}}
    if in_background:
        _queue(period_id, key, config)
        return
    outcome = run_job("payroll_run", key, run_config=config)
    summary = outcome.materializations.get("payroll_results", {})
    if "skipped" in summary:
        click.echo(f"Run {outcome.run_id}: period {period_id} skipped: {summary['skipped']}")
        return
    click.echo(
        f"Run {outcome.run_id}: period {period_id} completed: {summary.get('employees')} employees, gross pay "
        f"{_gross_pay(summary)}, {summary.get('hourly_without_attendance')} hourly without attendance"
    )


def _gross_pay(summary: dict[str, Any]) -> str:
    """The run's gross pay, to the cent: its metadata holds it as a float, which the UI plots."""
    gross = summary.get("gross_pay")
    return "-" if gross is None else f"{gross:.2f}"


@payroll.command("month")
@click.argument("month", metavar="YYYY-MM")
@json_option
def month_(month: str, as_json: bool) -> None:
    """The pay periods that start in a month, each with its status and totals, and the month's sum of those
    completed."""
    try:
        first = dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise PeriodError(f"month {month!r}: write it as YYYY-MM, e.g. 2026-01") from None
    with warehouse().connect() as connection:
        rows = [store.period(connection, period_id) for period_id in store.period_ids_starting_in(connection, first)]
        totals = {row["id"]: store.totals(connection, row["id"]) for row in rows}
    done = [figures for row in rows if row["status"] == "completed" and (figures := totals[row["id"]])]
    gross = sum((figures["gross_pay"] for figures in done), start=Decimal("0.00"))
    if as_json:
        periods = []
        for row in rows:
            figures = (totals[row["id"]] if row["status"] == "completed" else None) or {}
            periods.append(
                {"id": row["id"], "partition_key": store.dates_of(row).partition_key}
                | {name: row[name] for name in ("period_type", "status")}
                | {"employees": figures.get("employees"), "gross_pay": figures.get("gross_pay")}
            )
        print_json({"month": month, "periods": periods, "completed": len(done), "gross_pay": gross})
        return
    if not rows:
        click.echo(f"No pay period starts in {month}.")
        return
    for row in rows:
        shown_figures = totals[row["id"]] if row["status"] == "completed" else None
        shown = (
            f"{shown_figures['employees']} employees, gross pay {shown_figures['gross_pay']}" if shown_figures else ""
        )
        key = store.dates_of(row).partition_key
        click.echo(f"{row['id']:>5} {key} {row['period_type']:<12} {row['status']:<10} {shown}".rstrip())
    complete = "complete" if len(done) == len(rows) else f"{len(rows) - len(done)} period(s) not completed"
    click.echo(f"{month}: {len(done)} of {len(rows)} period(s) completed, gross pay {gross} ({complete})")


@payroll.command("results")
@click.option(
    "--period",
    "named",
    required=True,
    help="The period: its id (hr-assets payroll list), or its days: 2026-01-01..2026-01-15.",
)
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV, one row per employee, for a spreadsheet.")
@json_option
def results(named: str, as_csv: bool, as_json: bool) -> None:
    """A completed period's pay per employee: hours, overtime, the rate and overtime multiplier paid, gross pay.

    Codes and names only: nothing else of the person. Hours are shown to the hundredth; pay comes from the exact
    minutes (the CSV and the JSON have them)."""
    if as_csv and as_json:
        raise click.UsageError("give --csv or --json, not both")
    with warehouse().connect() as connection:
        period = completed_period_named(connection, named)
        rows = pay_results(connection, period["id"])
    if as_csv:
        print_csv(rows, RESULT_COLUMNS)
    elif as_json:
        described = {name: period[name] for name in ("id", "period_type", "start_date", "end_date", "processed_at")}
        print_json(described | {"partition_key": store.dates_of(period).partition_key, "results": rows})
    else:
        print_rows(rows, list(SHOWN), as_json=False, empty=f"Period {period['id']} paid no one.")


def _queue(period_id: int, key: str, run_config: dict[str, Any]) -> None:
    run_id = queue_job("payroll_run", key, run_config=run_config)
    click.echo(f"Queued run {run_id} for period {period_id} ({key}): {ui_url().rstrip('/')}/runs/{run_id}")


@payroll.command("run-due")
@ASYNC_OPTION
@IN_PROCESS_OPTION
def run_due(in_background: bool) -> None:
    """Run every automated period that is due now, as the daily automation would (each a run of its own): first the
    periods of dead runs are released, as the automation releases them."""
    now, settings = Clock().now(), Settings.from_environment()
    with the_instance() as instance:
        found = due_now(warehouse(), instance, now, settings)
    for released in found.released:
        click.echo(released.line)
    if not found.due:
        click.echo(f"No period is due ({found.automated} automated and active).")
        return
    config = {"ops": {"payroll_results": {"config": {"force": False}}}}
    for period in found.due:
        key = store.dates_of(period).partition_key
        if in_background:
            _queue(period["id"], key, config)
            continue
        outcome = run_job("payroll_run", key, run_config=config)
        summary = outcome.materializations.get("payroll_results", {})
        result = summary.get("skipped") or f"{summary.get('employees')} employees, gross pay {_gross_pay(summary)}"
        click.echo(f"Run {outcome.run_id}: period {period['id']}: {result}")


@payroll.command("set-rule")
@click.argument("period_id", type=int)
@click.argument("rule")
def set_rule(period_id: int, rule: str) -> None:
    """Give period PERIOD_ID a new automation RULE (JSON, e.g. '{"days_before_end": 3}'); it is then automated."""
    _change_automation(period_id, "payroll.rule", rule=parse_rule(rule))


@payroll.command("enable")
@click.argument("period_id", type=int)
def enable(period_id: int) -> None:
    """Turn period PERIOD_ID's automation on (it needs a rule)."""
    _change_automation(period_id, "payroll.automation", enabled=True)


@payroll.command("disable")
@click.argument("period_id", type=int)
def disable(period_id: int) -> None:
    """Turn period PERIOD_ID's automation off: it then runs only by hand."""
    _change_automation(period_id, "payroll.automation", enabled=False)


def _change_automation(period_id: int, action: str, *, rule: Rule | None = None, enabled: bool | None = None) -> None:
    now, settings = Clock().now(), Settings.from_environment()
    with warehouse().begin() as connection:
        old, new = store.set_automation(
            connection, period_id, now, timezone=settings.timezone, rule=rule, enabled=enabled
        )
        audited(connection, action=action, target=f"period {period_id}", now=now, old=old, new=new)
    state = "automated" if new.get("automation_enabled", old.get("automation_enabled")) else "run by hand"
    shown = f", rule {new['automation_rule']}" if "automation_rule" in new else ""
    click.echo(f"Period {period_id}: {state}{shown}")
