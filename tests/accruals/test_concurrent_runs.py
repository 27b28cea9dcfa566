"""Two runs' accruals recomputations at once, on PostgreSQL (SQLite's ``BEGIN IMMEDIATE`` already serializes every
write transaction): the second waits for the first to commit, then books from what the first wrote."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal

import sqlalchemy as sa

from hr_assets.defs.accruals import ledger
from hr_assets.warehouse.engine import create_engine, migrate
from hr_assets.warehouse.tables import holded_services
from tests.accruals.test_any_order import AT, Invoice, arrive, figures
from tests.waiting import wait_until

MAY, JUNE = dt.date(2026, 5, 1), dt.date(2026, 6, 1)


def test_a_second_recomputation_waits_for_the_first_and_both_succeed(make_postgres_database: Callable[[], str]) -> None:
    engine = create_engine(make_postgres_database())
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(sa.insert(holded_services).values(id="svc", name="Course", code="COURSE", synced_at=AT))
        arrive(connection, Invoice(1, MAY, 61_000, (MAY, dt.date(2026, 6, 30))))
    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            with engine.begin() as connection:
                ledger.recompute(connection, [MAY, JUNE], AT)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread to fail there
            outcome.append(exc)

    with engine.begin() as first:
        ledger.recompute(first, [MAY, JUNE], AT)
        thread = threading.Thread(target=second)
        thread.start()
        with engine.connect() as watcher:
            waiting = sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            wait_until(lambda: watcher.execute(waiting).scalar_one() == 1, "the second recomputation waits")
    thread.join(timeout=180)
    assert outcome == [None]
    with engine.connect() as connection:
        assert figures(connection, MAY)[1] == [("INV-1", "recognised", Decimal("310.00"))]
        assert figures(connection, JUNE)[1] == [("INV-1", "recognised", Decimal("300.00"))]
    engine.dispose()
