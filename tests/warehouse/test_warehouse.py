"""The migrations build exactly the schema the code declares, and upgrade an existing warehouse in place."""

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from hr_assets.warehouse.engine import alembic_config, create_engine, migrate, upsert
from hr_assets.warehouse.tables import accruals, attendance_import_records, metadata, paycom_sync_log, scheduling_staff


def test_migrated_schema_matches_the_tables(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    migrate(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        head = ScriptDirectory.from_config(alembic_config(connection)).get_current_head()
    assert differences == []
    assert version == head == "0004"


def test_an_existing_warehouse_upgrades_in_place(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")  # as the first release left it
    now = dt.datetime(2026, 11, 20, 14, tzinfo=dt.UTC)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(paycom_sync_log).values(
                run_id="r1",
                sync_week=dt.date(2026, 11, 20),
                report_type="all",
                forced=False,
                started_at=now,
                status="completed",
                files_processed=4,
                employees_processed=10,
                employees_created=10,
                employees_updated=0,
                employees_terminated=0,
                rows_invalid=0,
            )
        )
    migrate(create_engine(warehouse_url))
    migrate(create_engine(warehouse_url))  # and again: nothing to do
    with engine.connect() as connection:
        row = connection.execute(sa.select(paycom_sync_log)).mappings().one()
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        for table in (accruals, attendance_import_records):  # the later releases' tables, empty
            assert connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0
    assert version == "0004"
    assert row["run_id"] == "r1"
    assert row["started_at"] == now and row["started_at"].tzinfo is not None


def test_naive_times_are_refused(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    migrate(engine)
    with pytest.raises(sa.exc.StatementError, match="naive datetime"), engine.begin() as connection:
        connection.execute(
            sa.insert(paycom_sync_log).values(
                run_id="r1",
                sync_week=dt.date(2026, 11, 20),
                report_type="all",
                forced=False,
                started_at=dt.datetime(2026, 11, 20, 14),
                status="running",
            )
        )


def test_upsert_updates_existing_rows_and_keeps_named_columns(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    migrate(engine)
    first = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    later = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    row = {
        "employee_code": "1001",
        "display_name": "Ana",
        "role": "nurse",
        "available_for_scheduling": True,
        "max_hours_per_week": 40,
        "period_start": dt.date(2026, 1, 2),
        "updated_at": first,
    }
    with engine.begin() as connection:
        upsert(connection, scheduling_staff, [row], ["employee_code"])
        upsert(
            connection,
            scheduling_staff,
            [dict(row, display_name="Ana B", updated_at=later)],
            ["employee_code"],
            keep_on_conflict=["updated_at"],
        )
    with engine.connect() as connection:
        stored = connection.execute(sa.select(scheduling_staff)).mappings().one()
    assert stored["display_name"] == "Ana B"
    assert stored["updated_at"] == first


def test_upsert_of_thousands_of_rows_inserts_then_updates_them_all(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    migrate(engine)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    staff = [
        {
            "employee_code": str(n),
            "display_name": f"E{n}",
            "role": "other",
            "available_for_scheduling": True,
            "max_hours_per_week": 40,
            "period_start": dt.date(2026, 1, 2),
            "updated_at": now,
        }
        for n in range(9000)
    ]
    with engine.begin() as connection:
        upsert(connection, scheduling_staff, staff[:5000], ["employee_code"])
        upsert(connection, scheduling_staff, [dict(row, role="nurse") for row in staff], ["employee_code"])
    with engine.connect() as connection:
        roles = dict(
            connection.execute(
                sa.select(scheduling_staff.c.role, sa.func.count()).group_by(scheduling_staff.c.role)
            ).all()
        )
    assert roles == {"nurse": 9000}


def test_database_errors_do_not_quote_row_values(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    migrate(engine)
    row = {
        "employee_code": "1001",
        "display_name": "Jane Secretname",
        "role": "nurse",
        "available_for_scheduling": True,
        "max_hours_per_week": 40,
        "period_start": dt.date(2026, 1, 2),
        "updated_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    }
    with pytest.raises(sa.exc.IntegrityError) as failed, engine.begin() as connection:
        connection.execute(sa.insert(scheduling_staff), [row, row])
    assert "Secretname" not in str(failed.value)
