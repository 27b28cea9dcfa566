"""The fingerprint device's attendance report (CSV) read into raw rows, nothing lost or guessed.

The file is read by the shared CSV reader (``hr_assets.lib.csv_reader``): UTF-8 with or without a byte-order
mark, UTF-16 with one (Excel's "Unicode text"), Windows-1252 when the bytes are not UTF-8; comma, semicolon or
tab separators, whichever the header line holds most of; any line endings; blank lines; whitespace around
cells. Headers are matched by the aliases below, ignoring case, spaces and punctuation; when two headers name
one field, the one earlier in its alias list wins (``AC-No.`` over ``No.``) and the other is kept as an extra
column. Columns not listed are kept too, under their own header.

Rows are lines of the file (the header is row 1), blank lines included, so an error points at the line an
editor shows. A row with too few or too many cells is read all the same: whether it can be used is for
validation to say. Rows are streamed, so a file of any size is read in constant memory. Only a file that
cannot be read at all raises ``AttendanceFileError``.

"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import BinaryIO, NamedTuple

from hr_assets.lib.cells import ReportFormatError, header_key
from hr_assets.lib.csv_reader import CsvFile, field_count_error

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


class AttendanceFileError(ReportFormatError):
    """The attendance file as a whole cannot be read; the message names the file and the problem."""


class RawRow(NamedTuple):
    """One row as read (a named tuple: immutable, and a third of a frozen dataclass's cost to make, row after row)."""

    row_number: int  # the line of the file the row starts on; the header is row 1
    raw: dict[str, str]  # canonical field -> cell text, and unknown columns under their own header
    cells: int  # how many cells the row has
    header_cells: int  # how many the header has: a difference is a row error, not a file error

    def field_count_error(self) -> str | None:
        return field_count_error(self.cells, self.header_cells)


class AttendanceFile:
    """An open attendance file: how it was read, where each field stands, and ``rows()`` streaming its rows.
    A context manager; raises ``AttendanceFileError`` when it cannot be read."""

    def __init__(self, csv_file: CsvFile):
        self.file_name = csv_file.file_name
        self.encoding = csv_file.encoding  # the Python codec the text was read with
        self.delimiter = csv_file.delimiter
        self._csv = csv_file
        positions = _field_positions(csv_file.header, csv_file.header_line, csv_file.file_name)
        self._names = column_names(csv_file.header, positions, COLUMN_ALIASES)
        # canonical field -> the header it was recognized in, as written
        self.columns = {field: csv_file.header[position] for field, position in positions.items()}

    def rows(self) -> Iterator[RawRow]:
        try:
            for row in self._csv.rows():
                yield RawRow(row.line, by_column(self._names, row.cells), len(row.cells), row.header_cells)
        except ReportFormatError as exc:
            raise AttendanceFileError(exc.file_name, exc.reason) from None

    def close(self) -> None:
        self._csv.close()

    def __enter__(self) -> AttendanceFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


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


def open_attendance_stream(open_stream: Callable[[], BinaryIO], file_name: str) -> AttendanceFile:
    """A file ``open_stream`` opens from its start, each time it is called (the warehouse's copy of it)."""
    return _attendance_file(lambda: CsvFile(open_stream, file_name))


def _attendance_file(open_file: Callable[[], CsvFile]) -> AttendanceFile:
    try:
        csv_file = open_file()
    except ReportFormatError as exc:
        raise AttendanceFileError(exc.file_name, exc.reason) from None
    try:
        return AttendanceFile(csv_file)
    except BaseException:
        csv_file.close()
        raise


def _field_positions(header: Sequence[str], header_line: int, file_name: str) -> dict[str, int]:
    """Where each canonical field stands; raises if the header is not recognized or lacks a required one."""
    positions = field_positions(header, COLUMN_ALIASES)
    if not positions:
        # The line may be data (a file without a header), so its cells are not quoted.
        raise AttendanceFileError(
            file_name,
            f"no header recognized on line {header_line} ({len(header)} cells, none a known column name such as "
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


def field_positions(header: Sequence[str], aliases: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Where each canonical field of ``aliases`` (field -> accepted headers, earlier ones first) stands in the
    header, for the fields it has; headers match ignoring case, spaces and punctuation."""
    keys = [header_key(name) for name in header]
    positions: dict[str, int] = {}
    for field, accepted in aliases.items():
        position = next((keys.index(header_key(alias)) for alias in accepted if header_key(alias) in keys), None)
        if position is not None:
            positions[field] = position
    return positions


def column_names(header: Sequence[str], positions: Mapping[str, int], fields: Collection[str]) -> list[str]:
    """The key each cell is stored under: its canonical field, else a name for the extra column."""
    field_at = {position: field for field, position in positions.items()}
    names: list[str] = []
    for position, header_name in enumerate(header):
        names.append(field_at.get(position) or _extra_column_name(header_name, position, names, fields))
    return names


def _extra_column_name(header_name: str, position: int, taken: Sequence[str], fields: Collection[str]) -> str:
    """Its own header, unless that is empty or already a key (a repeated header, a header spelt ``date``)."""
    if header_name and header_name not in taken and header_name not in fields:
        return header_name
    return f"{header_name} (column {position + 1})" if header_name else f"column {position + 1}"


def by_column(names: Sequence[str], cells: Sequence[str]) -> dict[str, str]:
    """Cells beyond the header are kept as ``column N`` so a ragged row loses nothing."""
    return {(names[i] if i < len(names) else f"column {i + 1}"): cell for i, cell in enumerate(cells)}
