"""The notifications' webhook: a Slack-compatible incoming webhook (``{"text": ...}``), posted to through the
project's HTTP client (``HR_NOTIFY_WEBHOOK_URL``), and the UI address its links point at (``HR_DAGSTER_URL``).

A webhook's URL is its credential, so it never appears in a log line or an error: the client is made on the
URL's origin with ``secret_paths``, so its retries (429, 5xx, timeouts) log ``[redacted]`` for the path.
Its attempts and waits are few and short, so a sensor tick stays well within its time limit.
"""

from typing import Annotated

import dagster as dg
import httpx
from pydantic import AnyHttpUrl, Field

from hr_assets.lib.http import ApiClient
from hr_assets.lib.integration import IntegrationResource

API = "HR_NOTIFY_WEBHOOK_URL"
TIMEOUT_S = 10.0
MAX_ATTEMPTS = 3
BACKOFF_MAX_S = 5.0
DEFAULT_FAILURE_RATE = 0.05


class NotifyResource(IntegrationResource):
    integration = "The notification webhook"
    env_prefix = "HR_"
    env_names = {"webhook_url": "HR_NOTIFY_WEBHOOK_URL", "failure_rate": "HR_NOTIFY_FAILURE_RATE"}
    settings = ("webhook_url", "dagster_url", "failure_rate")
    required = ("webhook_url",)
    kinds = {"webhook_url": AnyHttpUrl, "dagster_url": AnyHttpUrl, "failure_rate": Annotated[float, Field(ge=0, le=1)]}

    webhook_url: str | None = Field(None, description="HR_NOTIFY_WEBHOOK_URL: the webhook, a credential never shown.")
    dagster_url: str | None = Field(None, description="The web UI as people open it, for links to runs.")
    failure_rate: str | None = Field(
        None,
        description=(
            "HR_NOTIFY_FAILURE_RATE: the share of a company's due records that may fail in one push before the "
            f"notification says it needs attention (0 to 1; default {DEFAULT_FAILURE_RATE})."
        ),
    )

    def attention_failure_rate(self) -> float:
        rate = self.setting("failure_rate")
        return DEFAULT_FAILURE_RATE if rate is None else rate

    def run_url(self, run_id: str) -> str | None:
        return f"{self.dagster_url.rstrip('/')}/runs/{run_id}" if self.dagster_url else None

    def post_text(self, text: str) -> None:
        """Raises ``ApiError`` (one line: the status and the server's answer) when the webhook refuses the message,
        ``ApiRetriesExhausted`` when it still throttles, fails or times out after ``MAX_ATTEMPTS``."""
        self.check()
        url = httpx.URL(self.webhook_url)
        origin = str(url.copy_with(path="/", query=None, fragment=None))
        with ApiClient(
            API,
            origin,
            headers={},
            rate_limit_per_second=1.0,
            limiter_key=self.webhook_url,
            timeout_s=TIMEOUT_S,
            max_attempts=MAX_ATTEMPTS,
            backoff_max_s=BACKOFF_MAX_S,
            secret_paths=True,
        ) as client:
            client.request("POST", url.raw_path.decode(), json={"text": text})


@dg.definitions
def notify_resources() -> dg.Definitions:
    return dg.Definitions(resources={"notify": NotifyResource.from_environment()})
