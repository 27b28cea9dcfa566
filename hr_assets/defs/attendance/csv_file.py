"""The fingerprint device's attendance report (CSV) read into raw rows, nothing lost or guessed.

Real exports vary, so the reader accepts: UTF-8 with or without a byte-order mark, UTF-16 with one
(Excel's "Unicode text"), and Windows-1252 when the bytes are not UTF-8 (Excel on Windows; Latin-1
text reads the same); comma, semicolon or tab separators, whichever the header line holds most of;
Windows line endings; blank lines; and whitespace around cells and headers. Headers are matched by
the aliases below, ignoring case, spaces and punctuation; when two headers name one field, the one
earlier in its alias list wins (``AC-No.`` over ``No.``) and the other is kept as an extra column.
Columns not listed are kept too, under their own header.

Row numbers are lines of the file (the header is row 1), blank lines included, so an error points at
the line an editor shows. A row with too few or too many cells is read all the same: whether it can
be used is for validation to say. Only a file that cannot be read at all raises
``AttendanceFileError``.

"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from hr_assets.lib.cells import ReportFormatError, header_key

# Canonical field -> accepted headers; the first is the name used in messages.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "csv_employee_id": ("Employee ID", "Emp ID", "EmpID", "ID", "AC-No.", "No."),
    "first_name": ("First Name", "Name"),
    "fingerprint_department": ("Department", "Dept", "Dept."),
    "date": ("Date",),
    "weekday": ("Weekday", "Day", "Week"),
    "check_in": ("Check In", "Check-In", "CheckIn", "First Punch"),
    "check_out": ("Check Out", "Check-Out", "CheckOut", "Last Punch"),
    "clock_in": ("Clock In", "On Duty"),
    "clock_out": ("Clock Out", "Off Duty"),
}
# Without these no row of the file could be stored; weekday and the shift times may be absent.
REQUIRED_FIELDS = ("csv_employee_id", "first_name", "fingerprint_department", "date", "check_in", "check_out")

_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_FALLBACK_ENCODINGS = ("utf-8", "cp1252")
# Control characters no CSV holds; tab, line feed, vertical tab, form feed and carriage return pass.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_DELIMITERS = ",;\t"


class AttendanceFileError(ReportFormatError):
    """The attendance file as a whole cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class RawRow:
    row_number: int  # the line of the file the row starts on; the header is row 1
    raw: dict[str, str]  # canonical field -> cell text, and unknown columns under their own header
    cells: int  # how many cells the row has
    header_cells: int  # how many the header has: a difference is a row error, not a file error


@dataclass(frozen=True)
class AttendanceFile:
    file_name: str
    encoding: str  # the Python codec the text was read with
    delimiter: str
    columns: dict[str, str]  # canonical field -> the header it was recognised in, as written
    rows: list[RawRow]


def label(field: str) -> str:
    """The name messages use for a canonical field: ``csv_employee_id`` is ``Employee ID``."""
    return COLUMN_ALIASES[field][0]


def alias_table_markdown() -> str:
    """The accepted headers as a markdown table, for this docstring and the README."""
    lines = ["| field | required | accepted headers |", "| --- | --- | --- |"]
    for field, aliases in COLUMN_ALIASES.items():
        required = "yes" if field in REQUIRED_FIELDS else "no"
        lines.append(f"| {field} | {required} | {', '.join(aliases)} |")
    return "\n".join(lines)


__doc__ += alias_table_markdown() + "\n"


def read_attendance_csv(path: Path) -> AttendanceFile:
    return parse_attendance_csv(path.read_bytes(), path.name)


def parse_attendance_csv(data: bytes, file_name: str) -> AttendanceFile:
    """The file's rows under canonical field names; raises ``AttendanceFileError`` if it cannot be read."""
    text, encoding = _decode(data, file_name)
    delimiter = _delimiter(text)
    records = _non_blank_records(text, delimiter, file_name)
    header_line, header = next(records, (0, []))
    if not header:
        raise AttendanceFileError(file_name, "the file is empty")
    positions = _field_positions(header, header_line, file_name)
    names = _column_names(header, positions)
    rows = [RawRow(line, _by_column(names, cells), len(cells), len(header)) for line, cells in records]
    columns = {field: header[position] for field, position in positions.items()}
    return AttendanceFile(file_name, encoding, delimiter, columns, rows)


def _decode(data: bytes, file_name: str) -> tuple[str, str]:
    """The text and the codec that read it: a byte-order mark decides, else UTF-8, else Windows-1252."""
    if not data.strip():
        raise AttendanceFileError(file_name, "the file is empty")
    for encoding in _candidate_encodings(data):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL_CHARACTER.search(text):
            break
        if not text.strip():
            raise AttendanceFileError(file_name, "the file is empty")
        return text, encoding
    raise AttendanceFileError(
        file_name,
        "is not text in UTF-8, UTF-16 or Windows-1252 (binary content? an Excel workbook must be saved as CSV)",
    )


def _candidate_encodings(data: bytes) -> tuple[str, ...]:
    for bom, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(bom):
            return (encoding,)
    return _FALLBACK_ENCODINGS


def _delimiter(text: str) -> str:
    """The header decides: its names hold no separator, while values such as ``Smith, J`` may."""
    header = next(line for line in text.splitlines() if line.strip())
    return max(_DELIMITERS, key=header.count)


def _non_blank_records(text: str, delimiter: str, file_name: str) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, trimmed cells) for each record with any text, header first."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next_line = 1
    try:
        for cells in reader:
            line, next_line = next_line, reader.line_num + 1
            trimmed = [cell.strip() for cell in cells]
            if any(trimmed):
                yield line, trimmed
    except csv.Error as exc:
        raise AttendanceFileError(file_name, f"line {reader.line_num} cannot be read as CSV ({exc})") from None


def _field_positions(header: Sequence[str], header_line: int, file_name: str) -> dict[str, int]:
    """Where each canonical field stands; raises if the header is not recognised or lacks a required one."""
    keys = [header_key(name) for name in header]
    positions: dict[str, int] = {}
    for field, aliases in COLUMN_ALIASES.items():
        position = next((keys.index(header_key(alias)) for alias in aliases if header_key(alias) in keys), None)
        if position is not None:
            positions[field] = position
    if not positions:
        # The line may be data (a file without a header), so its cells are not quoted.
        raise AttendanceFileError(
            file_name,
            f"no header recognised on line {header_line} ({len(header)} cells, none a known column name such as "
            f"{', '.join(label(field) for field in REQUIRED_FIELDS)})",
        )
    missing = [field for field in REQUIRED_FIELDS if field not in positions]
    if missing:
        wanted = ", ".join(f"{label(field)!r} (accepted: {', '.join(COLUMN_ALIASES[field])})" for field in missing)
        plural = "s" if len(missing) > 1 else ""
        raise AttendanceFileError(
            file_name, f"required column{plural} missing: {wanted}; headers found: {', '.join(map(repr, header))}"
        )
    return positions


def _column_names(header: Sequence[str], positions: dict[str, int]) -> list[str]:
    """The key each cell is stored under: its canonical field, else a name for the extra column."""
    field_at = {position: field for field, position in positions.items()}
    names: list[str] = []
    for position, header_name in enumerate(header):
        names.append(field_at.get(position) or _extra_column_name(header_name, position, names))
    return names


def _extra_column_name(header_name: str, position: int, taken: Sequence[str]) -> str:
    """Its own header, unless that is empty or already a key (a repeated header, a header spelt ``date``)."""
    if header_name and header_name not in taken and header_name not in COLUMN_ALIASES:
        return header_name
    return f"{header_name} (column {position + 1})" if header_name else f"column {position + 1}"


def _by_column(names: Sequence[str], cells: Sequence[str]) -> dict[str, str]:
    """Cells beyond the header are kept as ``column N`` so a ragged row loses nothing."""
    return {(names[i] if i < len(names) else f"column {i + 1}"): cell for i, cell in enumerate(cells)}
