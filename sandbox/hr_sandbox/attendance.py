"""The attendance sandbox: a Bayzat twin with two demo companies, and a week of fingerprint punches for the
Paycom sandbox's active employees, written as the device writes it.

Keys, and the platform's ``HR_SECRET_KEY``, are generated once and kept in the sandbox folder (mode 0600),
so a restarted sandbox accepts what the warehouse stored before.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hr_sandbox.bayzat import AcceptedRecord, AnswerShape, BayzatSandbox
from hr_sandbox.http_server import SandboxHttpServer
from hr_sandbox.paycom_reports import SandboxEmployee

HEADER = "Employee ID,First Name,Department,Date,Weekday,Check In,Check Out,Clock In,Clock Out"


@dataclass(frozen=True)
class DemoCompany:
    slug: str
    name_en: str
    name_ar: str
    department: str  # what the fingerprint device writes
    timezone: str


DEMO_COMPANIES = (
    DemoCompany("advline", "Advanced Line for Technology", "الخط المتقدم للتقنية", "AdvLine", "Asia/Dubai"),
    DemoCompany("gulfcare", "Gulf Care Services", "خدمات الخليج للرعاية", "GulfCare", "Asia/Riyadh"),
)


def fingerprint_report(
    employees: Sequence[SandboxEmployee], departments: Sequence[str], monday: dt.date, seed: int = 7
) -> str:
    """Monday to Friday punches of each active employee, split between ``departments``; a few days have a
    single punch (a forgotten check-out) and one row names a department no company maps."""
    rng = random.Random(seed)
    lines = [HEADER]
    active = [employee for employee in employees if employee.status == "active"]
    for index, employee in enumerate(active):
        department = departments[index % len(departments)]
        for offset in range(5):
            day = monday + dt.timedelta(days=offset)
            check_in = dt.time(8, rng.randrange(0, 30))
            check_out = dt.time(16, rng.randrange(30, 60)) if rng.random() > 0.05 else None
            lines.append(
                f"{employee.code},{employee.first_name},{department},{day.isoformat()},{day:%A},"
                f"{check_in:%H:%M},{f'{check_out:%H:%M}' if check_out else ''},08:00,17:00"
            )
    lines.append(f"99999,Visitor,Reception,{monday.isoformat()},{monday:%A},09:00,10:00,,")
    return "\r\n".join(lines) + "\r\n"


class AttendanceSandbox:
    """``answer_shapes``: how the Bayzat twin answers (``BayzatSandbox``), by company slug, None for every company."""

    def __init__(
        self,
        directory: Path,
        rate_limit_per_second: float = 1.0,
        answer_shapes: Mapping[str | None, AnswerShape] | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.directory = directory
        self.keys = {company.slug: self._secret(f"bayzat_key_{company.slug}") for company in DEMO_COMPANIES}
        self.bayzat = BayzatSandbox(api_keys=self.keys.values(), rate_limit_per_second=rate_limit_per_second)
        for slug, shape in (answer_shapes or {}).items():
            self.bayzat.set_answer_shape(shape, None if slug is None else self.keys[slug])
        self.server = SandboxHttpServer(self.bayzat, host=host)

    @property
    def reports_directory(self) -> Path:
        """Where the generated fingerprint reports wait to be copied into the inbox."""
        return self.directory / "fingerprint_reports"

    def _secret(self, name: str) -> str:
        path = self.directory / name
        if not path.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(32))
        return path.read_text().strip()

    def write_report(self, employees: Sequence[SandboxEmployee], today: dt.date) -> Path:
        """Last week's fingerprint report, once."""
        monday = today - dt.timedelta(days=today.weekday() + 7)
        path = self.reports_directory / f"fingerprint_{monday:%Y%m%d}.csv"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            departments = [company.department for company in DEMO_COMPANIES]
            path.write_text(fingerprint_report(employees, departments, monday), encoding="utf-8")
        return path

    def give_history(self, report: Path) -> None:
        """Make the twin a Bayzat in use before the platform came: for each company, it already holds the first three
        check-ins of the report's first employee (entered by hand) and does not know its last employee (not yet
        added to Bayzat). A push of the report then meets every fate: stored, already there, refused."""
        rows: defaultdict[str, list[dict[str, str]]] = defaultdict(list)
        with report.open(encoding="utf-8", newline="") as lines:
            for row in csv.DictReader(lines):
                rows[row["Department"]].append(row)
        for company in DEMO_COMPANIES:
            codes = list(dict.fromkeys(row["Employee ID"] for row in rows[company.department]))
            if len(codes) < 2:
                continue
            first = [row for row in rows[company.department] if row["Employee ID"] == codes[0]][:3]
            self.bayzat.hold(
                self.keys[company.slug],
                [AcceptedRecord(codes[0], "checkIn", f"{row['Date']} {row['Check In']}:00") for row in first],
            )
            self.bayzat.add_key(self.keys[company.slug], employees=codes[:-1])

    def start(self) -> AttendanceSandbox:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def environment(self) -> dict[str, str]:
        return {
            "BAYZAT_DEFAULT_API_URL": f"{self.server.url}/attendance",
            "HR_SECRET_KEY": self._secret("hr_secret_key"),
            "ATTENDANCE_INBOX_DIRECTORY": str((self.directory / "attendance_inbox").resolve()),
        }
