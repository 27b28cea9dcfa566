"""``hr-assets staff``: what people set on the scheduling staff view, kept across syncs."""

import click

from hr_assets.cli.warehouse import audited, warehouse
from hr_assets.defs.paycom.store import set_scheduling_app_id, set_weekly_cap
from hr_assets.lib.clock import Clock


@click.group()
def staff() -> None:
    """The scheduling staff view (scheduling_staff)."""


@staff.command("set-cap")
@click.argument("code")
@click.argument("hours", type=click.IntRange(1, 168), required=False)
@click.option("--clear", is_flag=True, help="Remove the override: back to 40 (overtime-eligible) or 50 (exempt).")
def set_cap(code: str, hours: int | None, clear: bool) -> None:
    """Set employee CODE's weekly hour cap to HOURS, or --clear it."""
    if (hours is None) == (not clear):
        raise click.UsageError("give HOURS or --clear (one of them)")
    with warehouse().begin() as connection:
        cap = set_weekly_cap(connection, code, None if clear else hours)
        audited(
            connection,
            action="staff.weekly_cap",
            target=f"employee {code}",
            now=Clock().now(),
            new={"weekly_cap_override": None if clear else hours},
        )
    click.echo(f"{code}: weekly cap {cap} hours" + (" (the default)" if clear else " (override)"))


@staff.command("link")
@click.argument("code")
@click.argument("app_staff_id", required=False)
@click.option("--clear", is_flag=True, help="Remove the link.")
def link(code: str, app_staff_id: str | None, clear: bool) -> None:
    """Link employee CODE to the scheduling app's own staff id APP_STAFF_ID, or --clear the link."""
    if (app_staff_id is None) == (not clear):
        raise click.UsageError("give APP_STAFF_ID or --clear (one of them)")
    if app_staff_id is not None and not 0 < len(app_staff_id) <= 64:
        raise click.BadParameter("at most 64 characters", param_hint="APP_STAFF_ID")
    with warehouse().begin() as connection:
        set_scheduling_app_id(connection, code, app_staff_id)
        audited(
            connection,
            action="staff.scheduling_app_id",
            target=f"employee {code}",
            now=Clock().now(),
            new={"scheduling_app_staff_id": app_staff_id},
        )
    click.echo(f"{code}: scheduling app id {app_staff_id}" if app_staff_id else f"{code}: link cleared")
