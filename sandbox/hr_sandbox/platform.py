"""Every vendor twin of the platform, started and stopped together (what `hr-sandbox serve` runs)."""

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from hr_assets.settings import Settings
from hr_sandbox.attendance import AttendanceSandbox
from hr_sandbox.bayzat import AnswerShape
from hr_sandbox.notion import CLIENTS
from hr_sandbox.paycom import PaycomSandbox
from hr_sandbox.paycom_reports import sandbox_employees
from hr_sandbox.revenue import RevenueSandbox, months_between


class PlatformSandbox:
    """Every vendor twin, started and stopped together; ``environment`` points the platform at them."""

    def __init__(
        self,
        directory: Path,
        employees: int,
        paycom_port: int,
        invoices_per_month: int,
        bayzat_answers: Mapping[str | None, AnswerShape] | None = None,
        bayzat_history: bool = False,
        notion_data_sources: Sequence[str] = (CLIENTS,),
        host: str = "127.0.0.1",
    ):
        start = Settings.from_environment().history_start
        today = dt.date.today()
        self.paycom = PaycomSandbox(directory / "paycom", employees=employees, port=paycom_port, host=host)
        self.revenue = RevenueSandbox(
            directory / "revenue",
            start=start,
            months=months_between(start, today),
            invoices_per_month=invoices_per_month,
            notion_data_sources=notion_data_sources,
            host=host,
        )
        self.attendance = AttendanceSandbox(directory / "attendance", answer_shapes=bayzat_answers, host=host)
        self.fingerprint_report = self.attendance.write_report(sandbox_employees(employees), today)
        if bayzat_history:
            self.attendance.give_history(self.fingerprint_report)

    def start(self) -> dict[str, str]:
        self.paycom.start()
        self.revenue.start()
        self.attendance.start()
        return {**self.paycom.environment(), **self.revenue.environment(), **self.attendance.environment()}

    def stop(self) -> None:
        self.attendance.stop()
        self.revenue.stop()
        self.paycom.stop()
