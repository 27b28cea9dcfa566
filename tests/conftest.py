"""Fixtures shared by the whole suite: real databases, a real Dagster instance, the sandbox servers.

PostgreSQL is required: a test that needs it fails (never skips) when 127.0.0.1:5432 is down.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import sqlalchemy as sa

from hr_sandbox.http_server import SandboxHttpServer
from hr_sandbox.sftp_server import SandboxSftpServer

REPO = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN_URL = os.environ.get("HR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def master_employee(code: str, now: dt.datetime, **fields: object) -> dict[str, object]:
    """A row of ``paycom_employees`` as a Paycom sync of the week before ``now`` would have left it."""
    return {
        "employee_code": code,
        "status": "active",
        "created_at": now,
        "updated_at": now,
        "last_synced_at": now,
        "last_synced_week": now.date() - dt.timedelta(days=(now.weekday() - 4) % 7 or 7),
        **fields,
    }


def pytest_configure(config: pytest.Config) -> None:
    """Under ``faketime`` (``make test-shifted-clock``), make sure the clock really moved: a file's mtime is the
    kernel's real time, so the process clock must be days away from it."""
    if "FAKETIME" not in os.environ:
        return
    with tempfile.NamedTemporaryFile() as probe:
        shift = time.time() - os.stat(probe.name).st_mtime
    if abs(shift) < 86_400:
        raise pytest.UsageError(f"FAKETIME={os.environ['FAKETIME']} is set but the clock moved only {shift:.0f} s")


# The fixtures that start a loopback twin of a vendor: a test using one is in the `twins` tier (pyproject's markers).
TWIN_FIXTURES = {"paycom_sandbox", "bayzat_sandbox", "revenue_sandbox", "webhook"}

# The in-process modules whose tests take seconds each (a Dagster instance running jobs, generated corpora of Numbers
# documents, hypothesis over whole runs): the `slow` tier, which CI runs and `make test-fast` leaves out to stay under
# 90 s. A slow test of another module is marked `slow` itself.
SLOW_MODULES = {
    "tests/accruals/test_any_order.py",
    "tests/paycom/test_bad_input_corpus.py",
    "tests/paycom/test_staff_hours.py",
    "tests/payroll/test_asset.py",
    "tests/payroll/test_exactly_once.py",
    "tests/sandbox/test_paycom_reports.py",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tiers a test's place and fixtures put it in (docs/development.md#tests)."""
    unit = REPO / "tests" / "unit"
    for item in items:
        if item.path.is_relative_to(unit):
            item.add_marker(pytest.mark.unit)
        if TWIN_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.twins)
        if item.path.relative_to(REPO).as_posix() in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _twins_only_in_their_tier(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test outside the `twins` tier that starts a twin fails, so `make test-fast` (no twins) stays honest: mark
    it `twins`, or use a twin's fixture (TWIN_FIXTURES)."""
    if request.node.get_closest_marker("twins"):
        return

    def refuse(*_args: object, **_kwargs: object) -> None:
        pytest.fail(f"{request.node.nodeid} starts a vendor twin but is not marked twins (tests/conftest.py)")

    for server in (SandboxHttpServer, SandboxSftpServer):
        monkeypatch.setattr(server, "start", refuse)


# The platform's own settings: a test sets the ones it means, so none may come from the shell it runs in.
PLATFORM_PREFIXES = ("HR_", "PAYCOM_", "HOLDED_", "FOURGEEKS_", "NOTION_", "BAYZAT_", "ATTENDANCE_")


@pytest.fixture(autouse=True)
def _no_platform_settings_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nor the machine's zone, HR_TIMEZONE's default: every test runs as on a machine set to UTC."""
    for name in list(os.environ):
        if name.startswith(PLATFORM_PREFIXES) and name != "HR_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("TZ", "UTC")


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[sa.Engine]:
    engine = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL is required at {POSTGRES_ADMIN_URL} and did not answer: {exc.orig}")
    yield engine
    engine.dispose()


@pytest.fixture
def make_postgres_database(postgres_admin: sa.Engine) -> Iterator[Callable[[], str]]:
    """Creates fresh, empty PostgreSQL databases for one test (dropped afterwards); returns their URLs."""
    names: list[str] = []

    def make() -> str:
        name = f"hr_test_{uuid.uuid4().hex[:12]}"
        with postgres_admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        names.append(name)
        return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    yield make
    with postgres_admin.connect() as connection:  # FORCE ends the connections the test's engines still pool
        for name in names:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The warehouse on each database the platform supports (``ON_SQLITE`` narrows a test to one)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'warehouse.db'}"
    return request.getfixturevalue("make_postgres_database")()


# One database is enough where the dialect does not matter: what the test checks is the same code on both, and the
# statements under it (upserts, claims, leases, locks, widths) are run on PostgreSQL by the tests that keep both.
ON_SQLITE = pytest.mark.parametrize("warehouse_url", ["sqlite"], indirect=True)


@pytest.fixture
def dagster_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real instance on disk, configured as the repository's dagster_home is."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


@pytest.fixture
def instance(dagster_home: Path) -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.get() as instance:
        yield instance


def materialized(result: dg.ExecuteInProcessResult) -> dict[str, dict[str, Any]]:
    """Each materialized asset's metadata values, by asset name."""
    return {
        event.step_materialization_data.materialization.asset_key.to_user_string(): {
            key: value.value for key, value in event.step_materialization_data.materialization.metadata.items()
        }
        for event in result.get_asset_materialization_events()
    }
