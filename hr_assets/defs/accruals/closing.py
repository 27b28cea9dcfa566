"""What a person does to an accrual month by hand, from the command line (``hr-assets accruals close|reopen``) or
the UI (the ``accruals_close_month`` and ``accruals_reopen_month`` jobs): one function, audited the same way."""

import datetime as dt
from typing import Literal

from sqlalchemy.engine import Connection

from hr_assets.defs.accruals import ledger
from hr_assets.warehouse import audit

MonthAction = Literal["close", "reopen"]


def change_month(
    connection: Connection, action: MonthAction, month: dt.date, now: dt.datetime, *, by: str, command: str
) -> None:
    """Close or re-open ``month`` (its first day) as ``by`` and audit it, in the caller's transaction; a month
    already closed (or not closed) is ``ValueError`` saying so."""
    (ledger.close if action == "close" else ledger.reopen)(connection, month, now, by)
    audit.record(
        connection, action=f"accruals.{action}", target=f"month {month:%Y-%m}", command=command, now=now, actor=by
    )
