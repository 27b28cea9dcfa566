"""``hr-assets api``: the application on uvicorn, at 127.0.0.1 (behind the authenticating proxy)."""

from __future__ import annotations

import uvicorn

from hr_assets.api.app import create_app
from hr_assets.settings import Settings
from hr_assets.warehouse.engine import create_engine, warehouse_engine


def serve(host: str, port: int, dagster_url: str) -> None:
    settings = Settings.from_environment()
    url = settings.resolved_warehouse_url()
    warehouse_engine(url)  # migrated before the first request
    app = create_app(create_engine(url, reads_only=True), settings, dagster_url)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, server_header=False)
