"""The audit log: who changed which setting, or took which manual action, from which command, and when.

``record`` appends one row in the caller's transaction, so the change and its record commit together or not at
all. Values under a secret's name are masked before they are written; the table refuses UPDATE and DELETE.
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Iterator, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.lib.secrets import masked
from hr_assets.warehouse.tables import audit_log, text_width

SECRET_NAMES = ("api_key", "token", "password", "secret")
AUDIT_COLUMNS = ("at", "actor", "command", "action", "target", "old_values", "new_values")


def os_user() -> str:
    """Who runs the command, as the operating system knows them."""
    try:
        return getpass.getuser()
    except OSError:  # no user name for this uid (a container)
        return "unknown"


def record(
    connection: Connection,
    *,
    action: str,
    target: str,
    command: str,
    now: dt.datetime,
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
    actor: str | None = None,
) -> None:
    """Append one change; ``actor`` defaults to the OS user."""
    connection.execute(
        sa.insert(audit_log).values(
            at=now,
            actor=actor or os_user(),
            command=command[: text_width(audit_log.c.command)],
            action=action,
            target=target,
            old_values=_masked(old),
            new_values=_masked(new),
        )
    )


def entries(connection: Connection, *, since: dt.datetime | None = None) -> Iterator[Mapping[str, Any]]:
    """The log, oldest first."""
    query = sa.select(*(audit_log.c[name] for name in AUDIT_COLUMNS)).order_by(audit_log.c.id)
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    yield from (dict(row) for row in connection.execute(query).mappings())


def _masked(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {
        name: masked(str(value)) if value is not None and any(s in name for s in SECRET_NAMES) else _plain(value)
        for name, value in values.items()
    }


def _plain(value: Any) -> Any:
    """JSON-safe: enums, dates and decimals as text."""
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)
