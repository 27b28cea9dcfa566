"""Migration 0020 adds each company's employee master (a column, the lists' snapshots and the device ids' codes),
keeping the companies there are, and takes it away again."""

import datetime as dt

import sqlalchemy as sa
from alembic import command

from hr_assets.defs.shared.companies import EmployeeMaster, add_company, employee_masters, map_employee
from hr_assets.warehouse.engine import alembic_config, create_engine, migrate, migration_transaction

NEW_TABLES = {"company_employee_lists", "company_employees", "device_employee_codes"}


def tables(engine: sa.Engine) -> set[str]:
    with engine.connect() as connection:
        return set(sa.inspect(connection).get_table_names())


def company_columns(engine: sa.Engine) -> set[str]:
    with engine.connect() as connection:
        return {column["name"] for column in sa.inspect(connection).get_columns("companies")}


def test_employee_masters_come_with_0020_and_go_with_its_downgrade(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    with migration_transaction(engine) as connection:
        command.upgrade(alembic_config(connection), "0019")
        connection.execute(
            sa.text(
                "INSERT INTO companies (slug, name_en, timezone, created_at, updated_at) "
                "VALUES ('advline', 'AdvLine', 'Asia/Dubai', :now, :now)"
            ),
            {"now": dt.datetime(2026, 3, 1, tzinfo=dt.UTC)},
        )
    assert not NEW_TABLES & tables(engine) and "employee_master" not in company_columns(engine)

    migrate(engine)
    now = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    with engine.begin() as connection:
        assert employee_masters(connection) == {}, "a company of an earlier release follows the deployment's rule"
        gulfco = add_company(
            connection, slug="gulfco", name_en="Gulf Co", name_ar=None, fingerprint_report_name=None,
            timezone="Asia/Dubai", now=now, employee_master=EmployeeMaster.LIST,
        )  # fmt: skip
        assert map_employee(connection, gulfco, "17", "E017", now) is None
        assert employee_masters(connection) == {gulfco: EmployeeMaster.LIST}

    with migration_transaction(engine) as connection:
        command.downgrade(alembic_config(connection), "0019")
    assert not NEW_TABLES & tables(engine) and "employee_master" not in company_columns(engine)
    with engine.connect() as connection:
        slugs = connection.execute(sa.text("SELECT slug FROM companies ORDER BY slug")).scalars().all()
    assert slugs == ["advline", "gulfco"], "only the new column and tables go"
