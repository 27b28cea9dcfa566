"""Storing an asset's records together with the reasons for the ones it could not use."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import dagster as dg
import sqlalchemy as sa

from hr_assets.lib.row_errors import RowError
from hr_assets.warehouse.engine import upsert
from hr_assets.warehouse.integration_errors import replace_integration_errors
from hr_assets.warehouse.resource import WarehouseResource

_KEYS_A_QUERY = 1000  # well under SQLite's bound parameters a statement


class Upserted(NamedTuple):
    """What an upsert did to its rows: stored anew, or stored already and rewritten."""

    created: int
    updated: int


def upsert_counted(
    connection: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]], key_columns: Iterable[str]
) -> Upserted:
    """``upsert``, telling how many of the rows' keys were new and how many the table held already."""
    columns = list(key_columns)
    keys = {tuple(row[name] for name in columns) for row in rows}
    held, firsts = 0, sorted({key[0] for key in keys})
    for start in range(0, len(firsts), _KEYS_A_QUERY):
        chunk = firsts[start : start + _KEYS_A_QUERY]
        query = sa.select(*(table.c[name] for name in columns)).where(table.c[columns[0]].in_(chunk))
        held += sum(tuple(stored) in keys for stored in connection.execute(query))
    upsert(connection, table, rows, columns)
    return Upserted(created=len(keys) - held, updated=held)


def upsert_with_errors(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    *,
    source: str,
    table: sa.Table,
    key_columns: Iterable[str],
    rows: Sequence[Mapping[str, Any]],
    errors: Iterable[RowError],
    now: dt.datetime,
    partition_key: str = "",
) -> Upserted:
    """One transaction: the records upserted, and the partition's errors replaced by ``errors``; how many records
    were new and how many stored already.

    ``partition_key``: the month a range run is writing (empty for an unpartitioned asset)."""
    with warehouse.begin() as connection:
        upserted = upsert_counted(connection, table, rows, key_columns)
        replace_integration_errors(
            connection,
            source=source,
            asset=context.asset_key.to_user_string(),
            partition_key=partition_key,
            run_id=context.run.run_id,
            errors=errors,
            now=now,
        )
    return upserted
