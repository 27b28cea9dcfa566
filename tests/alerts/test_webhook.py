"""The webhook post retries through the shared HTTP client without its secret path reaching a log record."""

import logging

import pytest

from hr_assets.defs.alerts.resources import NotifyResource
from tests.webhook_receiver import SECRET_PATH, WebhookReceiver


def test_a_post_answered_500_is_retried_and_no_log_record_carries_the_path(
    webhook: WebhookReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    webhook.first_statuses = [500]
    with caplog.at_level(logging.DEBUG):
        NotifyResource(webhook_url=webhook.url).post_text("hr_assets: paycom_sync succeeded")

    assert webhook.posts == [(SECRET_PATH, {"text": "hr_assets: paycom_sync succeeded"})] * 2
    messages = [record.getMessage() for record in caplog.records]
    assert any("HR_NOTIFY_WEBHOOK_URL answered 500" in message for message in messages), messages
    assert any("HTTP Request: POST" in message for message in messages), "httpx's own request lines were captured"
    assert not [message for message in messages if SECRET_PATH in message or "webhook-secret-path" in message]
    assert "webhook-secret-path" not in caplog.text
