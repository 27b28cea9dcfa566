"""The metadata that shows a warehouse table on its asset's page: Dagster's standard keys (the catalog's table
name, columns and row count), tables of rows a person reads, and amounts as numbers the UI plots.

An asset declares the table it owns on its definition (``metadata=table_definition(table)``), as Dagster does for a
schema known in advance, so the catalog shows the table and its columns before the first materialization; each
materialization adds ``row_count``. An asset that writes several tables declares its main one (its description
names the others).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import dagster as dg
import sqlalchemy as sa
from sqlalchemy.engine import Connection

_TYPES = ((sa.Boolean, "bool"), (sa.Integer, "int"), (sa.Numeric, "decimal"), (sa.DateTime, "timestamp"),
          (sa.Date, "date"), (sa.Time, "time"), (sa.JSON, "json"))  # fmt: skip


def table_definition(table: sa.Table) -> dict[str, Any]:
    """``dagster/table_name`` and ``dagster/column_schema`` of ``table``, for its asset's definition: each column's
    name, type and nullability, and the primary key, as the SQLAlchemy table (and so the migrations) has them."""
    columns = [
        dg.TableColumn(
            column.name,
            _type_name(column.type),
            constraints=dg.TableColumnConstraints(nullable=bool(column.nullable), unique=bool(column.unique)),
        )
        for column in table.columns
    ]
    key = ", ".join(column.name for column in table.primary_key.columns)
    return {
        "dagster/table_name": table.name,
        "dagster/column_schema": dg.TableSchema(
            columns=columns, constraints=dg.TableConstraints(other=[f"primary key ({key})"] if key else [])
        ),
    }


def row_count(connection: Connection, table: sa.Table) -> dict[str, int]:
    """``dagster/row_count``: the rows of the whole table once the materialization has written, for a partitioned
    asset too (the catalog shows how big the table is; what the partition itself wrote is in the asset's own
    counts, such as ``invoices`` or ``valid_records``)."""
    return {"dagster/row_count": connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()}


def rows_table(rows: Sequence[Mapping[str, Any]], columns: Mapping[str, str]) -> dg.TableMetadataValue:
    """``rows`` as a table on the asset's page; ``columns`` names each column and its type (``string``, ``int``...)."""
    schema = dg.TableSchema(columns=[dg.TableColumn(name, kind) for name, kind in columns.items()])
    records = [dg.TableRecord({name: _plain(row.get(name)) for name in columns}) for row in rows]
    return dg.MetadataValue.table(records, schema=schema)


def amount(value: Decimal) -> dg.FloatMetadataValue:
    """An amount or a number of hours as a number the UI plots across materializations. A float holds every value
    of up to 15 digits as written (the warehouse's Money has 14), so no cent is lost; and as a float, not an
    integer, it never reaches a notification, which carries counts alone."""
    return dg.MetadataValue.float(float(value))


def _type_name(column_type: sa.types.TypeEngine[Any]) -> str:
    engine_type = getattr(column_type, "impl", column_type)
    return next((name for kind, name in _TYPES if isinstance(engine_type, kind)), "string")


def _plain(value: Any) -> str | int | float | bool | None:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)
