"""``hr-assets``: what operators do outside the UI.

A person's error is one line on standard error, ``Error: ...``: a setting that is missing or malformed, a vendor's
refusal, a missing account, a failed run (with its id and where its logs are), one line for each check that failed
it. A usage error is one such line too,
pointing at ``--help``. A bug is said to be one, with its traceback above that line. Each has its exit code
(``EXIT_CODES``), which ``hr-assets --help`` lists.
"""

import sys

import click

EXIT_PERSON = 1  # a person's error: the line says what to set or do
EXIT_USAGE = 2  # a command, option or argument the command does not take (click's own code for it)
EXIT_BUG = 70  # a bug in hr-assets (sysexits' EX_SOFTWARE)
EXIT_INTERRUPTED = 130  # Ctrl-C while a command waited for its run, which goes on (the shell's code for SIGINT)

EXIT_CODES = f"""\b
Exit codes:
  0   done
  {EXIT_PERSON}   a person's error: one line says what to set or do
  {EXIT_USAGE}   a usage error: a command, option or argument it does not take
  {EXIT_BUG}  a bug: its traceback, then a line asking to report it
  {EXIT_INTERRUPTED} stopped waiting for a run (Ctrl-C): the run goes on, as the line says"""


def main() -> None:
    from hr_assets.cli.app import cli

    try:
        code = cli.main(standalone_mode=False)
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "hr-assets"
        click.echo(f"Error: {exc.format_message()} (see {command} --help)", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        for line in exc.format_message().splitlines():  # one line per problem, as a run two checks failed says
            click.echo(f"Error: {line}", err=True)
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Error: aborted", err=True)
        sys.exit(EXIT_PERSON)
    sys.exit(code if isinstance(code, int) else 0)
