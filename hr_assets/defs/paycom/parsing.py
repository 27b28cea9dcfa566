"""Paycom reports (Numbers documents or CSV exports) read into records, every bad row explained.

Headers are matched by position through an alias map, because the reports disagree on names
(``EECode`` / ``EE Code`` / ``Employee_Code``) and Payees even repeats one (``City``). Only the
columns the platform uses are read: bank routing and account numbers, addresses and birth dates
are never picked up, so they cannot leak into the warehouse, logs or metadata.

A record holds only the values read exactly as the file has them (see ``values``), each no longer than its
warehouse column. A bad value is a ``RowError`` naming the file, row and field; ``Column.whole_row`` says whether
it costs the row or only the field. A file that cannot be read at all raises ``ReportFormatError``. Which rows and
fields are used, and how rows are numbered, is written once for operators and developers alike in docs/paycom.md
("Reading the reports").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from numbers_parser import Document

from hr_assets.defs.paycom import values
from hr_assets.defs.shared.companies import DateFormat
from hr_assets.lib.cells import BadValue, ReportFormatError, header_key
from hr_assets.lib.csv_reader import open_csv
from hr_assets.lib.row_errors import RowError
from hr_assets.warehouse.tables import decimal_digits, integration_errors, paycom_employees, paycom_payees, text_width


@dataclass(frozen=True)
class Column:
    fields: tuple[str, ...]  # what the cell gives: one field, or two for a name (first, last)
    aliases: tuple[str, ...]
    read: Callable[..., Any]  # the cell; a date column's reader also takes the date format
    required: bool = False  # the header must have it
    whole_row: bool = False  # a bad value here makes the whole row unusable, not just this field
    is_date: bool = False  # read with the deployment's date format (``values.optional_date``)


def _amount(column: str) -> Callable[[Any], Any]:
    return values.amount(*decimal_digits(paycom_employees.c[column]))


_CODE = Column(("employee_code",), ("EECode", "EE Code", "Employee_Code"), values.employee_code, True, True)
_NAME = Column(("first_name", "last_name"), ("EE Name", "Employee_Name"), values.person_name)
_STATUS = Column(("status",), ("Status", "EE Status", "Employee_Status"), values.status, required=True)
_DEPARTMENT = Column(("department_code",), ("Department", "Department Code"), values.optional_code)
_DEPARTMENT_DESC = Column(("department_description",), ("Department Desc",), values.optional_text)
_LOCATION = Column(("location_code",), ("Location", "Location Code"), values.optional_code)


def _pay(
    fields: tuple[str, ...], aliases: tuple[str, ...], read: Callable[[Any], Any], required: bool = False
) -> Column:
    return Column(fields, aliases, read, required, whole_row=True)


REPORT_COLUMNS: dict[str, tuple[Column, ...]] = {
    "directory": (
        _CODE,
        Column(_NAME.fields, _NAME.aliases, values.required_name, required=True),
        _STATUS,
        _DEPARTMENT,
        _DEPARTMENT_DESC,
        _LOCATION,
        Column(("work_email",), ("Work Email",), values.optional_text),
        Column(("phone_number",), ("Phone #", "Phone"), values.optional_text),
    ),
    "dates": (
        _CODE,
        _NAME,
        _STATUS,
        _DEPARTMENT,
        _DEPARTMENT_DESC,
        _LOCATION,
        Column(("position_family",), ("Position Family",), values.optional_text),
        Column(("position",), ("Position",), values.optional_text),
        Column(("hire_date",), ("Hire Date",), values.optional_date, required=True, is_date=True),
        Column(("rehire_date",), ("Re-hire Date", "Rehire_Date"), values.optional_date, is_date=True),
        Column(("termination_date",), ("Termination Date",), values.optional_date, is_date=True),
    ),
    "payees": (
        _CODE,
        Column(("payee_code",), ("Payee Code",), values.optional_text, required=True, whole_row=True),
        Column(("payee_description",), ("Payee Desc",), values.optional_text),
        Column(("garnishment_type",), ("Garn. Type", "Garnishment Type"), values.optional_text),
    ),
    "pay": (
        _CODE,
        _pay(("pay_type",), ("Pay_Type",), values.pay_type, required=True),
        _pay(("hourly_rate",), ("Rate_1",), _amount("hourly_rate")),
        _pay(("annual_salary",), ("Annual_Salary", "Salary"), _amount("annual_salary")),
        _pay(("overtime_eligible",), ("Exempt_Status", "FLSA_Status", "Overtime_Exempt"), values.overtime_eligible),
    ),
}

# Reports that list each employee once; Payees lists one row per garnishment.
_ONE_ROW_PER_EMPLOYEE = {"directory", "dates", "pay"}
_FIELD_WIDTH = text_width(integration_errors.c.field)
# The longest text each field may hold: its column's width in the warehouse.
_WIDTHS = {
    column.name: text_width(column)
    for table in (paycom_employees, paycom_payees)
    for column in table.columns
    if isinstance(column.type, sa.String) and column.type.length
}


@dataclass(frozen=True)
class SourceRow:
    number: int  # as a person counts rows in the file
    cells: Sequence[Any]
    problem: str | None = None  # why its cells cannot be read by position (a CSV row of another length)


@dataclass
class ParsedReport:
    report_type: str
    file_name: str
    records: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0
    title_rows: int = 0  # rows above the header that were skipped


# How far down a table its header may sit: title, "Report run date" and blank rows above it are skipped.
_HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Table:
    header: Sequence[Any]
    rows: Iterable[SourceRow]
    title_rows: int = 0  # rows above the header, skipped: titles and run dates, not data


@contextmanager
def read_table(path: Path, report_type: str, file_name: str) -> Iterator[Table]:
    """The report's header and its rows: a CSV file's, or the Numbers document's first table holding the
    report's required columns, its header found wherever it sits in that table's first rows."""
    if path.suffix.lower() == ".csv":
        with open_csv(path, file_name) as csv_file:
            yield Table(
                csv_file.header, (SourceRow(row.line, row.cells, row.field_count_error()) for row in csv_file.rows())
            )
        return
    yield _numbers_table(path, report_type, file_name)


def _numbers_table(path: Path, report_type: str, file_name: str) -> Table:
    try:
        tables = [
            (sheet.name, table.name, table.rows(values_only=True))
            for sheet in Document(str(path)).sheets
            for table in sheet.tables
        ]
    except Exception as exc:  # numbers-parser raises many types on a damaged file; all mean the same
        raise ReportFormatError(file_name, f"not a readable Apple Numbers document ({type(exc).__name__})") from None
    tables = [table for table in tables if table[2]]
    if not tables:
        raise ReportFormatError(file_name, "the file has no header row")
    candidates = [
        (index, at) for index, (_, _, rows) in enumerate(tables) for at in range(min(len(rows), _HEADER_SEARCH_ROWS))
    ]
    for index, at in candidates:
        rows = tables[index][2]
        if _header_problem(report_type, rows[at], file_name) is None:
            numbered = (SourceRow(number, row) for number, row in enumerate(rows[at + 1 :], start=at + 2))
            return Table(rows[at], numbered, title_rows=at)
    # None has the required columns: say what the closest header row lacks.
    index, at = max(
        candidates, key=lambda candidate: _known_columns(report_type, tables[candidate[0]][2][candidate[1]])
    )
    sheet, table, rows = tables[index]
    problem = _header_problem(report_type, rows[at], file_name)
    if problem is None:  # every candidate's header was refused above
        raise RuntimeError(f"{file_name}: a header refused above was accepted")
    if len(tables) == 1 and at == 0:
        raise problem
    where = f"table {table!r} of sheet {sheet!r}" + (
        f", the closest of its {len(tables)} tables" if len(tables) > 1 else ""
    )
    raise ReportFormatError(file_name, f"{problem.reason}, in {where}" + (f" (row {at + 1})" if at else ""))


def _header_problem(report_type: str, header: Sequence[Any], file_name: str) -> ReportFormatError | None:
    try:
        column_positions(report_type, header, file_name)
    except ReportFormatError as problem:
        return problem
    return None


def _known_columns(report_type: str, header: Sequence[Any]) -> int:
    keys = {header_key(name) for name in header}
    return sum(any(header_key(alias) in keys for alias in column.aliases) for column in REPORT_COLUMNS[report_type])


def column_positions(report_type: str, header: Sequence[Any], file_name: str) -> dict[Column, int]:
    """Where each known column stands; the first header matching an alias wins."""
    keys = [header_key(name) for name in header]
    positions: dict[Column, int] = {}
    for column in REPORT_COLUMNS[report_type]:
        for alias in column.aliases:
            if header_key(alias) in keys:
                positions[column] = keys.index(header_key(alias))
                break
        else:
            if column.required:
                raise ReportFormatError(
                    file_name,
                    f"required column {column.aliases[0]!r} is missing (accepted headers: {', '.join(column.aliases)})",
                )
    return positions


def _label(column: Column, header: Any) -> str:
    """How errors name a column: its header as the file writes it, unless that is longer than is stored."""
    text = str(header).strip()
    return text if len(text) <= _FIELD_WIDTH else column.aliases[0]


def _is_blank(row: Sequence[Any]) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in row)


def _read_cell(column: Column, cell: Any, date_format: DateFormat) -> dict[str, Any]:
    """The fields a cell gives, each checked against the width of its warehouse column."""
    found = column.read(cell, date_format) if column.is_date else column.read(cell)
    found = found if len(column.fields) > 1 else (found,)
    for name, value in zip(column.fields, found, strict=True):
        width = _WIDTHS.get(name)
        if isinstance(value, str) and width and len(value) > width:
            raise BadValue(f"is {len(value)} characters long; at most {width} are stored")
    return dict(zip(column.fields, found, strict=True))


def parse_rows(
    report_type: str, file_name: str, rows: list[Sequence[Any]], date_format: DateFormat = DateFormat.MDY
) -> ParsedReport:
    """A table given as rows, header first (as a Numbers table reads): numbered from 1."""
    if not rows:
        raise ReportFormatError(file_name, "the file has no header row")
    numbered = (SourceRow(number, row) for number, row in enumerate(rows[1:], start=2))
    return parse_table(report_type, file_name, Table(rows[0], numbered), date_format)


def parse_table(
    report_type: str, file_name: str, table: Table, date_format: DateFormat = DateFormat.MDY
) -> ParsedReport:
    """Records of the usable rows and a ``RowError`` for each bad cell, bad row or duplicate."""
    header = table.header
    positions = column_positions(report_type, header, file_name)
    label = {column: _label(column, header[position]) for column, position in positions.items()}
    report = ParsedReport(report_type, file_name, title_rows=table.title_rows)
    first_row_of: dict[str, int] = {}
    for row in table.rows:
        if _is_blank(row.cells):
            continue
        report.rows_read += 1
        if row.problem:
            report.errors.append(RowError(file_name, row.number, None, f"{row.problem}; the row was not used"))
            continue
        record: dict[str, Any] = {"row_number": row.number}
        bad: list[tuple[Column, str]] = []
        for column, position in positions.items():
            try:
                cell = row.cells[position] if position < len(row.cells) else None
                record.update(_read_cell(column, cell, date_format))
            except BadValue as exc:
                bad.append((column, str(exc)))
        code: str | None = record.get("employee_code")  # a bad or missing code made the row unusable
        if fatal := [(column, reason) for column, reason in bad if column.whole_row]:
            # The rest of an unusable row does not matter: only what made it unusable is said.
            for column, reason in fatal:
                report.errors.append(
                    RowError(file_name, row.number, label[column], f"{reason}; the row was not used", code)
                )
            continue
        for column, reason in bad:
            report.errors.append(RowError(file_name, row.number, label[column], reason, code))
        if report_type in _ONE_ROW_PER_EMPLOYEE and code is not None:
            if code in first_row_of:
                report.errors.append(
                    RowError(
                        file_name,
                        row.number,
                        label[_CODE],
                        f"duplicate employee code {code!r} (first at row {first_row_of[code]}); this row was not used",
                        code,
                    )
                )
                continue
            first_row_of[code] = row.number
        report.records.append(record)
    return report


def parse_report(
    report_type: str, path: Path, file_name: str | None = None, date_format: DateFormat = DateFormat.MDY
) -> ParsedReport:
    """``date_format``: how text dates ``NN/NN/YYYY`` are read (``PaycomSftpResource.date_format``)."""
    file_name = file_name or path.name
    with read_table(path, report_type, file_name) as table:
        return parse_table(report_type, file_name, table, date_format)
