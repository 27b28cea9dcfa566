"""``hr-assets payroll``: pay periods, their automation rules, and payroll runs by hand."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import click

from hr_assets.cli.jobs import run_job
from hr_assets.cli.warehouse import warehouse
from hr_assets.defs.partitions import monthly_partitions
from hr_assets.defs.payroll import store
from hr_assets.defs.payroll.assets import PERIOD_TAG, payroll_settings
from hr_assets.defs.payroll.periods import PERIOD_TYPES, STATUSES, PeriodDates, PeriodError, calendar_of
from hr_assets.defs.payroll.processing import release_stale
from hr_assets.defs.payroll.rules import Rule, evaluate, parse_rule
from hr_assets.lib.clock import Clock
from hr_assets.lib.runs import the_instance
from hr_assets.settings import PlatformSettings, load

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
    settings = load(PlatformSettings)
    dates = PeriodDates(start.date(), end.date(), period_type)
    with warehouse().begin() as connection:
        period_id = store.add_period(
            connection,
            dates,
            _rule(rule),
            timezone=settings.timezone,
            history_start=settings.history_start,
            now=Clock().now(),
        )
    click.echo(f"Added period {period_id}: {period_type} {dates.start} to {dates.end}, {rule or 'run by hand'}")


@payroll.command("generate")
@click.option("--type", "period_type", type=click.Choice(PERIOD_TYPES), required=True)
@click.option("--start", "start", type=_DATE, required=True, help="The first period's first day.")
@click.option("--until", "until", type=_DATE, required=True, help="No period starts after this day.")
@click.option("--rule", help="Automation rule for every period, as JSON; without it, run by hand only.")
def generate(period_type: str, start: dt.datetime, until: dt.datetime, rule: str | None) -> None:
    """Add a calendar of periods of one type; periods that exist already are left as they are."""
    settings = load(PlatformSettings)
    parsed, now = _rule(rule), Clock().now()
    added, kept = [], 0
    with warehouse().begin() as connection:
        existing = {(row["period_type"], row["start_date"], row["end_date"]) for row in store.periods(connection)}
        for dates in calendar_of(period_type, start.date(), until.date()):
            if (dates.period_type, dates.start, dates.end) in existing:
                kept += 1
                continue
            added.append(
                store.add_period(
                    connection,
                    dates,
                    parsed,
                    timezone=settings.timezone,
                    history_start=settings.history_start,
                    now=now,
                )
            )
    ids = f" (ids {added[0]} to {added[-1]})" if added else ""
    click.echo(f"Added {len(added)} {period_type} period(s){ids}; {kept} existed already")


@payroll.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only periods with this status.")
def list_(status: str | None) -> None:
    """The pay periods, their rules and where each stands."""
    tz = ZoneInfo(load(PlatformSettings).timezone)
    with warehouse().connect() as connection:
        rows = store.periods(connection, status)
    if not rows:
        click.echo("No pay periods (hr-assets payroll add-period or generate).")
    for row in rows:
        rule = row["automation_rule"] if row["automation_enabled"] else "by hand"
        when = f"processed {row['processed_at'].astimezone(tz):%Y-%m-%d %H:%M}" if row["processed_at"] else ""
        click.echo(
            f"{row['id']:>5} {row['period_type']:<12} {row['start_date']} to {row['end_date']} "
            f"{row['status']:<10} {rule!s:<28} {when} {row['error_message'] or ''}".rstrip()
        )


@payroll.command("due")
def due() -> None:
    """Which automated periods are due now, and why (or when they will be)."""
    timezone = load(PlatformSettings).timezone
    with warehouse().connect() as connection:
        rows = store.automated_active(connection)
    if not rows:
        click.echo("No automated active periods.")
    for item in evaluate(rows, Clock().now(), timezone):
        click.echo(f"{item.period_id:>5} {'DUE' if item.is_due else 'not yet':<8} {item.why}")


@payroll.command("run")
@click.option("--period-id", type=int, required=True)
@click.option("--force", is_flag=True, help="Run a completed period again (its results are replaced).")
def run(period_id: int, force: bool) -> None:
    """Process one period now, through the Dagster instance (the run shows in the UI)."""
    engine = warehouse()
    with engine.connect() as connection:
        period = store.period(connection, period_id)
    if period["status"] == "completed" and not force:
        click.echo(f"Period {period_id} skipped: {store.why_not_claimed(period)}")
        return
    month = period["start_date"].replace(day=1).isoformat()
    if month not in monthly_partitions.get_partition_keys():
        raise PeriodError(f"period_id {period_id} starts on {period['start_date']}: it can run from its month on")
    if period["status"] == "processing":
        with the_instance() as instance:
            lease = dt.timedelta(minutes=payroll_settings.lease_minutes)
            for released in release_stale(engine, instance, Clock().now(), lease):
                click.echo(f"Released period {released.period_id}: {released.reason}")
    outcome = run_job(
        "payroll_run",
        month,
        run_config={"ops": {"payroll_results": {"config": {"force": force}}}},
        tags={PERIOD_TAG: str(period_id)},
    )
    summary = outcome.materializations.get("payroll_results", {})
    if summary.get("periods_processed") != str(period_id):
        click.echo(f"Run {outcome.run_id}: period {period_id} skipped: {summary.get('periods_skipped')}")
        return
    click.echo(
        f"Run {outcome.run_id}: period {period_id} completed: {summary.get('employees')} employees, gross pay "
        f"{summary.get('gross_pay')}, {summary.get('hourly_without_attendance')} hourly without attendance"
    )
