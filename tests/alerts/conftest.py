"""The loopback webhook, and the Paycom sandbox the notified runs sync from (on SQLite: the alerts do not touch
the warehouse)."""

from pathlib import Path

import pytest

from tests.paycom.conftest import generated_pushes, paycom_sandbox, platform_env  # noqa: F401 - shared fixtures
from tests.webhook_receiver import webhook  # noqa: F401 - shared fixture


@pytest.fixture
def warehouse_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'warehouse.db'}"
