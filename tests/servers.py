"""The servers a deployment's tests start on a bridge of their own: a throwaway PostgreSQL and an S3-compatible store.

The machine's PostgreSQL listens on 127.0.0.1 only, and stays as it is: the tests run a cluster of their own from
its binaries, in a temporary folder, listening on the bridge's address with trust for the bridge's subnet only. The
store is moto's S3 in server mode (pinned in requirements-test.lock). Both are stopped (their process groups) and
their folders deleted afterwards. Each runs on this machine (tests/containers) or on a host of the tests' own
(``Place``: a network namespace with its own disk, tests/hosts).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import psycopg2
import pytest

POSTGRES_USER = "postgres"  # the cluster's files and processes belong to it, as the machine's own cluster's do
POSTGRES_PORT = 5432  # on a host of its own
START_TIMEOUT_S = 120
S3_KEY_ID, S3_SECRET = "hr-assets-tests", secrets.token_urlsafe(18)  # what the tests' store takes


@dataclass(frozen=True)
class Place:
    """Where a server runs: the command that runs a program there, and its folder as the tests and as the server see
    it. This machine by default."""

    folder: Path  # as the tests see it
    inside: Path  # as the server's processes see it
    prefix: tuple[str, ...] = ()  # runs a program there

    def command(self, *argv: str) -> list[str]:
        return [*self.prefix, *argv]


def free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def postgres_binaries() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda path: int(path.parts[-3]))
    if not found:
        pytest.fail("no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)")
    return found[-1].parent


def _as_postgres(*command: str) -> list[str]:
    return ["setpriv", f"--reuid={POSTGRES_USER}", f"--regid={POSTGRES_USER}", "--init-groups", "--", *command]


def stop(process: subprocess.Popen, first: signal.Signals) -> None:
    """``first`` to the process's group, then SIGKILL to whatever is left of it."""
    try:
        os.killpg(process.pid, first)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    except ProcessLookupError:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    process.wait(timeout=10)


@contextmanager
def throwaway_postgres(host: str, clients: str, place: Place | None = None) -> Iterator[str]:
    """A PostgreSQL cluster on ``host`` trusting the network ``clients``; yields its URL without a database. On this
    machine in a temporary folder and on a free port, or at ``place`` (a host of its own) on PostgreSQL's port."""
    binaries = postgres_binaries()
    if place is None:
        folder = Path(tempfile.mkdtemp(prefix="hr-pg-"))
        place, port = Place(folder, folder), free_port(host)
    else:
        (folder := place.folder / "postgres").mkdir()
        port = POSTGRES_PORT
    shutil.chown(folder, POSTGRES_USER, POSTGRES_USER)
    inside = place.inside / folder.relative_to(place.folder)
    subprocess.run(
        place.command(*_as_postgres(str(binaries / "initdb"), "-D", f"{inside}/data", "-U", "postgres", "-A", "trust",
                                    "--no-sync")),
        capture_output=True,
        check=True,
    )  # fmt: skip
    with (folder / "data" / "pg_hba.conf").open("a") as hba:
        hba.write(f"host all all {clients} trust\n")
    with (folder / "postgres.log").open("w") as log:
        process = subprocess.Popen(
            place.command(*_as_postgres(
                str(binaries / "postgres"), "-D", f"{inside}/data", "-p", str(port),
                "-c", f"listen_addresses={host}", "-c", f"unix_socket_directories={inside}",
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            )),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    url = f"postgresql://postgres@{host}:{port}"
    try:
        _wait_until_answering(
            lambda: psycopg2.connect(f"{url}/postgres", connect_timeout=5).close(),
            psycopg2.OperationalError,
            process,
            "the tests' PostgreSQL",
            folder / "postgres.log",
        )
        yield url
    finally:
        stop(process, signal.SIGINT)  # PostgreSQL's fast shutdown
        shutil.rmtree(folder, ignore_errors=True)


def _wait_until_answering(
    ask: Callable[[], object], not_yet: type[Exception], process: subprocess.Popen, what: str, log: Path
) -> None:
    """Until ``ask`` raises no ``not_yet``; the test fails with the server's log if it exits or takes too long."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            ask()
            return
        except not_yet:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{what} did not start: {log.read_text()[-2000:]}")
            time.sleep(0.5)


def create_databases(url: str, *names: str) -> None:
    connection = psycopg2.connect(f"{url}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


@contextmanager
def s3_server(host: str, log: Path, place: Place | None = None, port: int | None = None) -> Iterator[str]:
    """moto's S3 on ``host`` (on this machine, or at ``place`` on ``port``); yields its endpoint URL."""
    port = port or free_port(host)
    with log.open("w") as output:
        process = subprocess.Popen(
            (place or Place(log.parent, log.parent)).command(
                sys.executable, "-m", "moto.server", "--host", host, "--port", str(port)
            ),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    endpoint = f"http://{host}:{port}"
    try:
        _wait_until_answering(
            lambda: httpx.get(endpoint, timeout=5), httpx.TransportError, process, "moto's S3 server", log
        )
        yield endpoint
    finally:
        stop(process, signal.SIGTERM)


def s3_client(endpoint: str) -> Any:
    """A client of the tests' S3-compatible store."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=S3_KEY_ID,
        aws_secret_access_key=S3_SECRET,
    )
