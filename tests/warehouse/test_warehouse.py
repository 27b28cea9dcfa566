"""The migrations build exactly the schema the code declares, and upgrade an existing warehouse in place."""

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from hr_assets.defs.attendance.importing import partition_key
from hr_assets.warehouse.engine import alembic_config, create_engine, insert_rows, migrate, upsert
from hr_assets.warehouse.tables import (
    accruals,
    attendance_import_records,
    attendance_imports,
    integration_errors,
    metadata,
    paycom_sync_log,
    scheduling_staff,
)


def test_migrated_schema_matches_the_tables(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    migrate(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        head = ScriptDirectory.from_config(alembic_config(connection)).get_current_head()
    assert differences == []
    assert version == head == "0005"


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
    assert version == "0005"
    assert row["run_id"] == "r1"
    assert row["started_at"] == now and row["started_at"].tzinfo is not None


def test_integration_errors_take_attendance_partition_keys_and_keep_their_rows(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0004")
    error = {
        "source": "paycom",
        "asset": "paycom_employees",
        "partition_key": "2026-11-20",
        "run_id": "r1",
        "file_name": "20261119180000_Employee_Dates_0000abcd_EmployeeRoster.numbers",
        "row_number": 4,
        "field": "Hire Date",
        "record_key": "1003",
        "reason": "'2024-13-45' is not a date in YYYY-MM-DD form",
        "created_at": dt.datetime(2026, 11, 20, 14, tzinfo=dt.UTC),
    }
    with engine.begin() as connection:
        connection.execute(sa.insert(integration_errors).values(**error))
    migrate(create_engine(warehouse_url))
    name = "fingerprint report, March 2026, week 1, all branches and sites of the group.csv"
    long_key = partition_key(name, "3fa1c2d4e5f6" * 5)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(integration_errors).values(**dict(error, partition_key=long_key, asset="attendance_records"))
        )
    with engine.connect() as connection:
        stored = [dict(row) for row in connection.execute(sa.select(integration_errors).order_by("id")).mappings()]
    assert [{key: row[key] for key in error} for row in stored] == [
        error,
        dict(error, partition_key=long_key, asset="attendance_records"),
    ]
    assert len(long_key) == 73, "the longest an attendance partition key is: a 60-character stem, 12 hex digits"


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


def test_json_lists_of_different_lengths_are_stored_in_one_statement(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    migrate(engine)
    now = dt.datetime(2026, 3, 9, tzinfo=dt.UTC)
    # The first a list: a nested array to the driver unless the array is said to have one dimension.
    errors = [[{"reason": "a"}], None, [{"reason": "b"}, {"reason": "c", "row_number": 4}], []]
    rows = [
        {
            "content_sha256": f"{n:064x}",
            "partition_key": f"file-{n}",
            "filename": f"file-{n}.csv",
            "file_path": f"/inbox/file-{n}.csv",
            "total_records": 0,
            "processed_records": 0,
            "successful_records": 0,
            "failed_records": 0,
            "validation_errors": value,
            "status": "completed",
            "created_at": now,
            "updated_at": now,
        }
        for n, value in enumerate(errors)
    ]
    with engine.begin() as connection:
        insert_rows(connection, attendance_imports, rows)
    with engine.connect() as connection:
        stored = connection.execute(
            sa.select(attendance_imports.c.validation_errors).order_by(attendance_imports.c.id)
        ).scalars()
        assert list(stored) == errors


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
