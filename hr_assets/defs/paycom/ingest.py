"""A week's downloaded Paycom files into the warehouse: parse each, merge, upsert the roster, snapshot the week and
store every unusable row in ``integration_errors``. Plain code on a connection (the caller's transaction), so the
``paycom_employees`` asset stays thin and the whole path can be run on any file a test or a person has.

The files are read from the warehouse, where ``paycom_roster_files`` stored them, whichever machine that ran on.
Once read, a file's content is deleted from the warehouse (raw reports hold bank details the platform never
reads); ``paycom_files`` keeps its name, size and SHA-256. A file that cannot be read at all (damaged, not the
report it claims to be, not downloaded) is that file's error; the week's other files are used as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from hr_assets.defs.paycom import store
from hr_assets.defs.paycom.parsing import ParsedReport, parse_report
from hr_assets.defs.paycom.reports import pushed_on
from hr_assets.defs.paycom.roster import DISAGREEMENT_COLUMNS, apply_reports, merge_reports, week_snapshot
from hr_assets.defs.shared.companies import DateFormat
from hr_assets.lib.cells import ReportFormatError
from hr_assets.lib.row_errors import RowError
from hr_assets.warehouse.integration_errors import replace_integration_errors
from hr_assets.warehouse.metadata import rows_table
from hr_assets.warehouse.stored_files import StoredFileMissing, delete_content, local_copy, readable

ASSET = "paycom_employees"
NOT_DOWNLOADED = "not_downloaded"  # a chosen file the download could not bring (paycom_files.status)
UNUSABLE_STATUSES = ("refused", NOT_DOWNLOADED)
SOURCE = "paycom"  # the stored files' source
DISAGREEMENTS_SHOWN = 20  # on the asset's page; its count says how many there are


class NoFilesDownloaded(Exception):
    """The week has no downloaded files to read."""


class FilesNoLongerKept(Exception):
    """The week's files were read by an earlier run, which deleted them: only a new download brings them back."""


@dataclass
class WeekIngest:
    reports: dict[str, ParsedReport]
    errors: list[RowError]
    metadata: dict[str, Any] = field(default_factory=dict)  # empty when no file could be read


def ingest_week(
    connection: Connection, *, week: dt.date, run_id: str, now: dt.datetime, date_format: DateFormat = DateFormat.MDY
) -> WeekIngest:
    """Read the week's files (as ``paycom_roster_files`` recorded and stored them) into the warehouse, then delete
    their content; nothing is written, and ``FilesNoLongerKept`` raised, when they were read and deleted before.
    ``date_format`` is how text dates ``NN/NN/YYYY`` are read."""
    files = [dict(row) for row in store.week_files(connection, week)]
    if not files:
        raise NoFilesDownloaded(f"No Paycom files were downloaded for week {week}")
    usable = [file for file in files if file["status"] not in UNUSABLE_STATUSES]
    if any(not _is_kept(connection, file) for file in usable):
        raise FilesNoLongerKept(
            f"Week {week}'s Paycom files are no longer kept: they were deleted once read, since raw reports hold "
            "bank details"
        )
    reports, file_problems, errors = _parse_week_files(connection, files, date_format)
    for file_name, problem in file_problems.items():
        store.set_file_status(connection, week, file_name, "failed" if problem else "parsed", problem)
    delete_content(connection, [file["stored_file_id"] for file in usable], now)
    outcome = WeekIngest(reports, errors)
    if reports:
        pushes = {file["report_type"]: day for file in files if (day := pushed_on(file["file_name"])) is not None}
        outcome.metadata, outcome.errors = _write_roster(connection, run_id, week, reports, pushes, errors, now)
    replace_integration_errors(
        connection,
        source="paycom",
        asset=ASSET,
        partition_key=week.isoformat(),
        run_id=run_id,
        errors=outcome.errors,
        now=now,
    )
    return outcome


def _is_kept(connection: Connection, file: dict[str, Any]) -> bool:
    """Whether the file's content is still in the warehouse."""
    if file["stored_file_id"] is None:
        return False
    try:
        readable(connection, file["stored_file_id"])
    except StoredFileMissing:
        return False
    return True


def _parse_week_files(
    connection: Connection, files: list[dict[str, Any]], date_format: DateFormat
) -> tuple[dict[str, ParsedReport], dict[str, str | None], list[RowError]]:
    """Each downloaded file parsed; a file that cannot be used becomes one error, not a failure."""
    reports: dict[str, ParsedReport] = {}
    statuses: dict[str, str | None] = {}
    errors: list[RowError] = []
    for file in files:
        if file["status"] in UNUSABLE_STATUSES:
            errors.append(RowError(file["file_name"], None, None, file["error_message"]))
            continue
        try:
            with local_copy(connection, readable(connection, file["stored_file_id"])) as path:
                reports[file["report_type"]] = parse_report(file["report_type"], path, file["file_name"], date_format)
            statuses[file["file_name"]] = None
        except (ReportFormatError, OSError) as exc:
            reason = exc.reason if isinstance(exc, ReportFormatError) else _unreadable(exc)
            errors.append(RowError(file["file_name"], None, None, reason))
            statuses[file["file_name"]] = reason
    return reports, statuses, errors


def _unreadable(exc: OSError) -> str:
    return f"the downloaded file cannot be read ({exc.strerror or type(exc).__name__})"


def _write_roster(
    connection: Connection,
    run_id: str,
    week: dt.date,
    reports: dict[str, ParsedReport],
    pushes: dict[str, dt.date],
    file_errors: list[RowError],
    now: dt.datetime,
) -> tuple[dict[str, Any], list[RowError]]:
    """Merge (``pushes``: the day each report type's file was pushed), upsert, snapshot and log the week; returns the
    metadata and every row error."""
    merged = merge_reports(reports, pushes)
    newest = store.latest_snapshot_week(connection)
    is_newest = newest is None or week >= newest  # an older week only rewrites its own snapshot
    previous = store.previous_snapshot_week(connection, week)
    if is_newest:
        existing = store.load_employees(connection)
    else:  # the oldest week has no snapshot before it
        existing = dict(store.snapshot(connection, previous)) if previous else {}
    changes = apply_reports(existing, merged)
    earlier = store.snapshot_codes(connection, week) or (store.snapshot_codes(connection, previous) if previous else [])
    snapshot_rows = week_snapshot(merged, changes, existing, earlier)
    if is_newest:
        store.write_employees(connection, changes.rows, changes.created + changes.updated, week, now)
    store.replace_snapshot(connection, week, snapshot_rows)
    payees = store.replace_payees(connection, week, changes.payees)
    errors = file_errors + [e for report in reports.values() for e in report.errors] + merged.errors + changes.errors
    counts = {
        "files_processed": len(reports),
        "employees_processed": len(changes.rows),
        "employees_created": len(changes.created) if is_newest else 0,
        "employees_updated": len(changes.updated) if is_newest else 0,
        "employees_terminated": len(changes.terminated) if is_newest else 0,
        "rows_invalid": len(errors),
    }
    store.finish_sync(connection, run_id, week, now, status="completed", **counts)
    metadata = {
        **counts,
        "active_employees": store.active_count(connection, week),
        "roster_size": len(snapshot_rows),
        "payee_rows": payees,
        "rows_read": {report_type: report.rows_read for report_type, report in reports.items()},
        # Title and run-date rows above a report's header: skipped, said once here, not row errors.
        "title_rows_skipped": {report_type: report.title_rows for report_type, report in reports.items()},
        "current_table_updated": is_newest,
        # Fields a report of an older push said otherwise than the newer push, whose value was used.
        "report_disagreements": len(merged.disagreements),
        "disagreements": rows_table(
            [disagreement.row() for disagreement in merged.disagreements[:DISAGREEMENTS_SHOWN]], DISAGREEMENT_COLUMNS
        ),
    }
    return metadata, errors
