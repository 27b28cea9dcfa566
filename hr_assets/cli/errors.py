"""``hr-assets errors``: the rows the imports could not store as data, read whole or exported."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import click
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from hr_assets.cli.output import json_option, print_rows, since_option
from hr_assets.cli.warehouse import warehouse
from hr_assets.defs.bayzat import store as bayzat_store
from hr_assets.warehouse.integration_errors import ERROR_COLUMNS, find_integration_errors

SOURCES = ("paycom", "holded", "4geeks", "notion", "attendance", "bayzat")
_ALSO = (bayzat_store.failures_as_errors(),)  # the push's failed records, kept with their push state
_source_option = click.option("--source", type=click.Choice(SOURCES), help="Only this source's errors.")
_since_option = since_option("errors stored")


@click.group()
def errors() -> None:
    """Integration errors: every input row that was stored as an error, with its file, row, field and reason, and
    every attendance record Bayzat refused or left unsettled (source bayzat), with Bayzat's own words."""


@errors.command("list")
@_source_option
@_since_option
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="At most this many.")
@json_option
def list_(source: str | None, since: dt.datetime | None, limit: int, as_json: bool) -> None:
    """The newest errors first."""
    with warehouse().connect() as connection:
        rows = list(find_integration_errors(connection, source=source, since=since, limit=limit, also=_ALSO))
    print_rows(rows, ERROR_COLUMNS, as_json=as_json, empty="No integration errors.")


@errors.command("export")
@_source_option
@_since_option
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]), required=True, help="The file's format.")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export(source: str | None, since: dt.datetime | None, file_format: str, file: Path) -> None:
    """Write every matching error to FILE, newest first."""
    with warehouse().connect() as connection:
        rows = find_integration_errors(connection, source=source, since=since, also=_ALSO)
        count = (_write_csv if file_format == "csv" else _write_xlsx)(file, rows)
    click.echo(f"Wrote {count} errors to {file}")


def _write_csv(file: Path, rows: Iterable[Mapping[str, Any]]) -> int:
    count = 0
    with file.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(ERROR_COLUMNS)
        for row in rows:
            writer.writerow([_text(row[column]) for column in ERROR_COLUMNS])
            count += 1
    return count


def _write_xlsx(file: Path, rows: Iterable[Mapping[str, Any]]) -> int:
    """A write-only workbook: rows go to the file as they are read, so memory stays flat. Text cells are typed as
    text, so a reason quoting ``=HYPERLINK(...)`` from a file is shown, never run as a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("integration_errors")
    sheet.append(ERROR_COLUMNS)
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(sheet, _text(row[column])) for column in ERROR_COLUMNS])
        count += 1
    workbook.save(file)
    return count


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def _text(value: Any) -> Any:
    """Times as ISO text (a spreadsheet cell cannot hold a timezone); numbers and text as they are."""
    return value.isoformat() if isinstance(value, dt.datetime) else value
