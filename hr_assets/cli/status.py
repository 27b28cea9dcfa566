"""``hr-assets status``: the business timezone in use, which integrations are configured, the recent syncs with their
counts, and the staff sync status."""

import click
import sqlalchemy as sa

from hr_assets.cli.output import json_option, print_json
from hr_assets.cli.warehouse import warehouse
from hr_assets.defs.alerts.resources import NotifyResource
from hr_assets.defs.attendance.resources import AttendanceInboxResource
from hr_assets.defs.bayzat.resources import BayzatResource
from hr_assets.defs.fourgeeks.resources import FourGeeksResource
from hr_assets.defs.holded.resources import HoldedResource
from hr_assets.defs.notion.resources import NotionResource
from hr_assets.defs.paycom import store
from hr_assets.defs.paycom.resources import PaycomSftpResource
from hr_assets.settings import Settings
from hr_assets.warehouse.tables import paycom_employees, scheduling_staff

INTEGRATIONS = (
    PaycomSftpResource,
    HoldedResource,
    FourGeeksResource,
    NotionResource,
    AttendanceInboxResource,
    BayzatResource,
    NotifyResource,
)
SYNC_COLUMNS = (
    "sync_week",
    "started_at",
    "status",
    "files_processed",
    "employees_processed",
    "employees_created",
    "employees_updated",
    "employees_terminated",
    "rows_invalid",
    "error_message",
)


@click.command()
@click.option("--limit", default=5, show_default=True, help="How many recent syncs to show.")
@json_option
def status(limit: int, as_json: bool) -> None:
    """The business timezone, which integrations are configured, recent Paycom syncs and how many staff the
    scheduling side has."""
    settings = Settings.from_environment()
    problems = {integration.integration: integration.for_command().problem() for integration in INTEGRATIONS}
    with warehouse().connect() as connection:
        syncs = store.recent_syncs(connection, limit)
        by_status = dict(
            connection.execute(
                sa.select(paycom_employees.c.status, sa.func.count()).group_by(paycom_employees.c.status)
            )
            .tuples()
            .all()
        )
        staff, available = connection.execute(
            sa.select(sa.func.count(), sa.func.count().filter(scheduling_staff.c.available_for_scheduling))
        ).one()
    if as_json:
        print_json(
            {
                "timezone": {"name": settings.timezone, "source": settings.timezone_source},
                "integrations": [{"integration": name, "problem": problem} for name, problem in problems.items()],
                "recent_syncs": [
                    {column: sync[column] for column in SYNC_COLUMNS}
                    | {"started_at": sync["started_at"].astimezone(settings.tz)}
                    for sync in syncs
                ],
                "paycom_roster": dict(sorted(by_status.items())),
                "scheduling_staff": {"synced": staff, "available_for_scheduling": available},
            }
        )
        return
    source = "HR_TIMEZONE" if settings.timezone_source == "HR_TIMEZONE" else "the machine's; HR_TIMEZONE sets another"
    click.echo(f"Timezone: {settings.timezone} ({source})")
    click.echo("Integrations:")
    for name, problem in problems.items():
        click.echo(f"  {name:<26} {'configured' if problem is None else problem.removeprefix(f'{name} is ')}")
    click.echo("Recent Paycom syncs:")
    if not syncs:
        click.echo("  none yet")
    for sync in syncs:
        click.echo(
            f"  week {sync['sync_week']}  {sync['started_at'].astimezone(settings.tz):%Y-%m-%d %H:%M %Z}"
            f"  {sync['status']:<9}"
            f"  files {sync['files_processed']}  employees {sync['employees_processed']}"
            f" (+{sync['employees_created']} new, {sync['employees_updated']} updated,"
            f" {sync['employees_terminated']} terminated)  invalid rows {sync['rows_invalid']}"
            + (f"  error: {sync['error_message']}" if sync["status"] == "failed" else "")
        )
    roster = ", ".join(f"{count} {name}" for name, count in sorted(by_status.items())) or "empty"
    click.echo(f"Paycom roster: {roster}")
    click.echo(f"Scheduling staff: {staff} synced from Paycom, {available} available for scheduling")
