"""Posting a message to a Slack-compatible incoming webhook (``{"text": ...}``) through the project's HTTP client.

A webhook's URL is its credential, so it never appears in a log line or an error: the client is made on the
URL's origin with ``secret_paths``, so its retries (429, 5xx, timeouts) log ``[redacted]`` for the path.
Its attempts and waits are few and short, so a sensor tick stays well within its time limit.
"""

import httpx

from hr_assets.lib.http import ApiClient

API = "HR_NOTIFY_WEBHOOK_URL"
TIMEOUT_S = 10.0
MAX_ATTEMPTS = 3
BACKOFF_MAX_S = 5.0


def post_text(webhook_url: str, text: str) -> None:
    """Raises ``ApiError`` (one line: the status and the server's answer) when the webhook refuses the message,
    ``ApiRetriesExhausted`` when it still throttles, fails or times out after ``MAX_ATTEMPTS``."""
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
