"""Merging the week's reports and telling what changed: plain functions on plain data."""

import datetime as dt
from decimal import Decimal

from hr_assets.defs.paycom.parsing import ParsedReport, parse_rows
from hr_assets.defs.paycom.roster import apply_reports, merge_reports
from hr_assets.defs.paycom.staff import role_for, staff_rows

DIRECTORY = [
    ["EECode", "EE Name", "Status", "Department", "Department Desc", "Location", "Work Email"],
    [1001.0, "Doe, Jane", "A", 100.0, "Nursing", 1.0, "jane@example.com"],
    [1002.0, "Roe, Rick", "T", 200.0, "Dietary", "", "rick@example.com"],
    ["00731", "Poe, Ann", "V", 110.0, "Care Aides", "", "ann@example.com"],
]
DATES = [
    [
        "Client Code",
        "EE Code",
        "EE Name",
        "Status",
        "Position Family",
        "Position",
        "Hire Date",
        "Re-hire Date",
        "Termination Date",
    ],
    ["X1", 1001.0, "Doe, Jane", "ACTIVE", "Nursing", "Registered Nurse", "2020-01-06", "0000-00-00", "0000-00-00"],
    ["X1", 1002.0, "Roe, Rick", "TERMINATED", "Dietary", "Cook", "2019-05-01", "0000-00-00", "2026-11-13"],
    ["X1", "00731", "Poe, Ann", "ON LEAVE", "Care", "CNA", "2021-02-01", "2023-01-09", "0000-00-00"],
]
PAY = [
    ["Employee_Code", "Pay_Type", "Rate_1", "Annual_Salary", "Exempt_Status"],
    ["1001", "Salary", "", "78,000.00", "Exempt"],
    ["1002", "Hourly", "18.50", "", "Non-Exempt"],
    ["00731", "Hourly", "", "", "Non-Exempt"],
    ["9999", "Hourly", "20.00", "", ""],
]


def _reports(**tables: list) -> dict[str, ParsedReport]:
    return {name: parse_rows(name, f"{name}.numbers", rows) for name, rows in tables.items()}


def test_reports_merge_into_one_row_per_employee() -> None:
    merged = merge_reports(_reports(directory=DIRECTORY, dates=DATES, pay=PAY))
    changes = apply_reports({}, merged)
    jane = changes.rows["1001"]
    assert jane["first_name"] == "Jane" and jane["last_name"] == "Doe"
    assert jane["position"] == "Registered Nurse" and jane["department_code"] == "100"
    assert jane["hire_date"] == dt.date(2020, 1, 6) and jane["rehire_date"] is None
    assert jane["pay_type"] == "salary" and jane["annual_salary"] == Decimal("78000.00")
    assert jane["hourly_rate"] is None and jane["overtime_eligible"] is False
    assert changes.rows["1002"]["hourly_rate"] == Decimal("18.50")
    assert changes.rows["00731"]["status"] == "on_leave"
    assert sorted(changes.created) == ["00731", "1001", "1002"]


def test_pay_rows_that_cannot_be_used_are_errors_with_their_reason() -> None:
    merged = merge_reports(_reports(directory=DIRECTORY, dates=DATES, pay=PAY))
    changes = apply_reports({}, merged)
    reasons = {(error.record_key, error.field): error.reason for error in merged.errors + changes.errors}
    assert reasons[("00731", "Rate_1")] == "an hourly employee needs a rate; the row was not used"
    assert "not yet in the warehouse" in reasons[("9999", "Employee_Code")]
    assert "9999" not in changes.rows


def test_a_second_sync_reports_only_real_changes() -> None:
    reports = _reports(directory=DIRECTORY, dates=DATES, pay=PAY)
    first = apply_reports({}, merge_reports(reports))
    again = apply_reports(first.rows, merge_reports(reports))
    assert again.created == [] and again.updated == [] and again.terminated == []

    directory = [row[:] for row in DIRECTORY]
    directory[1][2] = "T"
    dates = [row[:] for row in DATES]
    dates[1][3] = "TERMINATED"
    changed = apply_reports(first.rows, merge_reports(_reports(directory=directory, dates=dates)))
    assert changed.updated == ["1001"] and changed.terminated == ["1001"]
    assert changed.rows["1001"]["annual_salary"] == Decimal("78000.00"), "a sync without the pay report keeps pay"


def test_duplicate_codes_keep_the_first_row_and_explain_the_rest() -> None:
    report = parse_rows("directory", "dir.numbers", DIRECTORY + [[1001.0, "Doe, Janet", "A", 100.0, "", "", ""]])
    assert [record["employee_code"] for record in report.records] == ["1001", "1002", "00731"]
    [error] = report.errors
    assert (error.row_number, error.field) == (5, "EECode")
    assert "duplicate employee code '1001' (first at row 2)" in error.reason


def test_roles_and_hour_caps_for_scheduling() -> None:
    assert role_for("Registered Nurse", "Nursing") == "nurse"
    assert role_for("Director of Nursing", "Nursing") == "management"
    assert role_for(None, "Housekeeping") == "housekeeping"
    assert role_for("Gardener", "Grounds") == "other"
    rows = {
        row["employee_code"]: row
        for row in staff_rows(
            [
                (
                    "1",
                    {
                        "first_name": "A",
                        "last_name": "B",
                        "status": "active",
                        "position": "CNA",
                        "overtime_eligible": True,
                    },
                ),
                (
                    "2",
                    {
                        "first_name": "C",
                        "last_name": "D",
                        "status": "on_leave",
                        "position": "Cook",
                        "overtime_eligible": False,
                    },
                ),
                ("3", {"first_name": "E", "last_name": "F", "status": "terminated", "position": "Cook"}),
            ]
        )
    }
    assert set(rows) == {"1", "2"}
    assert rows["1"]["available_for_scheduling"] and rows["1"]["max_hours_per_week"] == 40
    assert not rows["2"]["available_for_scheduling"] and rows["2"]["max_hours_per_week"] == 50


def _errors(*change_sets) -> list[tuple]:
    return [
        (error.file_name, error.row_number, error.field, error.reason)
        for changes in change_sets
        for error in changes.errors
    ]


def test_an_empty_pay_type_keeps_last_weeks_pay() -> None:
    last_week = apply_reports({}, merge_reports(_reports(directory=DIRECTORY, dates=DATES, pay=PAY))).rows
    pay = [PAY[0], ["1001", "", "", "78,000.00", "Exempt"], ["1002", "Hourly", "18.50", "", "Non-Exempt"]]
    reports = _reports(directory=DIRECTORY, dates=DATES, pay=pay)
    changes = apply_reports(last_week, merge_reports(reports))
    assert (changes.rows["1001"]["pay_type"], changes.rows["1001"]["annual_salary"]) == ("salary", Decimal("78000.00"))
    assert changes.updated == []
    assert [(e.row_number, e.field, e.reason) for e in reports["pay"].errors] == [
        (2, "Pay_Type", "the pay type is empty; the row was not used")
    ]


def test_pay_and_payee_rows_of_codes_that_are_no_employee_are_errors_with_their_rows() -> None:
    payees = [["EE Code", "Payee Code", "Payee Desc"], [1001.0, "MASDU", "MA"], [9999.0, "IRSLV", "IRS"]]
    merged = merge_reports(_reports(directory=DIRECTORY, dates=DATES, pay=PAY, payees=payees))
    changes = apply_reports({"1005": {"status": "active"}}, merged)
    assert [payee["employee_code"] for payee in changes.payees] == ["1001"]
    assert (
        "pay.numbers",
        5,
        "Employee_Code",
        "employee code '9999' is in the pay report but in no roster report and not yet in the warehouse; "
        "the row was not used",
    ) in _errors(changes)
    assert (
        "payees.numbers",
        3,
        "EE Code",
        "employee code '9999' is in no roster report and not in the warehouse; the payee row was not stored",
    ) in _errors(changes)


def test_a_blank_directory_name_is_an_error_and_the_dates_name_is_used() -> None:
    directory = [row[:] for row in DIRECTORY]
    directory[1][1] = "  "
    reports = _reports(directory=directory, dates=DATES)
    changes = apply_reports({}, merge_reports(reports))
    assert (changes.rows["1001"]["first_name"], changes.rows["1001"]["last_name"]) == ("Jane", "Doe")
    assert changes.rows["1001"]["status"] == "active" and changes.rows["1001"]["department_code"] == "100"
    assert [(e.file_name, e.row_number, e.field, e.reason) for e in reports["directory"].errors] == [
        ("directory.numbers", 2, "EE Name", "the name is empty")
    ]


def test_a_bad_secondary_field_is_its_own_error_and_keeps_the_employee_and_what_was_known() -> None:
    last_week = apply_reports({}, merge_reports(_reports(directory=DIRECTORY))).rows
    directory = [row[:] for row in DIRECTORY]
    directory[1][3] = dt.datetime(2024, 1, 1)  # a date cell where the department code stands
    directory[2][3] = 12.000000000000002
    reports = _reports(directory=directory)
    changes = apply_reports(last_week, merge_reports(reports))
    assert set(changes.rows) == {"1001", "1002", "00731"}
    assert changes.rows["1001"]["department_code"] == "100", "what the warehouse knew stays"
    assert changes.rows["1002"]["department_code"] == "12"
    assert [(e.row_number, e.field, e.reason) for e in reports["directory"].errors] == [
        (2, "Department", "a date cell is not a code")
    ]


def test_a_new_employee_whose_status_no_report_tells_is_not_stored() -> None:
    directory = [row[:] for row in DIRECTORY]
    directory[3][2] = "X"
    reports = _reports(directory=directory)
    changes = apply_reports({}, merge_reports(reports))
    assert "00731" not in changes.rows and set(changes.rows) == {"1001", "1002"}
    assert _errors(changes) == [
        ("directory.numbers", 4, None, "new employee '00731' has no readable status in this week's reports; not stored")
    ]


def test_in_one_push_each_field_is_its_owner_reports() -> None:
    directory = [row[:] for row in DIRECTORY]
    directory[3][2] = "A"  # the Directory says active where the Dates report says ON LEAVE
    directory[2][3] = ""  # and has no department for Rick
    dates = [[*DATES[0], "Department"], *[[*row, 999.0] for row in DATES[1:]]]
    day = dt.date(2026, 11, 19)
    merged = merge_reports(_reports(directory=directory, dates=dates), {"directory": day, "dates": day})
    ann = merged.employees["00731"]
    assert ann["status"] == "on_leave", "the Dates report owns status"
    assert ann["department_code"] == "110", "the Directory owns the department"
    assert merged.employees["1002"]["department_code"] == "999", "the other report of the push fills a blank"
    assert merged.disagreements == [], "reports of one push that differ are not disagreements between pushes"


def test_the_newest_push_wins_each_field_and_the_older_push_s_disagreement_is_reported() -> None:
    directory = [row[:] for row in DIRECTORY]
    directory[3][2] = "A"  # this week's Directory: Ann is back
    directory[1][1] = "Doe, Janet"
    dates = [[*DATES[0], "Department"], *[[*row, 110.0] for row in DATES[1:]]]  # last week's Dates, as it was
    merged = merge_reports(
        _reports(directory=directory, dates=dates),
        {"directory": dt.date(2026, 11, 19), "dates": dt.date(2026, 11, 12)},
    )
    assert merged.employees["00731"]["status"] == "active", "the newer push says the status"
    assert merged.employees["00731"]["position"] == "CNA", "a field only the older report says is still its"
    assert merged.employees["1001"]["first_name"] == "Janet"
    found = {(d.employee_code, d.field): d.row() for d in merged.disagreements}
    assert set(found) == {("00731", "status"), ("1001", "first_name"), ("1001", "department_code"),
                          ("1002", "department_code")}  # fmt: skip
    assert found["00731", "status"] == {
        "code": "00731",
        "field": "status",
        "older_value": "on_leave",
        "older_file": "dates.numbers",
        "newer_value": "active",
        "newer_file": "directory.numbers",
    }
    assert found["1001", "first_name"]["older_value"] is None and found["1001", "first_name"]["newer_value"] is None, (
        "a name is said by its field alone"
    )
    assert (found["1001", "department_code"]["older_value"], found["1001", "department_code"]["newer_value"]) == (
        "110",
        "100",
    )


def test_a_newer_dates_report_says_the_shared_fields_over_an_older_directory() -> None:
    dates = [[*DATES[0], "Department"], *[[*row, 300.0] for row in DATES[1:]]]
    merged = merge_reports(
        _reports(directory=DIRECTORY, dates=dates),
        {"directory": dt.date(2026, 11, 5), "dates": dt.date(2026, 11, 19)},
    )
    assert {code: employee["department_code"] for code, employee in merged.employees.items()} == {
        "1001": "300",
        "1002": "300",
        "00731": "300",
    }
    assert [(d.field, d.older.file_name, d.newer.file_name) for d in merged.disagreements] == [
        ("department_code", "directory.numbers", "dates.numbers")
    ] * 3
