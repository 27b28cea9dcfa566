"""4Geeks students and enrolments matched to Holded contacts, as plain functions on plain data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from hr_assets.defs.shared.invoiced_clients import normalise_email
from hr_assets.lib.row_errors import RowError


def _user_id(student: Mapping[str, Any]) -> int | None:
    """Enrolments point at the student's user, not at the academy profile's own id; invited
    students have no user yet."""
    user = student.get("user")
    return user.get("id") if isinstance(user, Mapping) and isinstance(user.get("id"), int) else None


def match_students(
    students: Iterable[Mapping[str, Any]], contacts: Mapping[str, str | None], synced_at: dt.datetime
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Rows for the students whose email is one of ``contacts`` (contact id -> email), and why others are missing."""
    by_email: dict[str, Mapping[str, Any]] = {}
    errors: list[RowError] = []
    for student in sorted(students, key=lambda s: s.get("id") or 0):
        email = normalise_email(student.get("email") or (student.get("user") or {}).get("email"))
        if email is None:
            continue
        if email in by_email:
            errors.append(
                RowError(
                    "4geeks:auth/academy/student",
                    None,
                    "email",
                    f"students {by_email[email]['id']} and {student.get('id')} share one email; "
                    f"{by_email[email]['id']} is used",
                    str(student.get("id")),
                )
            )
            continue
        by_email[email] = student
    rows = []
    for contact_id, email in sorted(contacts.items()):
        matched = by_email.get(normalise_email(email) or "")
        if matched is None:
            errors.append(
                RowError("holded:contacts", None, "email", "no 4Geeks student has this contact's email", contact_id)
            )
            continue
        if _user_id(matched) is None:
            errors.append(
                RowError(
                    "4geeks:auth/academy/student",
                    None,
                    "user",
                    f"student {matched.get('id')} is only invited (no 4Geeks user yet)",
                    contact_id,
                )
            )
            continue
        rows.append(
            {
                "id": _user_id(matched),
                "email": normalise_email(matched.get("email") or matched["user"].get("email")),
                "first_name": matched.get("first_name"),
                "last_name": matched.get("last_name"),
                "status": matched.get("status"),
                "holded_contact_id": contact_id,
                "synced_at": synced_at,
            }
        )
    return rows, errors


def _day(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def service_periods(
    enrollments: Iterable[Mapping[str, Any]], contact_of_student: Mapping[int, str], synced_at: dt.datetime
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """One service period per STUDENT enrolment: the cohort's kickoff to ending date, inclusive."""
    rows, errors = [], []
    for enrollment in enrollments:
        user = enrollment.get("user") or {}
        cohort = enrollment.get("cohort") or {}
        key = str(enrollment.get("id"))
        if user.get("id") not in contact_of_student:
            continue
        start, end, slug = _day(cohort.get("kickoff_date")), _day(cohort.get("ending_date")), cohort.get("slug") or ""
        problem = (
            "the cohort has no slug"
            if not slug
            else "the cohort has no kickoff date"
            if start is None
            else "the cohort has no ending date"
            if end is None
            else "the cohort ends before it starts"
            if end < start
            else None
        )
        if problem or not isinstance(enrollment.get("id"), int):
            errors.append(
                RowError(
                    "4geeks:admissions/academy/cohort/user",
                    None,
                    "cohort",
                    f"enrolment not stored: {problem or 'it has no id'}",
                    key,
                )
            )
            continue
        rows.append(
            {
                "id": enrollment["id"],
                "student_id": user["id"],
                "holded_contact_id": contact_of_student[user["id"]],
                "service_code": slug.rsplit("-", 1)[0],
                "cohort_slug": slug,
                "start_date": start,
                "end_date": end,
                "educational_status": enrollment.get("educational_status"),
                "financial_status": enrollment.get("finantial_status"),  # sic: 4Geeks' own spelling
                "synced_at": synced_at,
            }
        )
    return rows, errors
