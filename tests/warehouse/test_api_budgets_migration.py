"""Migration 0016 adds api_budgets, the vendor keys' shared request slots, and takes it away again."""

import time

import sqlalchemy as sa
from alembic import command

from hr_assets.warehouse.budgets import budget_id, claim
from hr_assets.warehouse.engine import alembic_config, create_engine, migrate, migration_transaction


def tables(engine: sa.Engine) -> set[str]:
    with engine.connect() as connection:
        return set(sa.inspect(connection).get_table_names())


def test_api_budgets_comes_with_0016_and_goes_with_its_downgrade(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    with migration_transaction(engine) as connection:
        command.upgrade(alembic_config(connection), "0015")
    assert "api_budgets" not in tables(engine)

    migrate(engine)
    budget = budget_id("Holded", "hk_live_migration")
    first = claim(engine, budget, "Holded", 0.25)
    assert first <= time.monotonic(), "the first claim's slot is now"
    assert 0 < claim(engine, budget, "Holded", 0.25) - time.monotonic() <= 0.25, "the second's follows the first's"

    with migration_transaction(engine) as connection:
        command.downgrade(alembic_config(connection), "0015")
    assert "api_budgets" not in tables(engine)
    assert "company_departments" in tables(engine), "only its own table goes"

    migrate(engine)
    assert claim(engine, budget, "Holded", 0.25) <= time.monotonic(), "upgraded again, the budget starts afresh"
