"""Which of the files on Paycom's SFTP account are reports, of which type, and which one a week uses.

Paycom names its roster pushes ``<YYYYMMDDhhmmss>_Employee_<Directory|Dates|Payees>_<8 hex>_
EmployeeRoster.numbers``; the custom pay export follows the same scheme with ``Pay`` and any
suffix, as ``.numbers`` or ``.csv``. The timestamp is the push's wall-clock time in the business
timezone. The week keyed by Friday F uses the newest file of each type pushed by the end of F,
the day its sync runs: a re-run later in the week reads the same files, and last week's partition
never picks up this week's push.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

from hr_assets.lib.cells import quoted
from hr_assets.lib.errors import OperatorError

REPORT_TYPES = ("directory", "dates", "payees", "pay")
"""In processing order: the roster reports first, then the pay export that refines them."""

_ROSTER_NAME = re.compile(
    r"^(?P<stamp>\d{14})_Employee_(?P<report>Directory|Dates|Payees)_[0-9a-f]{8}_EmployeeRoster\.numbers$"
)
MAX_NAME_LENGTH = 255
_PAY_NAME = re.compile(r"^(?P<stamp>\d{14})_Employee_(?P<report>Pay)_[0-9a-f]{8}_\w+\.(?:numbers|csv)$")


class UnsafeRemoteName(OperatorError, ValueError):
    """A name from the server that would land outside the local folder if used as a path."""


@dataclass(frozen=True)
class RemoteReport:
    name: str
    report_type: str
    pushed_at: dt.datetime
    size_bytes: int


def classify(name: str, size_bytes: int, tz: ZoneInfo) -> RemoteReport | None:
    """The report a remote file name denotes, or None when it is not a Paycom report name."""
    match = _ROSTER_NAME.match(name) or _PAY_NAME.match(name)
    wall_clock = _pushed_wall_clock(match["stamp"]) if match else None
    if match is None or wall_clock is None:
        return None
    return RemoteReport(name, match["report"].lower(), wall_clock.replace(tzinfo=tz), size_bytes)


def pushed_on(name: str) -> dt.date | None:
    """The day a report was pushed, as its name writes it (the business timezone's); None for another name."""
    match = _ROSTER_NAME.match(name) or _PAY_NAME.match(name)
    wall_clock = _pushed_wall_clock(match["stamp"]) if match else None
    return wall_clock.date() if wall_clock else None


def _pushed_wall_clock(stamp: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(stamp, "%Y%m%d%H%M%S")
    except ValueError:
        return None


def sync_cutoff(week_start: dt.datetime) -> dt.datetime:
    """Files pushed before this moment belong to the week that starts at ``week_start`` (a Friday)."""
    return week_start + dt.timedelta(days=1)


def newest_per_type(
    reports: Iterable[RemoteReport], pushed_before: dt.datetime, report_types: Iterable[str]
) -> dict[str, RemoteReport]:
    """The newest report of each wanted type pushed before ``pushed_before`` (ties: the larger name)."""
    wanted = set(report_types)
    newest: dict[str, RemoteReport] = {}
    for report in reports:
        if report.report_type not in wanted or report.pushed_at >= pushed_before:
            continue
        current = newest.get(report.report_type)
        if current is None or (report.pushed_at, report.name) > (current.pushed_at, current.name):
            newest[report.report_type] = report
    return newest


def check_remote_name(remote_name: str) -> None:
    """Refuse (``UnsafeRemoteName``) a name that is not a plain file name, or is longer than a file name can be (and
    than the warehouse keeps)."""
    if len(remote_name) > MAX_NAME_LENGTH:
        raise UnsafeRemoteName(
            f"refused remote file name {quoted(remote_name)}: it is {len(remote_name)} characters long, "
            f"more than the {MAX_NAME_LENGTH} a file name may have"
        )
    if (
        not remote_name
        or remote_name in (".", "..")
        or "\x00" in remote_name
        or "\\" in remote_name
        or PurePosixPath(remote_name).name != remote_name
    ):
        raise UnsafeRemoteName(f"refused remote file name {remote_name!r}: it would escape the local folder")


def safe_local_path(local_directory: Path, remote_name: str) -> Path:
    """Where a remote file may be downloaded to in ``local_directory``; refuses what ``check_remote_name`` refuses."""
    check_remote_name(remote_name)
    target = (local_directory / remote_name).resolve()
    if target.parent != local_directory.resolve():
        raise UnsafeRemoteName(f"refused remote file name {remote_name!r}: it would escape the local folder")
    return target
