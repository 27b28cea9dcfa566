"""The rows of earlier imports validated again after a mapping they were validated by changed, in the change's
transaction: a department's company (``hr-assets companies map-department`` / ``unmap-department``) or the employee
code a company's device id stands for (``hr-assets companies map-employee``).

Each affected row is validated again as stored (its raw row, against the mappings, the employee masters and the date
formats now), as a re-import would: a row whose only error was its unmapped department becomes a valid record of
the company (due to Bayzat), a row of a moved department becomes its new company's, and one of an unmapped
department becomes an error; a row of a mapped device id takes its new code, valid when the code is in the company's
master, an error naming the mapping when not. A record keeps its id; its push state starts afresh. A row in Bayzat
(synced, or being sent) never changes company or code: the change is refused while any would. No push of the
companies whose rows change runs meanwhile: the change holds their push leases (``attendance_pushes.take_lease``)
in its transaction, and is refused while a push holds one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.defs.attendance import store
from hr_assets.defs.attendance.csv_file import RawRow
from hr_assets.defs.attendance.employee_masters import EmployeeMasters, load_masters
from hr_assets.defs.attendance.importing import ASSET, CHUNK_ROWS, FIRST_ERRORS, SOURCE
from hr_assets.defs.attendance.validation import AttendanceRecord, DateReading, settle_date_format, validate_row
from hr_assets.defs.shared import attendance_pushes
from hr_assets.defs.shared import companies as company_store
from hr_assets.lib.errors import OperatorError
from hr_assets.lib.row_errors import RowError
from hr_assets.warehouse.integration_errors import add_integration_errors, clear_row_errors
from hr_assets.warehouse.tables import attendance_import_records as records

_LEASE_HOLDER = "mapping change"  # the run id a mapping change holds the companies' pushes under
_LEASE_SECONDS = 600


class MappingRefused(OperatorError):
    """The rows cannot change company or code now (rows in Bayzat, or a push running); the message says why, in one
    line."""


def reassign_department(connection: Connection, name: str, old_company_id: int | None, now: dt.datetime) -> int:
    """Validate again the stored rows of the department ``name`` (which mapped to ``old_company_id``) whose company
    the mapping now changes; returns how many. Raises ``MappingRefused`` (the caller's transaction then undoes
    the mapping change too)."""
    key = company_store.department_key(name)
    written = [each for each in store.department_names(connection) if company_store.normalise_department(each) == key]
    if not written:
        return 0
    company_id = company_store.companies_by_department(connection).get(key)
    held = _hold_pushes(connection, {each for each in (old_company_id, company_id) if each is not None}, now)
    _refuse_moving_sent_rows(connection, name, written, company_id)
    changed = _validate_again(
        connection,
        records.c.fingerprint_department.in_(written) & records.c.company_id.is_distinct_from(company_id),
        now,
    )
    _release(connection, held)
    return changed


def recode_device_id(connection: Connection, company_id: int, device_id: str, code: str, now: dt.datetime) -> int:
    """Validate again the company's stored rows of ``device_id`` after it was mapped to ``code``
    (``companies.map_employee``), those whose code it changes; returns how many. Raises ``MappingRefused``."""
    of_id = (records.c.company_id == company_id) & (records.c.csv_employee_id == device_id)
    held = _hold_pushes(connection, {company_id}, now)
    recoded = of_id & records.c.employee_code.is_distinct_from(code)
    if sent := sum(attendance_pushes.in_bayzat(connection, recoded).values()):
        slug = company_store.slugs(connection)[company_id]
        raise MappingRefused(
            f"device id {device_id!r} of company {slug} has {sent} row(s) already in Bayzat (synced or being sent) "
            "under another code; they keep it, so its mapping is not changed"
        )
    changed = _validate_again(connection, recoded, now)
    _release(connection, held)
    return changed


def _validate_again(connection: Connection, where: sa.ColumnElement[bool], now: dt.datetime) -> int:
    """Validate again every stored record that matches ``where``, import by import, and recount those imports."""
    mapping = company_store.companies_by_department(connection)
    masters = load_masters(connection, roster_required=False)
    formats = company_store.date_formats(connection)
    slugs = company_store.slugs(connection)
    changed = 0
    for found in store.imports_with_records(connection, where):
        rows = store.records_of_import(connection, found["id"], where)
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
                [_revalidated(row, found["filename"], masters, mapping, dates) for row in chunk],
                now,
            )
        store.refresh_totals(connection, found["id"], FIRST_ERRORS, now)
        changed += len(rows)
    return changed


def _release(connection: Connection, held: list[int]) -> None:
    for holder in held:
        attendance_pushes.release_lease(connection, holder, _LEASE_HOLDER)


def _hold_pushes(connection: Connection, company_ids: set[int], now: dt.datetime) -> list[int]:
    """Hold the push lease of each of the companies with a Bayzat account (the lease's row stays locked for the
    transaction, so a push that asks meanwhile waits for it); returns them. Refuses while a push holds one."""
    held = []
    for company_id in sorted(company_ids):
        if not attendance_pushes.has_config(connection, company_id):
            continue
        if not attendance_pushes.take_lease(connection, company_id, _LEASE_HOLDER, now, _LEASE_SECONDS):
            slug = company_store.slugs(connection)[company_id]
            raise MappingRefused(f"a Bayzat push of company {slug} is running: try again when it has ended")
        held.append(company_id)
    return held


def _refuse_moving_sent_rows(connection: Connection, name: str, written: list[str], company_id: int | None) -> None:
    in_bayzat = attendance_pushes.in_bayzat(connection, records.c.fingerprint_department.in_(written))
    held = {held_by: count for held_by, count in in_bayzat.items() if held_by != company_id}
    if held:
        slugs = company_store.slugs(connection)
        where = ", ".join(f"{count} under company {slugs[held_by]}" for held_by, count in sorted(held.items()))
        raise MappingRefused(
            f"department {name!r} has rows already in Bayzat (synced or being sent): {where}; they stay with their "
            "company, so its mapping is not changed"
        )


def _revalidated(
    row: Mapping[str, Any],
    file_name: str,
    masters: EmployeeMasters,
    mapping: Mapping[str, int],
    dates: DateReading,
) -> AttendanceRecord:
    """The stored row validated again. Its cell-count error, which the stored raw row cannot tell again, is kept;
    without a roster, a row of the deployment's rule has its id checked as the import did (taken as the code, or
    refused when a roster was due), since whether Paycom is configured is the runs' setting, not the command's."""
    kept = [RowError(**error) for error in row["validation_errors"] or () if "field" not in error]
    if not masters.roster:
        masters = replace(masters, roster_required=row["employee_code"] is None)
    record = validate_row(RawRow(row["row_number"], row["raw"], 0, 0), file_name, masters, mapping, dates)
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
