"""The rows a partition could not store as data, replaced as a whole with the partition's data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.lib.row_errors import RowError
from hr_assets.warehouse.engine import insert_rows
from hr_assets.warehouse.tables import integration_errors


def replace_integration_errors(
    connection: Connection,
    *,
    source: str,
    asset: str,
    partition_key: str,
    run_id: str,
    errors: Iterable[RowError],
    now: dt.datetime,
) -> int:
    """Delete the partition's previous errors and store these; returns how many were stored."""
    clear_integration_errors(connection, asset=asset, partition_key=partition_key)
    return add_integration_errors(
        connection, source=source, asset=asset, partition_key=partition_key, run_id=run_id, errors=errors, now=now
    )


def clear_integration_errors(connection: Connection, *, asset: str, partition_key: str) -> None:
    connection.execute(
        sa.delete(integration_errors).where(
            integration_errors.c.asset == asset, integration_errors.c.partition_key == partition_key
        )
    )


def add_integration_errors(
    connection: Connection,
    *,
    source: str,
    asset: str,
    partition_key: str,
    run_id: str,
    errors: Iterable[RowError],
    now: dt.datetime,
) -> int:
    """Store more of the partition's errors (an import that writes its rows a chunk at a time); returns how many."""
    rows = [
        {
            "source": source,
            "asset": asset,
            "partition_key": partition_key,
            "run_id": run_id,
            "file_name": error.file_name,
            "row_number": error.row_number,
            "field": error.field,
            "record_key": error.record_key,
            "reason": error.reason,
            "created_at": now,
        }
        for error in errors
    ]
    insert_rows(connection, integration_errors, rows)
    return len(rows)


def load_integration_errors(connection: Connection, *, asset: str, partition_key: str) -> list[RowError]:
    table = integration_errors
    result = connection.execute(
        sa.select(table.c.file_name, table.c.row_number, table.c.field, table.c.reason, table.c.record_key)
        .where(table.c.asset == asset, table.c.partition_key == partition_key)
        .order_by(table.c.id)
    )
    return [RowError(*row) for row in result]


ERROR_COLUMNS = ("created_at", "source", "asset", "partition_key", "file_name", "row_number", "field", "reason")


def find_integration_errors(
    connection: Connection,
    *,
    source: str | None = None,
    since: dt.datetime | None = None,
    limit: int | None = None,
    also: Iterable[sa.Select[Any]] = (),
) -> Iterator[Mapping[str, Any]]:
    """The stored errors, newest first, as ``ERROR_COLUMNS``; streamed, so an export of every error stays small.

    ``also``: more errors kept elsewhere by their owner (a vendor's refusals), each a query of ``ERROR_COLUMNS`` and
    an ``ordinal`` that orders errors stored at the same time."""
    table = integration_errors
    stored = sa.select(*(table.c[name] for name in ERROR_COLUMNS), table.c.id.label("ordinal"))
    errors = sa.union_all(stored, *also).subquery() if also else stored.subquery()
    query = sa.select(*(errors.c[name] for name in ERROR_COLUMNS)).order_by(
        errors.c.created_at.desc(), errors.c.ordinal
    )
    if source is not None:
        query = query.where(errors.c.source == source)
    if since is not None:
        query = query.where(errors.c.created_at >= since)
    if limit is not None:
        query = query.limit(limit)
    yield from (dict(row) for row in connection.execution_options(yield_per=1000).execute(query).mappings())


def clear_row_errors(connection: Connection, *, asset: str, partition_key: str, row_numbers: Collection[int]) -> None:
    """Delete these rows' errors of the partition (rows validated again on their own)."""
    table = integration_errors
    connection.execute(
        sa.delete(table).where(
            table.c.asset == asset, table.c.partition_key == partition_key, table.c.row_number.in_(list(row_numbers))
        )
    )
