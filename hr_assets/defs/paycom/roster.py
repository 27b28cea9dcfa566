"""The week's reports merged into one employee roster, and what changed against the warehouse.

Directory gives names, status and contact; Dates gives position and the employment dates and has
the last word on status; the pay export adds pay type, rate, salary and overtime eligibility.
A sync that lacks a report (``--report-type``, or a file that failed) keeps what the warehouse
already knows for that report's fields, and so does a field whose value could not be read (a record
holds only the fields read; see ``parsing``): a bad department never empties it, or drops the employee.

Rows that name no employee are errors with their file and row: pay and payee rows whose code is in no
roster report and not in the warehouse, and a new employee whose status no report could tell.
"""

from __future__ import annotations

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

_NAME_FIELDS = ("first_name", "last_name")
_DIRECTORY_FIELDS = (
    *_NAME_FIELDS,
    "status",
    "department_code",
    "department_description",
    "location_code",
    "work_email",
    "phone_number",
)
_DATES_FIELDS = ("status", "position", "position_family", "hire_date", "rehire_date", "termination_date")
_SHARED_FIELDS = ("department_code", "department_description", "location_code")


@dataclass(frozen=True)
class RowOrigin:
    file_name: str
    row_number: int


@dataclass
class MergedReports:
    """What this week's reports say, field by field, and the records they could not use."""

    employees: dict[str, dict[str, Any]] = field(default_factory=dict)
    pay: dict[str, dict[str, Any]] = field(default_factory=dict)
    payees: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    has_roster: bool = False
    # Where each employee and each pay row came from: the first roster row naming the employee, its pay row.
    roster_rows: dict[str, RowOrigin] = field(default_factory=dict)
    pay_rows: dict[str, RowOrigin] = field(default_factory=dict)


def _fields(record: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The fields the record holds: one it lacks was not read, and must not overwrite what is known."""
    return {name: record[name] for name in names if name in record}


def merge_reports(reports: Mapping[str, ParsedReport]) -> MergedReports:
    merged = MergedReports(has_roster="directory" in reports or "dates" in reports)
    for report_type in ("directory", "dates"):
        if report := reports.get(report_type):
            for record in report.records:
                code = record["employee_code"]
                merged.roster_rows.setdefault(code, RowOrigin(report.file_name, record["row_number"]))
                _merge_roster_record(merged.employees.setdefault(code, {}), report_type, record)
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


def _merge_roster_record(employee: dict[str, Any], report_type: str, record: Mapping[str, Any]) -> None:
    if report_type == "directory":
        employee.update(_fields(record, _DIRECTORY_FIELDS))
        return
    if not any(name in employee for name in _NAME_FIELDS):  # the Directory's name, when it had one, wins
        employee.update(_fields(record, _NAME_FIELDS))
    for name in _SHARED_FIELDS:
        if employee.get(name) is None and name in record:
            employee[name] = record[name]
    employee.update(_fields(record, _DATES_FIELDS))


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
