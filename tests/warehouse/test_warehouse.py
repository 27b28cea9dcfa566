"""The migrations build exactly the schema the code declares, and upgrade an existing warehouse in place."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from hr_assets.defs.attendance.importing import partition_key
from hr_assets.warehouse.engine import (
    BulkWriteError,
    Cents,
    alembic_config,
    bulk_insert,
    bulk_upsert,
    create_engine,
    insert_rows,
    migrate,
    upsert,
)
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
    assert version == head == "0021"


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
    assert version == "0021"
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


def staff_row(**fields: object) -> dict[str, object]:
    """A ``scheduling_staff`` row, with ``fields`` changed."""
    return {
        "employee_code": "1001",
        "display_name": "Ana",
        "role": "nurse",
        "available_for_scheduling": True,
        "max_hours_per_week": 40,
        "period_start": dt.date(2026, 1, 2),
        "updated_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    } | fields


UPSERTS = pytest.mark.parametrize("write", [upsert, bulk_upsert], ids=["upsert", "bulk_upsert"])


@UPSERTS
def test_upsert_updates_existing_rows_and_keeps_named_columns(warehouse_url: str, write: Callable[..., None]) -> None:
    engine = create_engine(warehouse_url)
    migrate(engine)
    first = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    later = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    row = staff_row(updated_at=first)
    with engine.begin() as connection:
        write(connection, scheduling_staff, [row], ["employee_code"])
        write(
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


@UPSERTS
def test_upsert_of_thousands_of_rows_inserts_then_updates_them_all(
    warehouse_url: str, write: Callable[..., None]
) -> None:
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
        write(connection, scheduling_staff, staff[:5000], ["employee_code"])
        write(connection, scheduling_staff, [dict(row, role="nurse") for row in staff], ["employee_code"])
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
    row = staff_row(display_name="Jane Secretname")
    with pytest.raises(sa.exc.IntegrityError) as failed, engine.begin() as connection:
        connection.execute(sa.insert(scheduling_staff), [row, row])
    assert "Secretname" not in str(failed.value)


def attendance_import_rows(import_id: int, stamp: dt.datetime, name_suffix: str = "") -> list[dict[str, Any]]:
    """Records with every type the table holds, and values that are equal in Python but stored apart (an aware time
    in two zones, JSON's 1 and true) or that COPY has to escape."""
    plus_four = dt.timezone(dt.timedelta(hours=4))
    texts = ["tab\there", "back\\slash", "\\N", "line\nbreak\r\n", "", "名前 Çé", 'quote"s', "\\.", "plain"]
    times = [dt.time(8, 5), dt.time(0, 0), dt.time(23, 59, 59, 999_999), None, dt.time(8, tzinfo=dt.UTC)]
    times += [dt.time(12, tzinfo=plus_four), dt.time(8, 0), dt.time(17, 30), dt.time(8, 5)]
    json_values = [None, 1, True, "text", [1, "a"], {"reason": "b", "row_number": 4}, [], 0, False]
    return [
        {
            "attendance_import_id": import_id,
            "row_number": row_number,
            "employee_code": [None, "1001"][row_number % 2],
            "company_id": None,
            "csv_employee_id": texts[row_number] + name_suffix,
            "first_name": texts[-1 - row_number],
            "fingerprint_department": "AdvLine",
            "date": [dt.date(2026, 3, 2), None, dt.date(1999, 12, 31)][row_number % 3],
            "weekday": "Monday",
            "check_in": times[row_number],
            "check_out": times[-1 - row_number],
            "clock_in": dt.time(8, 0),
            "clock_out": None,
            "raw": {"csv_employee_id": texts[row_number], "note": texts[-1 - row_number], "n": row_number},
            "is_valid": row_number % 2 == 0,
            "validation_errors": json_values[row_number],
            "created_at": stamp,
            "updated_at": [stamp, stamp.astimezone(plus_four)][row_number % 2],
        }
        for row_number in range(len(texts))
    ]


def stored_as_written(connection: sa.Connection, import_id: int) -> list[tuple[Any, ...]]:
    """The import's records as the database holds them: SQLite's ``quote`` (which shows a value's storage class)
    or PostgreSQL's text of each value; every column but the id and the import."""
    table = attendance_import_records
    as_text = sa.func.quote if connection.dialect.name == "sqlite" else (lambda column: sa.cast(column, sa.Text))
    columns = [as_text(column) for column in table.c if column.name not in ("id", "attendance_import_id")]
    query = sa.select(*columns).where(table.c.attendance_import_id == import_id).order_by(table.c.row_number)
    return [tuple(row) for row in connection.execute(query)]


def test_bulk_upsert_stores_exactly_what_upsert_stores_and_updates_alike(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    migrate(engine)
    first = dt.datetime(2026, 3, 9, 12, 30, 15, 123_456, tzinfo=dt.UTC)
    later = first + dt.timedelta(days=1)
    imports = [
        {
            "content_sha256": f"{n:064x}",
            "partition_key": f"file-{n}",
            "filename": "f.csv",
            "file_path": "/inbox/f.csv",
            "total_records": 0,
            "processed_records": 0,
            "successful_records": 0,
            "failed_records": 0,
            "status": "processing",
            "created_at": first,
            "updated_at": first,
        }
        for n in (1, 2)
    ]
    key = ["attendance_import_id", "row_number"]
    with engine.begin() as connection:
        insert_rows(connection, attendance_imports, imports)
        upsert(connection, attendance_import_records, attendance_import_rows(1, first), key)
        bulk_upsert(connection, attendance_import_records, attendance_import_rows(2, first), key)
    with engine.connect() as connection:
        by_upsert, by_bulk_upsert = stored_as_written(connection, 1), stored_as_written(connection, 2)
    assert by_bulk_upsert == by_upsert
    assert len(set(by_upsert)) == len(by_upsert) == 9

    with engine.begin() as connection:
        upsert(connection, attendance_import_records, attendance_import_rows(1, later, " v2"), key, ["created_at"])
        bulk_upsert(connection, attendance_import_records, attendance_import_rows(2, later, " v2"), key, ["created_at"])
    with engine.connect() as connection:
        updated = stored_as_written(connection, 2)
        assert updated == stored_as_written(connection, 1)
    assert updated != by_bulk_upsert and all(" v2" in row[3] for row in updated)  # csv_employee_id
    assert [row[-2] for row in updated] == [row[-2] for row in by_bulk_upsert]  # created_at kept


def test_bulk_insert_stores_exactly_what_insert_rows_stores(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    migrate(engine)
    # in cents: negative under a unit (5, given as Cents), one whose double is no exact decimal (6: 0.30, as Cents)
    cents = [0, 1, 21_725, 34_070, -40_000 + 1, -5, 30, 8_765_432_100, 58_760]
    rows = [
        {
            "month": dt.date(2026, 5 + n % 2, 1),
            "invoice_id": f"INV-{n}\tx" if n == 3 else f"INV-{n}",  # a tab: COPY's delimiter, escaped
            "line_no": n,
            "kind": "catch_up" if n % 3 else "recognised",
            "service_period_id": None if n % 4 == 0 else n * 7,
            "recognized_amount": Decimal(cents[n]).scaleb(-2),
        }
        for n in range(1, 9)
    ]
    in_bulk = {name: [row[name] for row in rows[4:]] for name in rows[0]}
    with engine.begin() as connection:
        insert_rows(connection, accruals, rows[:4])
        first_two = {name: values[:2] for name, values in in_bulk.items()}
        bulk_insert(connection, accruals, first_two | {"recognized_amount": Cents(cents[5:7])})
        bulk_insert(connection, accruals, {name: values[2:] for name, values in in_bulk.items()})
        bulk_insert(connection, accruals, {name: [] for name in rows[0]})  # nothing to insert: nothing happens
    with engine.connect() as connection:
        stored = [dict(row) for row in connection.execute(sa.select(accruals).order_by(accruals.c.line_no)).mappings()]
    assert stored == rows


def test_bulk_upsert_refuses_naive_times_as_upsert_does(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    migrate(engine)
    row = staff_row(updated_at=dt.datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="naive datetime"), engine.begin() as connection:
        bulk_upsert(connection, scheduling_staff, [row], ["employee_code"])


def test_a_row_postgresql_refuses_in_bulk_is_reported_without_its_values(
    make_postgres_database: Callable[[], str],
) -> None:
    engine = create_engine(make_postgres_database())
    migrate(engine)
    row = staff_row(display_name="Jane Secretname " + "x" * 200)  # longer than its column: COPY refuses it
    with pytest.raises(BulkWriteError) as failed, engine.begin() as connection:
        bulk_upsert(connection, scheduling_staff, [row], ["employee_code"])
    assert str(failed.value) == "1 rows of scheduling_staff not stored: value too long for type character varying(200)"


def test_accrual_rows_keep_their_amounts_as_recognized_shares_when_kinds_arrive(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0005")
    row = {
        "month": dt.date(2026, 5, 1),
        "invoice_id": "INV-1",
        "line_no": 1,
        "service_period_id": 7,
        "recognized_amount": Decimal("123.45"),
    }
    with engine.begin() as connection:  # as 0005 left the table: no kind
        connection.execute(
            sa.text(
                "INSERT INTO accruals (month, invoice_id, line_no, service_period_id, recognized_amount)"
                " VALUES (:month, :invoice_id, :line_no, :service_period_id, :recognized_amount)"
            ).bindparams(sa.bindparam("recognized_amount", type_=accruals.c.recognized_amount.type)),
            row,
        )
    migrate(create_engine(warehouse_url))
    with engine.begin() as connection:
        # a catch-up next to the month's own share of the same line: the kind is part of the key now
        connection.execute(sa.insert(accruals).values(**dict(row, kind="catch_up", recognized_amount=Decimal("1"))))
        stored = [dict(r) for r in connection.execute(sa.select(accruals).order_by(accruals.c.kind)).mappings()]
    assert stored == [dict(row, kind="catch_up", recognized_amount=Decimal("1.00")), dict(row, kind="recognised")]
