"""Deployments that use one vendor, made as a company makes them: only that vendor's settings in the environment
(and DAGSTER_HOME), the warehouse at its SQLite default. A Paycom-only one syncs a week from the command line and
through the daemon the UI uses; a Bayzat-only one imports a fingerprint file and pushes it."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from hr_assets.defs.bayzat.store import status_counts
from hr_assets.lib.webserver import launch_asset_backfill
from hr_assets.warehouse.engine import warehouse_engine
from hr_assets.warehouse.tables import paycom_employees
from hr_sandbox.bayzat import BayzatSandbox
from hr_sandbox.http_server import SandboxHttpServer
from hr_sandbox.paycom import PaycomSandbox
from tests.conftest import REPO
from tests.paycom.conftest import BASE_EMPLOYEES, WEEKS
from tests.running_platform import free_port, stop_group, wait_for_backfill, wait_until_serving

pytestmark = [pytest.mark.commands, pytest.mark.twins]

BIN = Path(sys.executable).parent
BAYZAT_KEY = "bayzat-key-acme-3e1d9b07"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    return home


def only(settings: dict[str, str], home: Path) -> dict[str, str]:
    """A process environment holding these settings and the instance folder, and nothing else of ours."""
    return {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(home.parent), "DAGSTER_HOME": str(home), **settings}


def hr_assets(environment: dict[str, str], *arguments: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "hr-assets"), *arguments], env=environment, input=stdin, capture_output=True, text=True, timeout=300
    )


def roster_size(home: Path) -> int:
    with warehouse_engine(f"sqlite:///{home / 'warehouse.db'}").connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(paycom_employees)).scalar_one()


def test_a_paycom_only_deployment_syncs_a_week_from_the_command_line(paycom_sandbox: PaycomSandbox, home: Path) -> None:
    environment = only(paycom_sandbox.environment(), home)
    status = hr_assets(environment, "status")
    assert status.returncode == 0, status.stderr
    assert "Paycom                     configured" in status.stdout
    assert "Holded                     not configured: HOLDED_API_KEY is not set" in status.stdout

    synced = hr_assets(environment, "paycom", "sync", "--in-process", "--week", WEEKS[2].isoformat())
    assert synced.returncode == 0, synced.stderr
    assert roster_size(home) > BASE_EMPLOYEES / 2


@pytest.fixture
def paycom_only_platform(paycom_sandbox: PaycomSandbox, home: Path) -> Iterator[str]:
    """The web UI and the daemon (``dagster dev``) of a deployment with only Paycom's settings."""
    port = free_port()
    log = home.parent / "dagster-dev.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(BIN / "dagster"), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=REPO,
            env=only(paycom_sandbox.environment(), home),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(f"{url}/server_info", process, log)
        yield url
    finally:
        stop_group(process)


@pytest.mark.platform
def test_a_paycom_only_deployment_syncs_a_week_through_the_daemon(paycom_only_platform: str, home: Path) -> None:
    assets = ["paycom_roster_files", "paycom_employees", "scheduling_staff"]
    backfill_id = launch_asset_backfill(paycom_only_platform, assets, [WEEKS[2].isoformat()], "paycom only")
    assert wait_for_backfill(paycom_only_platform, backfill_id, timeout_s=300) == "COMPLETED_SUCCESS"
    assert roster_size(home) > BASE_EMPLOYEES / 2


@pytest.fixture
def bayzat_twin() -> Iterator[tuple[BayzatSandbox, str]]:
    twin = BayzatSandbox(api_keys=[BAYZAT_KEY], rate_limit_per_second=20)
    with SandboxHttpServer(twin) as server:
        yield twin, f"{server.url}/attendance"


def test_a_bayzat_only_deployment_imports_a_file_and_pushes_it(
    bayzat_twin: tuple[BayzatSandbox, str], home: Path
) -> None:
    twin, url = bayzat_twin
    environment = only(
        {
            "HR_SECRET_KEY": "a-secret-key-for-the-bayzat-only-deployment",
            "BAYZAT_DEFAULT_API_URL": url,
            "BAYZAT_RATE_LIMIT_DELAY": "0.06",
        },
        home,
    )
    for arguments in (
        ["companies", "add", "--slug", "acme", "--name-en", "Acme", "--fingerprint-name", "Acme HQ",
         "--timezone", "Asia/Dubai"],
        ["companies", "add", "--slug", "gulfcare", "--name-en", "Gulf Care", "--timezone", "Asia/Dubai"],
    ):  # fmt: skip
        added = hr_assets(environment, *arguments)
        assert added.returncode == 0, added.stderr
    configured = hr_assets(environment, "bayzat", "configure", "--company", "acme", stdin=BAYZAT_KEY)
    assert configured.returncode == 0, configured.stderr

    monday = dt.date(2026, 3, 2)
    rows = [f"E{n:03d},Name{n},Acme HQ,{monday + dt.timedelta(days=d)},08:5{d},17:0{d}" for n in (7, 8) for d in (0, 1)]
    rows.append(f"E009,Name9,Nowhere Ltd,{monday},09:00,17:00")  # a department no company maps
    report = home.parent / "acme-week.csv"
    report.write_text("Employee ID,First Name,Department,Date,Check In,Check Out\n" + "\n".join(rows) + "\n")
    imported = hr_assets(environment, "attendance", "import", "--in-process", str(report))
    assert imported.returncode == 0, imported.stderr
    assert "5 rows, 4 valid, 1 invalid" in imported.stdout  # no Paycom: the device's ids are the codes
    assert imported.stdout.endswith("map-department DEPT --company SLUG):\n- Nowhere Ltd\n")

    pushed = hr_assets(environment, "bayzat", "push", "--in-process", "--company", "acme")
    assert pushed.returncode == 0, pushed.stderr
    assert "synced 4" in pushed.stdout
    assert sorted({record.emp_id for record in twin.accepted(BAYZAT_KEY)}) == ["E007", "E008"]
    with warehouse_engine(f"sqlite:///{home / 'warehouse.db'}").connect() as connection:
        statuses = status_counts(connection)
    assert statuses == {"synced": 4, "skipped": 1}

    without_account = hr_assets(environment, "bayzat", "push", "--company", "gulfcare")
    assert (without_account.returncode, without_account.stdout) == (1, "")
    assert without_account.stderr.splitlines() == [
        "Error: gulfcare has no Bayzat account: configure one with hr-assets bayzat configure --company gulfcare"
    ]
