"""The metadata that shows a warehouse table on its asset's page: Dagster's standard keys (the catalog's table
name, columns and row count) and tables of rows a person reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
import sqlalchemy as sa
from sqlalchemy.engine import Connection

_TYPES = ((sa.Boolean, "bool"), (sa.Integer, "int"), (sa.Numeric, "decimal"), (sa.DateTime, "timestamp"),
          (sa.Date, "date"), (sa.JSON, "json"))  # fmt: skip


def table_metadata(connection: Connection, table: sa.Table) -> dict[str, Any]:
    """``dagster/table_name``, ``dagster/column_schema`` and ``dagster/row_count`` of ``table`` as it is now."""
    rows = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    columns = [dg.TableColumn(column.name, _type_name(column.type)) for column in table.columns]
    return {
        "dagster/table_name": table.name,
        "dagster/column_schema": dg.TableSchema(columns=columns),
        "dagster/row_count": rows,
    }


def rows_table(rows: Sequence[Mapping[str, Any]], columns: Mapping[str, str]) -> dg.TableMetadataValue:
    """``rows`` as a table on the asset's page; ``columns`` names each column and its type (``string``, ``int``...)."""
    schema = dg.TableSchema(columns=[dg.TableColumn(name, kind) for name, kind in columns.items()])
    records = [dg.TableRecord({name: _plain(row.get(name)) for name in columns}) for row in rows]
    return dg.MetadataValue.table(records, schema=schema)


def _type_name(column_type: sa.types.TypeEngine) -> str:
    engine_type = getattr(column_type, "impl", column_type)
    return next((name for kind, name in _TYPES if isinstance(engine_type, kind)), "string")


def _plain(value: Any) -> str | int | float | bool | None:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)
