"""Importing one fingerprint attendance file: read, validate every row, store it all in one transaction.

The asset and ``hr-assets attendance import`` both come here. A file is known by its content: its SHA-256
is the run key that keeps the inbox sensor from importing it twice, and names its partition together
with the file's stem (``march_week1-3fa1c2d4e5f6``), so the UI shows which file a partition is. The same
content under another name is the same import, under the partition it was first imported as: its records
and its errors stay there, once.

The file arrives in the warehouse first (``store_attendance_file``: the inbox sensor and the command store it
where the sensor or the command runs), and the run reads that copy, whichever machine it runs on. It is streamed:
rows are read, validated and written ``CHUNK_ROWS`` at a time, records and errors alike, so memory is bounded by a
chunk, not by the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Connection, Engine

from hr_assets.defs.attendance import store
from hr_assets.defs.attendance.csv_file import AttendanceFile, AttendanceFileError, open_attendance_stream
from hr_assets.defs.attendance.employee_masters import load_masters
from hr_assets.defs.attendance.validation import (
    DateReading,
    settle_date_format,
    unconfigured_dates,
    unmapped_departments,
    validate_file,
)
from hr_assets.defs.shared import attendance_pushes
from hr_assets.defs.shared import companies as company_store
from hr_assets.lib.row_errors import RowError
from hr_assets.warehouse.integration_errors import add_integration_errors, clear_integration_errors
from hr_assets.warehouse.stored_files import StoredFile, find_stored, open_stored, store_path

ASSET = "attendance_records"
SOURCE = "attendance"  # the stored files' source
CHUNK_ROWS = 5000
FIRST_ERRORS = 100  # kept in memory for the import's summary and the run's metadata; all are stored

_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_STEM_LENGTH = 60
_HASH_LENGTH = 12


def content_sha256(path: Path) -> str:
    """The file's SHA-256, read a block at a time."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def store_attendance_file(connection: Connection, path: Path, sha256: str, now: dt.datetime) -> StoredFile:
    """The file's copy in the warehouse, stored once per content and name: a sensor tick that stored it and failed
    before its runs were requested stores nothing again."""
    return find_stored(connection, source=SOURCE, sha256=sha256, file_name=path.name) or store_path(
        connection, source=SOURCE, path=path, now=now
    )


def partition_key(file_name: str, sha256: str) -> str:
    """The file's partition: its stem made safe for a partition key, and the start of its content hash."""
    stem = _KEY_UNSAFE.sub("_", Path(file_name).stem).strip("_.-")[:_STEM_LENGTH] or "attendance"
    return f"{stem}-{sha256[:_HASH_LENGTH]}"


@dataclass
class ImportTally:
    """What the rows stored so far add up to."""

    rows: int = 0
    valid: int = 0
    error_count: int = 0
    first_errors: list[RowError] = field(default_factory=list)
    unmapped_departments: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class ImportOutcome:
    import_id: int
    partition_key: str  # the partition the content was first imported as
    file_name: str
    encoding: str
    rows: int
    valid: int
    unmapped_departments: list[str]
    dates_settled: str | None  # how the file's NN/NN/YYYY dates were read where no company says: DMY, MDY or None
    error_count: int
    first_errors: list[RowError]  # the first FIRST_ERRORS; every error is in integration_errors
    company_ids: list[int]  # the companies with valid records in the file

    @property
    def invalid(self) -> int:
        return self.rows - self.valid


def settled_dates_metadata(outcome: ImportOutcome) -> dict[str, str]:
    """Says how the file's dates were read when the file, not a company's setting, decided it."""
    if outcome.dates_settled is None:
        return {}
    order = "day" if outcome.dates_settled == "DMY" else "month"
    return {"dates_read_as": f"{outcome.dates_settled}: {order} first, as the file's dates over 12 say"}


def import_file(
    engine: Engine,
    stored: StoredFile,
    run_id: str,
    now: dt.datetime,
    roster_required: bool = True,
    file_path: str | None = None,
) -> ImportOutcome:
    """Import the stored file (``file_path``: where it was found, kept with the import); a file that cannot be read
    at all is recorded as a failed import (nothing of this attempt is kept), then raises ``AttendanceFileError``
    (one line naming the file).

    Each row's employee must be in its company's employee master (``employee_masters``); ``roster_required``: Paycom
    is configured, so the companies that follow the deployment's rule need its roster even before its first sync."""
    name = stored.file_name
    with engine.begin() as connection:
        import_id, key = store.start_import(
            connection,
            sha256=stored.sha256,
            partition_key=partition_key(name, stored.sha256),
            file_name=name,
            file_path=file_path or name,
            run_id=run_id,
            now=now,
        )
    try:
        with (
            engine.begin() as connection,
            open_attendance_stream(lambda: open_stored(connection, stored), name) as attendance,
        ):
            dates = _date_reading(connection, attendance)
            tally = _store_rows(connection, attendance, import_id, key, run_id, dates, now, roster_required)
            unmapped = sorted(tally.unmapped_departments)
            store.finish_import(
                connection,
                import_id,
                encoding=attendance.encoding,
                total=tally.rows,
                valid=tally.valid,
                first_errors=tally.first_errors,
                unmapped_departments=unmapped,
                now=now,
            )
            company_ids = attendance_pushes.companies_of_import(connection, import_id)
    except AttendanceFileError as exc:
        with engine.begin() as connection:
            store.fail_import(connection, import_id, str(exc), now)
        raise
    return ImportOutcome(
        import_id=import_id,
        partition_key=key,
        file_name=name,
        encoding=attendance.encoding,
        rows=tally.rows,
        valid=tally.valid,
        unmapped_departments=unmapped,
        dates_settled=dates.settled,
        error_count=tally.error_count,
        first_errors=tally.first_errors,
        company_ids=company_ids,
    )


def _store_rows(
    connection: Connection,
    attendance: AttendanceFile,
    import_id: int,
    key: str,
    run_id: str,
    dates: DateReading,
    now: dt.datetime,
    roster_required: bool,
) -> ImportTally:
    """Every row validated and stored, with its errors, a chunk at a time; the partition's old errors go first."""
    clear_integration_errors(connection, asset=ASSET, partition_key=key)
    records = validate_file(
        attendance, load_masters(connection, roster_required), company_store.companies_by_department(connection), dates
    )
    tally = ImportTally()
    while chunk := list(itertools.islice(records, CHUNK_ROWS)):
        store.store_records(connection, import_id, chunk, now)
        errors = [error for record in chunk for error in record.validation_errors]
        add_integration_errors(
            connection, source="attendance", asset=ASSET, partition_key=key, run_id=run_id, errors=errors, now=now
        )
        tally.rows += len(chunk)
        tally.valid += sum(record.is_valid for record in chunk)
        tally.error_count += len(errors)
        tally.first_errors.extend(errors[: FIRST_ERRORS - len(tally.first_errors)])
        tally.unmapped_departments.update(unmapped_departments(chunk))
    return tally


def _date_reading(connection: Connection, attendance: AttendanceFile) -> DateReading:
    """Each company's date format, and the one the file settles for the rows of companies without one: a first
    reading of the file, as a person would look at its dates before saying which is the day."""
    formats = company_store.date_formats(connection)
    dates = unconfigured_dates(attendance, company_store.companies_by_department(connection), formats)
    return DateReading(formats, company_store.slugs(connection), settle_date_format(dates))
