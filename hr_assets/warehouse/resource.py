"""The warehouse as a Dagster resource: every asset writes through it, in one transaction each."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from sqlalchemy.engine import Connection, Engine

from hr_assets.warehouse.engine import warehouse_engine


class WarehouseResource(dg.ConfigurableResource["WarehouseResource"]):
    """SQLite by default, PostgreSQL when ``HR_WAREHOUSE_URL`` says so; migrated on first use."""

    url: str

    @property
    def engine(self) -> Engine:
        return warehouse_engine(self.url)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection inside one transaction: committed on success, rolled back on error."""
        with self.engine.begin() as connection:
            yield connection
