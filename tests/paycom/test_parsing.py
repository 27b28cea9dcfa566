"""Paycom's files as the sandbox writes them (every quirk of the real ones), read back to the truth."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from numbers_parser import Document

from hr_assets.defs.paycom.parsing import ReportFormatError, parse_report
from hr_sandbox.paycom_reports import sandbox_employees, write_numbers_table, write_paycom_reports

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
        "is not an amount (expected a form like 1,234.50); the row was not used",
    )


def test_an_empty_file_has_no_header(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(ReportFormatError, match="^empty.csv: the file is empty$"):
        parse_report("pay", path)


PAY_HEADER = "Employee_Code,Pay_Type,Rate_1,Annual_Salary"


def _pay_csv(tmp_path: Path, *lines: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path = tmp_path / "20261119180000_Employee_Pay_0000abcd_CustomExport.csv"
    path.write_bytes(newline.join([PAY_HEADER, *lines, ""]).encode(encoding))
    return path


def _reasons(report) -> list[tuple[int | None, str | None, str]]:
    return [(error.row_number, error.field, error.reason) for error in report.errors]


def test_an_unquoted_thousands_separator_makes_the_row_an_error_not_a_salary_of_61(tmp_path: Path) -> None:
    report = parse_report("pay", _pay_csv(tmp_path, "1001,Hourly,18.75,", "1003,Salary,,61,000.00"))
    assert [record["employee_code"] for record in report.records] == ["1001"]
    assert _reasons(report) == [(3, None, "the row has 5 cells where the header has 4; the row was not used")]
    assert report.rows_read == 2


def test_an_empty_pay_type_or_a_row_cut_short_is_an_error_not_an_empty_pay(tmp_path: Path) -> None:
    report = parse_report("pay", _pay_csv(tmp_path, "1001,,18.75,", "1002"))
    assert report.records == []
    assert _reasons(report) == [
        (2, "Pay_Type", "the pay type is empty; the row was not used"),
        (3, None, "the row has 1 cells where the header has 4; the row was not used"),
    ]


def test_a_total_footer_of_the_pay_export_is_an_error_with_its_row(tmp_path: Path) -> None:
    report = parse_report("pay", _pay_csv(tmp_path, "1001,Hourly,18.75,", '"Total: 1",,,'))
    assert _reasons(report) == [
        (3, "Employee_Code", "'Total: 1' is not an employee code (letters and digits); the row was not used"),
        (3, "Pay_Type", "the pay type is empty; the row was not used"),
    ]


@pytest.mark.parametrize(("encoding", "newline"), [("utf-16", "\r\n"), ("utf-8-sig", "\r\n"), ("cp1252", "\n")])
def test_every_encoding_the_attendance_file_takes_reads_the_pay_export(
    tmp_path: Path, encoding: str, newline: str
) -> None:
    path = _pay_csv(tmp_path, "1001,Hourly,18.75,", '1002,Salary,,"95,000.00"', encoding=encoding, newline=newline)
    report = parse_report("pay", path)
    assert report.errors == []
    assert [(r["employee_code"], r["hourly_rate"], r["annual_salary"]) for r in report.records] == [
        ("1001", Decimal("18.75"), None),
        ("1002", None, Decimal("95000.00")),
    ]


def test_a_utf16_export_without_its_byte_order_mark_is_refused_not_read_as_nuls(tmp_path: Path) -> None:
    path = _pay_csv(tmp_path, "1001,Hourly,18.75,", encoding="utf-16-le")
    with pytest.raises(ReportFormatError, match=r": is not text in UTF-8, UTF-16 or Windows-1252"):
        parse_report("pay", path)


def test_a_field_over_the_csv_limit_is_the_files_error_naming_it_and_its_line(tmp_path: Path) -> None:
    path = _pay_csv(tmp_path, "1001,Hourly,18.75,", "1002,Hourly," + "9" * 200_000 + ",")
    with pytest.raises(ReportFormatError) as refused:
        parse_report("pay", path)
    assert str(refused.value) == (f"{path.name}: line 3 cannot be read as CSV (field larger than field limit (131072))")


def test_numbers_cells_read_as_what_they_are(tmp_path: Path) -> None:
    path = write_numbers_table(
        tmp_path / "directory.numbers",
        ["EECode", "EE Name", "Status", "Department", "Location"],
        [
            [1001.0, "Doe, Jane", "A", 12.0, 10.0],  # numbers-parser reads 12.0 back as 12.000000000000002
            [dt.datetime(2001, 1, 1), "Roe, Rick", "A", 100.0, None],
            [dt.timedelta(hours=8), "Poe, Ann", "A", 100.0, None],
            [1004.0, "Loe, Al", "A", dt.datetime(2024, 1, 1), "N" * 40],
            ["9" * 40, "Moe, Bo", "A", 100.0, None],
        ],
    )
    report = parse_report("directory", path)
    assert [record["employee_code"] for record in report.records] == ["1001", "1004"]
    assert report.records[0]["department_code"] == "12" and report.records[0]["location_code"] == "10"
    assert "department_code" not in report.records[1] and "location_code" not in report.records[1]
    assert report.records[1]["last_name"] == "Loe", "a bad secondary field leaves the rest of the row"
    assert _reasons(report) == [
        (3, "EECode", "a date cell is not an employee code; the row was not used"),
        (4, "EECode", "a duration cell is not an employee code; the row was not used"),
        (5, "Department", "a date cell is not a code"),
        (5, "Location", "is 40 characters long; at most 32 are stored"),
        (6, "EECode", "is 40 characters long; at most 32 are stored; the row was not used"),
    ]


def test_the_report_is_the_first_table_with_its_columns_on_any_sheet(tmp_path: Path) -> None:
    path = tmp_path / "directory.numbers"
    document = Document(sheet_name="Cover", table_name="About", num_header_rows=1, num_rows=2, num_cols=2)
    document.sheets[0].tables[0].write(0, 0, "Paycom roster")
    roster = document.sheets[0].add_table("Roster", num_rows=2, num_cols=3, num_header_rows=1, num_header_cols=0)
    for column, cell in enumerate(["EECode", "EE Name", "Status"]):
        roster.write(0, column, cell)
    for column, cell in enumerate([1001.0, "Doe, Jane", "A"]):
        roster.write(1, column, cell)
    document.save(path)
    assert [record["employee_code"] for record in parse_report("directory", path).records] == ["1001"]
    with pytest.raises(
        ReportFormatError,
        match=r"'Hire Date' is missing .*, in table 'Roster' of sheet 'Cover', the closest of its 2 tables$",
    ):
        parse_report("dates", path)


def test_title_and_run_date_rows_above_the_header_are_skipped_and_counted_once(tmp_path: Path) -> None:
    """A Payees report whose table begins with a merged title and a "Report run date" row, as some clients'
    exports do: the header is found below them, the rows keep the numbers a person sees in the file."""
    path = tmp_path / "payees.numbers"
    document = Document(sheet_name="Sheet 1", table_name="Payees", num_header_rows=1, num_rows=5, num_cols=4)
    table = document.sheets[0].tables[0]
    table.write(0, 0, "Employee Payees Report")
    table.merge_cells("A1:D1")
    table.write(1, 0, "Report run date")
    table.write(1, 1, dt.datetime(2026, 11, 19))
    for column, cell in enumerate(["EE Code", "Payee Code", "Payee Desc", "Garn. Type"]):
        table.write(2, column, cell)
    for row, cells in ((3, [1001.0, "CS01", "Child support", "CS"]), (4, [1002.0, "TL02", "Levy", "TL"])):
        for column, cell in enumerate(cells):
            table.write(row, column, cell)
    document.save(path)

    report = parse_report("payees", path)
    assert report.title_rows == 2
    assert [(record["row_number"], record["employee_code"]) for record in report.records] == [(4, "1001"), (5, "1002")]
    assert report.errors == []


def test_a_header_below_the_rows_searched_is_not_guessed(tmp_path: Path) -> None:
    rows = [[f"Title line {number}"] for number in range(12)] + [["EECode", "EE Name", "Status"], [1001.0, "Doe", "A"]]
    path = write_numbers_table(tmp_path / "directory.numbers", rows[0], rows[1:])
    with pytest.raises(ReportFormatError, match=r"required column 'EECode' is missing"):
        parse_report("directory", path)
