"""The rows of earlier imports validated again after their department's mapping changed
(``hr-assets companies map-department`` / ``unmap-department``), in the change's transaction.

Each row of the department is validated again as stored (its raw row, against the mapping, the roster and the date
formats now), as a re-import would: a row whose only error was its unmapped department becomes a valid record of
the company (due to Bayzat), a row of a moved department becomes its new company's, and one of an unmapped
department becomes an error. A record keeps its id; its push state starts afresh. A row in Bayzat (synced, or being
sent) is never moved: the change is refused while the department has any under another company. No push of the
companies the rows leave or join runs meanwhile: the change holds their push leases
(``attendance_pushes.take_lease``) in its transaction, and is refused while a push holds one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from hr_assets.defs.attendance import store
from hr_assets.defs.attendance.csv_file import RawRow
from hr_assets.defs.attendance.importing import ASSET, CHUNK_ROWS, FIRST_ERRORS, SOURCE
from hr_assets.defs.attendance.validation import AttendanceRecord, DateReading, settle_date_format, validate_row
from hr_assets.defs.shared import attendance_pushes
from hr_assets.defs.shared import companies as company_store
from hr_assets.lib.errors import OperatorError
from hr_assets.lib.row_errors import RowError
from hr_assets.warehouse.integration_errors import add_integration_errors, clear_row_errors

_LEASE_HOLDER = "department mapping"  # the run id a mapping change holds the companies' pushes under
_LEASE_SECONDS = 600


class DepartmentNotMoved(OperatorError):
    """The department's rows cannot change company now (rows in Bayzat, or a push running); the message says why, in
    one line."""


def reassign_department(connection: Connection, name: str, old_company_id: int | None, now: dt.datetime) -> int:
    """Validate again the stored rows of the department ``name`` (which mapped to ``old_company_id``) whose company
    the mapping now changes; returns how many changed. Raises ``DepartmentNotMoved`` (the caller's transaction then
    undoes the mapping change too)."""
    key = company_store.department_key(name)
    written = [each for each in store.department_names(connection) if company_store.normalise_department(each) == key]
    if not written:
        return 0
    mapping = company_store.companies_by_department(connection)
    company_id = mapping.get(key)
    held = _hold_pushes(connection, {each for each in (old_company_id, company_id) if each is not None}, now)
    _refuse_moving_sent_rows(connection, name, written, company_id)
    codes = store.employee_codes(connection)
    formats = company_store.date_formats(connection)
    slugs = company_store.slugs(connection)
    changed = 0
    for found in store.imports_of_departments(connection, written):
        rows = [
            row for row in store.department_records(connection, found["id"], written) if row["company_id"] != company_id
        ]
        if not rows:
            continue
        settled = settle_date_format(
            date
            for department, date in store.date_cells(connection, found["id"])
            if mapping.get(company_store.normalise_department(department)) not in formats
        )
        dates = DateReading(formats, slugs, settled)
        for start in range(0, len(rows), CHUNK_ROWS):
            chunk = rows[start : start + CHUNK_ROWS]
            _store_again(
                connection,
                found,
                chunk,
                [_revalidated(row, found["filename"], codes, mapping, dates) for row in chunk],
                now,
            )
        store.refresh_totals(connection, found["id"], FIRST_ERRORS, now)
        changed += len(rows)
    for holder in held:
        attendance_pushes.release_lease(connection, holder, _LEASE_HOLDER)
    return changed


def _hold_pushes(connection: Connection, company_ids: set[int], now: dt.datetime) -> list[int]:
    """Hold the push lease of each of the companies with a Bayzat account (the lease's row stays locked for the
    transaction, so a push that asks meanwhile waits for it); returns them. Refuses while a push holds one."""
    held = []
    for company_id in sorted(company_ids):
        if not attendance_pushes.has_config(connection, company_id):
            continue
        if not attendance_pushes.take_lease(connection, company_id, _LEASE_HOLDER, now, _LEASE_SECONDS):
            slug = company_store.slugs(connection)[company_id]
            raise DepartmentNotMoved(f"a Bayzat push of company {slug} is running: try again when it has ended")
        held.append(company_id)
    return held


def _refuse_moving_sent_rows(connection: Connection, name: str, written: list[str], company_id: int | None) -> None:
    held = {
        held_by: count
        for held_by, count in attendance_pushes.in_bayzat(connection, written).items()
        if held_by != company_id
    }
    if held:
        slugs = company_store.slugs(connection)
        where = ", ".join(f"{count} under company {slugs[held_by]}" for held_by, count in sorted(held.items()))
        raise DepartmentNotMoved(
            f"department {name!r} has rows already in Bayzat (synced or being sent): {where}; they stay with their "
            "company, so its mapping is not changed"
        )


def _revalidated(
    row: Mapping[str, Any],
    file_name: str,
    codes: Collection[str],
    mapping: Mapping[str, int],
    dates: DateReading,
) -> AttendanceRecord:
    """The stored row validated again. Its cell-count error, which the stored raw row cannot tell again, is kept;
    without a roster, its id is checked as the import did (taken as the code, or refused when a roster was due)."""
    kept = [RowError(**error) for error in row["validation_errors"] or () if "field" not in error]
    employee_codes = codes or (None if row["employee_code"] else frozenset())
    record = validate_row(RawRow(row["row_number"], row["raw"], 0, 0), file_name, employee_codes, mapping, dates)
    return record._replace(validation_errors=(*kept, *record.validation_errors))


def _store_again(
    connection: Connection,
    found: Mapping[str, Any],
    rows: Sequence[Mapping[str, Any]],
    validated: list[AttendanceRecord],
    now: dt.datetime,
) -> None:
    store.store_records(connection, found["id"], validated, now)
    clear_row_errors(
        connection, asset=ASSET, partition_key=found["partition_key"], row_numbers=[row["row_number"] for row in rows]
    )
    add_integration_errors(
        connection,
        source=SOURCE,
        asset=ASSET,
        partition_key=found["partition_key"],
        run_id=found["run_id"] or "",
        errors=[error for record in validated for error in record.validation_errors],
        now=now,
    )
    attendance_pushes.forget_pushes(connection, [row["id"] for row in rows])
