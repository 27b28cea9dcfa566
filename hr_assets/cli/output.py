"""How the commands print rows: an aligned table for a person, or ``--json`` (one JSON value) for a script.

A *listing* is a command that prints rows or a summary to be read: it calls one of ``PRINTERS`` and takes ``--json``
(``json_option``), so a script reads one JSON value from standard output, the same rows a person reads
(tests/cli/test_listings.py walks the command tree and holds every listing to that).
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import click
from tabulate import tabulate

from hr_assets.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])
PRINTERS = ("print_rows", "print_lines", "print_json", "print_csv")

json_option: Callable[[F], F] = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON value (the rows as a list), for scripts."
)


def since_option(what: str) -> Callable[[F], F]:
    """``--since YYYY-MM-DD``: the start of that day in the business timezone, as an aware datetime."""

    def start_of_day(_ctx: click.Context, _param: click.Parameter, day: dt.datetime | None) -> dt.datetime | None:
        return None if day is None else day.replace(tzinfo=Settings.from_environment().tz)

    return click.option(
        "--since",
        type=click.DateTime(["%Y-%m-%d"]),
        callback=start_of_day,
        help=f"Only {what} on or after this day (YYYY-MM-DD, in the business timezone).",
    )


def print_rows(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], *, as_json: bool, empty: str) -> None:
    """``rows`` with ``columns`` in order; ``empty`` is what a person reads when there are none."""
    if as_json:
        print_json([{column: row.get(column) for column in columns} for row in rows])
    elif not rows:
        click.echo(empty)
    else:
        table = [[_cell(row.get(column)) for column in columns] for row in rows]
        click.echo(tabulate(table, headers=list(columns), tablefmt="simple", disable_numparse=True))


def print_lines(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    as_json: bool,
    empty: str,
    line: Callable[[Mapping[str, Any]], str],
) -> None:
    """A listing a person reads as a line per row in a form of its own, ``line(row)``; ``--json`` as ``print_rows``."""
    if as_json or not rows:
        print_rows(rows, columns, as_json=as_json, empty=empty)
    else:
        click.echo("\n".join(line(row) for row in rows))


def print_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
    """``rows`` as CSV with a header of ``columns``, for a spreadsheet: amounts as written (exact), None empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(column) is None else _text(row.get(column)) for column in columns])
    click.echo(out.getvalue(), nl=False)


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else str(value)


def print_json(value: Any) -> None:
    """``value`` as one JSON document: times as ISO 8601 text, Decimal amounts as text (exact)."""
    click.echo(json.dumps(value, default=_plain))


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M %Z").strip()
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")
