"""The push's bookkeeping: which attendance records are due, and each record's status as it goes.

Statuses: ``pending`` (valid, never sent), ``syncing`` (sent or about to be; no answer recorded yet),
``synced``, ``failed`` (with a retry count and, while retries remain, a next retry time) and ``skipped``
(invalid, or no punch to send). Every function but ``status_transaction`` works inside the caller's
transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from hr_assets.defs.bayzat.transform import Punches
from hr_assets.warehouse.tables import attendance_import_records as records
from hr_assets.warehouse.tables import bayzat_sync_batches as batches


@dataclass(frozen=True)
class DueRecord:
    punches: Punches
    import_id: int
    retry_count: int


@contextlib.contextmanager
def status_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction of the statuses written around each request, two a request.

    On PostgreSQL its commit does not wait for the disk (``synchronous_commit`` off for it alone): the
    process may die at any point and the commit stands; only a crash of the database server can lose the
    last few, and then their records are due again, and Bayzat answers "already exists" for what it has.
    SQLite's WAL with ``synchronous=NORMAL`` makes the same trade for every commit.
    """
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
        yield connection


def due_condition(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Valid records to send now: never sent, left ``syncing`` by a run that died (only the lease holder
    asks, so no live run is sending them), or failed with a retry that has come due."""
    return sa.and_(
        records.c.is_valid,
        sa.or_(
            records.c.bayzat_sync_status.in_(("pending", "syncing")),
            sa.and_(records.c.bayzat_sync_status == "failed", records.c.bayzat_next_retry_at <= now),
        ),
    )


def due_records(connection: Connection, company_id: int, now: dt.datetime) -> list[DueRecord]:
    query = (
        sa.select(
            records.c.id,
            records.c.csv_employee_id,
            records.c.date,
            records.c.check_in,
            records.c.check_out,
            records.c.attendance_import_id,
            records.c.bayzat_retry_count,
        )
        .where(records.c.company_id == company_id, due_condition(now))
        .order_by(records.c.attendance_import_id, records.c.row_number)
    )
    return [
        DueRecord(Punches(row.id, row.csv_employee_id, row.date, row.check_in, row.check_out), *row[5:])
        for row in connection.execute(query)
    ]


def due_counts(connection: Connection, now: dt.datetime) -> dict[int, int]:
    """Company id -> how many of its records are due."""
    query = (
        sa.select(records.c.company_id, sa.func.count())
        .where(records.c.company_id.is_not(None), due_condition(now))
        .group_by(records.c.company_id)
    )
    return dict(connection.execute(query).all())


def set_status(
    connection: Connection,
    ids: Collection[int],
    status: str,
    now: dt.datetime,
    *,
    error: str | None = None,
) -> None:
    """Move records to ``status``; ``synced``, ``skipped`` and ``pending`` clear the retry time."""
    if not ids:
        return
    values: dict[str, object] = {"bayzat_sync_status": status, "bayzat_sync_error": error, "updated_at": now}
    if status == "synced":
        values["bayzat_sync_at"] = now
    if status in ("synced", "skipped", "pending"):
        values["bayzat_next_retry_at"] = None
    connection.execute(sa.update(records).where(records.c.id.in_(list(ids))).values(values))


def set_failed(
    connection: Connection, failures: Iterable[tuple[int, int, dt.datetime | None]], error: str, now: dt.datetime
) -> None:
    """``failures``: (record id, its retry count now, when to retry it or None for never)."""
    for record_id, retry_count, next_retry_at in failures:
        connection.execute(
            sa.update(records)
            .where(records.c.id == record_id)
            .values(
                bayzat_sync_status="failed",
                bayzat_sync_error=error,
                bayzat_retry_count=retry_count,
                bayzat_next_retry_at=next_retry_at,
                updated_at=now,
            )
        )


def open_batch(
    connection: Connection, company_id: int, import_id: int, total: int, run_id: str, now: dt.datetime
) -> int:
    """A batch of one import's ``total`` records due at ``now`` (those ``due_records`` returned in this
    transaction); the records point at it from now on."""
    mine = sa.and_(records.c.company_id == company_id, records.c.attendance_import_id == import_id, due_condition(now))
    batch_id = connection.execute(
        sa.insert(batches)
        .values(
            company_id=company_id,
            attendance_import_id=import_id,
            run_id=run_id,
            total_records=total,
            synced_records=0,
            failed_records=0,
            status="processing",
            started_at=now,
            created_at=now,
            updated_at=now,
        )
        .returning(batches.c.id)
    ).scalar_one()
    connection.execute(sa.update(records).where(mine).values(bayzat_batch_id=batch_id))
    return batch_id


def close_batch(connection: Connection, batch_id: int, error: str | None, now: dt.datetime) -> None:
    """The batch's counts from its records' statuses: completed when none failed or is left unsent."""
    counts = dict(
        connection.execute(
            sa.select(records.c.bayzat_sync_status, sa.func.count())
            .where(records.c.bayzat_batch_id == batch_id)
            .group_by(records.c.bayzat_sync_status)
        ).all()
    )
    settled = counts.get("synced", 0) + counts.get("skipped", 0)
    total = sum(counts.values())
    connection.execute(
        sa.update(batches)
        .where(batches.c.id == batch_id)
        .values(
            synced_records=counts.get("synced", 0),
            failed_records=counts.get("failed", 0),
            status="completed" if settled == total and error is None else "failed",
            error_message=error,
            completed_at=now,
            updated_at=now,
        )
    )


def reset_failed(connection: Connection, company_id: int | None, now: dt.datetime) -> int:
    """Failed records back to pending with a fresh retry budget (a person decided to retry them)."""
    query = sa.update(records).where(records.c.bayzat_sync_status == "failed", records.c.is_valid)
    if company_id is not None:
        query = query.where(records.c.company_id == company_id)
    result = connection.execute(
        query.values(
            bayzat_sync_status="pending",
            bayzat_retry_count=0,
            bayzat_next_retry_at=None,
            bayzat_sync_error=None,
            updated_at=now,
        )
    )
    return result.rowcount
