"""One deployment in containers, shared by this package's tests (one worker: ``xdist_group("containers")``).

A Docker daemon of the tests' own builds the image once from a Debian bookworm base made here (debootstrap, cached),
then runs it as a deployment would: ``dagster instance migrate`` and the companies' set-up in one-off containers,
then the code server, the web UI and the daemon, each in a container of the image, with the instance settings of
``deploy/containers`` and the daemon starting each run in a container of its own. The vendor twins, a throwaway
PostgreSQL and moto's S3 listen on the bridge's address on this machine, where the containers reach them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from hr_sandbox.attendance import DEMO_COMPANIES
from hr_sandbox.platform import PlatformSandbox
from tests.conftest import REPO
from tests.containers.base_image import cache_directory, import_base, root_filesystem
from tests.containers.docker_daemon import DockerDaemon, start_daemon
from tests.running_platform import LOCATION_STATUS, graphql
from tests.servers import (
    S3_KEY_ID,
    S3_SECRET,
    create_databases,
    postgres_binaries,
    s3_client,
    s3_server,
    throwaway_postgres,
)

IMAGE = "hr-assets:test"
IMAGE_UID = IMAGE_GID = 10001  # the image's user and group (Dockerfile)
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")  # the machine's, for pip behind a TLS-inspecting proxy
DEPLOY = REPO / "deploy" / "containers"
ARTIFACTS = REPO / "test-artifacts" / "containers"
COMPUTE_LOGS_BUCKET = "hr-assets-compute-logs"
# Where the containers see what the code location reads from the Docker host's disk.
KNOWN_HOSTS = "/etc/hr_assets/known_hosts"
INBOX = "/var/lib/hr_assets/inbox"
CODE, WEB, DAEMON = "hr-assets-code", "hr-assets-web", "hr-assets-daemon"  # the code server's name: workspace.yaml
SERVICES = (CODE, WEB, DAEMON)
WEB_PORT = 3000
START_TIMEOUT_S = 300


@pytest.fixture(scope="package")
def docker() -> Iterator[DockerDaemon]:
    daemon = start_daemon(socket_group=IMAGE_GID)
    try:
        yield daemon
    finally:
        daemon.stop()


@pytest.fixture(scope="package")
def image(docker: DockerDaemon) -> str:
    """The repository's Dockerfile built on the plain bookworm base: what `docker build` makes of it elsewhere."""
    base = import_base(docker, root_filesystem(cache_directory()))
    build = ["build", "--network=host", f"--build-arg=BASE={base}", f"--tag={IMAGE}"]
    if CA_BUNDLE.exists():
        build.append(f"--secret=id=ca_bundle,src={CA_BUNDLE}")
    docker(*build, str(REPO), timeout_s=1800)
    return IMAGE


@dataclass
class Servers:
    postgres: str  # the throwaway cluster's URL, without a database
    s3: str  # moto's endpoint
    sandbox: PlatformSandbox
    environment: dict[str, str]  # the twins' settings, as the sandbox prints them


@pytest.fixture(scope="package")
def servers(docker: DockerDaemon, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    folder = tmp_path_factory.mktemp("servers")
    with (
        throwaway_postgres(docker.gateway, str(docker.subnet)) as postgres,
        s3_server(docker.gateway, folder / "s3.log") as s3,
    ):
        create_databases(postgres, "dagster", "warehouse")
        s3_client(s3).create_bucket(Bucket=COMPUTE_LOGS_BUCKET)
        sandbox = PlatformSandbox(
            folder / "sandbox", employees=30, paycom_port=0, invoices_per_month=10, host=docker.gateway
        )
        environment = sandbox.start()
        try:
            yield Servers(postgres, s3, sandbox, environment)
        finally:
            sandbox.stop()


@dataclass
class ContainerPlatform:
    """The deployment: where its web UI answers, its warehouse, the twins, and the inbox on the Docker host."""

    docker: DockerDaemon
    url: str
    warehouse_url: str
    servers: Servers
    inbox: Path

    def instance_dump(self) -> str:
        """Everything the instance's database holds (runs, events, schedules' and sensors' state), as SQL text."""
        dump = subprocess.run(
            [str(postgres_binaries() / "pg_dump"), "--data-only", f"--dbname={self.servers.postgres}/dagster"],
            capture_output=True,
            text=True,
            check=True,
        )
        return dump.stdout

    def step_outputs(self) -> dict[str, str]:
        """Every object in the compute log store, by its key."""
        client = s3_client(self.servers.s3)
        keys = [item["Key"] for item in client.list_objects_v2(Bucket=COMPUTE_LOGS_BUCKET).get("Contents", [])]
        return {key: client.get_object(Bucket=COMPUTE_LOGS_BUCKET, Key=key)["Body"].read().decode() for key in keys}

    def service_output(self) -> dict[str, str]:
        """What the code server, the web UI and the daemon printed."""
        printed = {name: self.docker("logs", name) for name in SERVICES}
        return {name: logs.stdout + logs.stderr for name, logs in printed.items()}

    def graphql(self, query: str, **variables: Any) -> dict[str, Any]:
        return graphql(self.url, query, **variables)


def instance_settings(docker: DockerDaemon, servers: Servers) -> dict[str, str]:
    """What deploy/containers/dagster.yaml names: every container that loads the instance needs them."""
    return {
        "DAGSTER_POSTGRES_URL": f"{servers.postgres}/dagster",
        "DAGSTER_COMPUTE_LOGS_BUCKET": COMPUTE_LOGS_BUCKET,
        "DAGSTER_COMPUTE_LOGS_ENDPOINT_URL": servers.s3,
        "DAGSTER_DOCKER_NETWORK": docker.network,
        "AWS_ACCESS_KEY_ID": S3_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET,
    }


def code_settings(servers: Servers) -> dict[str, str]:
    """The code location's settings: the warehouse, the secret key and every vendor's, with the container's paths."""
    return {
        **servers.environment,
        "HR_WAREHOUSE_URL": f"{servers.postgres}/warehouse",
        "PAYCOM_SFTP_KNOWN_HOSTS": KNOWN_HOSTS,
        "ATTENDANCE_INBOX_DIRECTORY": INBOX,
    }


def write_env_file(path: Path, settings: dict[str, str]) -> Path:
    """Docker's --env-file format: NAME=value lines, the value taken as it is."""
    path.touch(mode=0o600)
    path.write_text("".join(f"{name}={value}\n" for name, value in settings.items()))
    return path


@dataclass(frozen=True)
class Options:
    """The `docker run` options the deployment's containers share."""

    network: str
    instance: tuple[str, ...]  # the instance's settings and its dagster.yaml: what every service loads
    code: tuple[str, ...]  # the code location's settings: what the code server has and the daemon passes to runs
    workspace: str


@pytest.fixture(scope="package")
def platform(
    docker: DockerDaemon, image: str, servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ContainerPlatform]:
    folder = tmp_path_factory.mktemp("deployment")
    code = code_settings(servers)
    options = Options(
        network=f"--network={docker.network}",
        instance=(
            f"--env-file={write_env_file(folder / 'instance.env', instance_settings(docker, servers))}",
            f"--volume={DEPLOY / 'dagster.yaml'}:/opt/dagster/home/dagster.yaml:ro",
        ),
        code=(f"--env-file={write_env_file(folder / 'code.env', code)}",),
        workspace=f"--volume={DEPLOY / 'workspace.yaml'}:/opt/dagster/workspace.yaml:ro",
    )
    inbox = folder / "inbox"
    inbox.mkdir()
    shutil.chown(inbox, IMAGE_UID, IMAGE_UID)
    try:
        _set_up(docker, image, options, servers)
        _start_services(docker, image, options, sorted(code), servers.environment["PAYCOM_SFTP_KNOWN_HOSTS"], inbox)
        url = f"http://{_address(docker, WEB)}:{WEB_PORT}"
        running = ContainerPlatform(docker, url, code["HR_WAREHOUSE_URL"], servers, inbox)
        _wait_until_loaded(running)
        yield running
    finally:
        _keep_logs(docker)


def _set_up(docker: DockerDaemon, image: str, options: Options, servers: Servers) -> None:
    """As an operator starts a deployment: the instance's schema first (no two services race to create it), then
    the demo companies with their Bayzat accounts (the key from an environment variable, checked with the twin)."""
    commands = ["dagster instance migrate"]
    keys = {}
    for company in DEMO_COMPANIES:
        commands.append(
            f"hr-assets companies add --slug {company.slug} --name-en '{company.name_en}' "
            f"--fingerprint-name {company.department} --timezone {company.timezone}"
        )
        variable = f"BAYZAT_KEY_{company.slug.upper()}"
        keys[variable] = servers.sandbox.attendance.keys[company.slug]
        commands.append(  # hourly: the inbox sensor's import is pushed by itself (an account starts manual)
            f"hr-assets bayzat configure --company {company.slug} --api-key-env {variable} --sync-frequency hourly"
        )
    docker(
        "run", "--rm", options.network, *options.instance, *options.code, *(f"--env={name}" for name in keys),
        image, "sh", "-c", " && ".join(commands),
        environment=keys,
    )  # fmt: skip


def _start_services(
    docker: DockerDaemon, image: str, options: Options, code_settings: list[str], known_hosts: str, inbox: Path
) -> None:
    """The code server (the image's default command), the web UI and the daemon, each in a container."""
    # The code location's part of each run's container: its settings by name (the daemon passes their values), the
    # known_hosts file and the inbox (the monthly clean-up deletes expired files there), where the code server has them.
    volumes = {known_hosts: {"bind": KNOWN_HOSTS, "mode": "ro"}, str(inbox): {"bind": INBOX, "mode": "rw"}}
    container_context = {"docker": {"env_vars": code_settings, "container_kwargs": {"volumes": volumes}}}
    docker(
        "run", "--detach", f"--name={CODE}", options.network, *options.instance, *options.code,
        f"--env=DAGSTER_CURRENT_IMAGE={image}",
        f"--env=DAGSTER_CLI_API_GRPC_CONTAINER_CONTEXT={json.dumps(container_context)}",
        f"--volume={known_hosts}:{KNOWN_HOSTS}:ro", f"--volume={inbox}:{INBOX}",
        image,
    )  # fmt: skip
    docker(
        "run", "--detach", f"--name={WEB}", options.network, *options.instance, options.workspace,
        image, "dagster-webserver", "--host=0.0.0.0", f"--port={WEB_PORT}", "--workspace=/opt/dagster/workspace.yaml",
    )  # fmt: skip
    docker(
        "run", "--detach", f"--name={DAEMON}", options.network, *options.instance, *options.code, options.workspace,
        f"--volume={docker.socket}:/var/run/docker.sock",  # its group is the image's: the daemon starts runs
        image, "dagster-daemon", "run", "--workspace=/opt/dagster/workspace.yaml",
    )  # fmt: skip


def _address(docker: DockerDaemon, container: str) -> str:
    template = f'{{{{(index .NetworkSettings.Networks "{docker.network}").IPAddress}}}}'
    return docker("inspect", f"--format={template}", container).stdout.strip()


def _wait_until_loaded(platform: ContainerPlatform) -> None:
    """The web UI answers and has loaded the code location from the code server's container."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            entries = platform.graphql(LOCATION_STATUS)["workspaceOrError"]["locationEntries"]
            statuses = {entry["name"]: entry["loadStatus"] for entry in entries}
            loaded = [entry["locationOrLoadError"]["__typename"] for entry in entries]
            if statuses == {"hr_assets": "LOADED"} and loaded == ["RepositoryLocation"]:
                return
        except httpx.HTTPError:
            pass
        for name in SERVICES:
            state = platform.docker("inspect", "--format={{.State.Status}}", name).stdout.strip()
            assert state == "running", f"{name} is {state}: {platform.docker('logs', name, check=False).stderr[-3000:]}"
        assert time.monotonic() < deadline, f"the code location did not load within {START_TIMEOUT_S}s"
        time.sleep(2)


def _keep_logs(docker: DockerDaemon) -> None:
    """Each service's output, for whoever reads a failure (test-artifacts/containers)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name in SERVICES:
        logs = docker("logs", name, check=False)
        (ARTIFACTS / f"{name}.log").write_text(logs.stdout + logs.stderr)
