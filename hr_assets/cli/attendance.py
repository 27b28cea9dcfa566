"""``hr-assets attendance``: import a file as the inbox sensor does, and the imports with their Bayzat status."""

from collections import Counter
from pathlib import Path

import click

from hr_assets.cli.jobs import IN_PROCESS_OPTION, run_job
from hr_assets.cli.output import json_option, print_rows
from hr_assets.cli.warehouse import warehouse
from hr_assets.defs.attendance import store
from hr_assets.defs.attendance.assets import attendance_file_config
from hr_assets.defs.attendance.importing import content_sha256, partition_key, store_attendance_file
from hr_assets.defs.attendance.sync_status import COLUMNS as SYNC_COLUMNS
from hr_assets.defs.attendance.sync_status import import_sync_status
from hr_assets.defs.shared import attendance_pushes
from hr_assets.defs.shared.companies import all_companies
from hr_assets.defs.shared.partitions import attendance_file_partitions
from hr_assets.lib.clock import Clock
from hr_assets.lib.runs import add_dynamic_partition


@click.group()
def attendance() -> None:
    """Fingerprint attendance files."""


@attendance.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@IN_PROCESS_OPTION
def import_(file: Path) -> None:
    """Import FILE in a run through the run queue, waiting for it (the run shows in the UI); every row is stored.
    The file is stored in the warehouse first, where the run reads it."""
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
    unmapped = [row.data["department"] for row in summary["unmapped_departments"].records] if summary else []
    if unmapped:
        click.echo(
            "Departments no company maps (hr-assets companies map-department DEPT --company SLUG):\n"
            + "\n".join(f"- {name}" for name in unmapped)
        )


IMPORT_COLUMNS = ("id", "filename", "status", "total_records", "successful_records", "failed_records", "created_at")


@attendance.command("imports")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@json_option
def imports(limit: int, as_json: bool) -> None:
    """The newest imports, each with its rows and its records' Bayzat status per company."""
    with warehouse().connect() as connection:
        rows = store.recent_imports(connection, limit)
        status = attendance_pushes.import_company_status(connection, [row["id"] for row in rows])
        slugs = {company["id"]: company["slug"] for company in all_companies(connection)}
    for row in rows:
        row["bayzat"] = _sync_status(status.get(row["id"], {}), slugs)
    print_rows(rows, (*IMPORT_COLUMNS, "bayzat"), as_json=as_json, empty="No attendance imports yet.")


@attendance.command("show")
@click.argument("import_id", type=int)
@json_option
def show(import_id: int, as_json: bool) -> None:
    """One import: its file, rows and first errors, and its records' Bayzat status per company."""
    with warehouse().connect() as connection:
        found = store.import_by_id(connection, import_id)
        if found is None:
            raise click.ClickException(f"no attendance import {import_id} (see: hr-assets attendance imports)")
        companies = import_sync_status(connection, import_id)
    if as_json:
        print_rows([{**found, "companies": companies}], (*IMPORT_COLUMNS, "unmapped_departments", "validation_errors",
                                                         "companies"), as_json=True, empty="")  # fmt: skip
        return
    for name in (*IMPORT_COLUMNS[1:], "encoding", "run_id", "completed_at"):
        click.echo(f"{name + ':':<20} {found[name] if found[name] is not None else '-'}")
    click.echo(f"{'unmapped:':<20} {', '.join(found['unmapped_departments'] or []) or 'none'}")
    click.echo()
    print_rows(companies, SYNC_COLUMNS, as_json=False, empty="No valid records for a company.")
    errors = found["validation_errors"] or []
    if errors:
        click.echo()
        first = [{"row": e.get("row_number"), "field": e.get("field"), "reason": e.get("reason")} for e in errors]
        print_rows(first, ("row", "field", "reason"), as_json=False, empty="")
        click.echo(f"(the first {len(errors)}; every error: hr-assets errors list --source attendance)")


def _sync_status(by_company: dict[int, Counter[str]], slugs: dict[int, str]) -> str:
    """``advline 40 synced, 2 failed; gulfco 12 pending``: each company's statuses that have records."""
    return (
        "; ".join(
            f"{slugs.get(company_id, '-')} "
            + ", ".join(f"{counts[name]} {name}" for name in attendance_pushes.STATUSES if counts[name])
            for company_id, counts in sorted(by_company.items())
        )
        or "-"
    )
