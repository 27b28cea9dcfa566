"""Migration 0014 moves each company's one fingerprint department into company_departments, and back."""

import datetime as dt

import sqlalchemy as sa
from alembic import command

from hr_assets.defs.shared.companies import companies_by_department, departments, map_department
from hr_assets.warehouse.engine import alembic_config, create_engine, migrate, migration_transaction
from hr_assets.warehouse.tables import Timestamp, attendance_imports, bayzat_configs

NOW = dt.datetime(2026, 11, 20, 14, tzinfo=dt.UTC)
# The companies as release 0013 stored them: one department each, or none.
COMPANIES = [("advline", "AdvLine", "advline"), ("gulfco", "Gulf Co", "gulf co"), ("quiet", None, None)]
OLD_COMPANIES = sa.table(
    "companies",
    sa.column("id", sa.Integer()),
    *(sa.column(name, sa.String()) for name in ("slug", "fingerprint_report_name", "fingerprint_report_key")),
    *(sa.column(name, sa.String()) for name in ("name_en", "timezone")),
    *(sa.column(name, Timestamp()) for name in ("created_at", "updated_at")),
)


def test_each_companys_department_moves_to_company_departments_and_the_first_comes_back(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0013")
        ids = {
            slug: connection.execute(
                sa.insert(OLD_COMPANIES)
                .values(
                    slug=slug,
                    fingerprint_report_name=name,
                    fingerprint_report_key=key,
                    name_en="N",
                    timezone="Asia/Dubai",
                    created_at=NOW,
                    updated_at=NOW,
                )
                .returning(OLD_COMPANIES.c.id)
            ).scalar_one()  # fmt: skip
            for slug, name, key in COMPANIES
        }
        connection.execute(  # a table referencing companies: the rebuild on SQLite must not cascade into it
            sa.insert(bayzat_configs).values(
                company_id=ids["advline"],
                api_key_encrypted="x",
                api_url="https://b",
                is_enabled=True,
                sync_frequency="hourly",
                needs_new_key=False,
                created_at=NOW,
                updated_at=NOW,
            )  # fmt: skip
        )

    migrate(engine)
    with engine.begin() as connection:
        assert companies_by_department(connection) == {"advline": ids["advline"], "gulf co": ids["gulfco"]}
        assert departments(connection) == {ids["advline"]: ["AdvLine"], ids["gulfco"]: ["Gulf Co"]}
        columns = {column["name"] for column in sa.inspect(connection).get_columns("companies")}
        assert not columns & {"fingerprint_report_name", "fingerprint_report_key"}
        assert connection.execute(sa.select(sa.func.count()).select_from(bayzat_configs)).scalar_one() == 1
        map_department(connection, "AdvLine Dubai", ids["advline"], NOW)  # advline's second device
        map_department(connection, "Quiet HQ", ids["quiet"], NOW)

    with migration_transaction(engine) as connection:
        command.downgrade(alembic_config(connection), "0013")
    with engine.connect() as connection:
        old = OLD_COMPANIES.c
        query = sa.select(old.slug, old.fingerprint_report_name, old.fingerprint_report_key).order_by(old.slug)
        after = connection.execute(query).all()
        tables = sa.inspect(connection).get_table_names()
        assert connection.execute(sa.select(sa.func.count()).select_from(bayzat_configs)).scalar_one() == 1
        assert connection.execute(sa.select(sa.func.count()).select_from(attendance_imports)).scalar_one() == 0
    assert [tuple(row) for row in after] == [
        ("advline", "AdvLine", "advline"),  # its first department; the second is lost
        ("gulfco", "Gulf Co", "gulf co"),
        ("quiet", "Quiet HQ", "quiet hq"),
    ]
    assert "company_departments" not in tables
