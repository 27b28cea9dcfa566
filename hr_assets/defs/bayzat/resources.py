"""Bayzat's attendance API: one POST of at most 20 records, paced per API key, its answer read per record.

Each company has its own key and URL (``bayzat_configs``), so the resource holds the push settings and
opens a client per company. The pacing belongs to the key: every client of one key, in every run and process,
shares one budget through the warehouse, and different companies' keys run side by side. A 429 is waited out as
Bayzat says (never as an instant retry); a 5xx, a timeout or a dropped connection is not retried here but returned,
because its records are retried on their own schedule (minutes to a day later, ``retries.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, NonNegativeInt, PositiveFloat, PositiveInt

from hr_assets.defs.bayzat.answers import DUPLICATE_PHRASES, DuplicateWording, Verdict, read_answer
from hr_assets.defs.bayzat.configs import BayzatAccount
from hr_assets.lib.api_resource import BudgetedResource
from hr_assets.lib.http import ApiClient, ApiError, ApiUnavailable, ClientStats
from hr_assets.lib.integration import NotConfigured, required

API = "Bayzat"
SECRET_KEY_LENGTH = 32
_THROTTLED_ATTEMPTS = 8  # a 429 is retried this many times (each waiting as told) before the request counts as failed
_ANSWERS_ABOUT_RECORDS = (400, 409, 422)  # the refusals that say something of the records sent; a 2xx always does


@dataclass(frozen=True)
class Answer:
    """What Bayzat did with one request.

    ``answered``: Bayzat read it and said, of each record, what ``verdicts`` hold (``answers.py``: stored, already
    there, refused with its reason, not stored, or unknown). ``unauthorized``: the key is not valid. ``unavailable``:
    no verdict (5xx, timeout, dropped connection, throttled past all patience, an answer about no record such as a
    404); the records may or may not have arrived.
    """

    outcome: Literal["answered", "unauthorized", "unavailable"]
    message: str = ""
    verdicts: list[Verdict] = field(default_factory=list)


class BayzatClient:
    def __init__(self, api: ApiClient, path: str, wording: DuplicateWording) -> None:
        self._api = api
        self._path = path
        self._wording = wording

    @property
    def stats(self) -> ClientStats:
        return self._api.stats

    def send(self, records: list[dict[str, str]]) -> Answer:
        """Post the records and read the answer, a 200 as much as a rejection: nothing is taken as stored unless
        Bayzat says so."""
        try:
            response = self._api.request("POST", self._path, json={"records": records})
        except ApiUnavailable as exc:
            return Answer("unavailable", str(exc))
        except ApiError as exc:  # ApiRetriesExhausted too: throttled past all patience
            if exc.status == 401:
                return Answer("unauthorized", str(exc))
            if exc.status in _ANSWERS_ABOUT_RECORDS:
                return Answer("answered", str(exc), read_answer(exc.status, exc.body, records, self._wording))
            return Answer("unavailable", str(exc))
        body = self._api.body_of(response)
        return Answer(
            "answered",
            f"Bayzat answered {response.status_code}",
            read_answer(response.status_code, body, records, self._wording),
        )


def _phrases(text: str) -> tuple[str, ...]:
    return tuple(phrase.strip() for phrase in text.split("|") if phrase.strip())


class BayzatResource(BudgetedResource):
    """The push's settings (``BAYZAT_*``), and ``HR_SECRET_KEY`` (``hr_secret_key``), which the companies' API keys
    are stored encrypted with (``bayzat_configs``): without it no key can be stored or read."""

    integration = API
    env_prefix = "BAYZAT_"

    hr_secret_key: str | None = required(
        f"Encrypts the companies' stored API keys: at least {SECRET_KEY_LENGTH} characters (e.g. openssl rand -base64 "
        "32). Keep it safe: a lost key means configuring every company's key again.",
        secret=True,
    )
    default_api_url: str = Field(
        "https://integration.bayzat.com/attendance",
        description="A company's API, unless hr-assets bayzat configure --api-url says otherwise.",
    )
    rate_limit_delay: PositiveFloat = Field(1.0, description="Seconds between two requests of one API key.")
    max_records_per_request: PositiveInt = Field(20, description="Records sent in one request.")
    max_retry_attempts: NonNegativeInt = Field(
        5, description="Retries of a record Bayzat did not answer for, or answered unreadably."
    )
    timeout_seconds: PositiveFloat = Field(30.0, description="A request's timeout, in seconds.")
    lease_seconds: PositiveFloat = Field(
        120.0, description="How long a dead run's hold on a company's push lasts before another run takes over."
    )
    duplicate_phrases: str = Field(
        "",
        description=(
            "More wordings by which Bayzat says it already has a record, separated by '|' (any case), added to "
            + ", ".join(f"'{phrase}'" for phrase in DUPLICATE_PHRASES)
            + "."
        ),
    )

    def check_settings(self) -> None:
        if self.hr_secret_key is not None and len(self.hr_secret_key) < SECRET_KEY_LENGTH:
            raise NotConfigured(
                f"Bayzat is misconfigured: HR_SECRET_KEY: String should have at least {SECRET_KEY_LENGTH} characters"
            )

    @property
    def wording(self) -> DuplicateWording:
        return DuplicateWording(_phrases(self.duplicate_phrases))

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
            shared_through=self.shared_through(),
            timeout_s=self.timeout_seconds,
            max_attempts=_THROTTLED_ATTEMPTS,
            retry_unavailable=False,
        ) as api:
            yield BayzatClient(api, url.path or "/", self.wording)

    def test_connection(self, account: BayzatAccount) -> str | None:
        """Why Bayzat does not take the key, or None when it does: asked about an empty request, a valid key gets an
        answer ("no records", 400), an invalid one 401."""
        with self.client(account) as client:
            answer = client.send([])
        return None if answer.outcome == "answered" else answer.message
