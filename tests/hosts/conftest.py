"""One deployment on several hosts, shared by this package's tests (one worker: ``xdist_group("hosts")``).

Five hosts (tests/hosts/network.py), each a network namespace with its own disk and /tmp, started as
docs/deployment.md "Several hosts" says: PostgreSQL and the compute log store (moto's S3) on ``db``; the vendors'
twins on ``vendors`` (``hr-sandbox serve --host``); ``dagster instance migrate`` first, then the code server
(``dagster api grpc -h 0.0.0.0``) on ``code``, the web UI on ``web`` and the daemon on ``daemon``, each with the
instance settings of deploy/hosts/dagster.yaml in ``DAGSTER_HOME=/srv/dagster_home`` and only the settings the docs
give that host. Runs are launched through the web UI; the daemon's run launcher runs them on the code host.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from hr_sandbox.attendance import DEMO_COMPANIES
from tests.conftest import REPO
from tests.hosts.network import INSIDE, Host, Network, hosts
from tests.running_platform import LOCATION_STATUS, graphql, sandbox_environment
from tests.servers import S3_KEY_ID, S3_SECRET, create_databases, s3_client, s3_server, stop, throwaway_postgres

BIN = Path(sys.executable).parent  # the installed platform, the same on every host
NAMES = ("db", "vendors", "code", "web", "daemon")
DAGSTER_HOME = INSIDE / "dagster_home"  # the same writable path on every Dagster host
WORKSPACE = INSIDE / "workspace.yaml"
INBOX = INSIDE / "inbox"
KNOWN_HOSTS = INSIDE / "known_hosts"
# The code server and the web UI listen on every interface of their hosts, as the docs start them.
EVERY_INTERFACE = "0.0.0.0"  # noqa: S104
CODE_PORT, WEB_PORT, S3_PORT, PAYCOM_PORT = 4000, 3000, 9000, 2222
COMPUTE_LOGS_BUCKET = "hr-assets-compute-logs"
START_TIMEOUT_S = 300
ARTIFACTS = REPO / "test-artifacts" / "hosts"
LOGS = {"vendors": "sandbox.log", "code": "code.log", "web": "web.log", "daemon": "daemon.log"}


@dataclass
class HostPlatform:
    """The deployment: its hosts, where its web UI answers, its warehouse, and the settings each host was given."""

    network: Network
    url: str
    warehouse_url: str
    instance: dict[str, str]  # what the web and daemon hosts have
    code: dict[str, str]  # what the code host has besides
    sandbox: Path  # the twins' folder, as the tests see it

    def host(self, name: str) -> Host:
        return self.network.hosts[name]

    def graphql(self, query: str, **variables: Any) -> dict[str, Any]:
        return graphql(self.url, query, **variables)

    def bayzat_keys(self) -> dict[str, str]:
        """The twin's key of each demo company (the vendors host keeps them in its folder)."""
        folder = self.sandbox / "attendance"
        return {company.slug: (folder / f"bayzat_key_{company.slug}").read_text().strip() for company in DEMO_COMPANIES}

    def hr_assets(self, *arguments: str, **settings: str) -> str:
        """An hr-assets command as an operator types it on the code host (the host with every setting)."""
        return self.host("code").run([str(BIN / "hr-assets"), *arguments], {**self.code, **settings})


def base_environment() -> dict[str, str]:
    """What any host's shell has: no setting of ours, no DAGSTER_HOME."""
    return {"PATH": f"{BIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(INSIDE),
            "LANG": "C.UTF-8"}  # fmt: skip


@pytest.fixture(scope="package")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    with hosts(NAMES, tmp_path_factory.mktemp("hosts")) as made:
        try:
            yield made
        finally:
            _keep_logs(made)


@pytest.fixture(scope="package")
def platform(network: Network) -> Iterator[HostPlatform]:
    db, vendors = network.hosts["db"], network.hosts["vendors"]
    with (
        throwaway_postgres(db.address, str(network.subnet), db.place) as postgres,
        s3_server(db.address, db.disk / "s3.log", db.place, S3_PORT) as s3,
    ):
        create_databases(postgres, "dagster", "warehouse")
        s3_client(s3).create_bucket(Bucket=COMPUTE_LOGS_BUCKET)
        twins = _start_vendors(vendors)
        try:
            sandbox = vendors.disk / "sandbox"
            instance = {
                **base_environment(),
                "DAGSTER_HOME": str(DAGSTER_HOME),
                "DAGSTER_POSTGRES_URL": f"{postgres}/dagster",
                "DAGSTER_COMPUTE_LOGS_BUCKET": COMPUTE_LOGS_BUCKET,
                "DAGSTER_COMPUTE_LOGS_ENDPOINT_URL": s3,
                "AWS_ACCESS_KEY_ID": S3_KEY_ID,
                "AWS_SECRET_ACCESS_KEY": S3_SECRET,
            }
            url = f"http://{network.hosts['web'].address}:{WEB_PORT}"
            code = _code_host(network.hosts["code"], instance, sandbox, f"{postgres}/warehouse", url)
            running = HostPlatform(network, url, code["HR_WAREHOUSE_URL"], instance, code, sandbox)
            for name in ("code", "web", "daemon"):
                _dagster_home(network.hosts[name], network.hosts["code"])
            _first_start(running)
            services = _start_services(running)
            try:
                _wait_until_loaded(running, services)
                yield running
            finally:
                for service in services.values():
                    stop(service, signal.SIGTERM)
        finally:
            stop(twins, signal.SIGTERM)


def _start_vendors(vendors: Host) -> subprocess.Popen:
    """The twins, as the docs start them, on the vendors host's address; ready once they printed their settings."""
    process = vendors.start(
        [str(BIN / "hr-sandbox"), "serve", "--host", vendors.address, "--directory", str(INSIDE / "sandbox"),
         "--employees", "30", "--paycom-port", str(PAYCOM_PORT), "--invoices-per-month", "10"],
        base_environment(),
        LOGS["vendors"],
    )  # fmt: skip
    log = vendors.disk / LOGS["vendors"]
    deadline = time.monotonic() + START_TIMEOUT_S
    while "Ctrl-C stops." not in log.read_text():
        assert process.poll() is None, f"hr-sandbox serve exited: {log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"the twins did not start within {START_TIMEOUT_S}s"
        time.sleep(1)
    return process


def _code_host(code: Host, instance: dict[str, str], sandbox: Path, warehouse_url: str, url: str) -> dict[str, str]:
    """The code host's settings: the instance's, the warehouse, every vendor's and HR_SECRET_KEY (as the twins
    printed them), its own copy of the SFTP server's known_hosts file, and its inbox."""
    twins = sandbox_environment(sandbox)
    shutil.copy2(
        sandbox / Path(twins["PAYCOM_SFTP_KNOWN_HOSTS"]).relative_to(INSIDE / "sandbox"), code.disk / "known_hosts"
    )
    (code.disk / "inbox").mkdir()
    return {
        **instance,
        **twins,
        "HR_WAREHOUSE_URL": warehouse_url,
        "PAYCOM_SFTP_KNOWN_HOSTS": str(KNOWN_HOSTS),
        "ATTENDANCE_INBOX_DIRECTORY": str(INBOX),
        "HR_DAGSTER_URL": url,  # the commands' --async and the notifications' links
    }


def _dagster_home(host: Host, code: Host) -> None:
    """deploy/hosts/dagster.yaml in the host's DAGSTER_HOME, and the workspace naming the code server's host."""
    home = host.disk / DAGSTER_HOME.relative_to(INSIDE)
    home.mkdir()
    shutil.copy2(REPO / "deploy" / "hosts" / "dagster.yaml", home / "dagster.yaml")
    (host.disk / "workspace.yaml").write_text(
        "load_from:\n"
        f"  - grpc_server:\n      host: {code.address}\n      port: {CODE_PORT}\n      location_name: hr_assets\n"
    )


def _first_start(platform: HostPlatform) -> None:
    """The instance's schema first (two services on an empty instance race to make it), then the demo companies with
    their Bayzat accounts (each key from an environment variable, checked with the twin)."""
    platform.host("daemon").run([str(BIN / "dagster"), "instance", "migrate"], platform.instance)
    keys = platform.bayzat_keys()
    for company in DEMO_COMPANIES:
        platform.hr_assets("companies", "add", "--slug", company.slug, "--name-en", company.name_en,
                           "--fingerprint-name", company.department, "--timezone", company.timezone)  # fmt: skip
        variable = f"BAYZAT_KEY_{company.slug.upper()}"
        platform.hr_assets(
            "bayzat",
            "configure",
            "--company",
            company.slug,
            "--api-key-env",
            variable,
            "--sync-frequency",
            "hourly",
            **{variable: keys[company.slug]},
        )


def _start_services(platform: HostPlatform) -> dict[str, subprocess.Popen]:
    """The code server on every interface of the code host, then the web UI and the daemon on theirs."""
    code, web, daemon = (platform.host(name) for name in ("code", "web", "daemon"))
    started = {
        "code": code.start(
            [
                str(BIN / "dagster"),
                "api",
                "grpc",
                "-m",
                "hr_assets.definitions",
                "-h",
                EVERY_INTERFACE,
                "-p",
                str(CODE_PORT),
            ],
            platform.code,
            LOGS["code"],
        )
    }
    _wait_until_listening(code, CODE_PORT, started["code"])
    started["web"] = web.start(
        [str(BIN / "dagster-webserver"), "-w", str(WORKSPACE), "-h", EVERY_INTERFACE, "-p", str(WEB_PORT)],
        platform.instance,
        LOGS["web"],
    )
    started["daemon"] = daemon.start(
        [str(BIN / "dagster-daemon"), "run", "-w", str(WORKSPACE)], platform.instance, LOGS["daemon"]
    )
    return started


def _wait_until_listening(host: Host, port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            socket.create_connection((host.address, port), timeout=5).close()
            return
        except OSError:
            assert process.poll() is None, (
                f"{host.name}'s server exited: {(host.disk / LOGS[host.name]).read_text()[-3000:]}"
            )
            assert time.monotonic() < deadline, f"nothing listens on {host.name}:{port} after {START_TIMEOUT_S}s"
            time.sleep(1)


def _wait_until_loaded(platform: HostPlatform, services: dict[str, subprocess.Popen]) -> None:
    """The web UI answers and has loaded the code location from the code host."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            entries = platform.graphql(LOCATION_STATUS)["workspaceOrError"]["locationEntries"]
            loaded = [(entry["loadStatus"], entry["locationOrLoadError"]["__typename"]) for entry in entries]
            if loaded == [("LOADED", "RepositoryLocation")]:
                return
        except httpx.HTTPError:
            pass
        for name, process in services.items():
            log = platform.host(name).disk / LOGS[name]
            assert process.poll() is None, f"{name} exited: {log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"the code location did not load within {START_TIMEOUT_S}s"
        time.sleep(2)


def _keep_logs(network: Network) -> None:
    """Each service's output, for whoever reads a failure (test-artifacts/hosts)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, log in LOGS.items():
        path = network.hosts[name].disk / log
        if path.exists():
            shutil.copy2(path, ARTIFACTS / f"{name}.log")
