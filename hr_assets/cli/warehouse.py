"""The warehouse for commands that read or change it directly (not through a run), and the audit of their changes."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

import click
from sqlalchemy.engine import Connection, Engine

from hr_assets.settings import Settings
from hr_assets.warehouse import audit
from hr_assets.warehouse.engine import warehouse_engine


def warehouse() -> Engine:
    return warehouse_engine(Settings.from_environment().resolved_warehouse_url())


def audited(
    connection: Connection,
    *,
    action: str,
    target: str,
    now: dt.datetime,
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
) -> None:
    """Record the running command's change in the audit log, in the change's own transaction."""
    audit.record(connection, action=action, target=target, command=running_command(), now=now, old=old, new=new)


def running_command() -> str:
    """The command an audit entry names, e.g. ``hr-assets bayzat retry-failed``."""
    return click.get_current_context().command_path
