"""The week's reports merged into one employee roster, and what changed against the warehouse.

Each roster field is said by the reports ``FIELD_REPORTS`` lists, its owner first; within one push the owner's value
wins, across pushes the newest push's does, and a field an older push said otherwise is a ``Disagreement``, to be
reported. The rule is written once, for operators and developers alike, in docs/paycom.md ("Which report says what").

A sync that lacks a report (``--report-type``, or a file that failed) keeps what the warehouse already knows for that
report's fields, and so does a field whose value could not be read (a record holds only the fields read; see
``parsing``): a bad department never empties it, or drops the employee.

Rows that name no employee are errors with their file and row: pay and payee rows whose code is in no roster report
and not in the warehouse, and a new employee whose status no report could tell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hr_assets.defs.paycom.parsing import ParsedReport
from hr_assets.lib.row_errors import RowError

ROSTER_FIELDS = (
    "first_name",
    "last_name",
    "status",
    "department_code",
    "department_description",
    "position",
    "position_family",
    "location_code",
    "work_email",
    "phone_number",
    "hire_date",
    "rehire_date",
    "termination_date",
)
# Personal data HR keeps (the seed's employee model has the phone number): never in the API, metadata or logs.
PERSONAL_FIELDS = ("phone_number",)
PAY_FIELDS = ("pay_type", "hourly_rate", "annual_salary", "overtime_eligible")
EMPLOYEE_FIELDS = ROSTER_FIELDS + PAY_FIELDS

ROSTER_REPORTS = ("directory", "dates")
_DIRECTORY_FIRST = ("directory", "dates")
# The roster reports that say each roster field, its owner first.
FIELD_REPORTS: dict[str, tuple[str, ...]] = {
    "first_name": _DIRECTORY_FIRST,
    "last_name": _DIRECTORY_FIRST,
    "status": ("dates", "directory"),
    "department_code": _DIRECTORY_FIRST,
    "department_description": _DIRECTORY_FIRST,
    "location_code": _DIRECTORY_FIRST,
    "work_email": ("directory",),
    "phone_number": ("directory",),
    "position": ("dates",),
    "position_family": ("dates",),
    "hire_date": ("dates",),
    "rehire_date": ("dates",),
    "termination_date": ("dates",),
}
# A disagreement on these is shown by its field's name only: their values say who a person is.
_VALUES_NOT_SHOWN = ("first_name", "last_name", *PERSONAL_FIELDS)


@dataclass(frozen=True)
class RowOrigin:
    file_name: str
    row_number: int


@dataclass(frozen=True)
class Said:
    """A field's value as one report's file says it."""

    file_name: str
    value: Any


@dataclass(frozen=True)
class Disagreement:
    """A report of an older push said a field otherwise than the newer push, whose value is used."""

    employee_code: str
    field: str
    older: Said
    newer: Said

    def row(self) -> dict[str, Any]:
        """A row of the asset's table: the values, unless they say who a person is (then the field alone)."""
        shown = self.field not in _VALUES_NOT_SHOWN
        return {
            "code": self.employee_code,
            "field": self.field,
            "older_value": _shown(self.older.value) if shown else None,
            "older_file": self.older.file_name,
            "newer_value": _shown(self.newer.value) if shown else None,
            "newer_file": self.newer.file_name,
        }


DISAGREEMENT_COLUMNS = {
    "code": "string",
    "field": "string",
    "older_value": "string",
    "older_file": "string",
    "newer_value": "string",
    "newer_file": "string",
}


def _shown(value: Any) -> str:
    return "(blank)" if value is None else str(value)


@dataclass
class MergedReports:
    """What this week's reports say, field by field, and the records they could not use."""

    employees: dict[str, dict[str, Any]] = field(default_factory=dict)
    pay: dict[str, dict[str, Any]] = field(default_factory=dict)
    payees: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)  # between the roster reports of two pushes
    has_roster: bool = False
    # Where each employee and each pay row came from: the first roster row naming the employee, its pay row.
    roster_rows: dict[str, RowOrigin] = field(default_factory=dict)
    pay_rows: dict[str, RowOrigin] = field(default_factory=dict)


def merge_reports(reports: Mapping[str, ParsedReport], pushed_on: Mapping[str, dt.date] | None = None) -> MergedReports:
    """``pushed_on``: the day each report's file was pushed, by report type; reports it lacks are one push."""
    merged = MergedReports(has_roster=any(report_type in reports for report_type in ROSTER_REPORTS))
    said_by: dict[str, dict[str, tuple[str, Mapping[str, Any]]]] = {}  # code: report type: (file, record)
    for report_type in ROSTER_REPORTS:
        if report := reports.get(report_type):
            for record in report.records:
                code = record["employee_code"]
                merged.roster_rows.setdefault(code, RowOrigin(report.file_name, record["row_number"]))
                said_by.setdefault(code, {})[report_type] = (report.file_name, record)
    for code, records in said_by.items():
        employee = merged.employees.setdefault(code, {})
        for name, owners in FIELD_REPORTS.items():
            said = [
                ((pushed_on or {}).get(report_type), Said(file_name, record[name]))
                for report_type in owners
                if report_type in records
                for file_name, record in (records[report_type],)
                if name in record  # a field that could not be read says nothing
            ]
            if said:
                employee[name], disagreement = _newest_push(code, name, said)
                if disagreement is not None:
                    merged.disagreements.append(disagreement)
    if pay := reports.get("pay"):
        for record in pay.records:
            problem = _pay_problem(record)
            if problem:
                merged.errors.append(
                    RowError(pay.file_name, record["row_number"], problem[0], problem[1], record["employee_code"])
                )
                continue
            merged.pay[record["employee_code"]] = _pay_fields(record)
            merged.pay_rows[record["employee_code"]] = RowOrigin(pay.file_name, record["row_number"])
    if payees := reports.get("payees"):
        merged.payees = [dict(record, file_name=payees.file_name) for record in payees.records]
    return merged


def _newest_push(code: str, name: str, said: list[tuple[dt.date | None, Said]]) -> tuple[Any, Disagreement | None]:
    """The field's value: what the newest push says (``said`` is in owner order: its owner's value, or when that is
    blank its other report's); and the disagreement, when a report of an older push said otherwise."""
    newest = max((day for day, _ in said if day is not None), default=None)
    of_newest = [value for day, value in said if day == newest]
    chosen = next((value for value in of_newest if value.value is not None), of_newest[0])
    older = [value for day, value in said if day != newest and value.value != chosen.value]
    return chosen.value, Disagreement(code, name, older[0], chosen) if older else None


def _pay_problem(record: Mapping[str, Any]) -> tuple[str, str] | None:
    if record["pay_type"] == "hourly" and record.get("hourly_rate") is None:
        return "Rate_1", "an hourly employee needs a rate; the row was not used"
    if record["pay_type"] == "salary" and record.get("annual_salary") is None:
        return "Annual_Salary", "a salaried employee needs an annual salary; the row was not used"
    return None


def _pay_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    hourly = record["pay_type"] == "hourly"
    eligible = record.get("overtime_eligible")
    return {
        "pay_type": record["pay_type"],
        "hourly_rate": record.get("hourly_rate") if hourly else None,
        "annual_salary": None if hourly else record.get("annual_salary"),
        # Without an exempt status, hourly staff are non-exempt and salaried staff exempt.
        "overtime_eligible": hourly if eligible is None else eligible,
    }


@dataclass
class RosterChanges:
    rows: dict[str, dict[str, Any]]
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    terminated: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    payees: list[dict[str, Any]] = field(default_factory=list)  # the payee rows of known employees


def apply_reports(existing: Mapping[str, Mapping[str, Any]], merged: MergedReports) -> RosterChanges:
    """The full rows to write: what the warehouse has, overlaid with what this week's reports say."""
    changes = RosterChanges(rows={})
    for code in sorted(set(merged.employees) | set(merged.pay)):
        before = existing.get(code)
        if before is None and code not in merged.employees:
            source = merged.pay_rows[code]
            changes.errors.append(
                RowError(
                    source.file_name,
                    source.row_number,
                    "Employee_Code",
                    f"employee code {code!r} is in the pay report but in no roster report and not yet in the "
                    "warehouse; the row was not used",
                    code,
                )
            )
            continue
        if before is None and merged.employees[code].get("status") is None:
            source = merged.roster_rows[code]
            changes.errors.append(
                RowError(
                    source.file_name,
                    source.row_number,
                    None,
                    f"new employee {code!r} has no readable status in this week's reports; not stored",
                    code,
                )
            )
            if pay_row := merged.pay_rows.get(code):
                changes.errors.append(
                    RowError(
                        pay_row.file_name,
                        pay_row.row_number,
                        "Employee_Code",
                        f"employee {code!r} is not stored (see its roster rows); the row was not used",
                        code,
                    )
                )
            continue
        row = {name: (before or {}).get(name) for name in EMPLOYEE_FIELDS}
        row.update(merged.employees.get(code, {}))
        row.update(merged.pay.get(code, {}))
        if before is None:
            changes.created.append(code)
        elif any(row[name] != before.get(name) for name in EMPLOYEE_FIELDS):
            changes.updated.append(code)
        if row["status"] == "terminated" and before is not None and before.get("status") != "terminated":
            changes.terminated.append(code)
        changes.rows[code] = row
    for payee in merged.payees:
        code = payee["employee_code"]
        if code in changes.rows or code in existing:
            changes.payees.append(payee)
            continue
        changes.errors.append(
            RowError(
                payee["file_name"],
                payee["row_number"],
                "EE Code",
                f"employee code {code!r} is in no roster report and not in the warehouse; the payee row was not stored",
                code,
            )
        )
    return changes


def week_snapshot(
    merged: MergedReports,
    changes: RosterChanges,
    existing: Mapping[str, Mapping[str, Any]],
    earlier_codes: Iterable[str],
) -> dict[str, Mapping[str, Any]]:
    """The roster as of the week: everyone its roster reports name. A sync without a roster report
    (pay only) keeps the employees of the week's earlier snapshot, with their new pay."""
    codes = set(merged.employees) & set(changes.rows) if merged.has_roster else set(earlier_codes)
    return {
        code: changes.rows.get(code) or existing[code] for code in codes if code in changes.rows or code in existing
    }
