"""``hr-assets``: what operators do outside the UI.

The commands import the definitions, and the definitions read the environment as they load; so a
bad setting is caught here, around the import, and shown as the one line that names it.
"""

import sys

import click

from hr_assets.settings import ConfigurationError


def main() -> None:
    try:
        from hr_assets.cli.app import cli
    except ConfigurationError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    cli()
