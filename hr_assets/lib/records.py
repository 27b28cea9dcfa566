"""Storing an asset's records together with the reasons for the ones it could not use."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import dagster as dg
import sqlalchemy as sa

from hr_assets.lib.row_errors import RowError
from hr_assets.warehouse.engine import upsert
from hr_assets.warehouse.integration_errors import replace_integration_errors
from hr_assets.warehouse.resource import WarehouseResource


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
) -> None:
    """One transaction: the records upserted, and the partition's errors replaced by ``errors``.

    ``partition_key``: the month a range run is writing (empty for an unpartitioned asset)."""
    with warehouse.begin() as connection:
        upsert(connection, table, rows, key_columns)
        replace_integration_errors(
            connection,
            source=source,
            asset=context.asset_key.to_user_string(),
            partition_key=partition_key,
            run_id=context.run.run_id,
            errors=errors,
            now=now,
        )
