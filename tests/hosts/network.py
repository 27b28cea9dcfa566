"""Hosts as Linux network namespaces on a bridge of the tests' own, each with a disk of its own.

Each host is a network namespace joined by a veth pair to the bridge, on a free private /24 (the bridge's address on
this machine is where the tests reach every host; traffic stays on the bridge: no route, forwarding or iptables
change). A program runs on a host in the namespace and in a mount namespace of its own (``ip netns exec`` makes one
that nothing propagates out of), where the host's folder is bind-mounted on ``/srv`` (its working folder) and its
``tmp`` on ``/tmp``: a host sees its own files and no other host's (their folders are under the machine's /tmp, which
the host's /tmp hides). ``hosts()`` stops every process left in the namespaces, deletes them and the bridge, even
after a failure.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.containers.docker_daemon import free_subnet
from tests.servers import Place

INSIDE = Path("/srv")  # a host's folder, as its programs see it


def _on_host(checkout: Path) -> str:
    """Binds the host's folder (the first argument) on /srv and its tmp on /tmp, then runs the rest in /srv. A
    checkout under /tmp (a CI clone) is bound back at its own path first, so the host still runs its programs."""
    keep = ""
    if checkout.is_relative_to("/tmp"):
        inside = Path("/srv/tmp") / checkout.relative_to("/tmp")
        keep = f'mkdir -p "{inside}" && mount --no-mtab --bind "{checkout}" "{inside}" && '
    return f'mount --no-mtab --bind "$0" /srv && {keep}mount --no-mtab --rbind /srv/tmp /tmp && cd /srv && exec "$@"'


ON_HOST = _on_host(REPO)
STOP_TIMEOUT_S = 60


def ip(*arguments: str) -> None:
    done = subprocess.run(["ip", *arguments], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"ip {' '.join(arguments)}: {done.stderr.strip()}")


@dataclass(frozen=True)
class Host:
    name: str
    namespace: str
    address: str
    disk: Path  # its folder, as the tests see it; /srv on the host

    @property
    def place(self) -> Place:
        return Place(self.disk, INSIDE, ("ip", "netns", "exec", self.namespace, "sh", "-c", ON_HOST, str(self.disk)))

    def start(self, argv: Sequence[str], environment: Mapping[str, str], log: str) -> subprocess.Popen:
        """A program on the host, in a session of its own, its output in the host's ``log``."""
        with (self.disk / log).open("w") as output:
            return subprocess.Popen(
                self.place.command(*argv),
                env=dict(environment),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def run(self, argv: Sequence[str], environment: Mapping[str, str], timeout_s: float = 300) -> str:
        """A command on the host, to its end; its output, or the test fails with it."""
        done = subprocess.run(
            self.place.command(*argv), env=dict(environment), capture_output=True, text=True, timeout=timeout_s
        )
        assert done.returncode == 0, f"{' '.join(argv)} on {self.name}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
        return done.stdout

    def pids(self) -> list[int]:
        listed = subprocess.run(["ip", "netns", "pids", self.namespace], capture_output=True, text=True, check=False)
        return [int(pid) for pid in listed.stdout.split()]


@dataclass(frozen=True)
class Network:
    subnet: ipaddress.IPv4Network
    gateway: str  # the bridge's address on this machine
    hosts: dict[str, Host]


@contextmanager
def hosts(names: Sequence[str], folder: Path) -> Iterator[Network]:
    """One host per name on a new bridge, its folder under ``folder``; all of it gone afterwards."""
    token = secrets.token_hex(3)
    bridge = f"hrb{token}"
    subnet = free_subnet()
    addresses = subnet.hosts()
    gateway = str(next(addresses))
    made: list[Host] = []
    with ExitStack() as cleanup:
        ip("link", "add", bridge, "type", "bridge")
        cleanup.callback(ip, "link", "delete", bridge)
        ip("address", "add", f"{gateway}/{subnet.prefixlen}", "dev", bridge)
        ip("link", "set", bridge, "up")
        for number, name in enumerate(names):
            host = Host(name, f"hr-{token}-{name}", str(next(addresses)), folder / name)
            (host.disk / "tmp").mkdir(parents=True)
            host.disk.chmod(0o755)  # a host's services may run as another user (PostgreSQL)
            (host.disk / "tmp").chmod(0o1777)
            ip("netns", "add", host.namespace)
            cleanup.callback(_remove, host)
            made.append(host)
            outside = f"hrv{token}{number}"
            ip("link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", host.namespace)
            ip("link", "set", outside, "master", bridge, "up")
            ip("-n", host.namespace, "address", "add", f"{host.address}/{subnet.prefixlen}", "dev", "eth0")
            ip("-n", host.namespace, "link", "set", "eth0", "up")
            ip("-n", host.namespace, "link", "set", "lo", "up")
        yield Network(subnet, gateway, {host.name: host for host in made})


def _remove(host: Host) -> None:
    """Every process still in the host's namespace stopped (SIGTERM, then SIGKILL), then the namespace deleted (its
    veth pair with it)."""
    for first in (signal.SIGTERM, signal.SIGKILL):
        for pid in host.pids():
            try:
                os.kill(pid, first)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while host.pids() and time.monotonic() < deadline:
            time.sleep(0.5)
        if not host.pids():
            break
    ip("netns", "delete", host.namespace)
