"""Each vendor API key's request slots, claimed through the warehouse, so that every run, process and host using the
warehouse shares one budget per key (``hr_assets/lib/http.py`` says how a client spends them).

A key's row (``api_budgets``) holds the earliest time its next request may go out, on the database's own clock, so
hosts whose clocks differ still share one timeline. A claim of ``seconds`` moves it on by that much from where it
was, or from now if that is later, in one statement in one short transaction (``INSERT ... ON CONFLICT DO UPDATE
... RETURNING``): PostgreSQL locks the row for it and SQLite's ``BEGIN IMMEDIATE`` (``engine.py``) the database,
so two claims never get the same time. The row is keyed by a SHA-256 of the vendor and the key, never the key.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from hr_assets.warehouse.engine import warehouse_engine
from hr_assets.warehouse.tables import api_budgets

MAX_AHEAD_S = 600.0
"""A key's next slot stored further ahead than this is taken as a clock that went back (a restored database, a
server's clock stepped), and the claim starts from now: no queue of runs sharing a key grows that long."""

_UNIX_EPOCH_JULIAN_DAY = 2440587.5
_SECONDS_A_DAY = 86400.0


def budget_id(api: str, key: str) -> str:
    """The key's budget's name: a SHA-256 of the vendor's name and the key, so no secret is stored or kept."""
    return hashlib.sha256(f"{api}\0{key}".encode()).hexdigest()


def _database_now(dialect: str) -> sa.ColumnElement[float]:
    """Seconds since the epoch on the database's clock, when the statement runs (after any lock it waited for)."""
    if dialect == "postgresql":
        return sa.literal_column("extract(epoch from clock_timestamp())::float8", sa.Double)
    # SQLite's 'now' is the same all through one statement, to the millisecond.
    return sa.literal_column(f"((julianday('now') - {_UNIX_EPOCH_JULIAN_DAY}) * {_SECONDS_A_DAY})", sa.Double)


def claim(engine: sa.Engine, budget: str, api: str, seconds: float) -> float:
    """Claims the next ``seconds`` of the budget (``n`` request intervals: ``n`` slots); returns when the first of
    them is, on this process's ``time.monotonic()``.

    The statement answers how long after its own ``now`` the slot is, and that is counted from the answer's arrival,
    before the commit's round trip: on a busy machine a PostgreSQL commit took 5 ms (up to 18), and counted from its
    end every slot would have been that much later than the one the warehouse gave, next to other processes' on time.
    The slot is still taken only after the commit (the limiter sleeps after this returns).
    """
    sql, order = _claim_sql(engine.dialect)
    values = {"budget": budget, "api": api, "seconds": seconds}
    with engine.begin() as connection:
        wait = connection.exec_driver_sql(sql, tuple(values[name] for name in order) if order else values).scalar_one()
        answered = time.monotonic()
    return answered + max(0.0, float(wait))


@functools.cache
def _claim_sql(dialect: sa.Dialect) -> tuple[str, Sequence[str] | None]:
    """The claim's statement compiled once, and the order of its parameters when the driver takes them by position:
    a claim is made every request or few, and SQLAlchemy's compiling it each time cost five times running it."""
    table, now, seconds = api_budgets, _database_now(dialect.name), sa.bindparam("seconds", type_=sa.Double)
    stored = table.c.next_slot
    too_far = sa.literal_column(str(MAX_AHEAD_S), sa.Double)
    start = sa.case((stored > now + too_far, now), (stored > now, stored), else_=now)
    insert = (postgresql.insert if dialect.name == "postgresql" else sqlite.insert)(table)
    statement = (
        insert.values(budget=sa.bindparam("budget"), api=sa.bindparam("api"), next_slot=now + seconds)
        .on_conflict_do_update(index_elements=[table.c.budget], set_={"next_slot": start + seconds})
        .returning(stored - seconds - now)
    )
    compiled = statement.compile(dialect=dialect)
    return compiled.string, compiled.positiontup


@dataclass(frozen=True)
class SharedBudget:
    """A key's budget in the warehouse at ``url`` (a SQLAlchemy URL, which may hold a password: not in its repr)."""

    url: str
    api: str
    budget: str

    def __repr__(self) -> str:
        return f"SharedBudget(api={self.api!r}, budget={self.budget[:12]!r})"

    def claim(self, seconds: float) -> float:
        return claim(warehouse_engine(self.url), self.budget, self.api, seconds)
