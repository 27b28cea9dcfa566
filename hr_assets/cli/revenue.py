"""``hr-assets sync``: the old sync script's interface, launching a backfill of the revenue chain."""

import datetime as dt

import click
import dagster as dg

from hr_assets.cli.jobs import (
    DEFAULT_UI,
    IN_PROCESS_OPTION,
    check_integrations,
    check_webserver,
    in_process,
    integrations_of,
    job_outcome,
    ui_url,
)
from hr_assets.cli.output import json_option, print_rows
from hr_assets.defs.shared.partitions import monthly_partitions
from hr_assets.defs.shared.revenue_chain import STEP_COUNTS, STEPS, assets_from_step
from hr_assets.lib.clock import Clock
from hr_assets.lib.runs import RunOutcome
from hr_assets.lib.webserver import BACKFILLS, launch_asset_backfill
from hr_assets.settings import Settings


def _first_of_month(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form", param_hint=option) from None
    if day.day != 1:
        raise click.BadParameter(f"{value} is not the first day of a month (YYYY-MM-01)", param_hint=option)
    return day


def month_range(
    year: int | None, start_date: str | None, end_date: str | None, today: dt.date, first_year: int
) -> tuple[dt.date, dt.date]:
    """[start, end) as the old script read its options: explicit dates win over --year."""
    start, end = _first_of_month(start_date, "--start-date"), _first_of_month(end_date, "--end-date")
    if (start is None) != (end is None):
        raise click.UsageError("give both --start-date and --end-date, or neither")
    if start is not None and end is not None:
        if end <= start:
            raise click.BadParameter(f"{end} is not after --start-date {start}", param_hint="--end-date")
        return start, end
    year = today.year if year is None else year
    if not first_year <= year <= today.year:
        raise click.BadParameter(
            f"{year} is outside {first_year}..{today.year} (HR_HISTORY_START to this year)", param_hint="--year"
        )
    this_month = today.replace(day=1)
    return dt.date(year, 1, 1), min(dt.date(year + 1, 1, 1), (this_month + dt.timedelta(days=32)).replace(day=1))


def _steps() -> list[dict[str, object]]:
    """The steps in their fixed order, with each one's asset and what it does."""
    from hr_assets.definitions import defs  # loading the code location is for this listing only

    definitions = defs()
    rows = []
    for order, (step, asset) in enumerate(STEPS.items(), start=1):
        description = definitions.resolve_assets_def(asset).specs_by_key[dg.AssetKey(asset)].description or ""
        kind = "a step of its own (--from-step accruals, or --with-accruals)" if step == "accruals" else "import"
        first_sentence = description.split(". ")[0].rstrip(".")
        rows.append({"order": order, "step": step, "asset": asset, "kind": kind, "description": first_sentence})
    return rows


@click.command()
@click.option(
    "--list-steps",
    is_flag=True,
    help="List the steps in their fixed order, with their assets and descriptions, and exit (syncs nothing).",
)
@json_option
@click.option(
    "--from-step",
    type=click.Choice(list(STEPS)),
    show_default="services",
    help="Start here: this import step and every one after it through notion-external-id (accruals: accruals alone).",
)
@click.option(
    "--only-step",
    type=click.Choice(list(STEPS)),
    help="Run this step alone (not with --from-step or --with-accruals).",
)
@click.option("--with-accruals", is_flag=True, help="After the imports, run accruals too.")
@click.option("--year", type=int, help="Every month of this year so far (default: this year).")
@click.option("--start-date", metavar="YYYY-MM-01", help="First month (inclusive).")
@click.option("--end-date", metavar="YYYY-MM-01", help="Month after the last (exclusive).")
@click.option(
    "--webserver",
    default=ui_url,
    show_default=f"HR_DAGSTER_URL or {DEFAULT_UI}",
    help="Where the Dagster webserver listens.",
)
@IN_PROCESS_OPTION
def sync(
    list_steps: bool,
    as_json: bool,
    from_step: str | None,
    only_step: str | None,
    with_accruals: bool,
    year: int | None,
    start_date: str | None,
    end_date: str | None,
    webserver: str,
) -> None:
    """Sync the revenue chain for a range of months, as a backfill visible in the UI (--in-process: here, in one
    run)."""
    if list_steps:
        print_rows(_steps(), ("order", "step", "asset", "kind", "description"), as_json=as_json, empty="")
        return
    if as_json:
        raise click.UsageError("--json goes with --list-steps (a sync prints what it launched)")
    if only_step is not None and (from_step is not None or with_accruals):
        raise click.UsageError("--only-step runs one step: give it without --from-step and --with-accruals")
    settings = Settings.from_environment()
    today = Clock(timezone=settings.timezone).today()
    start, end = month_range(year, start_date, end_date, today, settings.history_start.year)
    months = monthly_partitions(settings).get_partition_keys()
    keys = [key for key in months if start.isoformat() <= key < end.isoformat()]
    if len(keys) != (end.year - start.year) * 12 + end.month - start.month:
        raise click.BadParameter(
            f"{start:%Y-%m} to {end:%Y-%m} is not within the partitions (HR_HISTORY_START "
            f"{settings.history_start} to this month)",
            param_hint="dates",
        )
    if only_step is not None:
        assets, command = [STEPS[only_step]], f"hr-assets sync --only-step {only_step}"
    else:
        first = from_step or "services"
        assets = assets_from_step(first, with_accruals)
        command = f"hr-assets sync --from-step {first}" + (" --with-accruals" if with_accruals else "")
    check_integrations(*integrations_of(assets))
    what = f"Steps: {', '.join(assets)}; months: {keys[0][:7]} to {keys[-1][:7]} ({len(keys)})"
    if not in_process():
        check_webserver(webserver, BACKFILLS)
        backfill_id = launch_asset_backfill(webserver, assets, keys, command)
        click.echo(
            f"{what}\nBackfill {backfill_id} launched; follow it at {webserver.rstrip('/')}/runs/b/{backfill_id}"
        )
        return
    outcome = job_outcome("revenue_chain", keys[0], assets=assets, last_partition_key=keys[-1])
    counts = step_counts(outcome)
    if outcome.success or counts:  # a failed run shows what it did before its error line
        done = "Done in one run" if outcome.success else "Ran in one run"
        click.echo("\n".join([what, *counts, f"{done} ({outcome.run_id}); see it in the UI."]))
    outcome.raise_if_failed(ui_url())


def step_counts(outcome: RunOutcome) -> list[str]:
    """A line per step the run materialized, with the step's counts (``STEP_COUNTS``) over the months it stored: a
    range's one materialization already adds its months up (it names them), months materialized one by one (the
    others of a range that failed some) are added up here."""
    lines = []
    for step, asset in STEPS.items():
        by_month = list(outcome.partition_materializations.get(asset, {}).values())
        if not by_month and asset in outcome.materializations:
            by_month = [outcome.materializations[asset]]  # an unpartitioned step (services)
        if not by_month:
            continue
        ranged = len(by_month) == 1 or "months" in by_month[0]
        figures = {name: by_month[0][name] if ranged else sum(m[name] for m in by_month) for name in STEP_COUNTS[step]}
        stored = len(outcome.partition_materializations.get(asset, {}))
        months = f" ({stored} month{'' if stored == 1 else 's'})" if stored else ""
        shown = ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in figures.items())
        lines.append(f"  {step}{months}: {shown}")
    return lines
