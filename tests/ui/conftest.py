"""One running platform, shared by the browser and the GraphQL tests of this package: the production instance
(`deploy/postgres/dagster.yaml`, dagster-postgres) and the warehouse on PostgreSQL, each in a fresh database
dropped afterwards. The local instance (`dagster_home/dagster.yaml`, SQLite), as `make dev` runs it, is the one
`tests/test_dev_platform.py` and the one-vendor deployments drive.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import POSTGRES_ADMIN_URL, REPO
from tests.running_platform import RunningPlatform, running_platform
from tests.waiting import PAGE_WAIT_MS

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package, installed by .ci/run (make test)
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO / "test-artifacts" / "ui"


def months_back(first: int, count: int, today: dt.date | None = None) -> list[str]:
    """Month partition keys, oldest first: ``count`` months ending ``first`` months before this one."""
    month = (today or dt.date.today()).replace(day=1)
    keys = []
    for _ in range(first):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    for _ in range(count):
        keys.append(month.isoformat())
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return sorted(keys)


@pytest.fixture(scope="package")
def platform(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    directory = tmp_path_factory.mktemp("platform-postgresql")
    admin = request.getfixturevalue("postgres_admin")
    names = [f"hr_ui_{role}_{uuid.uuid4().hex[:10]}" for role in ("dagster", "warehouse")]
    with admin.connect() as connection:
        for name in names:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        with running_platform(
            "postgresql",
            directory,
            REPO / "deploy" / "postgres" / "dagster.yaml",
            DAGSTER_POSTGRES_URL=f"{base}/{names[0]}",
            HR_WAREHOUSE_URL=f"{base}/{names[1]}",
        ) as running:
            yield running
    finally:
        with admin.connect() as connection:  # FORCE ends the connections the platform's processes still hold
            for name in names:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; a missing /usr/bin/chromium fails the test (`make test` installs it)."""
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: run .ci/run, or apt-get install chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, timeout=PAGE_WAIT_MS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, platform: RunningPlatform) -> Iterator[Page]:
    """A fresh browser tab on the platform's UI."""
    context = browser.new_context(base_url=platform.url, viewport={"width": 2400, "height": 1500})
    # Every click, navigation and `expect` waits for its condition up to PAGE_WAIT_MS: Playwright's own defaults (30 s
    # for actions and navigations, 5 s for `expect`) are short for a web UI on a loaded machine.
    context.set_default_timeout(PAGE_WAIT_MS)
    context.set_default_navigation_timeout(PAGE_WAIT_MS)
    expect.set_options(timeout=PAGE_WAIT_MS)
    tab = context.new_page()
    yield tab
    context.close()
