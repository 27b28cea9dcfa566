"""The ``hr-assets`` command group: one subgroup per source system, plus status and the sandbox."""

import traceback

import click

from hr_assets.cli.attendance import attendance
from hr_assets.cli.bayzat import bayzat
from hr_assets.cli.companies import companies
from hr_assets.cli.paycom import paycom
from hr_assets.cli.payroll import payroll
from hr_assets.cli.revenue import sync
from hr_assets.cli.sandbox import dev, sandbox
from hr_assets.cli.status import status
from hr_assets.defs.attendance.companies import CompanyError
from hr_assets.defs.paycom.reports import UnsafeRemoteName
from hr_assets.defs.paycom.resources import PaycomSftpError
from hr_assets.defs.payroll.periods import PeriodError
from hr_assets.lib.http import ApiError
from hr_assets.lib.integration import NotConfigured
from hr_assets.lib.runs import RunFailed
from hr_assets.lib.webserver import WebserverError
from hr_assets.settings import ConfigurationError

# Errors whose message is the whole story for an operator: shown as one line, without a traceback.
OPERATOR_ERRORS = (
    ConfigurationError,
    NotConfigured,
    RunFailed,
    PaycomSftpError,
    UnsafeRemoteName,
    ApiError,
    WebserverError,
    CompanyError,
    PeriodError,
)


class Bug(click.ClickException):
    """Anything else: a bug, said to be one; its traceback is printed first."""

    exit_code = 2


class _OperatorErrors(click.Group):
    def invoke(self, ctx: click.Context):  # noqa: ANN201 - click's own signature
        try:
            return super().invoke(ctx)
        except OPERATOR_ERRORS as exc:
            raise click.ClickException(str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            traceback.print_exc()
            raise Bug(
                f"{type(exc).__name__}: {exc} (a bug in hr-assets: please report it with the traceback above)"
            ) from None


@click.group(cls=_OperatorErrors)
@click.option("--verbose", is_flag=True, help="Print the runs' events as they happen.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Operate the hr_assets platform: syncs, status and the local sandbox."""
    ctx.obj = {"verbose": verbose}


for command in (paycom, sync, status, companies, bayzat, attendance, payroll, sandbox, dev):
    cli.add_command(command)
