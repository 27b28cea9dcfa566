"""The Paycom sandbox: an SFTP account (on 127.0.0.1 unless told) with weeks of roster pushes, as Paycom sends them.

Everything it needs lives in one folder, kept across restarts: its host key (so the pinned
known_hosts line stays valid), a client key, a generated password, and the pushed reports. Each
week's push is the roster of the week before with two new hires and one termination, so a sync
has created, updated and terminated employees to show.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from pathlib import Path

from hr_sandbox.paycom_reports import SandboxEmployee, sandbox_employees, write_paycom_reports
from hr_sandbox.sftp_server import SandboxSftpServer, load_or_create_key

USERNAME = "hr_assets"
PUSH_TIME = dt.time(18, 0)  # Thursday evening, the day before the Friday sync


def week_roster(base_employees: int, week_index: int, friday: dt.date) -> list[SandboxEmployee]:
    """The roster as of the ``week_index``-th pushed week: two hires and one leaver a week."""
    roster = sandbox_employees(base_employees + 2 * week_index)
    for week in range(1, week_index + 1):
        leaver = (7 * week) % len(roster)
        if roster[leaver].status == "active":
            left_on = friday - dt.timedelta(days=7 * (week_index - week) + 2)
            roster[leaver] = dataclasses.replace(roster[leaver], status="terminated", termination_date=left_on)
    return roster


def write_weekly_pushes(reports_directory: Path, fridays: list[dt.date], base_employees: int) -> None:
    """One push (Directory, Dates, Payees, pay export) the evening before each Friday."""
    for week_index, friday in enumerate(sorted(fridays)):
        pushed_at = dt.datetime.combine(friday - dt.timedelta(days=1), PUSH_TIME)
        write_paycom_reports(reports_directory, week_roster(base_employees, week_index, friday), pushed_at)


def recent_fridays(today: dt.date, weeks: int) -> list[dt.date]:
    """The ``weeks`` Fridays up to and including the one that starts the current Friday-to-Friday week."""
    this_friday = today - dt.timedelta(days=(today.weekday() - 4) % 7)
    return [this_friday - dt.timedelta(days=7 * back) for back in range(weeks)]


class PaycomSandbox:
    """Start with ``start()`` (or ``with``); ``environment()`` points the platform at it."""

    def __init__(
        self,
        directory: Path,
        *,
        employees: int = 200,
        weeks: int = 4,
        port: int = 0,
        today: dt.date | None = None,
        host: str = "127.0.0.1",
    ):
        self.directory = directory
        self.host = host
        self.reports_directory = directory / "sftp_root"
        self.employees = employees
        self.weeks = weeks
        self.port = port
        self.today = today or dt.date.today()
        self.server: SandboxSftpServer | None = None

    @property
    def known_hosts_path(self) -> Path:
        return self.directory / "known_hosts"

    @property
    def client_key_path(self) -> Path:
        return self.directory / "client_key"

    def password(self) -> str:
        path = self.directory / "password"
        if not path.exists():
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(18))
        return path.read_text().strip()

    def ensure_reports(self) -> None:
        if not any(self.reports_directory.glob("*_EmployeeRoster.numbers")):
            write_weekly_pushes(self.reports_directory, recent_fridays(self.today, self.weeks), self.employees)

    def start(self) -> PaycomSandbox:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.ensure_reports()
        client_key = load_or_create_key(self.client_key_path)
        self.server = SandboxSftpServer(
            root=self.reports_directory,
            host_key=load_or_create_key(self.directory / "host_key"),
            username=USERNAME,
            password=self.password(),
            authorized_key=client_key,
            port=self.port,
            host=self.host,
        ).start()
        self.server.write_known_hosts(self.known_hosts_path)
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def __enter__(self) -> PaycomSandbox:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def environment(self) -> dict[str, str]:
        if self.server is None:
            raise RuntimeError("start the Paycom sandbox first")
        return {
            "PAYCOM_SFTP_HOST": self.server.host,
            "PAYCOM_SFTP_PORT": str(self.server.port),
            "PAYCOM_SFTP_USERNAME": USERNAME,
            "PAYCOM_SFTP_PASSWORD": self.password(),
            "PAYCOM_SFTP_KNOWN_HOSTS": str(self.known_hosts_path),
            "PAYCOM_SFTP_REMOTE_DIRECTORY": "/",
        }
