"""Each trap of Paycom's real values, read the way the platform must read it."""

import datetime as dt
from decimal import Decimal

import pytest

from hr_assets.defs.paycom import values
from hr_assets.defs.shared.companies import DateFormat


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (1234.0, "1234"),
        (1234, "1234"),
        ("1234.0", "1234"),
        ("00731", "00731"),
        ("123A", "123A"),
        (" 42 ", "42"),
    ],
)
def test_employee_codes_lose_float_noise_but_keep_text(raw: object, code: str) -> None:
    assert values.employee_code(raw) == code


@pytest.mark.parametrize("raw", [None, "", 12.5, True])
def test_unusable_employee_codes_are_refused(raw: object) -> None:
    with pytest.raises(values.BadValue):
        values.employee_code(raw)


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("A", "active"),
        ("ACTIVE", "active"),
        ("T", "terminated"),
        ("TERMINATED", "terminated"),
        ("V", "on_leave"),
        ("ON LEAVE", "on_leave"),
        ("on leave", "on_leave"),
    ],
)
def test_both_status_vocabularies(raw: str, status: str) -> None:
    assert values.status(raw) == status


def test_an_unknown_status_names_the_accepted_ones() -> None:
    with pytest.raises(values.BadValue, match="expected A, T, V"):
        values.status("X")


def test_dates_and_the_no_date_literal() -> None:
    assert values.optional_date("2024-03-05") == dt.date(2024, 3, 5)
    assert values.optional_date("0000-00-00") is None
    assert values.optional_date("") is None
    assert values.optional_date(dt.datetime(2024, 3, 5, 0, 0)) == dt.date(2024, 3, 5)
    with pytest.raises(values.BadValue, match="'2024-13-45' is not a real date"):
        values.optional_date("2024-13-45")


@pytest.mark.parametrize(
    ("text", "date_format", "read"),
    [
        ("03/15/2021", DateFormat.MDY, dt.date(2021, 3, 15)),
        ("3/5/2021", DateFormat.MDY, dt.date(2021, 3, 5)),
        ("15/03/2021", DateFormat.DMY, dt.date(2021, 3, 15)),
        ("2021-03-15", DateFormat.DMY, dt.date(2021, 3, 15)),
        ("2021-03-15", DateFormat.ISO, dt.date(2021, 3, 15)),
        ("0000-00-00", DateFormat.ISO, None),
    ],
)
def test_text_dates_read_by_the_paycom_date_format(text: str, date_format: DateFormat, read: dt.date | None) -> None:
    assert values.optional_date(text, date_format) == read


@pytest.mark.parametrize(
    ("text", "date_format", "reason"),
    [
        ("15/03/2021", DateFormat.MDY, "'15/03/2021' is not a real date (read as MM/DD/YYYY)"),
        ("02/30/2021", DateFormat.MDY, "'02/30/2021' is not a real date (read as MM/DD/YYYY)"),
        ("03/15/2021", DateFormat.DMY, "'03/15/2021' is not a real date (read as DD/MM/YYYY)"),
        ("03/15/2021", DateFormat.ISO, "'03/15/2021' is not a date (expected YYYY-MM-DD)"),
        ("15.03.2021", DateFormat.DMY, "'15.03.2021' is not a date (expected YYYY-MM-DD or DD/MM/YYYY)"),
        ("03/15/21", DateFormat.MDY, "'03/15/21' is not a date (expected YYYY-MM-DD or MM/DD/YYYY)"),
    ],
)
def test_a_text_date_that_fits_no_format_is_refused_with_the_forms_expected(
    text: str, date_format: DateFormat, reason: str
) -> None:
    with pytest.raises(values.BadValue) as refused:
        values.optional_date(text, date_format)
    assert str(refused.value) == reason


MONEY = values.amount(14, 2)
RATE = values.amount(12, 4)


def test_amounts_are_exact_decimals_and_never_quoted_in_errors() -> None:
    assert MONEY("1,234.00") == Decimal("1234.00")
    assert MONEY(23.1) == Decimal("23.1")
    assert MONEY("") is None
    assert MONEY("$95,000") == Decimal("95000")
    for ambiguous in ("1.234,5", "12,34.00", "1e3", "NaN"):
        with pytest.raises(values.BadValue):
            MONEY(ambiguous)
    with pytest.raises(values.BadValue) as raised:
        MONEY("12,3x4.00")
    assert "12,3x4" not in str(raised.value)
    with pytest.raises(values.BadValue):
        MONEY("-5")


def test_department_codes_arrive_as_floats_or_empty() -> None:
    assert values.optional_code(100.0) == "100"
    assert values.optional_code("") is None
    assert values.optional_code(None) is None


def test_pay_type_and_exempt_status() -> None:
    assert values.pay_type("Hourly") == "hourly"
    assert values.pay_type("Salary") == "salary"
    assert values.overtime_eligible("Non-Exempt") is True
    assert values.overtime_eligible("Exempt") is False
    assert values.overtime_eligible("") is None
    with pytest.raises(values.BadValue):
        values.pay_type("Commission")


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("Doe, Jane", ("Jane", "Doe")),
        ("Jane Doe", ("Jane", "Doe")),
        ("Cher", (None, "Cher")),
        ("", (None, None)),
    ],
)
def test_names(raw: str, names: tuple) -> None:
    assert values.person_name(raw) == names


@pytest.mark.parametrize(("raw", "code"), [(12.000000000000002, "12"), (1003.9999999999999, "1004"), (7, "7")])
def test_a_number_within_float_noise_of_an_integer_is_that_integer(raw: float, code: str) -> None:
    assert values.employee_code(raw) == code
    assert values.optional_code(raw) == code


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (dt.datetime(2001, 1, 1), "a date cell is not an employee code"),
        (dt.timedelta(hours=8), "a duration cell is not an employee code"),
        (True, "a checkbox cell is not an employee code"),
        (1234.0000001, "'1234.0000001' is not an employee code"),
        (float("nan"), "'nan' is not an employee code"),
        ("Total: 4", "'Total: 4' is not an employee code (letters and digits)"),
        ("12.5", "'12.5' is not an employee code (letters and digits)"),
    ],
)
def test_cells_that_are_no_employee_code_say_what_they_are(raw: object, reason: str) -> None:
    with pytest.raises(values.BadValue) as refused:
        values.employee_code(raw)
    assert str(refused.value) == reason


def test_date_duration_and_checkbox_cells_are_never_text_codes_or_statuses() -> None:
    for read in (values.optional_text, values.optional_code, values.status, values.pay_type):
        for cell in (dt.datetime(2024, 3, 5), dt.timedelta(minutes=30), False):
            with pytest.raises(values.BadValue, match=r"^a (date|duration|checkbox) cell is not "):
                read(cell)
    assert values.optional_text(2001.0) == "2001"


def test_a_date_cell_is_a_date_only_at_midnight() -> None:
    assert values.optional_date(dt.datetime(2024, 3, 5)) == dt.date(2024, 3, 5)
    with pytest.raises(values.BadValue, match="is a date and time, not a date"):
        values.optional_date(dt.datetime(2024, 3, 5, 13, 45))
    for cell in (dt.timedelta(hours=1), 45000.0, "20240305", "2024-3-5"):
        with pytest.raises(values.BadValue):
            values.optional_date(cell)


def test_amounts_keep_what_the_warehouse_keeps_and_refuse_the_rest() -> None:
    assert MONEY(18.750000000000004) == Decimal("18.75"), "float noise of a value in cents"
    assert RATE("18.755") == Decimal("18.755")
    assert MONEY("61,000.10") == Decimal("61000.10")
    assert MONEY(95000) == Decimal("95000")
    for refused, reason in (
        ("61,000.005", "has more than the 2 decimal places an amount is kept with"),
        (18.755, "has more than the 2 decimal places an amount is kept with"),
        ("1,000,000,000,000.00", "is larger than the largest amount kept (12 digits before the point)"),
        (float("inf"), "is not a non-negative amount"),
        (dt.datetime(2024, 1, 1), "a date cell is not an amount"),
        (True, "a checkbox cell is not an amount"),
    ):
        with pytest.raises(values.BadValue) as raised:
            MONEY(refused)
        assert str(raised.value) == reason


def test_an_empty_pay_type_is_an_error_not_no_pay() -> None:
    for empty in (None, "", "  "):
        with pytest.raises(values.BadValue, match="^the pay type is empty$"):
            values.pay_type(empty)


def test_a_required_name_may_not_be_empty() -> None:
    assert values.required_name("Doe, Jane") == ("Jane", "Doe")
    with pytest.raises(values.BadValue, match="^the name is empty$"):
        values.required_name("  ")
    assert values.person_name(None) == (None, None)
