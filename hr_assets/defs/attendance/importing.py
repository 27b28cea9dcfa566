"""Importing one fingerprint attendance file: read, validate every row, store it all in one transaction.

The asset and ``hr-assets attendance import`` both come here. A file is known by its content: its SHA-256
is the run key that keeps the inbox sensor from importing it twice, and names its partition together
with the file's stem (``march_week1-3fa1c2d4e5f6``), so the UI shows which file a partition is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from hr_assets.defs.attendance import store
from hr_assets.defs.attendance.companies import companies_by_department
from hr_assets.defs.attendance.csv_file import AttendanceFileError, parse_attendance_csv
from hr_assets.defs.attendance.validation import AttendanceRecord, DateFormat, unmapped_departments, validate_file
from hr_assets.lib.row_errors import RowError

_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_STEM_LENGTH = 60
_HASH_LENGTH = 12


def content_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def partition_key(file_name: str, sha256: str) -> str:
    """The file's partition: its stem made safe for a partition key, and the start of its content hash."""
    stem = _KEY_UNSAFE.sub("_", Path(file_name).stem).strip("_.-")[:_STEM_LENGTH] or "attendance"
    return f"{stem}-{sha256[:_HASH_LENGTH]}"


@dataclass(frozen=True)
class ImportOutcome:
    import_id: int
    partition_key: str
    file_name: str
    encoding: str
    rows: int
    valid: int
    kept_sent: int  # records already sent to Bayzat, whose push status a re-import kept
    unmapped_departments: list[str]
    errors: list[RowError]
    company_ids: list[int]  # the companies with valid records in the file

    @property
    def invalid(self) -> int:
        return self.rows - self.valid


def import_file(
    engine: Engine,
    path: Path,
    run_id: str,
    now: dt.datetime,
    date_format: DateFormat = DateFormat.ISO,
    roster_required: bool = True,
) -> ImportOutcome:
    """Import ``path``; a file that cannot be read at all is recorded as a failed import, then raises
    ``AttendanceFileError`` (one line naming the file).

    Each row's employee must be in the Paycom roster once one is synced, or when ``roster_required`` (Paycom is
    configured); without Paycom and its roster, the device's id is the employee's code."""
    data = path.read_bytes()
    sha256 = content_sha256(data)
    key = partition_key(path.name, sha256)
    with engine.begin() as connection:
        import_id, key = store.start_import(
            connection,
            sha256=sha256,
            partition_key=key,
            file_name=path.name,
            file_path=str(path.resolve()),
            run_id=run_id,
            now=now,
        )
    try:
        parsed = parse_attendance_csv(data, path.name)
    except AttendanceFileError as exc:
        with engine.begin() as connection:
            store.fail_import(connection, import_id, str(exc), now)
        raise
    with engine.begin() as connection:
        codes = store.employee_codes(connection)
        validated: list[AttendanceRecord] = validate_file(
            parsed, codes if codes or roster_required else None, companies_by_department(connection), date_format
        )
        kept_sent = store.store_records(connection, import_id, validated, now)
        unmapped = unmapped_departments(validated)
        store.finish_import(
            connection, import_id, encoding=parsed.encoding, validated=validated, unmapped_departments=unmapped, now=now
        )
        company_ids = store.companies_of_import(connection, import_id)
    return ImportOutcome(
        import_id=import_id,
        partition_key=key,
        file_name=path.name,
        encoding=parsed.encoding,
        rows=len(validated),
        valid=sum(record.is_valid for record in validated),
        kept_sent=kept_sent,
        unmapped_departments=unmapped,
        errors=[error for record in validated for error in record.validation_errors],
        company_ids=company_ids,
    )
