"""Attendance records turned into Bayzat's records, and grouped into requests Bayzat accepts.

Bayzat wants ``time`` as the company's local wall-clock time, ``YYYY-MM-DD HH:MM:SS`` with no UTC
offset: it places the punch in the company's timezone itself. The fingerprint device already writes
wall-clock times in that timezone, so they are sent as they were read, never converted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

MAX_RECORDS_PER_REQUEST = 20
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Punches:
    """One attendance record: an employee's first and last punch of a day, as the device wrote them."""

    record_id: int
    emp_id: str
    day: dt.date
    check_in: dt.time | None
    check_out: dt.time | None


def bayzat_records(punches: Punches) -> list[dict[str, str]]:
    """Bayzat's records for one attendance record: a checkIn and a checkOut, either, or none.

    A check-out earlier than the check-in ends a night shift on the next day; one punch that is both
    check-in and check-out is sent once, as a checkIn.
    """
    records = []
    if punches.check_in is not None:
        records.append(_record(punches.emp_id, "checkIn", dt.datetime.combine(punches.day, punches.check_in)))
    if punches.check_out is not None and punches.check_out != punches.check_in:
        records.append(_record(punches.emp_id, "checkOut", _check_out_at(punches, punches.check_out)))
    return records


def punch_count(punches: Punches) -> int:
    """How many Bayzat records ``bayzat_records`` makes of it, without formatting them."""
    has_check_out = punches.check_out is not None and punches.check_out != punches.check_in
    return (punches.check_in is not None) + has_check_out


def chunks(punches: Sequence[Punches], max_records: int = MAX_RECORDS_PER_REQUEST) -> list[list[Punches]]:
    """Consecutive groups of attendance records whose Bayzat records total at most ``max_records``.

    An attendance record's punches always travel in the same request, so that one answer settles it.
    Records without punches are left out: the caller marks them skipped.
    """
    if max_records < 2:
        raise ValueError("a request must hold both punches of one attendance record")
    groups: list[list[Punches]] = []
    current: list[Punches] = []
    size = 0
    for record in punches:
        count = punch_count(record)
        if count == 0:
            continue
        if size + count > max_records:
            groups.append(current)
            current, size = [], 0
        current.append(record)
        size += count
    if current:
        groups.append(current)
    return groups


def _check_out_at(punches: Punches, check_out: dt.time) -> dt.datetime:
    night_shift = punches.check_in is not None and check_out < punches.check_in
    day = punches.day + dt.timedelta(days=1) if night_shift else punches.day
    return dt.datetime.combine(day, check_out)


def _record(emp_id: str, record_type: str, at: dt.datetime) -> dict[str, str]:
    return {"empId": emp_id, "type": record_type, "time": at.strftime(TIME_FORMAT)}
