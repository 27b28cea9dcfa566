"""Attendance imports and their records in the warehouse; every function works inside the caller's transaction.

A file is imported once per content (its SHA-256). Importing it again (a re-run of its partition, say after
a department was mapped to a company) validates its rows again and rewrites them in place: a record keeps its
id, so whatever was done with it since (its push to Bayzat, say) stays with it.

Records are written a chunk at a time (see ``importing``) by ``bulk_upsert``, which stores what ``upsert`` would
at about the database's own cost. An import's ``validation_errors`` holds its first errors, as a summary; every
error is on its record and in ``integration_errors``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.defs.attendance.validation import AttendanceRecord
from hr_assets.lib.row_errors import RowError
from hr_assets.warehouse.engine import bulk_upsert, upsert
from hr_assets.warehouse.tables import attendance_import_records as records
from hr_assets.warehouse.tables import attendance_imports as imports
from hr_assets.warehouse.tables import paycom_employees


def employee_codes(connection: Connection) -> frozenset[str]:
    """The employee master's codes: every Paycom employee, terminated ones too (their past attendance counts)."""
    return frozenset(connection.execute(sa.select(paycom_employees.c.employee_code)).scalars())


def start_import(
    connection: Connection,
    *,
    sha256: str,
    partition_key: str,
    file_name: str,
    file_path: str,
    run_id: str,
    now: dt.datetime,
) -> tuple[int, str]:
    """The import's id and partition key, created or reused: the same content is the same import, under the
    partition key it was first stored with. Marked as processing by ``run_id``."""
    upsert(
        connection,
        imports,
        [
            {
                "content_sha256": sha256,
                "partition_key": partition_key,
                "filename": file_name,
                "file_path": file_path,
                "total_records": 0,
                "processed_records": 0,
                "successful_records": 0,
                "failed_records": 0,
                "status": "processing",
                "run_id": run_id,
                "started_at": now,
                "completed_at": None,
                "created_at": now,
                "updated_at": now,
            }
        ],
        ["content_sha256"],
        keep_on_conflict=["created_at", "partition_key"],
    )
    query = sa.select(imports.c.id, imports.c.partition_key).where(imports.c.content_sha256 == sha256)
    import_id, key = connection.execute(query).one()
    return import_id, key


def store_records(
    connection: Connection, import_id: int, validated: Sequence[AttendanceRecord], now: dt.datetime
) -> None:
    """These rows of the file (a chunk, in file order), valid or not."""
    rows = [_row(import_id, record, now) for record in validated]
    bulk_upsert(connection, records, rows, ["attendance_import_id", "row_number"], keep_on_conflict=["created_at"])


def _row(import_id: int, record: AttendanceRecord, now: dt.datetime) -> dict[str, Any]:
    return {
        "attendance_import_id": import_id,
        "row_number": record.row_number,
        "employee_code": record.employee_code,
        "company_id": record.company_id,
        "csv_employee_id": record.csv_employee_id or "",
        "first_name": record.first_name or "",
        "fingerprint_department": record.fingerprint_department or "",
        "date": record.date,
        "weekday": record.weekday or "",
        "check_in": record.check_in,
        "check_out": record.check_out,
        "clock_in": record.clock_in,
        "clock_out": record.clock_out,
        "raw": record.raw,
        "is_valid": record.is_valid,
        "validation_errors": [_error_json(error) for error in record.validation_errors] or None,
        "created_at": now,
        "updated_at": now,
    }


def _error_json(error: RowError) -> dict[str, Any]:
    return {key: value for key, value in asdict(error).items() if value is not None}


def finish_import(
    connection: Connection,
    import_id: int,
    *,
    encoding: str,
    total: int,
    valid: int,
    first_errors: Sequence[RowError],
    unmapped_departments: list[str],
    now: dt.datetime,
) -> None:
    connection.execute(
        sa.update(imports)
        .where(imports.c.id == import_id)
        .values(
            encoding=encoding,
            total_records=total,
            processed_records=total,
            successful_records=valid,
            failed_records=total - valid,
            validation_errors=[_error_json(error) for error in first_errors] or None,
            unmapped_departments=unmapped_departments or None,
            status="completed",
            completed_at=now,
            updated_at=now,
        )
    )


def fail_import(connection: Connection, import_id: int, reason: str, now: dt.datetime) -> None:
    """A file that could not be read at all: the import says why (one line naming the file)."""
    connection.execute(
        sa.update(imports)
        .where(imports.c.id == import_id)
        .values(status="failed", validation_errors=[{"reason": reason}], completed_at=now, updated_at=now)
    )


def expired_files(connection: Connection, imported_before: dt.datetime) -> list[dict[str, Any]]:
    """Imports whose file is still kept and was imported before ``imported_before``."""
    query = sa.select(imports.c.id, imports.c.file_path, imports.c.content_sha256).where(
        imports.c.completed_at < imported_before, imports.c.file_removed_at.is_(None)
    )
    return [dict(row) for row in connection.execute(query).mappings()]


def mark_file_removed(connection: Connection, import_id: int, now: dt.datetime) -> None:
    connection.execute(sa.update(imports).where(imports.c.id == import_id).values(file_removed_at=now, updated_at=now))


def recent_imports(connection: Connection, limit: int) -> list[dict[str, Any]]:
    """The newest imports first."""
    query = sa.select(imports).order_by(imports.c.id.desc()).limit(limit)
    return [dict(row) for row in connection.execute(query).mappings()]


def import_by_id(connection: Connection, import_id: int) -> dict[str, Any] | None:
    row = connection.execute(sa.select(imports).where(imports.c.id == import_id)).mappings()
    found = row.first()
    return dict(found) if found else None


def department_names(connection: Connection) -> list[str]:
    """Every department name the imports' rows wrote, as written."""
    query = sa.select(records.c.fingerprint_department).where(records.c.fingerprint_department != "").distinct()
    return list(connection.execute(query).scalars())


def imports_with_records(connection: Connection, where: sa.ColumnElement[bool]) -> list[dict[str, Any]]:
    """The imports (id, file name, partition key, run id) with records that match ``where``."""
    query = (
        sa.select(imports.c.id, imports.c.filename, imports.c.partition_key, imports.c.run_id)
        .where(imports.c.id.in_(sa.select(records.c.attendance_import_id).where(where)))
        .order_by(imports.c.id)
    )
    return [dict(row) for row in connection.execute(query).mappings()]


def records_of_import(connection: Connection, import_id: int, where: sa.ColumnElement[bool]) -> list[dict[str, Any]]:
    """The import's records that match ``where``, in file order, as stored."""
    query = sa.select(records).where(records.c.attendance_import_id == import_id, where).order_by(records.c.row_number)
    return [dict(row) for row in connection.execute(query).mappings()]


def date_cells(connection: Connection, import_id: int) -> Iterator[tuple[str, str]]:
    """Each of the import's rows' department and date as read: what the file's date order is settled from."""
    query = sa.select(records.c.raw).where(records.c.attendance_import_id == import_id)
    for (raw,) in connection.execute(query):
        yield raw.get("fingerprint_department", ""), raw.get("date", "")


def refresh_totals(connection: Connection, import_id: int, first_errors: int, now: dt.datetime) -> None:
    """The import's totals, first errors and unmapped departments recounted from its records, after some of them
    were validated again (``revalidation``)."""
    of_import = records.c.attendance_import_id == import_id
    total, valid = connection.execute(
        sa.select(sa.func.count(), sa.func.count().filter(records.c.is_valid)).where(of_import)
    ).one()
    unmapped = sorted(
        connection.execute(
            sa.select(records.c.fingerprint_department)
            .where(of_import, records.c.company_id.is_(None), records.c.fingerprint_department != "")
            .distinct()
        ).scalars()
    )
    errors: list[dict[str, Any]] = []
    invalid = (
        sa.select(records.c.validation_errors).where(of_import, ~records.c.is_valid).order_by(records.c.row_number)
    )
    for (row_errors,) in connection.execute(invalid):
        errors.extend(row_errors[: first_errors - len(errors)])
        if len(errors) == first_errors:
            break
    connection.execute(
        sa.update(imports)
        .where(imports.c.id == import_id)
        .values(
            successful_records=valid,
            failed_records=total - valid,
            validation_errors=errors or None,
            unmapped_departments=unmapped or None,
            updated_at=now,
        )
    )
