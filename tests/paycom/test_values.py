"""Each trap of Paycom's real values, read the way the platform must read it."""

import datetime as dt
from decimal import Decimal

import pytest

from hr_assets.defs.paycom import values


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
    with pytest.raises(values.BadValue, match="'2024-13-45' is not a date"):
        values.optional_date("2024-13-45")


def test_amounts_are_exact_decimals_and_never_quoted_in_errors() -> None:
    assert values.optional_amount("1,234.00") == Decimal("1234.00")
    assert values.optional_amount(23.1) == Decimal("23.1")
    assert values.optional_amount("") is None
    assert values.optional_amount("$95,000") == Decimal("95000")
    for ambiguous in ("1.234,5", "12,34.00", "1e3", "NaN"):
        with pytest.raises(values.BadValue):
            values.optional_amount(ambiguous)
    with pytest.raises(values.BadValue) as raised:
        values.optional_amount("12,3x4.00")
    assert "12,3x4" not in str(raised.value)
    with pytest.raises(values.BadValue):
        values.optional_amount("-5")


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
    assert values.split_name(raw) == names
