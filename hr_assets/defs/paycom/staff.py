"""The staff view the scheduling side needs, derived from the roster (linked by employee code).

Roles come from position first and department second, by the first rule whose words match; a
person who matches none is ``other`` and still schedulable. Overtime-eligible staff are capped at
40 hours a week so a schedule never creates overtime by accident; exempt staff at 50.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

ROLE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (role, re.compile(rf"\b(?:{words})", re.IGNORECASE))
    for role, words in (
        ("management", r"director|administrator|manager|supervisor|coordinator"),
        ("nurse", r"nurse|rn\b|lpn\b|lvn\b|nursing"),
        ("caregiver", r"cna\b|aide|caregiver|care\b"),
        ("dietary", r"cook|dietary|kitchen|chef|food"),
        ("housekeeping", r"housekeep|laundry|janitor|environmental"),
        ("activities", r"activit|recreation"),
    )
)
MAX_HOURS_OVERTIME_ELIGIBLE = 40
MAX_HOURS_EXEMPT = 50


def role_for(position: str | None, department: str | None) -> str:
    for text in (position, department):
        if not text:
            continue
        for role, pattern in ROLE_RULES:
            if pattern.search(text):
                return role
    return "other"


def staff_row(code: str, employee: Mapping[str, Any]) -> dict[str, Any]:
    names = [employee.get("first_name"), employee.get("last_name")]
    return {
        "employee_code": code,
        "display_name": " ".join(name for name in names if name) or code,
        "role": role_for(employee.get("position"), employee.get("department_description")),
        "available_for_scheduling": employee.get("status") == "active",
        "max_hours_per_week": default_max_hours(employee.get("overtime_eligible")),
    }


def default_max_hours(overtime_eligible: bool | None) -> int:
    """The weekly cap when nobody set one: exempt staff 50, everyone else (eligible or not known) 40."""
    return MAX_HOURS_EXEMPT if overtime_eligible is False else MAX_HOURS_OVERTIME_ELIGIBLE


def staff_rows(roster: Iterable[tuple[str, Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """Everyone on the roster who has not left: active and on-leave staff (the latter unavailable)."""
    return [staff_row(code, employee) for code, employee in roster if employee.get("status") != "terminated"]
