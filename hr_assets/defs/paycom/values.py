"""Paycom's cell values turned into clean Python values, each trap of the real files handled.

Every function takes one raw cell (str, float, int, bool, datetime, timedelta or None, as numbers-parser or the
CSV reader give it) and returns the clean value, or raises ``BadValue`` with a reason a person can act on.
A value is read only when it is exactly what the file shows; which are read and which refused is written in
docs/paycom.md ("Reading the reports"). Reasons quote the value only where it is not personal or pay data.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hr_assets.defs.shared.companies import DateFormat
from hr_assets.lib.cells import BadValue, quoted

NO_DATE = "0000-00-00"
# numbers-parser turns Numbers' decimal128 into a float a few units in the last place off; this is far wider
# than that and far narrower than any real difference (1234.0000001 is not 1234).
_FLOAT_NOISE = 1e-12

_STATUSES = {
    "a": "active",
    "active": "active",
    "t": "terminated",
    "terminated": "terminated",
    "v": "on_leave",
    "on leave": "on_leave",
    "on_leave": "on_leave",
    "leave": "on_leave",
}
_PAY_TYPES = {"hourly": "hourly", "h": "hourly", "salary": "salary", "salaried": "salary", "s": "salary"}
_EXEMPT = {"exempt": False, "e": False, "non-exempt": True, "nonexempt": True, "non exempt": True, "n": True}
_INTEGRAL_TEXT = re.compile(r"^-?\d+\.0+$")
# Employee codes are letters and digits (``1234``, ``00731``, ``1029A``), perhaps with - or _; a footer such as
# ``Total: 4`` or a repeated header is not one.
_EMPLOYEE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Paycom's US exports write 03/15/2021 or 3/5/2021; a deployment whose exports are day-first says so.
_SLASHED_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_SLASHED_FORM = {DateFormat.MDY: "MM/DD/YYYY", DateFormat.DMY: "DD/MM/YYYY"}
# Paycom writes US amounts: "1,234.00" or "1234.5", perhaps with "$". "1.234,5" is refused, not guessed.
_US_AMOUNT = re.compile(r"^\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _cell_kind(value: Any) -> str | None:
    """What a cell that holds no text or number is, for a reason: a checkbox, a date or a duration."""
    if isinstance(value, bool):
        return "a checkbox"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, dt.timedelta):
        return "a duration"
    return None


def integral(value: float) -> int | None:
    """The integer a number cell holds, within float noise; None when it holds another number."""
    if not math.isfinite(value):
        return None
    nearest = round(value)
    return nearest if math.isclose(value, nearest, rel_tol=_FLOAT_NOISE) else None


def _number_text(value: int | float) -> str:
    """A number cell as Numbers shows it: ``1234.0`` (or ``1234.0000000000002``) is ``1234``."""
    if isinstance(value, int):
        return str(value)
    number = integral(value)
    return str(number) if number is not None else repr(value)


def _code_text(value: Any, what: str) -> str | None:
    """A code cell's text: ``1234.0`` becomes ``'1234'``; text such as ``'00731'`` is kept as written."""
    if kind := _cell_kind(value):
        raise BadValue(f"{kind} cell is not {what}")
    if isinstance(value, float) and integral(value) is None:
        raise BadValue(f"{quoted(value)} is not {what}")
    text = _number_text(value) if isinstance(value, (int, float)) else _text(value)
    return text.split(".")[0] if _INTEGRAL_TEXT.match(text) else text or None


def employee_code(value: Any) -> str:
    code = _code_text(value, "an employee code")
    if code is None:
        raise BadValue("the employee code is empty")
    if not _EMPLOYEE_CODE.fullmatch(code):
        raise BadValue(f"{quoted(code)} is not an employee code (letters and digits)")
    return code


def optional_code(value: Any) -> str | None:
    """Department and location codes arrive as floats (``100.0``) or are empty."""
    return _code_text(value, "a code")


def optional_text(value: Any) -> str | None:
    if kind := _cell_kind(value):
        raise BadValue(f"{kind} cell is not text")
    text = _number_text(value) if isinstance(value, (int, float)) else _text(value)
    return text or None


def person_name(value: Any) -> tuple[str | None, str | None]:
    """``'Last, First'`` as Paycom writes it, or ``'First Last'``: returns (first, last)."""
    text = optional_text(value)
    if not text:
        return None, None
    if "," in text:
        last, first = (part.strip() for part in text.split(",", 1))
        return first or None, last or None
    first, _, last = text.rpartition(" ")
    return (first or None, last) if first else (None, last)


def required_name(value: Any) -> tuple[str | None, str | None]:
    first, last = person_name(value)
    if first is None and last is None:
        raise BadValue("the name is empty")
    return first, last


def status(value: Any) -> str:
    """Both vocabularies: Dates' ``ACTIVE|TERMINATED|ON LEAVE`` and the others' ``A|T|V``."""
    if kind := _cell_kind(value):
        raise BadValue(f"{kind} cell is not a status")
    if _text(value) == "":
        raise BadValue("the status is empty")
    found = _STATUSES.get(_text(value).casefold())
    if found is None:
        raise BadValue(f"{quoted(value)} is not a status (expected A, T, V, ACTIVE, TERMINATED or ON LEAVE)")
    return found


def optional_date(value: Any, date_format: DateFormat = DateFormat.MDY) -> dt.date | None:
    """A date cell, ``YYYY-MM-DD`` text, or ``NN/NN/YYYY`` text read as ``date_format`` says (Paycom writes US
    dates, month first; ``ISO`` refuses them); Paycom writes ``0000-00-00`` for "no date"."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise BadValue(f"{quoted(value)} is a date and time, not a date")
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (bool, dt.timedelta)):
        raise BadValue(f"{_cell_kind(value)} cell is not a date")
    text = _text(value)
    if text in ("", NO_DATE):
        return None
    forms = "YYYY-MM-DD" if date_format is DateFormat.ISO else f"YYYY-MM-DD or {_SLASHED_FORM[date_format]}"
    if _ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in text.split("-"))
        return _real_date(value, year, month, day)
    if (slashed := _SLASHED_DATE.fullmatch(text)) and date_format is not DateFormat.ISO:
        first, second, year = (int(part) for part in slashed.groups())
        month, day = (first, second) if date_format is DateFormat.MDY else (second, first)
        return _real_date(value, year, month, day, f" (read as {_SLASHED_FORM[date_format]})")
    raise BadValue(f"{quoted(value)} is not a date (expected {forms})")


def _real_date(value: Any, year: int, month: int, day: int, reading: str = "") -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise BadValue(f"{quoted(value)} is not a real date{reading}") from None


def amount(precision: int, scale: int) -> Callable[[Any], Decimal | None]:
    """A reader of money the warehouse keeps as ``Numeric(precision, scale)``: US text (``"1,234.00"``,
    ``"$95000"``) or a number; never negative, never more decimals or digits than are kept."""
    largest = Decimal(10) ** (precision - scale)
    step = Decimal(1).scaleb(-scale)

    def read(value: Any) -> Decimal | None:
        if kind := _cell_kind(value):
            raise BadValue(f"{kind} cell is not an amount")
        if value is None or _text(value) == "":
            return None
        if isinstance(value, float):
            exact = Decimal(repr(value)) if math.isfinite(value) else Decimal("NaN")
            kept = exact.quantize(step) if exact.is_finite() and _exponent(exact) < -scale else exact
            # A number cell within float noise of a value in cents (or ten-thousandths) is that value.
            found = kept if kept.is_finite() and math.isclose(float(kept), value, rel_tol=_FLOAT_NOISE) else exact
        elif isinstance(value, int):
            found = Decimal(value)
        elif _US_AMOUNT.match(_text(value)):
            found = Decimal(_text(value).replace(",", "").replace("$", ""))
        else:
            raise BadValue("is not an amount (expected a form like 1,234.50)")
        if not found.is_finite() or found < 0:
            raise BadValue("is not a non-negative amount")
        if _exponent(found) < -scale and found != found.quantize(step):
            raise BadValue(f"has more than the {scale} decimal places an amount is kept with")
        if found >= largest:
            raise BadValue(f"is larger than the largest amount kept ({precision - scale} digits before the point)")
        return found

    return read


def _exponent(finite: Decimal) -> int:
    """A finite decimal's exponent: -2 for 1.25."""
    exponent = finite.as_tuple().exponent
    if not isinstance(exponent, int):
        raise ValueError(f"{finite} is not finite")
    return exponent


def pay_type(value: Any) -> str:
    if kind := _cell_kind(value):
        raise BadValue(f"{kind} cell is not a pay type")
    if _text(value) == "":
        raise BadValue("the pay type is empty")
    found = _PAY_TYPES.get(_text(value).casefold())
    if found is None:
        raise BadValue(f"{quoted(value)} is not a pay type (expected Hourly or Salary)")
    return found


def overtime_eligible(value: Any) -> bool | None:
    """From the FLSA exempt status: non-exempt employees are owed overtime."""
    if kind := _cell_kind(value):
        raise BadValue(f"{kind} cell is not an exempt status")
    if _text(value) == "":
        return None
    found = _EXEMPT.get(_text(value).casefold())
    if found is None:
        raise BadValue(f"{quoted(value)} is not an exempt status (expected Exempt or Non-Exempt)")
    return found
