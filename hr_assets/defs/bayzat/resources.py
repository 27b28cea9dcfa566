"""Bayzat's attendance API: one POST of at most 20 records, paced per API key, its answer read per record.

Each company has its own key and URL (``bayzat_configs``), so the resource holds the push settings and
opens a client per company. The pacing belongs to the key: every client of one key in this process
shares one limiter, and different companies' keys run side by side. A 429 is waited out as Bayzat says
(never as an instant retry); a 5xx, a timeout or a dropped connection is not retried here but returned,
because its records are retried on their own schedule (minutes to a day later, ``retries.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, NonNegativeInt, PositiveFloat, PositiveInt

from hr_assets.defs.bayzat.answers import Rejection, read_rejections
from hr_assets.defs.bayzat.configs import BayzatAccount
from hr_assets.lib.http import ApiClient, ApiError, ApiUnavailable, ClientStats
from hr_assets.lib.integration import IntegrationResource, NotConfigured, required

API = "Bayzat"
SECRET_KEY_LENGTH = 32
_THROTTLED_ATTEMPTS = 8  # a 429 is retried this many times (each waiting as told) before the request counts as failed


@dataclass(frozen=True)
class Answer:
    """What Bayzat did with one request.

    ``accepted``: every record is in. ``rejected``: nothing is in; ``rejections`` names the records at fault
    by their index in the request; when Bayzat did not name them so they can be found, ``unmapped`` says why it
    rejected the request (its message; "already exists" when it was a 409). ``unauthorized``: the key is not
    valid. ``unavailable``: no verdict (5xx, timeout, dropped connection, throttled past all patience); the
    records may or may not have arrived.
    """

    outcome: Literal["accepted", "rejected", "unauthorized", "unavailable"]
    message: str = ""
    rejections: dict[int, Rejection] = field(default_factory=dict)
    unmapped: Rejection | None = None


class BayzatClient:
    def __init__(self, api: ApiClient, path: str) -> None:
        self._api = api
        self._path = path

    @property
    def stats(self) -> ClientStats:
        return self._api.stats

    def send(self, records: list[dict[str, str]]) -> Answer:
        try:
            self._api.post_json(self._path, {"records": records})
        except ApiUnavailable as exc:
            return Answer("unavailable", str(exc))
        except ApiError as exc:  # ApiRetriesExhausted too: throttled past all patience
            return _verdict(exc, records)
        return Answer("accepted")


def _verdict(error: ApiError, sent: list[dict[str, str]]) -> Answer:
    if error.status == 401:
        return Answer("unauthorized", str(error))
    if error.status in (400, 409, 422):
        rejections = read_rejections(error.status, error.body, str(error), sent)
        return Answer("rejected", str(error), rejections.by_index, rejections.unmapped)
    return Answer("unavailable", str(error))


class BayzatResource(IntegrationResource):
    """The push's settings (``BAYZAT_*``), and ``HR_SECRET_KEY`` (``hr_secret_key``), which the companies' API keys
    are stored encrypted with (``bayzat_configs``): without it no key can be stored or read."""

    integration = API
    env_prefix = "BAYZAT_"

    hr_secret_key: str | None = required(
        f"A secret of at least {SECRET_KEY_LENGTH} characters: never shown (openssl rand -base64 32)."
    )
    default_api_url: str = "https://integration.bayzat.com/attendance"
    rate_limit_delay: PositiveFloat = Field(1.0, description="Seconds between two requests of one API key.")
    max_records_per_request: PositiveInt = 20
    max_retry_attempts: NonNegativeInt = 5
    timeout_seconds: PositiveFloat = 30.0
    lease_seconds: PositiveFloat = Field(
        120.0, description="How long a dead run's hold on a company's push lasts before another run takes over."
    )

    def check_settings(self) -> None:
        if self.hr_secret_key is not None and len(self.hr_secret_key) < SECRET_KEY_LENGTH:
            raise NotConfigured(
                f"Bayzat is misconfigured: HR_SECRET_KEY: String should have at least {SECRET_KEY_LENGTH} characters"
            )

    def key(self) -> str:
        """HR_SECRET_KEY, checked: the stored API keys are encrypted with it."""
        self.check()  # refuses a key not set
        return self.hr_secret_key or ""

    @contextmanager
    def client(self, account: BayzatAccount) -> Iterator[BayzatClient]:
        self.check()
        url = urlsplit(account.api_url)
        with ApiClient(
            API,
            f"{url.scheme}://{url.netloc}",
            headers={"x-api-key": account.api_key, "Accept": "application/json"},
            rate_limit_per_second=1 / self.rate_limit_delay,
            limiter_key=account.api_key,
            timeout_s=self.timeout_seconds,
            max_attempts=_THROTTLED_ATTEMPTS,
            retry_unavailable=False,
        ) as api:
            yield BayzatClient(api, url.path or "/")

    def test_connection(self, account: BayzatAccount) -> Answer:
        """Ask Bayzat about an empty request: a valid key gets "no records" (400), an invalid one 401."""
        with self.client(account) as client:
            answer = client.send([])
        if answer.outcome == "rejected" and not answer.rejections:
            return Answer("accepted", "the key is valid")
        return answer
