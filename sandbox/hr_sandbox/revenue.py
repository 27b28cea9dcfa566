"""The revenue sandbox: Holded, 4Geeks and Notion twins (on 127.0.0.1 unless told), serving one generated history.

Credentials are generated once and kept in the sandbox folder (mode 0600), like the Paycom
sandbox's password, so a restarted sandbox accepts the environment it printed before.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from hr_sandbox.fourgeeks import FourGeeksSandbox
from hr_sandbox.holded import FROM_DOCUMENT, CreditNoteReference, HoldedSandbox
from hr_sandbox.http_server import SandboxHttpServer
from hr_sandbox.notion import CLIENTS, NotionSandbox
from hr_sandbox.revenue_data import RevenueData, generate_revenue_data

ACADEMY_ID = 4


def months_between(start: dt.date, today: dt.date) -> int:
    """How many months from ``start``'s month up to and including ``today``'s."""
    return (today.year - start.year) * 12 + today.month - start.month + 1


class RevenueSandbox:
    def __init__(
        self,
        directory: Path,
        *,
        start: dt.date,
        months: int,
        invoices_per_month: int,
        holded_page_size: int = 250,
        holded_rate_limit_per_second: float | None = None,
        notion_rate_limit_per_second: float = 3.0,
        notion_data_sources: Sequence[str] = (CLIENTS,),
        holded_credit_note_reference: CreditNoteReference = FROM_DOCUMENT,
        host: str = "127.0.0.1",
    ):
        self.directory = directory
        self.data: RevenueData = generate_revenue_data(start.replace(day=1), months, invoices_per_month)
        self.holded = HoldedSandbox(
            self.data,
            self._secret("holded_api_key"),
            holded_page_size,
            holded_rate_limit_per_second,
            holded_credit_note_reference,
        )
        self.fourgeeks = FourGeeksSandbox(self.data, self._secret("fourgeeks_token"), ACADEMY_ID)
        self.notion_database_id = self._secret("notion_database_id", lambda: str(uuid.uuid4()))
        self.notion = NotionSandbox(
            self.data,
            self._secret("notion_token"),
            self.notion_database_id,
            notion_rate_limit_per_second,
            notion_data_sources,
        )
        self.servers = [SandboxHttpServer(api, host=host) for api in (self.holded, self.fourgeeks, self.notion)]

    def _secret(self, name: str, make: Callable[[], str] = lambda: secrets.token_urlsafe(24)) -> str:
        path = self.directory / name
        if not path.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(make())
        return path.read_text().strip()

    def start(self) -> RevenueSandbox:
        for server in self.servers:
            server.start()
        return self

    def stop(self) -> None:
        for server in self.servers:
            server.stop()

    def __enter__(self) -> RevenueSandbox:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def environment(self) -> dict[str, str]:
        """The platform's settings for these twins; with several Notion data sources, the clients' one chosen."""
        holded, fourgeeks, notion = (server.url for server in self.servers)
        several = len(self.notion.data_sources) > 1
        return {
            "HOLDED_API_KEY": self._secret("holded_api_key"),
            "HOLDED_BASE_URL": f"{holded}/api/invoicing/v1",
            "FOURGEEKS_API_TOKEN": self._secret("fourgeeks_token"),
            "FOURGEEKS_ACADEMY_ID": str(ACADEMY_ID),
            "FOURGEEKS_BASE_URL": f"{fourgeeks}/v1",
            "NOTION_TOKEN": self._secret("notion_token"),
            "NOTION_DATABASE_ID": self.notion_database_id,
            "NOTION_BASE_URL": f"{notion}/v1",
            **({"NOTION_DATA_SOURCE_ID": self.notion.data_sources[0]["id"]} if several else {}),
        }
