"""A company's own employee list, imported from a CSV (``hr-assets companies import-employees``, or the
``import_employee_list`` job from the UI's launchpad): each import is a snapshot in ``company_employee_lists``, its
rows in ``company_employees``; the newest snapshot is the company's employee master when the company's
``employee_master`` is ``list`` (``employee_masters``).

The file is read by the shared CSV reader (``hr_assets.lib.csv_reader``: its encodings, separators and line
numbers). Headers match ignoring case, spaces and punctuation: the code under ``Employee Code`` (or ``Code``,
``Employee ID``, ``Emp Code``, ``EE Code``), required; the name under ``Name`` (or ``Employee Name``, ``Full
Name``), optional; other columns are kept in each row's ``raw``. Every row is stored as the file says; a row is
also an error, naming file, row and field, when its cells do not match the header, its code is empty or longer than
a code is stored, its name is longer than a name is stored, or its code is on an earlier row of the file already
(that row keeps it). Only its valid rows' codes make the master. A file that cannot be read, or has no code column,
is refused in one line naming it, and nothing is stored.

Reasons quote codes, never names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any, BinaryIO

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hr_assets.defs.attendance.csv_file import by_column, column_names, field_positions
from hr_assets.defs.shared.companies import company_by_slug
from hr_assets.lib.cells import ReportFormatError, quoted
from hr_assets.lib.csv_reader import CsvFile, CsvRow
from hr_assets.lib.errors import OperatorError
from hr_assets.lib.row_errors import RowError
from hr_assets.warehouse import audit
from hr_assets.warehouse.tables import company_employee_lists as lists
from hr_assets.warehouse.tables import company_employees as employees
from hr_assets.warehouse.tables import text_width

LIST_COLUMNS: dict[str, tuple[str, ...]] = {
    "employee_code": ("Employee Code", "Code", "Employee ID", "Emp Code", "EE Code"),
    "name": ("Name", "Employee Name", "Full Name"),
}
_WIDTHS = {field: text_width(employees.c[field]) for field in LIST_COLUMNS}
FIRST_ERRORS = 20  # shown by the command and the job's metadata; every error is on its row


class EmployeeListError(OperatorError):
    """The list cannot be imported at all; the message names the file and says why, in one line."""


@dataclass(frozen=True)
class ListRow:
    row_number: int  # the line of the file, as the CSV reader numbers it (the header's is its own)
    employee_code: str | None  # None when the row has no usable code
    name: str | None
    raw: dict[str, str]  # the row as read
    errors: tuple[RowError, ...]


@dataclass(frozen=True)
class ListImport:
    """One import's snapshot and what it held."""

    list_id: int
    file_name: str
    rows: int
    valid: int
    first_errors: list[RowError]

    @property
    def invalid(self) -> int:
        return self.rows - self.valid


def read_list(csv_file: CsvFile) -> Iterator[ListRow]:
    """Each row of the file with its errors; raises ``EmployeeListError`` when the file has no code column."""
    positions = field_positions(csv_file.header, LIST_COLUMNS)
    if "employee_code" not in positions:
        raise EmployeeListError(
            f"{csv_file.file_name}: required column missing: 'Employee Code' (accepted: "
            f"{', '.join(LIST_COLUMNS['employee_code'])}); headers found: {', '.join(map(repr, csv_file.header))}"
        )
    names = column_names(csv_file.header, positions, LIST_COLUMNS)
    first_row_of: dict[str, int] = {}  # each code's first row
    for row in csv_file.rows():
        raw = by_column(names, row.cells)
        code, name = raw.get("employee_code", ""), raw.get("name", "") or None
        errors = [
            RowError(csv_file.file_name, row.line, field, reason, key)
            for field, reason, key in _row_errors(row, code, name, first_row_of)
        ]
        usable = bool(code) and len(code) <= _WIDTHS["employee_code"] and code not in first_row_of
        if usable:
            first_row_of[code] = row.line
        name_fits = name is not None and len(name) <= _WIDTHS["name"]
        yield ListRow(row.line, code if usable else None, name if name_fits else None, raw, tuple(errors))


def _row_errors(
    row: CsvRow, code: str, name: str | None, first_row_of: Mapping[str, int]
) -> Iterator[tuple[str | None, str, str | None]]:
    """The row's errors: field, reason, and the code it is about."""
    if reason := row.field_count_error():
        yield None, reason, code or None
    if not code:
        yield "Employee Code", "the employee code is empty", None
    elif len(code) > _WIDTHS["employee_code"]:
        yield "Employee Code", f"is {len(code)} characters long; at most {_WIDTHS['employee_code']} are stored", None
    elif code in first_row_of:
        yield "Employee Code", f"employee code {quoted(code)} is on row {first_row_of[code]} already", code
    if name and len(name) > _WIDTHS["name"]:
        yield "Name", f"is {len(name)} characters long; at most {_WIDTHS['name']} are stored", code or None


def import_employee_list(
    connection: Connection,
    slug: str,
    open_stream: Callable[[], BinaryIO],
    file_name: str,
    *,
    now: dt.datetime,
    command: str,
    actor: str | None = None,
) -> ListImport:
    """Store the file as the company's newest snapshot and audit it (``command``, ``actor``: who asked, as the audit
    log names them); raises ``EmployeeListError`` or ``CompanyError`` (one line) and stores nothing then."""
    company = company_by_slug(connection, slug)
    try:
        with CsvFile(open_stream, file_name) as csv_file:
            rows = list(read_list(csv_file))
    except ReportFormatError as exc:
        raise EmployeeListError(str(exc)) from None
    digest = hashlib.sha256()
    with open_stream() as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    valid = sum(not row.errors for row in rows)
    list_id: int = connection.execute(
        sa.insert(lists)
        .values(
            company_id=company["id"],
            file_name=file_name[: text_width(lists.c.file_name)],
            content_sha256=digest.hexdigest(),
            total_rows=len(rows),
            valid_rows=valid,
            imported_by=(actor or audit.os_user())[: text_width(lists.c.imported_by)],
            imported_at=now,
        )
        .returning(lists.c.id)
    ).scalar_one()
    if rows:
        connection.execute(sa.insert(employees), [_stored(list_id, row) for row in rows])
    audit.record(
        connection,
        action="company.employees.import",
        target=f"company {slug}",
        command=command,
        actor=actor,
        now=now,
        new={"file": file_name, "snapshot": list_id, "rows": len(rows), "valid": valid},
    )
    errors = [error for row in rows for error in row.errors]
    return ListImport(list_id, file_name, len(rows), valid, errors[:FIRST_ERRORS])


def _stored(list_id: int, row: ListRow) -> dict[str, Any]:
    return {
        "list_id": list_id,
        "row_number": row.row_number,
        "employee_code": row.employee_code,
        "name": row.name,
        "raw": row.raw,
        "is_valid": not row.errors,
        "validation_errors": [
            {key: value for key, value in asdict(error).items() if value is not None} for error in row.errors
        ]
        or None,
    }


def newest_codes(connection: Connection) -> dict[int, frozenset[str]]:
    """Company id -> the codes of the valid rows of its newest snapshot, for every company that imported one."""
    newest = sa.select(sa.func.max(lists.c.id)).group_by(lists.c.company_id).scalar_subquery()
    query = (
        sa.select(lists.c.company_id, employees.c.employee_code)
        .join(employees, employees.c.list_id == lists.c.id)
        .where(lists.c.id.in_(newest), employees.c.is_valid)
    )
    codes: dict[int, set[str]] = {}
    for company_id, code in connection.execute(query):
        codes.setdefault(company_id, set()).add(code)
    return {company_id: frozenset(found) for company_id, found in codes.items()}


def snapshots(connection: Connection, company_id: int) -> list[dict[str, Any]]:
    """The company's snapshots, newest first."""
    query = sa.select(lists).where(lists.c.company_id == company_id).order_by(lists.c.id.desc())
    return [dict(row) for row in connection.execute(query).mappings()]
