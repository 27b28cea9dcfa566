"""One SQLAlchemy engine per warehouse URL, migrated to the newest schema before first use.

SQLite needs two settings to behave like a real transactional database: Python's driver would
otherwise open transactions lazily (so two writers can interleave and DDL runs outside any
transaction), and readers would block writers. We let SQLAlchemy emit ``BEGIN IMMEDIATE`` itself
and switch the file to WAL, which is the recipe SQLAlchemy documents for pysqlite. A process that only
reads (the employee API) takes an engine whose transactions begin deferred: under WAL its reads see a snapshot
and take no lock, so concurrent requests do not queue behind one another.
"""

from __future__ import annotations

import contextlib
import functools
import io
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.compiler import SQLCompiler

MIGRATIONS = Path(__file__).parent / "migrations"
_migrate_lock = threading.Lock()


def _configure_sqlite(engine: Engine, writes: bool) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # WAL's recommended setting: a commit survives the process dying at once (what the Bayzat push's
        # "syncing before send" needs); only a power cut can lose the last ones, and no commit waits on fsync.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    if not writes:  # a reader's transaction takes no lock a writer waits for: WAL gives it a snapshot
        return

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str, *, reads_only: bool = False) -> Engine:
    """A new engine for the URL, with SQLite made transactional (see the module docstring). ``reads_only``: an
    engine for a process that only reads (the API), whose SQLite transactions begin deferred, so a read takes no
    write lock.

    ``hide_parameters`` keeps row values (names, pay) out of database error messages, which
    Dagster would otherwise store in the event log and show in the UI.
    """
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        _configure_sqlite(engine, writes=not reads_only)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, hide_parameters=True)


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision, serialized across processes (``serialize``)."""
    with _migrate_lock, migration_transaction(engine) as connection:
        serialize(connection, "hr_assets_migrations")
        command.upgrade(alembic_config(connection), "head")


def serialize(connection: Connection, name: str) -> None:
    """Makes the rest of the caller's transaction wait for any other transaction serialized under ``name`` (in any
    process) to end. PostgreSQL: a transaction-scoped advisory lock; SQLite: ``BEGIN IMMEDIATE`` already holds the
    database's write lock from the transaction's start."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})


@contextlib.contextmanager
def migration_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction to run migrations in.

    On SQLite with foreign keys off, as SQLite's recipe for rebuilding a table says: ``batch_alter_table``
    drops the old table, and with foreign keys on that drop would delete the rows of every table referencing
    it with ``ON DELETE CASCADE``. ``PRAGMA foreign_key_check`` then refuses to commit a migration that left
    a dangling reference.
    """
    with engine.connect() as connection:
        on_sqlite = connection.dialect.name == "sqlite"
        if on_sqlite:  # outside the transaction: inside one SQLite ignores it
            _driver(connection).execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
                if on_sqlite and (dangling := connection.exec_driver_sql("PRAGMA foreign_key_check").first()):
                    raise RuntimeError(f"the migration left a reference from {dangling[0]} to a missing {dangling[2]}")
        finally:
            if on_sqlite:
                _driver(connection).execute("PRAGMA foreign_keys=ON")


def _driver(connection: Connection) -> Any:
    """The database driver's own connection under an open SQLAlchemy one."""
    driver = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("the connection is closed")
    return driver


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

    ``keep_on_conflict`` names columns an existing row keeps (such as ``created_at``). The database
    matches the keys (``INSERT ... ON CONFLICT DO UPDATE``), never a select per row. On PostgreSQL
    all rows travel as one array per column in a single short statement (``unnest``): a long
    ``VALUES`` list would cost more to compile and plan than to run, and an executemany of
    ``ON CONFLICT`` is sent row by row. SQLite runs the executemany in-process, which is cheap.
    """
    if not rows:
        return
    names = list(rows[0])
    if connection.dialect.name == "postgresql":
        unnested = postgresql.insert(table).from_select(names, _unnested(table, names, rows))
        connection.execute(_updating_on_conflict(unnested, names, key_columns, keep_on_conflict))
    else:
        connection.execute(
            _updating_on_conflict(sqlite.insert(table), names, key_columns, keep_on_conflict), list(rows)
        )


def bulk_upsert(
    connection: Connection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    key_columns: Iterable[str],
    keep_on_conflict: Iterable[str] = (),
) -> None:
    """``upsert`` for rows by the thousand (an attendance file's chunk): the same statement and the same stored
    values, for about what the database's own work costs.

    What SQLAlchemy does per row (a dict of parameters, each value through its type's bind processor) costs more
    than the database's insert. Here each column's bind processor runs once per distinct value (dates, times, ids
    and flags repeat row after row; see ``_bound``), then SQLite takes the rows as tuples in one DBAPI
    ``executemany``, and PostgreSQL by ``COPY`` into a temporary table and one ``INSERT ... SELECT ... ON
    CONFLICT``: ``COPY`` is PostgreSQL's fastest way in, a third of what parsing ``upsert``'s arrays costs.
    """
    if not rows:
        return
    names = list(rows[0])
    dialect = connection.dialect
    on_postgresql = dialect.name == "postgresql"
    columns = {name: _bound(table.c[name], dialect, [row[name] for row in rows], on_postgresql) for name in names}
    if on_postgresql:
        _copy_upsert(connection, table, columns, key_columns, keep_on_conflict)
        return
    statement = sqlite.insert(table).values({name: sa.bindparam(name) for name in names})
    compiled = _updating_on_conflict(statement, names, key_columns, keep_on_conflict).compile(dialect=dialect)
    rows_in_order = zip(*(columns[name] for name in _in_bind_order(compiled)), strict=True)
    connection.exec_driver_sql(compiled.string, list(rows_in_order))


def _in_bind_order(compiled: SQLCompiler) -> list[str]:
    """The names of a statement's parameters, compiled for SQLite, in the order it binds them (by position)."""
    if compiled.positiontup is None:
        raise RuntimeError("the statement binds no parameters by position")
    return compiled.positiontup


_Insert = TypeVar("_Insert", postgresql.Insert, sqlite.Insert)


class BulkWriteError(Exception):
    """PostgreSQL refused a ``COPY``; the message names the table and the reason, never a row's values."""


def _updating_on_conflict(
    statement: _Insert, names: Iterable[str], key_columns: Iterable[str], keep_on_conflict: Iterable[str]
) -> _Insert:
    """The ``INSERT`` made an upsert: a row whose key exists updates its columns, except the key and the kept ones."""
    kept = set(key_columns) | set(keep_on_conflict)
    return statement.on_conflict_do_update(
        index_elements=list(key_columns),
        set_={name: statement.excluded[name] for name in names if name not in kept},
    )


# Types whose equal Python values may be stored differently (Decimal("1.0") and Decimal("1.00"); one instant in two
# time zones on a plain DateTime; JSON's 1 and true), or are not hashable (JSON documents). ``Timestamp`` is not one:
# it stores every instant in UTC.
_CONVERTED_EACH_TIME = (sa.Numeric, sa.DateTime, sa.JSON)


def _bound(column: sa.Column[Any], dialect: sa.Dialect, values: list[Any], as_copy_text: bool) -> list[Any]:
    """A column's values as SQLAlchemy would bind them (through its type's bind processor), or as ``COPY`` text.
    Each distinct value is converted once, unless equal values may be stored differently (``_CONVERTED_EACH_TIME``,
    and times with a time zone): those are converted each time, but for None."""
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    convert: Callable[[Any], Any]
    if as_copy_text:
        convert = _copy_text if process is None else lambda value: _copy_text(process(value))
    elif process is None:
        return values
    else:
        convert = process
    if isinstance(column.type, _CONVERTED_EACH_TIME):
        null = convert(None)  # the one value of these converted once: most JSON columns are mostly None
        return [null if value is None else convert(value) for value in values]
    distinct = set(values)
    if isinstance(column.type, sa.Time) and any(value is not None and value.tzinfo for value in distinct):
        return list(map(convert, values))
    converted = {value: convert(value) for value in distinct}
    return list(map(converted.__getitem__, values))


def _copy_text(value: Any) -> str:
    """A value in ``COPY``'s text format: ``\\N`` for NULL, backslash escapes for the characters that delimit."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_upsert(
    connection: Connection,
    table: sa.Table,
    columns: dict[str, list[str]],
    key_columns: Iterable[str],
    keep_on_conflict: Iterable[str],
) -> None:
    """``COPY`` the rows (their columns as ``COPY`` text) into a temporary table of the same columns, then upsert
    them from there in one statement."""
    names = list(columns)
    incoming = sa.Table(
        f"{table.name}_incoming",
        sa.MetaData(),
        *(sa.Column(name, table.c[name].type) for name in names),
        prefixes=["TEMPORARY"],
    )
    incoming.create(connection)
    _copy(connection, incoming, columns, table.name)
    statement = postgresql.insert(table).from_select(names, sa.select(incoming))
    connection.execute(_updating_on_conflict(statement, names, key_columns, keep_on_conflict))
    incoming.drop(connection)


def _copy(connection: Connection, table: sa.Table, columns: dict[str, list[str]], reported_as: str) -> None:
    """``COPY`` the rows (their columns as ``COPY`` text) into ``table``; a refusal is a ``BulkWriteError`` naming
    ``reported_as``."""
    quote, count = connection.dialect.identifier_preparer.quote, len(next(iter(columns.values())))
    copy = f"COPY {quote(table.name)} ({', '.join(map(quote, columns))}) FROM STDIN"
    text = "\n".join(map("\t".join, zip(*columns.values(), strict=True))) + "\n"
    cursor = connection.connection.cursor()
    try:
        cursor.copy_expert(copy, io.StringIO(text))
    except connection.dialect.loaded_dbapi.Error as exc:
        # Not the driver's message: its CONTEXT quotes the row's values.
        reason = (exc.diag.message_primary or type(exc).__name__).split(":")[0]
        raise BulkWriteError(f"{count} rows of {reported_as} not stored: {reason}") from None
    finally:
        cursor.close()


class Cents(list[int]):
    """A money column's values (``Numeric(_, 2)``) given to ``bulk_insert`` as integer cents: rows by the hundred
    thousand bound with no ``Decimal`` each. ``COPY`` takes their digits; SQLite, which stores the column as a double,
    the double that ``float(Decimal)`` gives (a count of cents over 100 is rounded once, to the nearest double)."""


def _cents_bound(values: Cents, as_copy_text: bool) -> list[Any]:
    if not as_copy_text:
        return [cents / 100 for cents in values]
    return [f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}" for cents in values]


def bulk_insert(connection: Connection, table: sa.Table, columns: Mapping[str, Sequence[Any]]) -> None:
    """``insert_rows`` for rows by the hundred thousand, given as columns (name -> one value per row; a money column
    may be ``Cents``): the same stored values, each column bound as ``bulk_upsert`` binds it, then SQLite takes the
    rows as tuples in one DBAPI ``executemany`` and PostgreSQL by ``COPY`` straight into the table."""
    if not columns or not len(next(iter(columns.values()))):
        return
    dialect = connection.dialect
    on_postgresql = dialect.name == "postgresql"
    bound = {
        name: _cents_bound(values, on_postgresql)
        if isinstance(values, Cents)
        else _bound(table.c[name], dialect, list(values), on_postgresql)
        for name, values in columns.items()
    }
    if on_postgresql:
        _copy(connection, table, bound, table.name)
        return
    compiled = sa.insert(table).values({name: sa.bindparam(name) for name in bound}).compile(dialect=dialect)
    connection.exec_driver_sql(
        compiled.string, list(zip(*(bound[name] for name in _in_bind_order(compiled)), strict=True))
    )


def insert_rows(connection: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Bulk insert: one ``unnest`` statement on PostgreSQL (see ``upsert``), an executemany on SQLite."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        names = list(rows[0])
        connection.execute(sa.insert(table).from_select(names, _unnested(table, names, rows)))
    else:
        connection.execute(sa.insert(table), list(rows))


def _unnested(table: sa.Table, names: list[str], rows: Sequence[Mapping[str, Any]]) -> sa.Select[Any]:
    """``SELECT * FROM unnest(<array of column 1>, <array of column 2>, ...)`` over the rows."""
    arrays = []
    for name in names:
        # One dimension: a JSON value that is a list (a record's errors) is one element, not a nested array.
        array_type = postgresql.ARRAY(table.c[name].type, dimensions=1)
        values = [row[name] for row in rows]
        arrays.append(sa.cast(sa.bindparam(f"{name}_values", values, type_=array_type), array_type))
    source = sa.func.unnest(*arrays).table_valued(*names).render_derived()
    return sa.select(*(source.c[name] for name in names))
