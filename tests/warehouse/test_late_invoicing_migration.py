"""Migration 0019 adds accrual_months.invoiced_late_in_month: a month closed before it keeps its close's digest, and
the downgrade takes only the column away."""

import datetime as dt
import hashlib
from decimal import Decimal

import sqlalchemy as sa
from alembic import command

from hr_assets.defs.accruals import store
from hr_assets.warehouse.engine import alembic_config, create_engine, migrate, migration_transaction
from hr_assets.warehouse.tables import Money, Timestamp, accrual_months

JANUARY = dt.date(2026, 1, 1)
FIGURES = {
    "invoiced_in_month": Decimal("1200.00"),
    "invoiced_to_date": Decimal("1200.00"),
    "recognized_in_month": Decimal("400.00"),
    "recognized_to_date": Decimal("400.00"),
    "deferred_balance": Decimal("800.00"),
    "unmatched_lines": 1,
}

MONTHS_AT_0018 = sa.table(
    "accrual_months",
    sa.column("month", sa.Date),
    sa.column("computed_at", Timestamp()),
    sa.column("unmatched_lines", sa.Integer),
    *(sa.column(name, Money) for name in FIGURES if name != "unmatched_lines"),
)


def columns(engine: sa.Engine) -> set[str]:
    with engine.connect() as connection:
        return {column["name"] for column in sa.inspect(connection).get_columns("accrual_months")}


def test_a_month_closed_before_0019_keeps_its_digest_and_the_downgrade_drops_only_the_column(
    warehouse_url: str,
) -> None:
    engine = create_engine(warehouse_url)
    with migration_transaction(engine) as connection:
        command.upgrade(alembic_config(connection), "0018")
    # January as a 0018 close froze it: the digest of the six figures and no rows.
    frozen = hashlib.sha256("|".join(f"{name}={value}" for name, value in FIGURES.items()).encode()).hexdigest()
    at = dt.datetime(2026, 2, 3, 9, tzinfo=dt.UTC)
    with engine.begin() as connection:
        connection.execute(sa.insert(MONTHS_AT_0018).values(month=JANUARY, computed_at=at, **FIGURES))
        connection.execute(
            sa.text(
                "INSERT INTO accrual_closes (month, closed_at, closed_by, figures_digest) "
                "VALUES (:month, :at, 'controller', :digest)"
            ),
            {"month": JANUARY, "at": at, "digest": frozen},
        )
    assert "invoiced_late_in_month" not in columns(engine)

    migrate(engine)
    with engine.connect() as connection:
        assert store.month_summary(connection, JANUARY)["invoiced_late_in_month"] is None
        assert store.figures_digest(connection, JANUARY) == frozen, "a close before 0019 still matches its figures"
    with engine.begin() as connection:
        connection.execute(sa.update(accrual_months).values(invoiced_late_in_month=Decimal("0.00")))
        assert store.figures_digest(connection, JANUARY) != frozen, "once kept, the late figure is in the digest"

    with migration_transaction(engine) as connection:
        command.downgrade(alembic_config(connection), "0018")
    assert "invoiced_late_in_month" not in columns(engine)
    assert "invoiced_in_month" in columns(engine)
