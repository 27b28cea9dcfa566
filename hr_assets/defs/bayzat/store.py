"""The push's bookkeeping: which attendance records are due, and each record's status as it goes.

The push state lives in ``bayzat_record_pushes``, one row per record the push has taken up; a record without
a row is ``pending`` when valid and ``skipped`` when not. Statuses: ``pending`` (valid, never sent),
``syncing`` (sent or about to be; no answer recorded yet), ``synced``, ``failed`` (with a retry count and,
while retries remain, a next retry time) and ``skipped`` (invalid, or no punch to send). A record a re-import
found invalid reads as ``skipped`` unless it is in Bayzat or on its way there. Every function but
``status_transaction`` works inside the caller's transaction.

Batches: ``processing`` while their run sends, then ``completed`` (nothing failed or left unsent), ``failed``,
or ``interrupted`` (their run died; the next push of the company closes them).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from hr_assets.defs.bayzat.transform import Punches
from hr_assets.defs.shared.attendance_pushes import STATUS, with_pushes
from hr_assets.warehouse.engine import upsert
from hr_assets.warehouse.tables import attendance_import_records as records
from hr_assets.warehouse.tables import attendance_imports, companies
from hr_assets.warehouse.tables import bayzat_record_pushes as pushes
from hr_assets.warehouse.tables import bayzat_sync_batches as batches


@dataclass(frozen=True)
class DueRecord:
    punches: Punches
    import_id: int
    retry_count: int


@dataclass(frozen=True)
class PushState:
    status: str
    retry_count: int
    next_retry_at: dt.datetime | None
    error: str | None
    synced_at: dt.datetime | None
    batch_id: int | None


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
    """Valid records to send now: never taken up, left ``syncing`` by a run that died (only the lease holder
    asks, so no live run is sending them), released back to pending, or failed with a retry that has come due."""
    return sa.and_(
        records.c.is_valid,
        sa.or_(
            pushes.c.status.is_(None),
            pushes.c.status.in_(("pending", "syncing")),
            sa.and_(pushes.c.status == "failed", pushes.c.next_retry_at <= now),
        ),
    )


def due_records(connection: Connection, company_id: int, now: dt.datetime) -> list[DueRecord]:
    query = (
        with_pushes(
            records.c.id,
            records.c.employee_code,  # the master's code: a mapped device id sends the code it stands for
            records.c.date,
            records.c.check_in,
            records.c.check_out,
            records.c.attendance_import_id,
            sa.func.coalesce(pushes.c.retry_count, 0),
        )
        .where(records.c.company_id == company_id, due_condition(now))
        .order_by(records.c.attendance_import_id, records.c.row_number)
    )
    return [
        DueRecord(Punches(row[0], row[1], row[2], row[3], row[4]), row[5], row[6]) for row in connection.execute(query)
    ]


def due_counts(connection: Connection, now: dt.datetime) -> dict[int, int]:
    """Company id -> how many of its records are due."""
    query = (
        with_pushes(records.c.company_id, sa.func.count())
        .where(records.c.company_id.is_not(None), due_condition(now))
        .group_by(records.c.company_id)
    )
    return dict(connection.execute(query).tuples().all())


def push_states(connection: Connection, record_ids: Collection[int]) -> dict[int, PushState]:
    """Record id -> its push state, for each of ``record_ids`` that exists."""
    query = with_pushes(
        records.c.id,
        STATUS,
        sa.func.coalesce(pushes.c.retry_count, 0),
        pushes.c.next_retry_at,
        pushes.c.error,
        pushes.c.synced_at,
        pushes.c.batch_id,
    ).where(records.c.id.in_(list(record_ids)))
    return {row[0]: PushState(*row[1:]) for row in connection.execute(query)}


def status_counts(connection: Connection, company_id: int | None = None) -> Counter[str]:
    """Status -> how many records have it, of one company or of all records."""
    query = with_pushes(STATUS, sa.func.count()).group_by(STATUS)
    if company_id is not None:
        query = query.where(records.c.company_id == company_id)
    return Counter(dict(connection.execute(query).tuples().all()))


def set_status(
    connection: Connection,
    ids: Collection[int],
    status: str,
    now: dt.datetime,
    *,
    error: str | None = None,
) -> None:
    """Move records (taken up by ``open_batch``) to ``status``; ``synced``, ``skipped`` and ``pending`` clear
    the retry time."""
    if not ids:
        return
    values: dict[str, object] = {"status": status, "error": error, "updated_at": now}
    if status == "synced":
        values["synced_at"] = now
    if status in ("synced", "skipped", "pending"):
        values["next_retry_at"] = None
    connection.execute(sa.update(pushes).where(pushes.c.record_id.in_(list(ids))).values(values))


def set_failed(
    connection: Connection, failures: Iterable[tuple[int, int, dt.datetime | None, str]], now: dt.datetime
) -> None:
    """``failures``: (record id, its retry count now, when to retry it or None for never, why)."""
    for record_id, retry_count, next_retry_at, error in failures:
        connection.execute(
            sa.update(pushes)
            .where(pushes.c.record_id == record_id)
            .values(status="failed", error=error, retry_count=retry_count, next_retry_at=next_retry_at, updated_at=now)
        )


def open_batch(
    connection: Connection,
    company_id: int,
    import_id: int,
    due: Collection[DueRecord],
    run_id: str,
    now: dt.datetime,
) -> int:
    """A batch of one import's records ``due`` at ``now`` (as ``due_records`` returned them in this
    transaction); the records are taken up, and point at it from now on."""
    batch_id: int = connection.execute(
        sa.insert(batches)
        .values(
            company_id=company_id,
            attendance_import_id=import_id,
            run_id=run_id,
            total_records=len(due),
            synced_records=0,
            failed_records=0,
            status="processing",
            started_at=now,
            created_at=now,
            updated_at=now,
        )
        .returning(batches.c.id)
    ).scalar_one()
    taken_up = [
        {
            "record_id": r.punches.record_id,
            "status": "pending",
            "retry_count": 0,
            "batch_id": batch_id,
            "updated_at": now,
        }
        for r in due
    ]
    upsert(connection, pushes, taken_up, ["record_id"], keep_on_conflict=["status", "retry_count"])
    return batch_id


def _counts(connection: Connection, batch_id: int) -> dict[str, int]:
    query = sa.select(pushes.c.status, sa.func.count()).where(pushes.c.batch_id == batch_id).group_by(pushes.c.status)
    return dict(connection.execute(query).tuples().all())


def close_batch(connection: Connection, batch_id: int, error: str | None, now: dt.datetime) -> None:
    """The batch's counts from its records' statuses: completed when none failed or is left unsent."""
    counts = _counts(connection, batch_id)
    settled = counts.get("synced", 0) + counts.get("skipped", 0)
    status = "completed" if settled == sum(counts.values()) and error is None else "failed"
    _close(connection, batch_id, counts, status, error, now)


def close_interrupted_batches(connection: Connection, company_id: int, run_id: str, now: dt.datetime) -> int:
    """Close the company's batches still ``processing`` under another run, as ``interrupted``; returns how many.

    Only the holder of the company's lease (``run_id``) asks, so the runs those batches name have died. Their
    counts are what their records reached; the records they left unsent are due again, for this run's batches.
    """
    query = sa.select(batches.c.id).where(
        batches.c.company_id == company_id, batches.c.status == "processing", batches.c.run_id != run_id
    )
    dead = list(connection.execute(query).scalars())
    for batch_id in dead:
        error = "its run ended before the batch was finished; the records it left unsent went to a later push"
        _close(connection, batch_id, _counts(connection, batch_id), "interrupted", error, now)
    return len(dead)


def _close(
    connection: Connection, batch_id: int, counts: dict[str, int], status: str, error: str | None, now: dt.datetime
) -> None:
    connection.execute(
        sa.update(batches)
        .where(batches.c.id == batch_id)
        .values(
            synced_records=counts.get("synced", 0),
            failed_records=counts.get("failed", 0),
            status=status,
            error_message=error,
            completed_at=now,
            updated_at=now,
        )
    )


def reset_failed(
    connection: Connection,
    company_id: int | None,
    now: dt.datetime,
    *,
    import_id: int | None = None,
    batch_id: int | None = None,
) -> int:
    """Failed records back to pending with a fresh retry budget (a person decided to retry them): of one company,
    one import or one batch, or every one."""
    valid = sa.select(records.c.id).where(records.c.is_valid)
    if company_id is not None:
        valid = valid.where(records.c.company_id == company_id)
    if import_id is not None:
        valid = valid.where(records.c.attendance_import_id == import_id)
    failed = [pushes.c.status == "failed", pushes.c.record_id.in_(valid)]
    if batch_id is not None:
        failed.append(pushes.c.batch_id == batch_id)
    result = connection.execute(
        sa.update(pushes)
        .where(*failed)
        .values(status="pending", retry_count=0, next_retry_at=None, error=None, updated_at=now)
    )
    return result.rowcount


def company_status(connection: Connection) -> dict[int, Counter[str]]:
    """Company id -> status -> how many of its records have it."""
    query = with_pushes(records.c.company_id, STATUS, sa.func.count()).where(records.c.company_id.is_not(None))
    found: dict[int, Counter[str]] = {}
    for company_id, status, count in connection.execute(query.group_by(records.c.company_id, STATUS)):
        found.setdefault(company_id, Counter())[status] = count
    return found


def failure_rate(counts: Counter[str]) -> float:
    """The share of the records a push has settled that failed."""
    settled = counts["synced"] + counts["failed"]
    return counts["failed"] / settled if settled else 0.0


def failed_records(
    connection: Connection,
    *,
    company_id: int | None = None,
    import_id: int | None = None,
    retry_attempts: int,
    limit: int | None = None,
) -> list[dict[str, object]]:
    """The failed records that need a person, oldest first: employee code, date, import, batch, reason and retries
    left; never names."""
    query = (
        sa.select(
            records.c.company_id,
            records.c.employee_code,
            records.c.date,
            records.c.attendance_import_id.label("import_id"),
            pushes.c.batch_id,
            pushes.c.retry_count,
            pushes.c.next_retry_at,
            pushes.c.error.label("reason"),
        )
        .join(pushes, pushes.c.record_id == records.c.id)
        .where(pushes.c.status == "failed", records.c.is_valid)
        .order_by(records.c.date, records.c.id)
    )
    if company_id is not None:
        query = query.where(records.c.company_id == company_id)
    if import_id is not None:
        query = query.where(records.c.attendance_import_id == import_id)
    if limit is not None:
        query = query.limit(limit)
    return [
        dict(row, retries_left=max(retry_attempts - row["retry_count"], 0) if row["next_retry_at"] else 0)
        for row in connection.execute(query).mappings()
    ]


def failures_as_errors() -> sa.Select[Any]:
    """The failed records as ``hr-assets errors`` lists and exports them (``integration_errors.ERROR_COLUMNS`` and an
    ordinal): source ``bayzat``, the company as the partition, the import's file and the record's row, and the reason
    in Bayzat's own words (or its answer, kept when it could not be read)."""
    return (
        sa.select(
            pushes.c.updated_at.label("created_at"),
            sa.literal("bayzat").label("source"),
            sa.literal("bayzat_sync_batches").label("asset"),
            companies.c.slug.label("partition_key"),
            attendance_imports.c.filename.label("file_name"),
            records.c.row_number.label("row_number"),
            sa.cast(sa.null(), sa.String).label("field"),
            pushes.c.error.label("reason"),
            records.c.id.label("ordinal"),
        )
        .select_from(
            pushes.join(records, records.c.id == pushes.c.record_id)
            .join(attendance_imports, attendance_imports.c.id == records.c.attendance_import_id)
            .join(companies, companies.c.id == records.c.company_id)
        )
        .where(pushes.c.status == "failed", records.c.is_valid)
    )
