"""Paycom reports (Numbers documents or CSV exports) read into records, every bad row explained.

Headers are matched by position through an alias map, because the reports disagree on names
(``EECode`` / ``EE Code`` / ``Employee_Code``) and Payees even repeats one (``City``). Only the
columns the platform uses are read: bank routing and account numbers, addresses and birth dates
are never picked up, so they cannot leak into the warehouse, logs or metadata.

Row numbers are as a spreadsheet shows them: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from numbers_parser import Document

from hr_assets.defs.paycom import values
from hr_assets.lib.cells import BadValue, ReportFormatError, header_key
from hr_assets.lib.row_errors import RowError


@dataclass(frozen=True)
class Column:
    field: str
    aliases: tuple[str, ...]
    read: Callable[[Any], Any]
    required: bool = False


_CODE = Column("employee_code", ("EECode", "EE Code", "Employee_Code"), values.employee_code, required=True)
_NAME = Column("name", ("EE Name", "Employee_Name"), values.optional_text)
_STATUS = Column("status", ("Status", "EE Status", "Employee_Status"), values.status, required=True)
_DEPARTMENT = Column("department_code", ("Department", "Department Code"), values.optional_code)
_DEPARTMENT_DESC = Column("department_description", ("Department Desc",), values.optional_text)
_LOCATION = Column("location_code", ("Location", "Location Code"), values.optional_code)

REPORT_COLUMNS: dict[str, tuple[Column, ...]] = {
    "directory": (
        _CODE,
        Column(_NAME.field, _NAME.aliases, _NAME.read, required=True),
        _STATUS,
        _DEPARTMENT,
        _DEPARTMENT_DESC,
        _LOCATION,
        Column("work_email", ("Work Email",), values.optional_text),
    ),
    "dates": (
        _CODE,
        _NAME,
        _STATUS,
        _DEPARTMENT,
        _DEPARTMENT_DESC,
        _LOCATION,
        Column("position_family", ("Position Family",), values.optional_text),
        Column("position", ("Position",), values.optional_text),
        Column("hire_date", ("Hire Date",), values.optional_date, required=True),
        Column("rehire_date", ("Re-hire Date", "Rehire_Date"), values.optional_date),
        Column("termination_date", ("Termination Date",), values.optional_date),
    ),
    "payees": (
        _CODE,
        Column("payee_code", ("Payee Code",), values.optional_text, required=True),
        Column("payee_description", ("Payee Desc",), values.optional_text),
        Column("garnishment_type", ("Garn. Type", "Garnishment Type"), values.optional_text),
    ),
    "pay": (
        _CODE,
        Column("pay_type", ("Pay_Type",), values.pay_type, required=True),
        Column("hourly_rate", ("Rate_1",), values.optional_amount),
        Column("annual_salary", ("Annual_Salary", "Salary"), values.optional_amount),
        Column("overtime_eligible", ("Exempt_Status", "FLSA_Status", "Overtime_Exempt"), values.overtime_eligible),
    ),
}

# Reports that list each employee once; Payees lists one row per garnishment.
_ONE_ROW_PER_EMPLOYEE = {"directory", "dates", "pay"}


@dataclass
class ParsedReport:
    report_type: str
    file_name: str
    records: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0


def read_rows(path: Path) -> list[Sequence[Any]]:
    """All rows of the file's first table, header first, as numbers-parser or csv yields them."""
    if path.suffix.lower() == ".csv":
        return _read_csv(path)
    try:
        return Document(str(path)).sheets[0].tables[0].rows(values_only=True)
    except Exception as exc:  # numbers-parser raises many types on a damaged file; all mean the same
        raise ReportFormatError(path.name, f"not a readable Apple Numbers document ({type(exc).__name__})") from None


def _read_csv(path: Path) -> list[Sequence[Any]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel's export on Windows
    header = text.lstrip("\r\n").split("\n", 1)[0]
    # The header decides: its names hold no delimiter, while values such as "1.234,5" may.
    delimiter = max(",;\t", key=header.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


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


def _is_blank(row: Sequence[Any]) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in row)


def parse_rows(report_type: str, file_name: str, rows: list[Sequence[Any]]) -> ParsedReport:
    """Records of the valid rows and a ``RowError`` for each bad cell or duplicate of the rest."""
    if not rows:
        raise ReportFormatError(file_name, "the file has no header row")
    positions = column_positions(report_type, rows[0], file_name)
    report = ParsedReport(report_type, file_name)
    first_row_of: dict[str, int] = {}
    for row_number, row in enumerate(rows[1:], start=2):
        if _is_blank(row):
            continue
        report.rows_read += 1
        record: dict[str, Any] = {"row_number": row_number}
        row_errors = []
        for column, position in positions.items():
            cell = row[position] if position < len(row) else None
            try:
                record[column.field] = column.read(cell)
            except BadValue as exc:
                row_errors.append(RowError(file_name, row_number, column.aliases[0], str(exc)))
        code = record.get("employee_code")
        if row_errors:
            report.errors.extend(RowError(e.file_name, e.row_number, e.field, e.reason, code) for e in row_errors)
            continue
        if report_type in _ONE_ROW_PER_EMPLOYEE:
            if code in first_row_of:
                report.errors.append(
                    RowError(
                        file_name,
                        row_number,
                        _CODE.aliases[0],
                        f"duplicate employee code {code!r} (first at row {first_row_of[code]}); this row was not used",
                        code,
                    )
                )
                continue
            first_row_of[code] = row_number
        report.records.append(record)
    return report


def parse_report(report_type: str, path: Path, file_name: str | None = None) -> ParsedReport:
    return parse_rows(report_type, file_name or path.name, read_rows(path))
