"""Each rule a fingerprint row must pass, and every failing row stored with its reasons."""

import datetime as dt
from pathlib import Path

import pytest

from hr_assets.defs.attendance.csv_file import RawRow, open_attendance_stream
from hr_assets.defs.attendance.employee_masters import EmployeeMasters
from hr_assets.defs.attendance.validation import (
    NO_DATE_FORMATS,
    AttendanceRecord,
    DateReading,
    settle_date_format,
    unmapped_departments,
    validate_file,
    validate_row,
)
from hr_assets.defs.shared.companies import DateFormat, EmployeeMaster, normalise_department

MASTERS = EmployeeMasters(roster=frozenset({"42", "0100", "7"}))
COMPANIES = {normalise_department("AdvLine"): 3, normalise_department("Blue Sky"): 5}
GOOD = {
    "csv_employee_id": "42",
    "first_name": "José",
    "fingerprint_department": "AdvLine",
    "date": "2026-03-02",
    "weekday": "Monday",
    "check_in": "08:01",
    "check_out": "17:05:30",
    "clock_in": "8:00 AM",
    "clock_out": "5:00 PM",
}


def validate(dates: DateReading = NO_DATE_FORMATS, **cells: str) -> AttendanceRecord:
    raw = GOOD | cells
    return validate_row(RawRow(7, raw, len(raw), len(raw)), "march.csv", MASTERS, COMPANIES, dates)


def reasons(record: AttendanceRecord) -> dict[str | None, str]:
    return {error.field: error.reason for error in record.validation_errors}


def test_a_good_row_becomes_a_valid_record_with_every_value_read() -> None:
    record = validate()
    assert record.is_valid and record.validation_errors == ()
    assert record == AttendanceRecord(
        row_number=7,
        csv_employee_id="42",
        first_name="José",
        fingerprint_department="AdvLine",
        date=dt.date(2026, 3, 2),
        weekday="Monday",
        check_in=dt.time(8, 1),
        check_out=dt.time(17, 5, 30),
        clock_in=dt.time(8, 0),
        clock_out=dt.time(17, 0),
        employee_code="42",
        company_id=3,
        validation_errors=(),
        raw=GOOD,
    )


def test_an_unknown_employee_id_is_an_error_naming_file_row_field_and_value() -> None:
    record = validate(csv_employee_id="999")
    assert not record.is_valid and record.employee_code is None
    [error] = record.validation_errors
    assert (error.file_name, error.row_number, error.field, error.record_key) == ("march.csv", 7, "Employee ID", "999")
    assert error.reason == "employee id '999' is not in the employee master"


@pytest.mark.parametrize(("written", "in_master"), [("0042", "'42'"), ("100", "'0100'"), ("007", "'7'")])
def test_leading_zeros_matter_but_the_reason_points_at_the_near_match(written: str, in_master: str) -> None:
    record = validate(csv_employee_id=written)
    assert record.employee_code is None and not record.is_valid
    assert reasons(record) == {
        "Employee ID": f"employee id {written!r} is not in the employee master "
        f"(the master has {in_master}: leading zeros differ)"
    }


def test_an_empty_employee_id_is_an_error() -> None:
    record = validate(csv_employee_id="")
    assert (record.csv_employee_id, reasons(record)) == (None, {"Employee ID": "the employee id is empty"})


def test_ids_are_compared_trimmed() -> None:
    assert validate(csv_employee_id=" 42 ").employee_code == "42"


@pytest.mark.parametrize("written", ["AdvLine", " advline ", "ADVLINE", "AdvLine\t"])
def test_departments_match_case_insensitively_and_trimmed(written: str) -> None:
    record = validate(fingerprint_department=written)
    assert (record.company_id, record.is_valid) == (3, True)


def test_normalise_department_trims_folds_case_and_single_spaces() -> None:
    assert normalise_department("  Blue   SKY ") == "blue sky"
    assert validate(fingerprint_department="blue  sky").company_id == 5


def test_an_unmapped_or_empty_department_is_an_error() -> None:
    unmapped = validate(fingerprint_department="Sales")
    assert unmapped.company_id is None
    assert reasons(unmapped) == {
        "Department": "department 'Sales' maps to no company (hr-assets companies map-department)"
    }
    assert reasons(validate(fingerprint_department="")) == {"Department": "the department is empty"}


def test_unmapped_departments_are_distinct_sorted_and_as_written() -> None:
    records = [validate(fingerprint_department=name) for name in ["Sales", "AdvLine", "HR", "Sales", " sales", ""]]
    assert unmapped_departments(records) == ["HR", "Sales", "sales"]


@pytest.mark.parametrize(
    ("written", "weekday"),
    [
        ("2026-03-02", "Monday"),
        ("2026/03/02", "Mon"),
        ("2026/3/2", "mon."),
        ("2-Mar-2026", "MO"),
        ("02-mar-2026", "monday"),
        ("2 March 2026", "Mon"),
        ("2 Mar. 2026", "Mon"),
    ],
)
def test_iso_and_month_name_dates_are_read(written: str, weekday: str) -> None:
    record = validate(date=written, weekday=weekday)
    assert (record.date, record.is_valid) == (dt.date(2026, 3, 2), True)


def test_slashed_dates_are_ambiguous_unless_the_company_or_the_file_says_which() -> None:
    refused = validate(DateReading(company_slugs={3: "advline"}), date="02/03/2026", weekday="")
    assert refused.date is None
    assert reasons(refused)["Date"] == (
        "'02/03/2026' is ambiguous (day or month first?) and the file does not settle it: say how the device writes "
        "dates with hr-assets companies set advline --date-format DMY (or MDY), then import the file again"
    )
    month_first = validate(DateReading(company_formats={3: DateFormat.MDY}), date="02/03/2026", weekday="Tue")
    assert month_first.date == dt.date(2026, 2, 3)
    assert validate(DateReading(settled=DateFormat.DMY), date="02/03/2026").date == dt.date(2026, 3, 2)
    # The company's own format wins over what the file settles.
    both = DateReading(company_formats={3: DateFormat.MDY}, settled=DateFormat.DMY)
    assert validate(both, date="02/03/2026", weekday="Tue").date == dt.date(2026, 2, 3)
    iso_only = validate(DateReading(company_formats={3: DateFormat.ISO}), date="02/03/2026", weekday="")
    assert (
        reasons(iso_only)["Date"] == "'02/03/2026' is not a date this company's device writes (its date format is ISO)"
    )


@pytest.mark.parametrize(
    ("dates", "settled"),
    [
        (["02/03/2026", "25/03/2026", "2026-03-04"], DateFormat.DMY),
        (["03/02/2026", "03/25/2026"], DateFormat.MDY),
        (["02/03/2026", "03/04/2026"], None),  # no day over 12: nothing says
        (["25/03/2026", "03/25/2026"], None),  # the dates disagree
        (["2026-03-02", "", "yesterday"], None),
        ([" 13/01/2026 "], DateFormat.DMY),
    ],
)
def test_a_file_settles_its_date_order_only_when_its_dates_allow_one(
    dates: list[str], settled: DateFormat | None
) -> None:
    assert settle_date_format(dates) is settled


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("", "the date is empty"),
        ("2026-02-30", "'2026-02-30' is not a real date"),
        ("2026-13-01", "'2026-13-01' is not a real date"),
        ("2-Foo-2026", "'2-Foo-2026' is not a date ('Foo' is not a month)"),
        ("yesterday", "'yesterday' is not a date (expected YYYY-MM-DD, YYYY/MM/DD or 2-Mar-2026)"),
        ("26-03-02", "'26-03-02' is not a date (expected YYYY-MM-DD, YYYY/MM/DD or 2-Mar-2026)"),
        ("2026-03/02", "'2026-03/02' is not a date (expected YYYY-MM-DD, YYYY/MM/DD or 2-Mar-2026)"),
    ],
)
def test_a_bad_date_is_an_error_and_the_weekday_is_not_compared(written: str, reason: str) -> None:
    record = validate(date=written)
    assert record.date is None
    assert reasons(record) == {"Date": reason}


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("08:30", dt.time(8, 30)),
        ("8:30", dt.time(8, 30)),
        ("23:59:59", dt.time(23, 59, 59)),
        ("8:30 PM", dt.time(20, 30)),
        ("8:30:15 pm", dt.time(20, 30, 15)),
        ("9:05AM", dt.time(9, 5)),
        ("12:05 AM", dt.time(0, 5)),
        ("12:00 p.m.", dt.time(12, 0)),
        ("", None),
        ("-", None),
        ("--", None),
    ],
)
def test_times_are_read_and_absent_ones_are_none(written: str, read: dt.time | None) -> None:
    record = validate(check_in=written, check_out=written, clock_in=written, clock_out=written)
    assert (record.check_in, record.check_out, record.clock_in, record.clock_out) == (read, read, read, read)
    assert record.is_valid


@pytest.mark.parametrize("written", ["25:00", "8.30", "13:00 PM", "0:30 AM", "08:60", "8:3", "noon"])
def test_a_bad_time_is_an_error_that_does_not_quote_the_time(written: str) -> None:
    record = validate(check_out=written)
    assert record.check_out is None and not record.is_valid
    [(field, reason)] = reasons(record).items()
    assert field == "Check Out"
    assert reason.startswith("is not a time") and "HH:MM" in reason
    assert written not in reason


def test_a_weekday_that_is_not_the_dates_is_an_error() -> None:
    record = validate(weekday="Tue")
    assert reasons(record) == {"Weekday": "'Tue' is not the weekday of 2026-03-02, a Monday"}
    assert record.weekday == "Tue" and record.date == dt.date(2026, 3, 2)


@pytest.mark.parametrize("written", ["Funday", "T", "7"])
def test_an_unreadable_weekday_is_an_error(written: str) -> None:
    assert reasons(validate(weekday=written)) == {"Weekday": f"{written!r} is not a weekday"}


def test_the_weekday_is_optional() -> None:
    record = validate(weekday="")
    assert (record.weekday, record.is_valid) == (None, True)


def test_a_ragged_row_is_a_row_error_and_keeps_what_it_has() -> None:
    raw = {key: GOOD[key] for key in list(GOOD)[:7]}
    record = validate_row(RawRow(4, raw, 7, 9), "march.csv", MASTERS, COMPANIES)
    [error] = record.validation_errors
    assert (error.row_number, error.field, error.reason) == (4, None, "the row has 7 cells where the header has 9")
    assert (record.clock_in, record.check_out, record.raw) == (None, dt.time(17, 5, 30), raw)


def test_a_file_of_bad_rows_returns_every_row_with_all_its_reasons(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "Emp ID;Name;Dept;Date;Day;Check In;Check Out\r\n"
        "999;Ana;AdvLine;2026-03-02;Mon;08:00;17:00\r\n"
        "\r\n"
        "42;José;Nowhere;02/03/2026;Mon;8h;17:00\r\n"
        "0042;Ana;;2026-03-03;Mon;;--\r\n"
        "42;Ana;AdvLine\r\n",
        encoding="utf-8",
    )
    with open_attendance_stream(lambda: path.open("rb"), path.name) as attendance:
        records = list(validate_file(attendance, MASTERS, COMPANIES))
    assert not any(record.is_valid for record in records)
    found = [(e.file_name, e.row_number, e.field) for record in records for e in record.validation_errors]
    assert found == [
        ("bad.csv", 2, "Employee ID"),
        ("bad.csv", 4, "Department"),
        ("bad.csv", 4, "Date"),
        ("bad.csv", 4, "Check In"),
        ("bad.csv", 5, "Employee ID"),
        ("bad.csv", 5, "Department"),
        ("bad.csv", 5, "Weekday"),
        ("bad.csv", 6, None),
        ("bad.csv", 6, "Date"),
    ]
    assert all(
        error.describe().startswith(f"bad.csv, row {error.row_number}")
        for r in records
        for error in r.validation_errors
    )
    assert [record.raw["csv_employee_id"] for record in records] == ["999", "42", "0042", "42"]
    assert unmapped_departments(records) == ["Nowhere"]
    assert not any(record.is_valid for record in records)


def test_no_reason_quotes_a_punch_time() -> None:
    record = validate(csv_employee_id="999", fingerprint_department="Sales", check_in="31:99", weekday="Sun")
    assert len(record.validation_errors) == 4
    assert not any("31:99" in error.describe() for error in record.validation_errors)


def test_each_company_is_checked_against_its_own_master_and_its_mapped_ids() -> None:
    blue_sky = COMPANIES["blue sky"]
    masters = EmployeeMasters(
        roster=frozenset({"42"}),
        chosen={blue_sky: EmployeeMaster.LIST},
        lists={blue_sky: frozenset({"B1", "E017"})},
        device_codes={(blue_sky, "17"): "E017", (blue_sky, "18"): "E018"},
    )

    def checked(employee: str, department: str) -> tuple[str | None, dict[str | None, str]]:
        raw = GOOD | {"csv_employee_id": employee, "fingerprint_department": department}
        record = validate_row(RawRow(7, raw, len(raw), len(raw)), "march.csv", masters, COMPANIES)
        return record.employee_code, reasons(record)

    assert checked("42", "AdvLine") == ("42", {})
    assert checked("B1", "Blue Sky") == ("B1", {})
    assert checked("17", "Blue Sky") == ("E017", {})  # the device id stands for the list's code
    assert checked("17", "AdvLine") == (None, {"Employee ID": "employee id '17' is not in the employee master"})
    assert checked("42", "Blue Sky") == (
        None,
        {"Employee ID": "employee id '42' is not in the employee master (the company's own employee list)"},
    )
    assert checked("18", "Blue Sky")[1] == {
        "Employee ID": "employee id '18' stands for code 'E018' (hr-assets companies map-employee), which is not in "
        "the employee master (the company's own employee list)"
    }
    unmapped = checked("42", "Sales")  # a row of no company: the deployment's rule, the roster here
    assert unmapped[0] == "42" and list(unmapped[1]) == ["Department"]


@pytest.mark.parametrize(
    ("masters", "master_of_advline"),
    [
        (EmployeeMasters(), None),  # no roster synced, Paycom not configured: the device's ids
        (EmployeeMasters(roster_required=True), frozenset()),  # Paycom configured, nothing synced yet
        (EmployeeMasters(roster=frozenset({"42"})), frozenset({"42"})),
        (EmployeeMasters(roster=frozenset({"42"}), chosen={3: EmployeeMaster.DEVICE}), None),
        (EmployeeMasters(chosen={3: EmployeeMaster.PAYCOM}), frozenset()),
        (EmployeeMasters(chosen={3: EmployeeMaster.LIST}), frozenset()),  # no list imported yet
    ],
)
def test_a_company_without_a_master_of_its_own_follows_the_deployments_rule(
    masters: EmployeeMasters, master_of_advline: frozenset[str] | None
) -> None:
    assert masters.codes_for(COMPANIES["advline"]) == master_of_advline
