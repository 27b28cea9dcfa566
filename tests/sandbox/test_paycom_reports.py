"""The generated Paycom reports, read back with numbers-parser the way the sync reads real ones.

The expected headers are spelled out here, as Paycom writes them, rather than
imported, so a change to the generator's column lists cannot silently change the expectation.
"""

from __future__ import annotations

import csv
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from numbers_parser import Document

from hr_sandbox.paycom_reports import (
    SandboxEmployee,
    paycom_file_name,
    sandbox_employees,
    write_numbers_table,
    write_paycom_reports,
)

PUSHED_AT = datetime(2024, 1, 8, 6, 0, 0)
ROSTER_NAME = re.compile(r"^\d{14}_Employee_(Directory|Dates|Payees)_[0-9a-f]{8}_EmployeeRoster\.numbers$")
DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")

DIRECTORY_HEADER = [
    "EECode",
    "EE Name",
    "Nickname",
    "Status",
    "Department",
    "Department Desc",
    "Payroll Profile",
    "Payroll Profile Desc",
    "Location",
    "Location Desc",
    "Work Email",
    "Pers. Email",
    "Phone #",
    "Phone # Type",
    "Secondary Phone #",
    "Secondary Phone Type",
    "Street Address",
    "City",
    "State",
    "Zip",
    "Address Line 2",
    "Mailing Address Line 1",
    "Mailing Address Line 2",
    "Mailing City/Municipality",
    "Mailing State/Province",
    "Mailing Zip Code/Postal Code",
    "Mailing Country Code",
    "Phone # Extention",
    "Secondary Phone # Extension",
]
DATES_HEADER = [
    "Client Code",
    "EE Code",
    "EE Name",
    "Status",
    "Department",
    "Department Desc",
    "Payroll Profile",
    "Payroll Profile Desc",
    "Location",
    "Location Desc",
    "Position Family",
    "Position",
    "Employee Added",
    "Birth Date",
    "Hire Date",
    "Re-hire Date",
    "Termination Date",
    "Previous Termination Date",
    "New Hire Report Date",
    "Last Review",
    "Next Review",
    "Last Pay Change",
    "Part-Time to Full-Time",
    "Full-Time to Part-Time",
    "Most Recent Check Date",
    "Cobra Start",
    "Cobra End",
    "On Leave Start",
    "On Leave End",
    "401k Eligibility Date",
    "401k Participation Date",
    "Match Eligibility Date",
]
PAYEES_HEADER = [
    "Client Code",
    "EE Code",
    "EE Name",
    "EE Status",
    "Department Code",
    "Department Desc",
    "Payroll Profile Code",
    "Payroll Profile Desc",
    "Location Code",
    "Location Desc",
    "Payee Code",
    "Payee Desc",
    "Case Reference",
    "Street",
    "City",
    "State",
    "Zipcode",
    "First Address",
    "Garn. Type",
    "FIPS Code",
    "Elec Payment",
    "Routing Code",
    "Account Code",
    "Account Type",
    "Address Line 1",
    "Address Line 2",
    "City",
    "State/Province",
    "Zip Code/Postal Code",
    "Country Code",
]
PAY_HEADER = [
    "Employee_Code",
    "Employee_Name",
    "Employee_Status",
    "Pay_Type",
    "Rate_1",
    "Annual_Salary",
    "Exempt_Status",
]


def read_rows(path: Path) -> list[list[object]]:
    return Document(path).sheets[0].tables[0].rows(values_only=True)


@pytest.fixture(scope="module")
def employees() -> list[SandboxEmployee]:
    return sandbox_employees(30)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, employees: list[SandboxEmployee]) -> dict[str, Path]:
    return write_paycom_reports(tmp_path_factory.mktemp("push"), employees, PUSHED_AT)


@pytest.fixture(scope="module")
def rows(reports: dict[str, Path]) -> dict[str, list[list[object]]]:
    return {report: read_rows(path) for report, path in reports.items() if path.suffix == ".numbers"}


def by_code(employees: list[SandboxEmployee]) -> dict[str, SandboxEmployee]:
    return {employee.code: employee for employee in employees}


def code_text(cell: object) -> str:
    """What the sync must make of a code cell: ``1001.0`` -> ``1001``; text stays as it is."""
    return str(int(cell)) if isinstance(cell, float) else str(cell)


def test_the_same_seed_gives_the_same_employees() -> None:
    assert sandbox_employees(30, seed=7) == sandbox_employees(30, seed=7)
    assert sandbox_employees(30, seed=7) != sandbox_employees(30, seed=8)
    assert sandbox_employees(10) == sandbox_employees(30)[:10]


def test_the_sample_has_every_kind_of_employee(employees: list[SandboxEmployee]) -> None:
    assert {employee.status for employee in employees} == {"active", "terminated", "on_leave"}
    assert len({employee.code for employee in employees}) == len(employees)
    assert len({employee.work_email for employee in employees}) == len(employees)
    assert any(employee.code.startswith("0") for employee in employees)
    assert any(not employee.code.isdigit() for employee in employees)
    assert any(employee.location_code is None for employee in employees)
    assert any(employee.rehire_date for employee in employees)
    for employee in employees:
        assert (employee.termination_date is not None) == (employee.status == "terminated")
        assert employee.hire_date < (employee.termination_date or PUSHED_AT.date())
        assert employee.overtime_exempt == (employee.pay_type == "salary")
        pay = employee.hourly_rate if employee.pay_type == "hourly" else employee.annual_salary
        other = employee.annual_salary if employee.pay_type == "hourly" else employee.hourly_rate
        assert isinstance(pay, Decimal) and pay.as_tuple().exponent == -2 and other is None


def test_file_names_follow_paycom_pattern(reports: dict[str, Path]) -> None:
    for report in ("directory", "dates", "payees"):
        assert ROSTER_NAME.match(reports[report].name)
        assert reports[report].name.startswith("20240108060000_Employee_")
    assert re.match(r"^20240108060000_Employee_Pay_[0-9a-f]{8}_CustomExport\.csv$", reports["pay"].name)
    assert paycom_file_name("Dates", PUSHED_AT, "0123abcd", "numbers") == (
        "20240108060000_Employee_Dates_0123abcd_EmployeeRoster.numbers"
    )


def test_one_sheet_one_table_named_after_the_file(reports: dict[str, Path]) -> None:
    for report in ("directory", "dates", "payees"):
        document = Document(reports[report])
        assert [sheet.name for sheet in document.sheets] == ["Sheet 1"]
        assert [table.name for table in document.sheets[0].tables] == [reports[report].stem]
        assert document.sheets[0].tables[0].num_header_rows == 1


def test_headers_are_paycom_columns_including_the_duplicate_city(
    rows: dict[str, list[list[object]]],
) -> None:
    assert rows["directory"][0] == DIRECTORY_HEADER
    assert rows["dates"][0] == DATES_HEADER
    assert rows["payees"][0] == PAYEES_HEADER
    assert rows["payees"][0].count("City") == 2


def test_codes_are_floats_when_numeric_and_text_otherwise(
    rows: dict[str, list[list[object]]], employees: list[SandboxEmployee]
) -> None:
    codes = [row[0] for row in rows["directory"][1:]]

    assert [code_text(code) for code in codes] == [employee.code for employee in employees]
    for code, employee in zip(codes, employees, strict=True):
        if employee.code.isdigit() and not employee.code.startswith("0"):
            assert code == float(employee.code)
        else:
            assert code == employee.code
    assert [row[1] for row in rows["dates"][1:]] == codes


def test_status_vocabulary_differs_by_report(
    rows: dict[str, list[list[object]]], employees: list[SandboxEmployee]
) -> None:
    letters = {"active": "A", "terminated": "T", "on_leave": "V"}
    words = {"active": "ACTIVE", "terminated": "TERMINATED", "on_leave": "ON LEAVE"}

    assert [row[3] for row in rows["directory"][1:]] == [letters[e.status] for e in employees]
    assert [row[3] for row in rows["dates"][1:]] == [words[e.status] for e in employees]
    employee_by_code = by_code(employees)
    for row in rows["payees"][1:]:
        assert row[3] == letters[employee_by_code[code_text(row[1])].status]


def test_every_date_is_text_and_missing_dates_are_zeros(
    rows: dict[str, list[list[object]]], employees: list[SandboxEmployee]
) -> None:
    header, *data = rows["dates"]
    date_columns = range(header.index("Employee Added"), len(header))

    for row in data:
        for column in date_columns:
            assert isinstance(row[column], str) and DATE_TEXT.match(row[column]), (header[column], row[column])
    for row, employee in zip(data, employees, strict=True):
        assert row[header.index("Hire Date")] == employee.hire_date.isoformat()
        assert row[header.index("Birth Date")] == employee.birth_date.isoformat()
        expected_termination = employee.termination_date.isoformat() if employee.termination_date else "0000-00-00"
        assert row[header.index("Termination Date")] == expected_termination
        expected_rehire = employee.rehire_date.isoformat() if employee.rehire_date else "0000-00-00"
        assert row[header.index("Re-hire Date")] == expected_rehire
    assert any(row[header.index("Termination Date")] == "0000-00-00" for row in data)


def test_department_location_and_zip_codes_are_floats(
    rows: dict[str, list[list[object]]], employees: list[SandboxEmployee]
) -> None:
    header, *data = rows["directory"]
    for row, employee in zip(data, employees, strict=True):
        assert row[header.index("Department")] == float(employee.department_code)
        assert row[header.index("Department Desc")] == employee.department_description
        location = row[header.index("Location")]
        assert location == (float(employee.location_code) if employee.location_code else None)
        assert isinstance(row[header.index("Zip")], float)
        assert row[header.index("EE Name")] == f"{employee.last_name}, {employee.first_name}"
    zips = [row[header.index("Zip")] for row in data]
    assert any(zip_code < 10_000 for zip_code in zips), "a ZIP that lost its leading zero"


def test_payees_hold_recognizable_bank_details_for_about_one_in_ten(
    rows: dict[str, list[list[object]]], employees: list[SandboxEmployee]
) -> None:
    header, *data = rows["payees"]

    assert len(data) == 3
    assert {code_text(row[1]) for row in data} <= set(by_code(employees))
    for row in data:
        assert re.fullmatch(r"0\d{8}", row[header.index("Routing Code")])
        assert re.fullmatch(r"\d{10,12}", row[header.index("Account Code")])


def test_pay_export_csv(reports: dict[str, Path], employees: list[SandboxEmployee]) -> None:
    with reports["pay"].open(encoding="utf-8", newline="") as handle:
        header, *data = list(csv.reader(handle))

    assert header == PAY_HEADER
    assert [row[0] for row in data] == [employee.code for employee in employees]
    for row, employee in zip(data, employees, strict=True):
        record = dict(zip(header, row, strict=True))
        if employee.pay_type == "hourly":
            assert (record["Pay_Type"], record["Exempt_Status"]) == ("Hourly", "Non-Exempt")
            assert Decimal(record["Rate_1"]) == employee.hourly_rate and record["Annual_Salary"] == ""
        else:
            assert (record["Pay_Type"], record["Exempt_Status"]) == ("Salary", "Exempt")
            assert record["Rate_1"] == "" and re.fullmatch(r"\d{2,3},\d{3}\.\d{2}", record["Annual_Salary"])
            assert Decimal(record["Annual_Salary"].replace(",", "")) == employee.annual_salary


def test_pay_export_as_numbers(tmp_path: Path, employees: list[SandboxEmployee]) -> None:
    paths = write_paycom_reports(tmp_path, employees[:5], PUSHED_AT, pay_report_format="numbers")

    assert re.match(r"^20240108060000_Employee_Pay_[0-9a-f]{8}_CustomExport\.numbers$", paths["pay"].name)
    header, *data = read_rows(paths["pay"])
    assert header == PAY_HEADER
    assert data[0][0] == float(employees[0].code)


def test_an_unknown_pay_report_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="pay_report_format"):
        write_paycom_reports(tmp_path, [], PUSHED_AT, pay_report_format="xlsx")


def test_the_same_push_gives_the_same_files(tmp_path: Path, employees: list[SandboxEmployee]) -> None:
    first = write_paycom_reports(tmp_path / "first", employees[:5], PUSHED_AT)
    second = write_paycom_reports(tmp_path / "second", employees[:5], PUSHED_AT)

    assert [path.name for path in first.values()] == [path.name for path in second.values()]
    for report in ("directory", "dates", "payees"):
        assert read_rows(first[report]) == read_rows(second[report])
    assert first["pay"].read_bytes() == second["pay"].read_bytes()


def test_write_numbers_table_leaves_none_empty_and_allows_wide_rows(tmp_path: Path) -> None:
    path = write_numbers_table(tmp_path / "bad.numbers", ["A", "B"], [[None, "x"], [1, 2.5, "extra"]])

    assert read_rows(path) == [["A", "B", None], [None, "x", None], [1.0, 2.5, "extra"]]
