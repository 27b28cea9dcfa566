"""The week's reports merged into one employee roster, and what changed against the warehouse.

Directory gives names, status and contact; Dates gives position and the employment dates and has
the last word on status; the pay export adds pay type, rate, salary and overtime eligibility.
A sync that lacks a report (``--report-type``, or a file that failed) keeps what the warehouse
already knows for that report's fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hr_assets.defs.paycom import values
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
    "hire_date",
    "rehire_date",
    "termination_date",
)
PAY_FIELDS = ("pay_type", "hourly_rate", "annual_salary", "overtime_eligible")
EMPLOYEE_FIELDS = ROSTER_FIELDS + PAY_FIELDS

_DIRECTORY_FIELDS = ("status", "department_code", "department_description", "location_code", "work_email")
_DATES_FIELDS = ("position", "position_family", "hire_date", "rehire_date", "termination_date")
_SHARED_FIELDS = ("department_code", "department_description", "location_code")


@dataclass
class MergedReports:
    """What this week's reports say, field by field, and the records they could not use."""

    employees: dict[str, dict[str, Any]] = field(default_factory=dict)
    pay: dict[str, dict[str, Any]] = field(default_factory=dict)
    payees: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    has_roster: bool = False


def merge_reports(reports: Mapping[str, ParsedReport]) -> MergedReports:
    merged = MergedReports(has_roster="directory" in reports or "dates" in reports)
    if directory := reports.get("directory"):
        for record in directory.records:
            first, last = values.split_name(record.get("name"))
            employee = merged.employees.setdefault(record["employee_code"], {})
            employee.update(first_name=first, last_name=last)
            employee.update({name: record.get(name) for name in _DIRECTORY_FIELDS})
    if dates := reports.get("dates"):
        for record in dates.records:
            employee = merged.employees.setdefault(record["employee_code"], {})
            if "last_name" not in employee:
                employee["first_name"], employee["last_name"] = values.split_name(record.get("name"))
            for name in _SHARED_FIELDS:
                if employee.get(name) is None:
                    employee[name] = record.get(name)
            employee["status"] = record["status"]
            employee.update({name: record.get(name) for name in _DATES_FIELDS})
    if pay := reports.get("pay"):
        for record in pay.records:
            problem = _pay_problem(record)
            if problem:
                merged.errors.append(
                    RowError(pay.file_name, record["row_number"], problem[0], problem[1], record["employee_code"])
                )
                continue
            merged.pay[record["employee_code"]] = _pay_fields(record)
    if payees := reports.get("payees"):
        merged.payees = [dict(record, file_name=payees.file_name) for record in payees.records]
    return merged


def _pay_problem(record: Mapping[str, Any]) -> tuple[str, str] | None:
    if record["pay_type"] == "hourly" and record.get("hourly_rate") is None:
        return "Rate_1", "an hourly employee needs a rate"
    if record["pay_type"] == "salary" and record.get("annual_salary") is None:
        return "Annual_Salary", "a salaried employee needs an annual salary"
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


def apply_reports(
    existing: Mapping[str, Mapping[str, Any]], merged: MergedReports, pay_file_name: str | None = None
) -> RosterChanges:
    """The full rows to write: what the warehouse has, overlaid with what this week's reports say."""
    changes = RosterChanges(rows={})
    for code in sorted(set(merged.employees) | set(merged.pay)):
        before = existing.get(code)
        if before is None and code not in merged.employees:
            changes.errors.append(
                RowError(
                    pay_file_name,
                    None,
                    "Employee_Code",
                    f"employee code {code!r} is in the pay report but in no roster report and not yet in the warehouse",
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
