"""Paycom's files as the sandbox writes them (every quirk of the real ones), read back to the truth."""

import datetime as dt
from pathlib import Path

import pytest

from hr_assets.defs.paycom.parsing import ReportFormatError, parse_report
from hr_assets.sandbox.paycom_reports import sandbox_employees, write_paycom_reports

EMPLOYEES = sandbox_employees(30)
TRUTH = {employee.code: employee for employee in EMPLOYEES}


@pytest.fixture(scope="module", params=["csv", "numbers"])
def push(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp(f"push_{request.param}")
    return write_paycom_reports(directory, EMPLOYEES, dt.datetime(2026, 11, 19, 18), pay_report_format=request.param)


def test_directory_and_dates_read_back_to_the_truth(push: dict[str, Path]) -> None:
    directory = parse_report("directory", push["directory"])
    dates = parse_report("dates", push["dates"])
    assert directory.errors == [] and dates.errors == []
    assert [r["employee_code"] for r in directory.records] == list(TRUTH)
    for record in dates.records:
        employee = TRUTH[record["employee_code"]]
        assert record["status"] == employee.status
        assert (record["hire_date"], record["rehire_date"], record["termination_date"]) == (
            employee.hire_date,
            employee.rehire_date,
            employee.termination_date,
        )
        assert record["department_code"] == employee.department_code
        assert record["location_code"] == employee.location_code


def test_the_pay_export_reads_back_in_either_format(push: dict[str, Path]) -> None:
    pay = parse_report("pay", push["pay"])
    assert pay.errors == []
    for record in pay.records:
        employee = TRUTH[record["employee_code"]]
        assert record["pay_type"] == employee.pay_type
        assert record["hourly_rate"] == employee.hourly_rate
        assert record["annual_salary"] == employee.annual_salary
        assert record["overtime_eligible"] is (not employee.overtime_exempt)


def test_payees_keep_only_what_is_safe(push: dict[str, Path]) -> None:
    payees = parse_report("payees", push["payees"])
    assert payees.records and payees.errors == []
    assert set(payees.records[0]) == {
        "row_number",
        "employee_code",
        "payee_code",
        "payee_description",
        "garnishment_type",
    }


def test_a_windows_csv_with_bom_semicolons_and_a_blank_line(tmp_path: Path) -> None:
    path = tmp_path / "20261119180000_Employee_Pay_0000abcd_CustomExport.csv"
    text = "Employee_Code;Pay_Type;Rate_1;Annual_Salary\r\n1001;Hourly;1.234,5;\r\n\r\n1002;Salary;;95000\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    report = parse_report("pay", path)
    assert [r["employee_code"] for r in report.records] == ["1002"]
    [error] = report.errors
    assert (error.row_number, error.field, error.reason) == (
        2,
        "Rate_1",
        "is not an amount (expected a form like 1,234.50)",
    )


def test_an_empty_file_has_no_header(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(ReportFormatError, match="empty.csv: the file has no header row"):
        parse_report("pay", path)
