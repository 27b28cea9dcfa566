"""One row of the fingerprint report checked and turned into the record stored for it, with its reasons.

Every row is stored, valid or not, with the row as read, so nothing is lost. A row is valid only when
its department maps to a company, its employee id is in that company's employee master (``employee_masters``),
its date reads, every time it holds reads, and its weekday, if written, is the date's.

Dates: ``YYYY-MM-DD``, ``YYYY/MM/DD`` and the month-name forms ``2-Mar-2026`` / ``2 March 2026`` are
read. ``02/03/2026`` (2 March or 3 February?) is read as the row's company says its device writes dates
(``companies.date_format``: ``DMY`` or ``MDY``; ``ISO`` refuses such dates), else as the file settles it
(``settle_date_format``: a day over 12, and never a month over 12, says day first), else refused as ambiguous,
with the command that sets the format. Guessing would shift days silently for every date up to the 12th.
Month and day names are English whatever the locale.

Times: ``HH:MM``, ``HH:MM:SS`` and ``H:MM AM/PM``; empty, ``-`` or ``--`` mean no punch.

A value longer than its column in ``attendance_import_records`` (a 10,000-character id, say) is not stored in
that column: it is the field's error, and the raw row keeps it as written.

Reasons quote the employee id, department, date and weekday as written (an id and a department are
not secret); they never quote punch or shift times, which are a person's attendance: the raw row
holds them, in the table, not in messages or logs.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from hr_assets.defs.attendance.csv_file import COLUMN_ALIASES, AttendanceFile, RawRow, label
from hr_assets.defs.shared.companies import DateFormat, normalise_department
from hr_assets.lib.cells import BadValue, quoted
from hr_assets.lib.row_errors import RowError
from hr_assets.warehouse.tables import attendance_import_records, text_width

if TYPE_CHECKING:  # employee_masters reads the store, which stores this module's records
    from hr_assets.defs.attendance.employee_masters import EmployeeMasters

TEXT_FIELDS = ("csv_employee_id", "first_name", "fingerprint_department", "weekday")
_WIDTHS = {field: text_width(attendance_import_records.c[field]) for field in TEXT_FIELDS}

TIME_FIELDS = ("check_in", "check_out", "clock_in", "clock_out")

_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)} | {
    name[:3]: number for number, name in enumerate(_MONTH_NAMES, start=1)
}
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")  # date.weekday()

_YEAR_FIRST = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})")
_MONTH_NAMED = re.compile(r"(\d{1,2})[-\s]([a-z]+)\.?[-\s](\d{4})", re.IGNORECASE)
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([ap])\.?m\.?)?", re.IGNORECASE)
_NO_PUNCH = re.compile(r"-*")
_TIME_FORMS = "expected HH:MM, HH:MM:SS or H:MM AM/PM"
# A file repeats its dates, times and weekdays row after row: each distinct text is parsed once (a text that does not
# read is parsed again each time, as an exception is not cached). The cache is bounded, so memory is too.
_parsed_once = functools.lru_cache(maxsize=4096)

T = TypeVar("T")


class AmbiguousDate(BadValue):
    """A ``NN/NN/YYYY`` date whose order neither the company nor the file settles."""


def settle_date_format(dates: Iterable[str]) -> DateFormat | None:
    """The order the file's ``NN/NN/YYYY`` dates can only have been written in: day first when some first part is
    over 12 and no second part is, month first the other way round; None when no date says, or dates disagree."""
    day_first = month_first = False
    for text in dates:
        if match := _SLASHED.fullmatch(text.strip()):
            first, second, _ = match.groups()
            day_first |= int(first) > 12
            month_first |= int(second) > 12
    if day_first != month_first:
        return DateFormat.DMY if day_first else DateFormat.MDY
    return None


class AttendanceRecord(NamedTuple):
    """A row's record (a named tuple: immutable, and a third of a frozen dataclass's cost to make, row after row)."""

    row_number: int
    csv_employee_id: str | None
    first_name: str | None
    fingerprint_department: str | None
    date: dt.date | None
    weekday: str | None  # as written
    check_in: dt.time | None
    check_out: dt.time | None
    clock_in: dt.time | None
    clock_out: dt.time | None
    employee_code: str | None  # the master's code the id matched
    company_id: int | None  # the company the department maps to (``company_departments``)
    validation_errors: tuple[RowError, ...]
    raw: dict[str, str]  # the row as read

    @property
    def is_valid(self) -> bool:
        return not self.validation_errors


@_parsed_once
def parse_date(text: str, date_format: DateFormat | None = None) -> dt.date:
    """``date_format`` is how ``NN/NN/YYYY`` is read; None when it is not known (such a date is ambiguous)."""
    if not text:
        raise BadValue("the date is empty")
    year, month, day = _date_parts(text, date_format)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise BadValue(f"{quoted(text)} is not a real date") from None


def _date_parts(text: str, date_format: DateFormat | None) -> tuple[int, int, int]:
    if match := _YEAR_FIRST.fullmatch(text):
        year, _, month, day = match.groups()
        return int(year), int(month), int(day)
    if match := _MONTH_NAMED.fullmatch(text):
        day, month_name, year = match.groups()
        if month_name.casefold() not in _MONTHS:
            raise BadValue(f"{quoted(text)} is not a date ({month_name!r} is not a month)")
        return int(year), _MONTHS[month_name.casefold()], int(day)
    if match := _SLASHED.fullmatch(text):
        if date_format is None:
            raise AmbiguousDate(f"{quoted(text)} is ambiguous (day or month first?) and the file does not settle it")
        if date_format is DateFormat.ISO:
            raise BadValue(f"{quoted(text)} is not a date this company's device writes (its date format is ISO)")
        first, second, year = match.groups()
        month, day = (first, second) if date_format is DateFormat.MDY else (second, first)
        return int(year), int(month), int(day)
    raise BadValue(f"{quoted(text)} is not a date (expected YYYY-MM-DD, YYYY/MM/DD or 2-Mar-2026)")


@_parsed_once
def parse_time(text: str) -> dt.time | None:
    """None for no punch; the value is never quoted (it is a person's attendance)."""
    if _NO_PUNCH.fullmatch(text):
        return None
    match = _TIME.fullmatch(text)
    if match is None:
        raise BadValue(f"is not a time ({_TIME_FORMS})")
    hour, minute, second, half_day = match.groups()
    hour_number = int(hour)
    if half_day:
        if not 1 <= hour_number <= 12:
            raise BadValue(f"is not a time (the hour of an AM/PM time is 1 to 12; {_TIME_FORMS})")
        hour_number = hour_number % 12 + (12 if half_day.casefold() == "p" else 0)
    try:
        return dt.time(hour_number, int(minute), int(second or 0))
    except ValueError:
        raise BadValue(f"is not a time of day ({_TIME_FORMS})") from None


@_parsed_once
def weekday_number(text: str) -> int:
    """Monday is 0, as ``date.weekday()``; an English day name or any start of it from two letters (Mo, Tue, Thurs)."""
    key = text.casefold().rstrip(".")
    number = next((n for n, name in enumerate(_WEEKDAY_NAMES) if len(key) >= 2 and name.startswith(key)), None)
    if number is None:
        raise BadValue(f"{quoted(text)} is not a weekday")
    return number


@dataclass(frozen=True)
class DateReading:
    """How one file's ``NN/NN/YYYY`` dates are read: by the row's company's format, else as the file settled them."""

    company_formats: Mapping[int, DateFormat] = dataclass_field(default_factory=dict)  # the companies that have one
    company_slugs: Mapping[int, str] = dataclass_field(default_factory=dict)
    settled: DateFormat | None = None

    def format_for(self, company_id: int | None) -> DateFormat | None:
        return self.company_formats.get(company_id, self.settled) if company_id is not None else self.settled

    def read(self, text: str, company_id: int | None) -> dt.date:
        try:
            return parse_date(text, self.format_for(company_id))
        except AmbiguousDate as exc:
            slug = self.company_slugs.get(company_id, "COMPANY") if company_id is not None else "COMPANY"
            raise BadValue(
                f"{exc}: say how the device writes dates with hr-assets companies set {slug} --date-format DMY "
                f"(or MDY), then import the file again"
            ) from None


NO_DATE_FORMATS = DateReading()  # no company has one, and the file settles nothing


def validate_row(
    row: RawRow,
    file_name: str,
    masters: EmployeeMasters,
    companies_by_department: Mapping[str, int],
    dates: DateReading = NO_DATE_FORMATS,
) -> AttendanceRecord:
    """The record for one row: the values that read, the code and company matched, and every reason it is not valid.

    ``masters`` hold each company's codes as stored (already trimmed); ``companies_by_department`` is keyed by
    ``normalise_department``.
    """
    cell = {field: row.raw.get(field, "").strip() for field in COLUMN_ALIASES}
    errors: list[RowError] = []
    too_long = {field: reason for field in TEXT_FIELDS if (reason := _length_error(cell[field], _WIDTHS[field]))}
    for field in too_long:
        cell[field] = ""  # not stored in its column; the raw row has it
    csv_employee_id = cell["csv_employee_id"] or None
    department = cell["fingerprint_department"] or None

    def checked(field: str | None, check: Callable[..., T], *args: object) -> T | None:
        try:
            return check(*args)
        except BadValue as exc:
            errors.append(RowError(file_name, row.row_number, field and label(field), str(exc), csv_employee_id))
            return None

    checked(None, _check_field_count, row)
    for field, reason in too_long.items():
        errors.append(RowError(file_name, row.row_number, label(field), reason, csv_employee_id))
    if "csv_employee_id" in too_long or "fingerprint_department" in too_long:
        # No such id or department can be in the master or mapped: the length says all.
        employee_code = company_id = None
    else:
        # The company decides the master, but the reasons keep the columns' order: the employee's first.
        mark = len(errors)
        company_id = checked("fingerprint_department", _company_id, department, companies_by_department)
        department_errors = errors[mark:]
        del errors[mark:]
        employee_code = checked("csv_employee_id", masters.code_of, csv_employee_id, company_id)
        errors.extend(department_errors)
    date = checked("date", dates.read, cell["date"], company_id)
    times = {field: checked(field, parse_time, cell[field]) for field in TIME_FIELDS}
    if cell["weekday"]:
        checked("weekday", _check_weekday, cell["weekday"], date)
    return AttendanceRecord(
        row_number=row.row_number,
        csv_employee_id=csv_employee_id,
        first_name=cell["first_name"] or None,
        fingerprint_department=department,
        date=date,
        weekday=cell["weekday"] or None,
        **times,
        employee_code=employee_code,
        company_id=company_id,
        validation_errors=tuple(errors),
        raw=row.raw,
    )


def validate_file(
    attendance_file: AttendanceFile,
    masters: EmployeeMasters,
    companies_by_department: Mapping[str, int],
    dates: DateReading = NO_DATE_FORMATS,
) -> Iterator[AttendanceRecord]:
    """Each row's record, as the file is read."""
    for row in attendance_file.rows():
        yield validate_row(row, attendance_file.file_name, masters, companies_by_department, dates)


def unconfigured_dates(
    attendance_file: AttendanceFile,
    companies_by_department: Mapping[str, int],
    company_formats: Mapping[int, DateFormat],
) -> Iterator[str]:
    """The date cells of the rows whose company has no date format: what ``settle_date_format`` reads."""
    for row in attendance_file.rows():
        department = row.raw.get("fingerprint_department", "")
        if companies_by_department.get(normalise_department(department)) not in company_formats:
            yield row.raw.get("date", "")


def unmapped_departments(records: Iterable[AttendanceRecord]) -> list[str]:
    """Departments no company maps, as written in the file: what ``hr-assets companies map-department`` maps."""
    return sorted({r.fingerprint_department for r in records if r.fingerprint_department and r.company_id is None})


def _check_field_count(row: RawRow) -> None:
    if reason := row.field_count_error():
        raise BadValue(reason)


def _length_error(text: str, width: int) -> str | None:
    """Values are stored whole or not at all: one longer than its column is refused, never cut."""
    return f"is {len(text)} characters long; at most {width} are stored" if len(text) > width else None


def _company_id(department: str | None, companies_by_department: Mapping[str, int]) -> int:
    if not department:
        raise BadValue("the department is empty")
    company_id = companies_by_department.get(normalise_department(department))
    if company_id is None:
        raise BadValue(f"department {quoted(department)} maps to no company (hr-assets companies map-department)")
    return company_id


def _check_weekday(weekday: str, date: dt.date | None) -> None:
    """A weekday that is not the date's means the date or the row is wrong; without a date only the name is checked."""
    number = weekday_number(weekday)
    if date is not None and number != date.weekday():
        raise BadValue(
            f"{quoted(weekday)} is not the weekday of {date.isoformat()}, a {_WEEKDAY_NAMES[date.weekday()].title()}"
        )
