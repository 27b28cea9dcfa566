"""Migration 0006 moves each record's Bayzat push state out of attendance_import_records, keeping every status."""

import datetime as dt

import sqlalchemy as sa
from alembic import command

from hr_assets.defs.bayzat.store import PushState, push_states, status_counts
from hr_assets.warehouse.engine import alembic_config, create_engine, migrate, migration_transaction
from hr_assets.warehouse.tables import (
    Timestamp,
    attendance_import_records,
    attendance_imports,
    bayzat_record_pushes,
    bayzat_sync_batches,
)

NOW = dt.datetime(2026, 11, 20, 14, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(hours=2)
PUSH_COLUMNS = {
    "bayzat_sync_status": sa.String(),
    "bayzat_retry_count": sa.Integer(),
    "bayzat_next_retry_at": Timestamp(),
    "bayzat_sync_error": sa.Text(),
    "bayzat_sync_at": Timestamp(),
    "bayzat_batch_id": sa.Integer(),
}
# The records as release 0005 stored them, push state beside the file's rows.
OLD_RECORDS = sa.table(
    "attendance_import_records",
    *(sa.column(column.name, column.type) for column in attendance_import_records.c),
    *(sa.column(name, kind) for name, kind in PUSH_COLUMNS.items()),
)
# (is_valid, status, retry count, next retry, error, synced at, in the batch)
STATES = [
    (True, "pending", 0, None, None, None, False),  # imported, never taken up
    (False, "skipped", 0, None, "not valid: see validation_errors", None, False),
    (True, "synced", 0, None, None, NOW, True),
    (True, "failed", 2, LATER, "Bayzat answered 500: down", None, True),
    (True, "syncing", 0, None, None, None, True),  # a run died with it in flight
    (True, "skipped", 0, None, "no check-in or check-out to send", None, True),
    (True, "pending", 1, None, None, None, True),  # released when a key was refused
    (False, "failed", 5, None, "Employee 0042 not found", None, True),
]


def records_at_0005(connection: sa.Connection, import_id: int, company_id: int, batch_id: int) -> list[dict]:
    rows = [
        {
            "attendance_import_id": import_id,
            "row_number": number,
            "employee_code": "0042",
            "company_id": company_id,
            "csv_employee_id": "0042",
            "first_name": "Name",
            "fingerprint_department": "AdvLine",
            "date": dt.date(2026, 3, number),
            "weekday": "",
            "check_in": dt.time(8),
            "check_out": dt.time(17),
            "raw": {"n": number},
            "is_valid": valid,
            "bayzat_sync_status": status,
            "bayzat_retry_count": retries,
            "bayzat_next_retry_at": next_retry,
            "bayzat_sync_error": error,
            "bayzat_sync_at": synced,
            "bayzat_batch_id": batch_id if batched else None,
            "created_at": NOW,
            "updated_at": NOW + dt.timedelta(minutes=number),
        }
        for number, (valid, status, retries, next_retry, error, synced, batched) in enumerate(STATES, start=1)
    ]
    connection.execute(sa.insert(OLD_RECORDS), rows)
    return rows


def test_every_push_state_moves_to_bayzat_record_pushes_and_back(warehouse_url: str) -> None:
    engine = create_engine(warehouse_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0005")
        company_id = connection.execute(  # the companies table as release 0005 has it
            sa.text(
                "INSERT INTO companies (slug, name_en, fingerprint_report_name, fingerprint_report_key, timezone, "
                "created_at, updated_at) VALUES ('advline', 'AdvLine', 'AdvLine', 'advline', 'Asia/Dubai', :now, :now) "
                "RETURNING id"
            ),
            {"now": NOW},
        ).scalar_one()
        import_id = connection.execute(
            sa.insert(attendance_imports)
            .values(
                content_sha256="a" * 64,
                partition_key="week-aaaa",
                filename="week.csv",
                file_path="/inbox/week.csv",
                total_records=len(STATES),
                processed_records=len(STATES),
                successful_records=6,
                failed_records=2,
                status="completed",
                created_at=NOW,
                updated_at=NOW,
            )  # fmt: skip
            .returning(attendance_imports.c.id)
        ).scalar_one()
        batch_id = connection.execute(
            sa.insert(bayzat_sync_batches)
            .values(
                company_id=company_id,
                attendance_import_id=import_id,
                run_id="r1",
                total_records=6,
                synced_records=0,
                failed_records=0,
                status="processing",
                created_at=NOW,
                updated_at=NOW,
            )  # fmt: skip
            .returning(bayzat_sync_batches.c.id)
        ).scalar_one()
        before = records_at_0005(connection, import_id, company_id, batch_id)

    migrate(engine)
    with engine.connect() as connection:
        ids = (
            connection.execute(
                sa.select(attendance_import_records.c.id).order_by(attendance_import_records.c.row_number)
            )
            .scalars()
            .all()
        )
        states = push_states(connection, ids)
        taken_up = connection.execute(sa.select(sa.func.count()).select_from(bayzat_record_pushes)).scalar_one()
        counts = status_counts(connection, company_id)
    expected = [
        PushState(status, retries, next_retry, None if (status, valid) == ("skipped", False) else error, synced,
                  batch_id if batched else None)
        for valid, status, retries, next_retry, error, synced, batched in STATES[:-1]
    ]  # fmt: skip
    expected.append(PushState("skipped", 5, None, "Employee 0042 not found", None, batch_id))  # invalid since
    assert [states[record_id] for record_id in ids] == expected
    assert taken_up == 6, "the two records the push never took up have no row: their import state says it"
    assert counts == {"pending": 2, "skipped": 3, "synced": 1, "failed": 1, "syncing": 1}

    with migration_transaction(engine) as connection:
        command.downgrade(alembic_config(connection), "0005")
    with engine.connect() as connection:
        after = connection.execute(sa.select(OLD_RECORDS).order_by(OLD_RECORDS.c.row_number)).mappings().all()
    assert [{name: row[name] for name in (*PUSH_COLUMNS, "updated_at")} for row in after] == [
        {name: row[name] for name in (*PUSH_COLUMNS, "updated_at")} for row in before
    ]
