"""The ``hr-assets`` command group: one subgroup per source system, plus status and the API.

A subcommand's module is imported when the subcommand runs (or ``--help`` lists it), so a command pays only for
what it uses: ``hr-assets companies list`` does not import numbers-parser or the Paycom parsers.
"""

import importlib
import traceback
from typing import Any

import click

from hr_assets.cli import EXIT_BUG, EXIT_CODES
from hr_assets.lib.errors import OperatorError

COMMANDS = {
    "audit": "hr_assets.cli.audit:audit",
    "paycom": "hr_assets.cli.paycom:paycom",
    "sync": "hr_assets.cli.revenue:sync",
    "accruals": "hr_assets.cli.accruals:accruals",
    "status": "hr_assets.cli.status:status",
    "companies": "hr_assets.cli.companies:companies",
    "bayzat": "hr_assets.cli.bayzat:bayzat",
    "attendance": "hr_assets.cli.attendance:attendance",
    "errors": "hr_assets.cli.errors:errors",
    "payroll": "hr_assets.cli.payroll:payroll",
    "staff": "hr_assets.cli.staff:staff",
    "api": "hr_assets.cli.api:api",
}


class Bug(click.ClickException):
    """Anything else: a bug, said to be one; its traceback is printed first."""

    exit_code = EXIT_BUG


class _Commands(click.Group):
    """Imports each subcommand when it is asked for; shows a person's error as its one line, a bug as one."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands or name not in COMMANDS:
            return self.commands.get(name)
        module, attribute = COMMANDS[name].split(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OperatorError as exc:
            raise click.ClickException(str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            traceback.print_exc()
            raise Bug(
                f"{type(exc).__name__}: {exc} (a bug in hr-assets: please report it with the traceback above)"
            ) from None


@click.group(cls=_Commands, epilog=EXIT_CODES)
@click.option("--verbose", is_flag=True, help="Print the runs' events as they happen.")
@click.version_option(package_name="hr_assets", prog_name="hr-assets")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Operate the hr_assets platform: syncs, status and the API."""
    ctx.obj = {"verbose": verbose}
