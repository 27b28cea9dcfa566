"""``hr-assets audit``: the configuration changes and manual actions, who made them, from which command."""

from __future__ import annotations

import datetime as dt

import click

from hr_assets.cli.output import json_option, print_rows, since_option
from hr_assets.cli.warehouse import warehouse
from hr_assets.warehouse.audit import AUDIT_COLUMNS, entries


@click.command()
@since_option("entries")
@json_option
def audit(since: dt.datetime | None, as_json: bool) -> None:
    """The audit log, oldest first; secrets are masked."""
    with warehouse().connect() as connection:
        rows = list(entries(connection, since=since))
    print_rows(rows, AUDIT_COLUMNS, as_json=as_json, empty="Nothing in the audit log yet.")
