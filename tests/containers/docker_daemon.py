"""A Docker daemon of the tests' own: Debian's docker.io with its own data root, socket, pidfile and bridge.

It shares nothing with another daemon on the machine: its state, socket, key and containerd live under one temporary
folder (the few empty folders under /run its programs make anyway go again afterwards), it has no default bridge
(``--bridge=none``), and it changes no system setting (no iptables rules, no IP forwarding, no masquerading). Its
one network is a bridge of its own on a private subnet no route of the machine uses; the bridge's address on the
host (``gateway``) is where the containers reach the servers the tests start. ``stop()`` removes the containers and
the network, stops the daemon and deletes its folder, even after a failure.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

DOCKERD = Path("/usr/sbin/dockerd")
DOCKER = Path("/usr/bin/docker")  # Debian's client, the daemon's release: it builds with BuildKit, no buildx needed
NETWORK = "hr-assets"
DATA_ROOT_SIZE = "8g"  # at most; a session uses about 2 GB
# What dockerd and containerd make outside the folders they are given, whatever they are told: removed again once
# empty, unless they were there before (deepest first).
RUNTIME_DIRECTORIES = tuple(
    map(Path, ("/run/docker/plugins", "/run/docker", "/run/containerd/s", "/run/containerd", "/run/runc", "/run/mount"))
)
START_TIMEOUT_S = 120
STOP_TIMEOUT_S = 60


def free_subnet() -> ipaddress.IPv4Network:
    """A /24 in 10.0.0.0/8 that overlaps no address or route of this machine."""
    taken = [ipaddress.ip_network(net, strict=False) for net in _routes_and_addresses()]
    for _ in range(1000):
        candidate = ipaddress.ip_network(f"10.{random.randrange(64, 255)}.{random.randrange(256)}.0/24")  # noqa: S311
        if not any(candidate.overlaps(net) for net in taken):
            return candidate
    raise RuntimeError("no free /24 in 10.0.0.0/8")


def _routes_and_addresses() -> list[str]:
    def ip(*arguments: str) -> list[dict]:
        return json.loads(subprocess.run(["ip", "-j", "-4", *arguments], capture_output=True, check=True).stdout)

    routes, addresses = ip("route", "show", "table", "all"), ip("addr")
    found = [route["dst"] for route in routes if route.get("dst") not in (None, "default")]
    found += [f"{info['local']}/{info['prefixlen']}" for link in addresses for info in link.get("addr_info", [])]
    return found


@dataclass
class DockerDaemon:
    root: Path
    process: subprocess.Popen
    subnet: ipaddress.IPv4Network
    bridge: str
    existing: frozenset[Path]  # the RUNTIME_DIRECTORIES there before it started
    network: str = NETWORK

    @property
    def socket(self) -> Path:
        return self.root / "docker.sock"

    @property
    def gateway(self) -> str:
        """The bridge's address on this machine: the containers reach the tests' servers there."""
        return str(next(self.subnet.hosts()))

    @property
    def environment(self) -> dict[str, str]:
        return {**os.environ, "DOCKER_HOST": f"unix://{self.socket}", "DOCKER_BUILDKIT": "1"}

    def __call__(
        self,
        *arguments: str,
        environment: Mapping[str, str] | None = None,
        timeout_s: float = 600,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        """``docker ARGUMENTS`` against this daemon (``environment``: more variables for the client, e.g. what
        ``--env NAME`` passes on); a failure names the command and what it said."""
        completed = subprocess.run(
            [str(DOCKER), *arguments],
            env={**self.environment, **(environment or {})},
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
        if check and completed.returncode != 0:
            raise AssertionError(f"docker {' '.join(arguments[:3])}... failed: {completed.stderr[-3000:]}")
        return completed

    def container_ids(self, *filters: str) -> list[str]:
        arguments = [argument for name in filters for argument in ("--filter", name)]
        return self("ps", "--all", "--quiet", "--no-trunc", *arguments).stdout.split()

    def stop(self) -> None:
        """Containers, then the network, then the daemon, then its folder; what fails is left to the next step."""
        if self.process.poll() is None:
            if ids := self("ps", "--all", "--quiet", check=False).stdout.split():
                self("rm", "--force", "--volumes", *ids, check=False)
            self("network", "rm", self.network, check=False)
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        _unmount_under(self.root)  # the data root's tmpfs, and what a killed daemon left mounted on it
        shutil.rmtree(self.root, ignore_errors=True)
        for directory in RUNTIME_DIRECTORIES:
            if directory not in self.existing:
                with contextlib.suppress(OSError):  # not empty: another daemon uses it
                    directory.rmdir()


def start_daemon(socket_group: int) -> DockerDaemon:
    """Start the daemon and its network; fails the test, saying why, when it cannot. The socket belongs to root and
    ``socket_group``: a container whose user is in that group can use the daemon (the Dagster daemon's)."""
    if os.geteuid() != 0:
        pytest.fail("the container tests start a Docker daemon of their own: run them as root (make test does)")
    for program in (DOCKERD, DOCKER):
        if not program.exists():
            pytest.fail(f"{program} is missing: make test installs Debian's docker.io (apt-get install docker.io)")
    existing = frozenset(directory for directory in RUNTIME_DIRECTORIES if directory.exists())
    root = Path(tempfile.mkdtemp(prefix="hrd-", dir="/tmp"))  # short: containerd's socket paths have a length limit
    # Images, layers and the build's cache in memory: a session's ~2 GB in hundreds of thousands of files is deleted
    # by unmounting it (2 s, where deleting the files took 30 s), and the build writes faster. --no-mtab: mount and
    # umount then leave no /run/mount behind.
    (root / "data").mkdir()
    options = f"size={DATA_ROOT_SIZE},mode=0710"
    subprocess.run(["mount", "--no-mtab", "-t", "tmpfs", "-o", options, "hr-docker", str(root / "data")], check=True)
    # Not /etc/docker/daemon.json (nothing of the machine's configuration), and its key in its folder, not /etc/docker.
    (root / "daemon.json").write_text(json.dumps({"deprecated-key-path": str(root / "key.json")}))
    socket = root / "docker.sock"
    with (root / "dockerd.log").open("w") as log:
        process = subprocess.Popen(
            [
                str(DOCKERD),
                f"--config-file={root / 'daemon.json'}",
                f"--data-root={root / 'data'}",
                f"--exec-root={root / 'exec'}",
                f"--pidfile={root / 'docker.pid'}",
                f"--host=unix://{socket}",
                f"--group={socket_group}",
                "--bridge=none",
                "--iptables=false",
                "--ip-forward=false",
                "--ip-masq=false",
                "--userland-proxy=false",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    daemon = DockerDaemon(root, process, free_subnet(), f"hrt{uuid.uuid4().hex[:8]}", existing)
    try:
        _wait_until_answering(daemon)
        daemon(
            "network", "create", "--driver=bridge", f"--subnet={daemon.subnet}", f"--gateway={daemon.gateway}",
            f"--opt=com.docker.network.bridge.name={daemon.bridge}",
            "--opt=com.docker.network.bridge.enable_ip_masquerade=false",
            daemon.network,
        )  # fmt: skip
    except BaseException:
        daemon.stop()
        raise
    return daemon


def _wait_until_answering(daemon: DockerDaemon) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while daemon("version", check=False, timeout_s=30).returncode != 0:
        if daemon.process.poll() is not None or time.monotonic() > deadline:
            log = (daemon.root / "dockerd.log").read_text(errors="replace")[-3000:]
            pytest.fail(f"dockerd did not start within {START_TIMEOUT_S}s:\n{log}")
        time.sleep(0.5)


def _unmount_under(root: Path) -> None:
    """What is mounted under the folder, deepest first: what a killed daemon left (overlays, the containers' shm),
    then the data root."""
    mounts: Sequence[str] = [line.split()[1] for line in Path("/proc/self/mounts").read_text().splitlines()]
    for point in sorted((m for m in mounts if m.startswith(f"{root}/")), key=len, reverse=True):
        subprocess.run(["umount", "--no-mtab", "--lazy", point], check=False)
