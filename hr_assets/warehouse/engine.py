"""One SQLAlchemy engine per warehouse URL, migrated to the newest schema before first use.

SQLite needs two settings to behave like a real transactional database: Python's driver would
otherwise open transactions lazily (so two writers can interleave and DDL runs outside any
transaction), and readers would block writers. We let SQLAlchemy emit ``BEGIN IMMEDIATE`` itself
and switch the file to WAL, which is the recipe SQLAlchemy documents for pysqlite.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).parent / "migrations"
_migrate_lock = threading.Lock()


def _configure_sqlite(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str) -> Engine:
    """A new engine for the URL, with SQLite made transactional (see the module docstring)."""
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision, serialised across processes.

    PostgreSQL: a transaction-scoped advisory lock; SQLite: ``BEGIN IMMEDIATE`` already holds the
    write lock for the whole upgrade.
    """
    with _migrate_lock, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('hr_assets_migrations'))"))
        command.upgrade(alembic_config(connection), "head")


@functools.cache
def warehouse_engine(url: str) -> Engine:
    """The process's engine for ``url``, migrated on first use."""
    engine = create_engine(url)
    migrate(engine)
    return engine


def upsert(
    connection: Connection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    key_columns: Iterable[str],
    keep_on_conflict: Iterable[str] = (),
) -> None:
    """Insert rows, updating the non-key columns of the rows whose key already exists.

    ``keep_on_conflict`` names columns an existing row keeps (such as ``created_at``).

    One statement per batch on both dialects (``INSERT ... ON CONFLICT DO UPDATE``), so the
    database does the matching instead of a select per row.
    """
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    keys = list(key_columns)
    kept = set(keys) | set(keep_on_conflict)
    updates = {name: statement.excluded[name] for name in rows[0] if name not in kept}
    statement = statement.on_conflict_do_update(index_elements=keys, set_=updates)
    connection.execute(statement, list(rows))
