"""The fingerprint report read from real files in every variant the device and Excel produce."""

import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from hr_assets.defs.attendance import csv_file
from hr_assets.defs.attendance.csv_file import (
    COLUMN_ALIASES,
    AttendanceFile,
    AttendanceFileError,
    RawRow,
    alias_table_markdown,
    open_attendance_stream,
)

HEADER = [
    "Employee ID",
    "First Name",
    "Department",
    "Date",
    "Weekday",
    "Check In",
    "Check Out",
    "Clock In",
    "Clock Out",
]
ROWS = [
    ["42", "José", "AdvLine", "2026-03-02", "Monday", "08:01", "17:05", "08:00", "17:00"],
    ["43", "Ana", "AdvLine", "2026-03-02", "Monday", "", "", "08:00", "17:00"],
]
FIRST_ROW = {
    "csv_employee_id": "42",
    "first_name": "José",
    "fingerprint_department": "AdvLine",
    "date": "2026-03-02",
    "weekday": "Monday",
    "check_in": "08:01",
    "check_out": "17:05",
    "clock_in": "08:00",
    "clock_out": "17:00",
}


@dataclass
class Read:
    """What an attendance file gave: how it was read and all its rows."""

    file_name: str
    encoding: str
    delimiter: str
    columns: dict[str, str]
    rows: list[RawRow]


def read_file(path: Path) -> AttendanceFile:
    """The file as the import reads the warehouse's copy: a stream opened from its start each time."""
    return open_attendance_stream(lambda: path.open("rb"), path.name)


def read_bytes(data: bytes, file_name: str) -> AttendanceFile:
    return open_attendance_stream(lambda: io.BytesIO(data), file_name)


def read_all(attendance: AttendanceFile) -> Read:
    with attendance:
        rows = list(attendance.rows())
    return Read(attendance.file_name, attendance.encoding, attendance.delimiter, attendance.columns, rows)


def read_attendance_csv(path: Path) -> Read:
    return read_all(read_file(path))


def write(
    tmp_path: Path, lines: list[list[str]], *, delimiter: str = ",", newline: str = "\n", encoding: str = "utf-8"
):
    path = tmp_path / "attendance.csv"
    text = newline.join(delimiter.join(cells) for cells in lines) + newline
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "read_as"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("cp1252", "cp1252")],
)
def test_each_encoding_reads_the_same_rows_and_is_named(tmp_path: Path, encoding: str, read_as: str) -> None:
    attendance = read_attendance_csv(write(tmp_path, [HEADER, *ROWS], encoding=encoding))
    assert (attendance.file_name, attendance.encoding) == ("attendance.csv", read_as)
    assert attendance.rows[0].raw == FIRST_ROW
    assert attendance.rows[0].raw["first_name"] == "José"
    assert [row.row_number for row in attendance.rows] == [2, 3]


def test_a_utf16_tab_separated_file_as_excel_saves_unicode_text(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER, *ROWS], delimiter="\t", newline="\r\n", encoding="utf-16")
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    attendance = read_attendance_csv(path)
    assert (attendance.encoding, attendance.delimiter) == ("utf-16", "\t")
    assert attendance.rows[0].raw == FIRST_ROW


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_header_line_decides_the_delimiter(tmp_path: Path, delimiter: str) -> None:
    attendance = read_attendance_csv(write(tmp_path, [HEADER, *ROWS], delimiter=delimiter))
    assert attendance.delimiter == delimiter
    assert attendance.rows[0].raw == FIRST_ROW


def test_windows_line_endings_leave_no_carriage_return_in_the_last_cell(tmp_path: Path) -> None:
    attendance = read_attendance_csv(write(tmp_path, [HEADER, *ROWS], newline="\r\n"))
    assert attendance.rows[0].raw["clock_out"] == "17:00"
    assert [row.row_number for row in attendance.rows] == [2, 3]


def test_blank_lines_are_skipped_but_counted_in_row_numbers(tmp_path: Path) -> None:
    blank_with_separators = [""] * len(HEADER)
    lines = [[""], HEADER, ROWS[0], [""], blank_with_separators, ROWS[1]]
    attendance = read_attendance_csv(write(tmp_path, lines, delimiter=";", newline="\r\n"))
    assert [row.row_number for row in attendance.rows] == [3, 6]
    assert [row.raw["csv_employee_id"] for row in attendance.rows] == ["42", "43"]


def test_a_quoted_cell_keeps_its_delimiter_and_the_next_row_number_is_its_line(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text(
        ",".join(HEADER) + '\n42,"Smith, J",AdvLine,2026-03-02,,08:00,,,\n43,"two\nlines",AdvLine,2026-03-02,,,,,\n'
        "44,Ana,AdvLine,2026-03-02,,,,,\n"
    )
    rows = read_attendance_csv(path).rows
    assert rows[0].raw["first_name"] == "Smith, J"
    assert [row.row_number for row in rows] == [2, 3, 5]


def test_whitespace_around_headers_and_cells_is_trimmed(tmp_path: Path) -> None:
    padded = [[f"  {cell} " for cell in line] for line in (HEADER, ROWS[0])]
    attendance = read_attendance_csv(write(tmp_path, padded))
    assert attendance.rows[0].raw == FIRST_ROW


@pytest.mark.parametrize(
    "header",
    [
        ["AC-No.", "Name", "Dept.", "Date", "Week", "First Punch", "Last Punch", "On Duty", "Off Duty"],
        ["EMP_ID", "name", "dept", "DATE", "day", "check-in", "CHECK-OUT", "clock_in", "clock out"],
        ["EmpID", "First name", "Department", "Date", "Weekday", "CheckIn", "Check-Out", "On-Duty", "Off-Duty"],
        ["ID", "Name", "Dept", "Date", "Day", "Check In", "Check Out", "Clock In", "Clock Out"],
        ["No.", "Name", "Dept", "Date", "Day", "Check In", "Check Out", "Clock In", "Clock Out"],
    ],
)
def test_header_aliases_ignore_case_and_punctuation(tmp_path: Path, header: list[str]) -> None:
    attendance = read_attendance_csv(write(tmp_path, [header, ROWS[0]]))
    assert attendance.rows[0].raw == FIRST_ROW
    assert list(attendance.columns.values()) == header


def test_the_earlier_alias_wins_and_the_other_column_is_kept(tmp_path: Path) -> None:
    header = ["No.", "AC-No.", *HEADER[1:]]
    attendance = read_attendance_csv(write(tmp_path, [header, ["1", *ROWS[0]]]))
    assert attendance.columns["csv_employee_id"] == "AC-No."
    assert attendance.rows[0].raw["csv_employee_id"] == "42"
    assert attendance.rows[0].raw["No."] == "1"


def test_unknown_columns_are_kept_under_their_own_header(tmp_path: Path) -> None:
    header = [*HEADER, "Device", "", "Device", "fingerprint_department"]
    attendance = read_attendance_csv(write(tmp_path, [header, [*ROWS[0], "Gate 1", "x", "Gate 2", "y"]]))
    raw = attendance.rows[0].raw
    assert {key: raw[key] for key in raw if key not in FIRST_ROW} == {
        "Device": "Gate 1",
        "column 11": "x",
        "Device (column 12)": "Gate 2",
        "fingerprint_department (column 13)": "y",
    }
    assert raw["fingerprint_department"] == "AdvLine"


def test_ragged_rows_are_read_with_their_cell_counts(tmp_path: Path) -> None:
    short, long = ROWS[0][:7], [*ROWS[0], "surplus"]
    attendance = read_attendance_csv(write(tmp_path, [HEADER, short, long]))
    first, second = attendance.rows
    assert (first.cells, first.header_cells, "clock_in" in first.raw) == (7, 9, False)
    assert (second.cells, second.header_cells, second.raw["column 10"]) == (10, 9, "surplus")


@pytest.mark.parametrize("missing", ["Date", "Check Out"])
def test_a_missing_required_column_is_named_with_the_file_and_the_headers_found(tmp_path: Path, missing: str) -> None:
    header = [name for name in HEADER if name != missing]
    path = write(tmp_path, [header, ROWS[0][: len(header)]])
    with pytest.raises(AttendanceFileError) as raised:
        read_attendance_csv(path)
    message = str(raised.value)
    assert message.startswith("attendance.csv: required column missing: ")
    assert f"{missing!r} (accepted: " in message
    assert "headers found: 'Employee ID', 'First Name'" in message
    assert "\n" not in message


def test_every_missing_required_column_is_named(tmp_path: Path) -> None:
    with pytest.raises(AttendanceFileError, match=r"required columns missing: 'Date' .*'Check In' .*'Check Out'"):
        read_attendance_csv(write(tmp_path, [["Employee ID", "Name", "Dept"], ["42", "Ana", "AdvLine"]]))


def test_a_file_without_a_header_is_refused_without_quoting_its_first_line(tmp_path: Path) -> None:
    with pytest.raises(
        AttendanceFileError, match=r"^attendance.csv: no header recognized on line 1 \(9 cells"
    ) as raised:
        read_attendance_csv(write(tmp_path, ROWS))
    assert "José" not in str(raised.value) and "08:01" not in str(raised.value)


@pytest.mark.parametrize("data", [b"", b"  \r\n\r\n", b"\xef\xbb\xbf", "\r\n".encode("utf-16"), b";;;\r\n;;;\r\n"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    with pytest.raises(AttendanceFileError, match=r"^empty.csv: the file is empty$"):
        read_bytes(data, "empty.csv")


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 4,
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",  # an .xlsx workbook
        b"Employee ID,Name\n42,\x81\x8d\x90\n",  # neither UTF-8 nor Windows-1252
        b"\xff\xfe\x00\xd8",  # a UTF-16 mark before a broken surrogate
    ],
)
def test_binary_content_is_refused(data: bytes) -> None:
    with pytest.raises(AttendanceFileError, match=r"^junk.csv: is not text in UTF-8, UTF-16 or Windows-1252"):
        read_bytes(data, "junk.csv")


def test_reading_bytes_and_reading_the_file_agree(tmp_path: Path) -> None:
    path = write(tmp_path, [HEADER, *ROWS], delimiter=";", encoding="utf-8-sig")
    assert read_all(read_bytes(path.read_bytes(), "attendance.csv")) == read_attendance_csv(path)


def test_the_alias_table_lists_every_alias_and_is_in_the_module_docstring() -> None:
    table = alias_table_markdown()
    for field, aliases in COLUMN_ALIASES.items():
        assert f"| {field} | " in table
        assert all(alias in table for alias in aliases)
    assert "| date | yes | Date |" in table and "| weekday | no | " in table
    assert table in csv_file.__doc__
