"""A corpus of bad fingerprint files, each imported through the real ``attendance_import`` job into the real
warehouse (SQLite and PostgreSQL). Each case asserts what is stored (every row, valid or with its reasons, and
the values read), what is reported (``integration_errors``, exactly, or the one line of a file that cannot be
read), and that every row of the file is accounted for: the rows stored are exactly the file's non-blank rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.attendance.conftest import HEADER, AttendanceWorld

GOOD = "42,Ana,AdvLine,2026-03-02,Monday,08:00,17:00"
UNREADABLE = "is not text in UTF-8, UTF-16 or Windows-1252 (binary content? an Excel workbook must be saved as CSV)"


def lines(*rows: str, header: str = HEADER, newline: str = "\r\n") -> str:
    return newline.join([header, *rows]) + newline


@dataclass(frozen=True)
class Case:
    id: str
    content: bytes
    rows: tuple[int, ...] = ()  # every row stored, as the file's lines count them
    valid: tuple[int, ...] = ()  # the rows stored as valid
    errors: list[tuple[int, str | None, str]] = field(default_factory=list)  # (row, field, reason)
    stored: dict[int, dict[str, Any]] = field(default_factory=dict)  # row -> columns as stored
    file_error: str | None = None  # why the file as a whole cannot be read
    unmapped: tuple[str, ...] = ()


CASES = [
    Case(
        "an id not in the employee master",
        lines(GOOD, "999,Bo,AdvLine,2026-03-02,Monday,08:00,17:00").encode(),
        rows=(2, 3),
        valid=(2,),
        errors=[(3, "Employee ID", "employee id '999' is not in the employee master")],
        stored={3: {"csv_employee_id": "999", "employee_code": None}},
    ),
    Case(
        "leading zeros that differ from the master are pointed out, not matched",
        lines("042,Ana,AdvLine,2026-03-02,Monday,08:00,17:00").encode(),
        rows=(2,),
        errors=[
            (
                2,
                "Employee ID",
                "employee id '042' is not in the employee master (the master has '42': leading zeros differ)",
            )
        ],
    ),
    Case(
        "a slashed date is ambiguous",
        lines("42,Ana,AdvLine,02/03/2026,,08:00,17:00").encode(),
        rows=(2,),
        errors=[
            (
                2,
                "Date",
                "'02/03/2026' is ambiguous (day or month first?) and the file does not settle it: say how the device "
                "writes dates with hr-assets companies set advline --date-format DMY (or MDY), then import the file "
                "again",
            )
        ],
        stored={2: {"date": None, "raw": {"date": "02/03/2026"}}},
    ),
    Case(
        "a day over 12 settles the file's slashed dates day first",
        lines("42,Ana,AdvLine,02/03/2026,Monday,08:00,17:00", "42,Ana,AdvLine,25/03/2026,,08:00,17:00").encode(),
        rows=(2, 3),
        valid=(2, 3),
        stored={2: {"date": dt.date(2026, 3, 2)}, 3: {"date": dt.date(2026, 3, 25)}},
    ),
    Case(
        "dates that disagree settle nothing",
        lines("42,Ana,AdvLine,25/03/2026,,08:00,17:00", "42,Ana,AdvLine,03/26/2026,,08:00,17:00").encode(),
        rows=(2, 3),
        errors=[
            (
                row,
                "Date",
                f"{date!r} is ambiguous (day or month first?) and the file does not settle it: say how the device "
                "writes dates with hr-assets companies set advline --date-format DMY (or MDY), then import the file "
                "again",
            )
            for row, date in ((2, "25/03/2026"), (3, "03/26/2026"))
        ],
    ),
    Case(
        "an impossible date",
        lines("42,Ana,AdvLine,2026-02-30,,08:00,17:00").encode(),
        rows=(2,),
        errors=[(2, "Date", "'2026-02-30' is not a real date")],
    ),
    Case(
        "a weekday that is not the date's",
        lines("42,Ana,AdvLine,2026-03-02,Tuesday,08:00,17:00").encode(),
        rows=(2,),
        errors=[(2, "Weekday", "'Tuesday' is not the weekday of 2026-03-02, a Monday")],
        stored={2: {"date": dt.date(2026, 3, 2), "weekday": "Tuesday"}},
    ),
    Case(
        "a time that is no time is refused without quoting it",
        lines("42,Ana,AdvLine,2026-03-02,Monday,25:00,17:00").encode(),
        rows=(2,),
        errors=[(2, "Check In", "is not a time of day (expected HH:MM, HH:MM:SS or H:MM AM/PM)")],
        stored={2: {"check_in": None, "check_out": dt.time(17, 0)}},
    ),
    Case(
        "a row cut short keeps what it has",
        lines(GOOD, "7,Bo,AdvLine,2026-03-02").encode(),
        rows=(2, 3),
        valid=(2,),
        errors=[(3, None, "the row has 4 cells where the header has 7")],
        stored={3: {"date": dt.date(2026, 3, 2), "check_in": None}},
    ),
    Case(
        "an unquoted comma in a name makes the row one cell longer",
        lines("42,Smith, J,AdvLine,2026-03-02,Monday,08:00,17:00").encode(),
        rows=(2,),
        errors=[
            (2, None, "the row has 8 cells where the header has 7"),
            (2, "Department", "department 'J' maps to no company (hr-assets companies map-department)"),
            (2, "Date", "'AdvLine' is not a date (expected YYYY-MM-DD, YYYY/MM/DD or 2-Mar-2026)"),
            (2, "Weekday", "'2026-03-02' is not a weekday"),
            (2, "Check In", "is not a time (expected HH:MM, HH:MM:SS or H:MM AM/PM)"),
        ],
        stored={2: {"raw": {"column 8": "17:00"}}},
        unmapped=("J",),
    ),
    Case(
        "a department no company maps",
        lines("42,Ana,Sales,2026-03-02,Monday,08:00,17:00").encode(),
        rows=(2,),
        errors=[(2, "Department", "department 'Sales' maps to no company (hr-assets companies map-department)")],
        unmapped=("Sales",),
    ),
    Case(
        "a 300-character first name is refused before the database",
        lines("42," + "N" * 300 + ",AdvLine,2026-03-02,Monday,08:00,17:00").encode(),
        rows=(2,),
        errors=[(2, "First Name", "is 300 characters long; at most 255 are stored")],
        stored={2: {"first_name": "", "employee_code": "42"}},
    ),
    Case(
        "a Total footer is a row of its own, refused",
        lines(GOOD, "Total: 1,,,,,,").encode(),
        rows=(2, 3),
        valid=(2,),
        errors=[
            (3, "Employee ID", "employee id 'Total: 1' is not in the employee master"),
            (3, "Department", "the department is empty"),
            (3, "Date", "the date is empty"),
        ],
    ),
    Case(
        "UTF-16 with its byte-order mark, tab-separated, as Excel saves Unicode text",
        lines(
            GOOD.replace(",", "\t"),
            "7\tJosé\tAdvLine\t2026-03-03\tTuesday\t08:00\t17:00",
            header=HEADER.replace(",", "\t"),
        ).encode("utf-16"),
        rows=(2, 3),
        valid=(2, 3),
        stored={3: {"first_name": "José", "employee_code": "7"}},
    ),
    Case(
        "Windows-1252",
        lines("42,José,AdvLine,2026-03-02,Monday,08:00,17:00").encode("cp1252"),
        rows=(2,),
        valid=(2,),
        stored={2: {"first_name": "José"}},
    ),
    Case(
        "UTF-8 with a byte-order mark and semicolons",
        b"\xef\xbb\xbf" + lines(GOOD.replace(",", ";"), header=HEADER.replace(",", ";")).encode(),
        rows=(2,),
        valid=(2,),
    ),
    Case(
        "blank lines count in the row numbers",
        lines("", GOOD, ",,,,,,", "7,Bo,AdvLine,2026-03-02,Monday,08:00,17:00").encode(),
        rows=(3, 5),
        valid=(3, 5),
    ),
    Case(
        "a quoted name over two lines: the next row is numbered by its own line",
        lines(
            '42,"Ana\nMaria",AdvLine,2026-03-02,Monday,08:00,17:00', "999,Bo,AdvLine,2026-03-02,Monday,08:00,17:00"
        ).encode(),
        rows=(2, 4),
        valid=(2,),
        errors=[(4, "Employee ID", "employee id '999' is not in the employee master")],
    ),
    Case(
        "UTF-16 without its byte-order mark is refused",
        lines(GOOD).encode("utf-16-le"),
        file_error=UNREADABLE,
    ),
    Case(
        "a workbook saved under a .csv name",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)),
        file_error=UNREADABLE,
    ),
    Case("an empty file", b"\r\n\r\n", file_error="the file is empty"),
    Case(
        "a required column missing",
        lines(
            "42,Ana,AdvLine,2026-03-02,Monday,08:00", header="Employee ID,First Name,Department,Date,Weekday,Check In"
        ).encode(),
        file_error="required column missing: 'Check Out' (accepted: Check Out, Check-Out, CheckOut, Last Punch); "
        "headers found: 'Employee ID', 'First Name', 'Department', 'Date', 'Weekday', 'Check In'",
    ),
    Case(
        "a field over csv's limit",
        lines(GOOD, '42,"' + "x" * 200_000 + '",AdvLine,2026-03-02,Monday,08:00,17:00').encode(),
        file_error="line 3 cannot be read as CSV (field larger than field limit (131072))",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_bad_fingerprint_file_is_stored_row_by_row_or_refused_in_one_line(
    case: Case, attendance_world: AttendanceWorld
) -> None:
    path = attendance_world.write("fingerprint.csv", case.content)
    result = attendance_world.run(path)
    records = {record["row_number"]: record for record in attendance_world.records()}
    errors = [(e["row_number"], e["field"], e["reason"]) for e in attendance_world.errors()]
    [stored_import] = attendance_world.imports()

    if case.file_error is not None:
        assert not result.success
        [failure] = result.get_step_failure_events()
        assert failure.step_failure_data.user_failure_data.description == f"fingerprint.csv: {case.file_error}"
        assert stored_import["status"] == "failed"
        assert stored_import["validation_errors"] == [{"reason": f"fingerprint.csv: {case.file_error}"}]
        assert records == {} and errors == []
        return

    assert result.success
    assert tuple(records) == case.rows, "every non-blank row is stored, and nothing else"
    assert tuple(row for row, record in records.items() if record["is_valid"]) == case.valid
    assert sorted(errors, key=str) == sorted(case.errors, key=str)
    for row, record in records.items():
        assert record["is_valid"] == (row not in {error_row for error_row, _, _ in errors}), row
    for row, columns in case.stored.items():
        for name, value in columns.items():
            stored = records[row][name]
            assert ({key: stored[key] for key in value} if name == "raw" else stored) == value, (row, name)
    assert (stored_import["status"], stored_import["total_records"], stored_import["failed_records"]) == (
        "completed",
        len(case.rows),
        len(case.rows) - len(case.valid),
    )
    assert tuple(stored_import["unmapped_departments"] or ()) == case.unmapped
