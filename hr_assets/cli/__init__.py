"""``hr-assets``: what operators do outside the UI.

A person's error is one line on standard error, ``Error: ...``, with a non-zero exit code: a setting that is
missing or malformed, a vendor's refusal, a missing account, a bad argument, a failed run (with its id and
where its logs are). A bug is said to be one, with its traceback under that line.
"""

import sys

import click

from hr_assets.lib.errors import OperatorError


def main() -> None:
    try:
        from hr_assets.cli.app import cli
    except OperatorError as exc:  # a setting read as the command's modules load
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    try:
        code = cli.main(standalone_mode=False)
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "hr-assets"
        click.echo(f"Error: {exc.format_message()} (see {command} --help)", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"Error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Error: aborted", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
