"""``hr-assets attendance import FILE``: what the inbox sensor does for a file, by hand."""

from pathlib import Path

import click

from hr_assets.cli.jobs import run_job
from hr_assets.cli.warehouse import warehouse
from hr_assets.defs.attendance.assets import attendance_file_config
from hr_assets.defs.attendance.importing import content_sha256, partition_key, store_attendance_file
from hr_assets.defs.partitions import attendance_file_partitions
from hr_assets.lib.clock import Clock
from hr_assets.lib.runs import add_dynamic_partition


@click.group()
def attendance() -> None:
    """Fingerprint attendance files."""


@attendance.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(file: Path) -> None:
    """Import FILE through the Dagster instance (the run shows in the UI); every row is stored. The file is stored
    in the warehouse first, where the run reads it."""
    sha256 = content_sha256(file)
    with warehouse().begin() as connection:
        stored = store_attendance_file(connection, file, sha256, Clock().now())
    key = partition_key(file.name, sha256)
    add_dynamic_partition(attendance_file_partitions, key)
    outcome = run_job("attendance_import", key, run_config=attendance_file_config(stored, str(file.resolve())))
    summary = outcome.materializations.get("attendance_records", {})
    click.echo(
        f"Imported {file.name} as {key}: {summary.get('rows')} rows, {summary.get('valid_records')} valid, "
        f"{summary.get('invalid_records')} invalid (see the run {outcome.run_id} in the UI for the reasons)"
    )
    if "dates_read_as" in summary:
        click.echo(f"Dates read as {summary['dates_read_as']}")
    unmapped = summary.get("unmapped_departments")
    if unmapped and unmapped != "none":
        click.echo("Departments no company maps (hr-assets companies add --fingerprint-name ...):\n" + unmapped)
