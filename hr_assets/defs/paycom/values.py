"""Paycom's cell values turned into clean Python values, each trap of the real files handled.

Every function takes one raw cell (str, float, int, datetime or None, as numbers-parser or the
CSV reader give it) and returns the clean value, or raises ``BadValue`` with a reason a person can
act on. Reasons quote the value only where it is not personal or pay data.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from hr_assets.lib.cells import BadValue, quoted

NO_DATE = "0000-00-00"

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
# Paycom writes US amounts: "1,234.00" or "1234.5", perhaps with "$". "1.234,5" is refused, not guessed.
_US_AMOUNT = re.compile(r"^\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def employee_code(value: Any) -> str:
    """``1234.0`` becomes ``'1234'``; text such as ``'00731'`` or ``'123A'`` is kept as written."""
    if isinstance(value, bool):
        raise BadValue(f"{quoted(value)} is not an employee code")
    if isinstance(value, float):
        if not value.is_integer():
            raise BadValue(f"{quoted(value)} is not an employee code")
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    text = _text(value)
    if not text:
        raise BadValue("the employee code is empty")
    if _INTEGRAL_TEXT.match(text):
        return text.split(".")[0]
    return text


def optional_code(value: Any) -> str | None:
    """Department and location codes arrive as floats (``100.0``) or are empty."""
    if value is None or _text(value) == "":
        return None
    return employee_code(value)


def optional_text(value: Any) -> str | None:
    text = _text(value)
    return text or None


def status(value: Any) -> str:
    """Both vocabularies: Dates' ``ACTIVE|TERMINATED|ON LEAVE`` and the others' ``A|T|V``."""
    found = _STATUSES.get(_text(value).casefold())
    if found is None:
        raise BadValue(f"{quoted(value)} is not a status (expected A, T, V, ACTIVE, TERMINATED or ON LEAVE)")
    return found


def optional_date(value: Any) -> dt.date | None:
    """``YYYY-MM-DD`` text; Paycom writes ``0000-00-00`` for "no date"."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if text in ("", NO_DATE):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadValue(f"{quoted(value)} is not a date in YYYY-MM-DD form") from None


def optional_amount(value: Any) -> Decimal | None:
    """Money written as US text (``"1,234.00"``, ``"$95000"``) or as a number; never negative."""
    if value is None or _text(value) == "":
        return None
    if isinstance(value, float):
        amount = Decimal(repr(value))
    elif _US_AMOUNT.match(_text(value)):
        amount = Decimal(_text(value).replace(",", "").replace("$", ""))
    else:
        raise BadValue("is not an amount (expected a form like 1,234.50)")
    if not amount.is_finite() or amount < 0:
        raise BadValue("is not a non-negative amount")
    return amount


def pay_type(value: Any) -> str | None:
    if _text(value) == "":
        return None
    found = _PAY_TYPES.get(_text(value).casefold())
    if found is None:
        raise BadValue(f"{quoted(value)} is not a pay type (expected Hourly or Salary)")
    return found


def overtime_eligible(value: Any) -> bool | None:
    """From the FLSA exempt status: non-exempt employees are owed overtime."""
    if _text(value) == "":
        return None
    found = _EXEMPT.get(_text(value).casefold())
    if found is None:
        raise BadValue(f"{quoted(value)} is not an exempt status (expected Exempt or Non-Exempt)")
    return found


def split_name(value: Any) -> tuple[str | None, str | None]:
    """``'Last, First'`` as Paycom writes it, or ``'First Last'``: returns (first, last)."""
    text = _text(value)
    if not text:
        return None, None
    if "," in text:
        last, first = (part.strip() for part in text.split(",", 1))
        return first or None, last or None
    first, _, last = text.rpartition(" ")
    return (first or None, last) if first else (None, last)
