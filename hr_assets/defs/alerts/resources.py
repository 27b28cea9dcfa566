"""The notifications' webhook: a Slack-compatible incoming webhook (``{"text": ...}``), posted to through the
project's HTTP client (``HR_NOTIFY_WEBHOOK_URL``), and the UI address its links point at (``HR_DAGSTER_URL``).

A webhook's URL is its credential, so it never appears in a log line or an error: the client is made on the
URL's origin with ``secret_paths``, so its retries (429, 5xx, timeouts) log ``[redacted]`` for the path.
Its attempts and waits are few and short, so a sensor tick stays well within its time limit.
"""

import httpx
from pydantic import AnyHttpUrl, Field, TypeAdapter, ValidationError

from hr_assets.lib.http import ApiClient
from hr_assets.lib.integration import IntegrationResource, NotConfigured, required

API = "HR_NOTIFY_WEBHOOK_URL"
TIMEOUT_S = 10.0
MAX_ATTEMPTS = 3
BACKOFF_MAX_S = 5.0
DEFAULT_FAILURE_RATE = 0.05
_URL = TypeAdapter(AnyHttpUrl)


class NotifyResource(IntegrationResource):
    """The sync jobs' notifications (``HR_NOTIFY_*``), and the address of the web UI (``HR_DAGSTER_URL``).
    Notifications are sent when the webhook is set."""

    integration = "The notification webhook"
    env_prefix = "HR_NOTIFY_"

    webhook_url: str | None = required(
        "A Slack-compatible incoming webhook (http(s) URL, a credential) for the sync jobs' success and failure "
        "notifications; without it nothing is sent.",
        secret=True,
    )
    hr_dagster_url: str | None = Field(
        None,
        description=(
            "The web UI (http(s) URL) as people open it: the webserver the commands queue their runs through "
            "(unless --in-process), hr-assets sync launches backfills on and the API's start_sync submits to "
            "(default http://127.0.0.1:3000), which must serve DAGSTER_HOME's instance; and the address of the "
            "links in notifications (none when unset) and commands."
        ),
    )
    failure_rate: float = Field(
        DEFAULT_FAILURE_RATE,
        ge=0,
        le=1,
        description=(
            "The share of a company's due records that may fail in one push before the notification says it needs "
            "attention (0 to 1)."
        ),
    )

    def check_settings(self) -> None:
        for field in ("webhook_url", "hr_dagster_url"):
            if (url := getattr(self, field)) is not None:
                try:
                    _URL.validate_python(url)
                except ValidationError as exc:
                    error = exc.errors(include_input=False, include_url=False)[0]
                    raise NotConfigured(
                        f"{self.integration} is misconfigured: {self.env_name(field)}: {error['msg']}"
                    ) from None

    def run_url(self, run_id: str) -> str | None:
        return f"{self.hr_dagster_url.rstrip('/')}/runs/{run_id}" if self.hr_dagster_url else None

    def post_text(self, text: str) -> None:
        """Raises ``ApiError`` (one line: the status and the server's answer) when the webhook refuses the message,
        ``ApiRetriesExhausted`` when it still throttles, fails or times out after ``MAX_ATTEMPTS``."""
        webhook_url = self.setting(self.webhook_url)
        url = httpx.URL(webhook_url)
        origin = str(url.copy_with(path="/", query=None, fragment=None))
        with ApiClient(
            API,
            origin,
            headers={},
            rate_limit_per_second=1.0,
            limiter_key=webhook_url,
            timeout_s=TIMEOUT_S,
            max_attempts=MAX_ATTEMPTS,
            backoff_max_s=BACKOFF_MAX_S,
            secret_paths=True,
        ) as client:
            client.request("POST", url.raw_path.decode(), json={"text": text})
