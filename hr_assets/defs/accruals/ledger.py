"""Accrual months in the warehouse: recomputing the open ones, closing and re-opening; each in the caller's
transaction.

Every recomputation books every open month stored so far besides the ones asked for, so a month computed before
the lines of an earlier one arrived is brought up to them by that earlier month's run, whatever the order.
"""

import datetime as dt
import getpass
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection

from hr_assets.defs.accruals import store
from hr_assets.defs.accruals.booking import BookedMonth, ClosedMonth, book_months
from hr_assets.defs.accruals.matching import ServicePeriod, accrual_lines
from hr_assets.defs.shared.invoice_lines import InvoiceLine, lines_invoiced_up_to
from hr_assets.warehouse.engine import serialize


def operator() -> str:
    """Who closes or re-opens a month: the operating-system user running the command or the run."""
    return getpass.getuser()


@dataclass(frozen=True)
class Inputs:
    """What a recomputation reads: the open months it books, the closed months, and the lines with the service
    periods they may pay for."""

    targets: list[dt.date]
    closed: dict[dt.date, ClosedMonth]
    lines: list[InvoiceLine]
    periods: list[ServicePeriod]


def read(connection: Connection, months: Iterable[dt.date]) -> Inputs:
    """The open months among ``months`` and every other open month stored, and what booking them reads."""
    closed = store.closed_months(connection)
    targets = sorted((set(months) | set(store.stored_months(connection))) - set(closed))
    if not targets:
        return Inputs(targets, closed, [], [])
    lines = lines_invoiced_up_to(connection, targets[-1])
    return Inputs(targets, closed, lines, store.periods_of_clients_invoiced_up_to(connection, targets[-1]))


def book(inputs: Inputs) -> list[BookedMonth]:
    return book_months(accrual_lines(inputs.lines, inputs.periods), inputs.closed, inputs.targets)


def write(connection: Connection, booked: list[BookedMonth], now: dt.datetime) -> None:
    store.replace_months(connection, booked, now)


@dataclass(frozen=True)
class Recomputed:
    inputs: Inputs
    booked: list[BookedMonth]


def recompute(connection: Connection, months: Iterable[dt.date], now: dt.datetime) -> Recomputed:
    """The open months among ``months``, and every other open month stored, booked from every line and the closed
    months, and stored. Closed months are left as they are. ``read``, ``book`` and ``write`` in turn, one
    recomputation at a time: two runs' recomputations overlapping would each replace the same months' rows (on
    PostgreSQL the second's inserts would clash with the first's), so the second reads once the first has written."""
    serialize(connection, "hr_assets_accruals")
    inputs = read(connection, months)
    booked = book(inputs)
    write(connection, booked, now)
    return Recomputed(inputs, booked)


def close(connection: Connection, month: dt.date, now: dt.datetime, by: str) -> None:
    """Books the month one last time and closes it: from now on its figures never change, and what its lines owe it
    later is booked in the first open month after it."""
    if (record := store.close_of(connection, month)) and record["reopened_at"] is None:
        raise ValueError(
            f"{month:%Y-%m} is already closed (on {record['closed_at']:%Y-%m-%d %H:%M} by {record['closed_by']})"
        )
    recompute(connection, [month], now)
    store.record_close(connection, month, now, by)


def reopen(connection: Connection, month: dt.date, now: dt.datetime, by: str) -> None:
    """Opens a closed month again and books it, and every open month after it, from the lines as they are now."""
    record = store.close_of(connection, month)
    if record is None or record["reopened_at"] is not None:
        raise ValueError(f"{month:%Y-%m} is not closed")
    store.record_reopen(connection, month, now, by)
    recompute(connection, [month], now)
