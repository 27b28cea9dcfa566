"""``hr-assets paycom``: test the SFTP login and run the weekly sync by hand."""

import json

import click

from hr_assets.cli.jobs import IN_PROCESS_OPTION, check_integrations, run_job
from hr_assets.cli.output import json_option, print_rows
from hr_assets.cli.warehouse import warehouse
from hr_assets.defs.paycom import store
from hr_assets.defs.paycom.resources import PaycomSftpResource
from hr_assets.defs.shared.partitions import weekly_sync_partitions
from hr_assets.lib.runs import CheckRemedy
from hr_assets.settings import Settings

# What the person who ran the sync can do when a blocking roster check fails it (what the check found comes first).
# Its roster check's week is synced by then, so a corrected push is read only with --force.
ROSTER_CHECK_REMEDIES = {
    "roster_is_whole_and_unique": CheckRemedy(
        "roster", "fix the codes in Paycom's export and run the sync again with --force"
    ),
    "active_headcount_holds": CheckRemedy("headcount", "if the drop is real, run the sync again with --force"),
}


@click.group()
def paycom() -> None:
    """Paycom roster reports over SFTP."""


@paycom.command("test-connection")
def test_connection() -> None:
    """Log in to Paycom SFTP (verifying the pinned host key) and list the remote folder."""
    resource = PaycomSftpResource.for_command()
    entries = resource.test_connection()
    click.echo(f"Connected to {resource.address}, host key verified; {entries} entries in {resource.remote_directory}")


@paycom.command("sync")
@click.option(
    "--report-type",
    type=click.Choice(["directory", "dates", "payees", "pay", "all"]),
    default="all",
    show_default=True,
    help="Sync one report only.",
)
@click.option("--dry-run", is_flag=True, help="List the files that would be downloaded; change nothing.")
@click.option("--force", is_flag=True, help="Sync a week that was already synced; accept a large headcount drop.")
@click.option("--week", metavar="YYYY-MM-DD", help="The Friday that keys the week; default the week in progress.")
@IN_PROCESS_OPTION
def sync(report_type: str, dry_run: bool, force: bool, week: str | None) -> None:
    """Run the Paycom sync for one week through the run queue and wait for it (the run shows in the UI)."""
    weeks = weekly_sync_partitions(Settings.from_environment())
    week = week or weeks.get_last_partition_key()
    if week is None:
        raise click.ClickException("no week to sync yet: HR_HISTORY_START is later than this week")
    if not weeks.has_partition_key(week):
        raise click.BadParameter(f"{week} is not the Friday of a synced week", param_hint="--week")
    check_integrations(PaycomSftpResource)
    config = {"report_type": report_type, "force": force, "dry_run": dry_run}
    run_config = {"ops": {"paycom_roster_files": {"config": config}}}
    outcome = run_job("paycom_sync", week, remedies=ROSTER_CHECK_REMEDIES, run_config=run_config)
    click.echo(f"Run {outcome.run_id} for week {week}: succeeded")
    if dry_run:
        names = outcome.observations.get("paycom_roster_files", {}).get("would_download", [])
        click.echo("Would download:\n" + "\n".join(f"  {name}" for name in names) if names else "Nothing to download.")
    elif "paycom_employees" in outcome.materializations:
        summary = outcome.materializations["paycom_employees"]
        keys = ("employees_processed", "employees_created", "employees_updated", "employees_terminated", "rows_invalid")
        click.echo(json.dumps({key: summary.get(key) for key in keys}))
    else:
        click.echo(f"Week {week} was already synced; nothing was done (use --force to sync it again).")


@paycom.command("files")
@click.option("--weeks", type=click.IntRange(min=1), default=4, show_default=True, help="How many synced weeks.")
@json_option
def files(weeks: int, as_json: bool) -> None:
    """The files each sync chose, downloaded or not, with their status."""
    with warehouse().connect() as connection:
        rows = store.recent_files(connection, weeks)
    columns = ("sync_week", "file_name", "report_type", "size_bytes", "downloaded_at", "status", "error_message")
    print_rows(rows, columns, as_json=as_json, empty="No Paycom files yet (hr-assets paycom sync).")
