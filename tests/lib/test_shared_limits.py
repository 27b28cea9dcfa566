"""A vendor key's budget shared through the warehouse: processes sharing a key stay within its limit together, and
different keys do not slow each other; on SQLite and PostgreSQL, against a real twin with its own request log."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from hr_assets.lib.http import shared_rate_limiter
from hr_assets.warehouse.budgets import MAX_AHEAD_S, budget_id, claim
from hr_assets.warehouse.engine import warehouse_engine
from hr_assets.warehouse.tables import api_budgets
from hr_sandbox.http_server import (
    SandboxApi,
    SandboxHttpServer,
    SandboxRequest,
    SandboxResponse,
    key_id,
    most_in_window,
)

RATE = 5.0  # requests a second per key, the clients' pace
REQUESTS = 12  # per process
READY_S = 120.0
DONE_S = 300.0

# A process of a run: one client of the key, paced through the warehouse; ready once its first claim could be made.
CLIENT_PROGRAM = """
import json, sys
from hr_assets.lib.http import ApiClient
from hr_assets.warehouse.engine import warehouse_engine

config = json.loads(sys.stdin.readline())
warehouse_engine(config["warehouse"])  # migrated and connected before the start, as a run's first step would be
with ApiClient(
    "Holded",
    config["url"],
    headers={"key": config["key"]},
    rate_limit_per_second=config["rate"],
    limiter_key=config["key"],
    shared_through=config["warehouse"],
) as api:
    print("ready", flush=True)
    sys.stdin.readline()
    for _ in range(config["requests"]):
        api.get_json("ping")
    print(json.dumps({"requests": api.stats.requests}), flush=True)
"""


class PingTwin(SandboxApi):
    """A vendor's twin that answers every request with ``{}`` and logs it under its ``key`` header. It refuses
    nothing: its log is the judge, so no retry hides a request sent too soon."""

    def credential(self, request: SandboxRequest) -> str | None:
        return request.headers.get("key")

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        return SandboxResponse(200, {})


@pytest.fixture
def twin() -> Iterator[tuple[PingTwin, str]]:
    api = PingTwin()
    with SandboxHttpServer(api) as server:
        yield api, server.url


@dataclass
class Arrivals:
    by_key: dict[str, list[float]]
    outcomes: list[dict[str, Any]]

    def of(self, key: str) -> list[float]:
        return self.by_key[key_id(key)]


def run_processes(twin: tuple[PingTwin, str], warehouse_url: str, keys: Sequence[str]) -> Arrivals:
    """One process per key given, all told to start at once; the twin's arrivals per key once all are done."""
    api, url = twin
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CLIENT_PROGRAM], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for _ in keys
    ]
    try:
        for process, key in zip(processes, keys, strict=True):
            config = {"url": url, "key": key, "rate": RATE, "warehouse": warehouse_url, "requests": REQUESTS}
            process.stdin.write(json.dumps(config) + "\n")
            process.stdin.flush()
        for process in processes:
            assert _line_within(process, READY_S) == "ready"
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        outcomes = [
            json.loads(process.communicate(timeout=DONE_S)[0].strip().splitlines()[-1]) for process in processes
        ]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    by_key: dict[str, list[float]] = {}
    for request in api.requests:
        by_key.setdefault(request.key_id, []).append(request.at)
    return Arrivals(by_key, outcomes)


def _line_within(process: subprocess.Popen, seconds: float) -> str:
    """The process's next line on stdout, read in a thread so a process that hangs fails the test in time."""
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(seconds)
    return lines[0].strip() if lines else f"nothing in {seconds} s (exit code {process.poll()})"


@pytest.mark.twins  # a twin counts what the processes send
def test_processes_sharing_a_key_stay_within_its_limit_in_every_window(
    twin: tuple[PingTwin, str], warehouse_url: str
) -> None:
    key = f"hk_live_{uuid.uuid4().hex}"
    times = run_processes(twin, warehouse_url, [key, key, key]).of(key)
    assert len(times) == 3 * REQUESTS
    # Three processes each at the key's rate would put 15 requests in a second; sharing it, at most the rate, and one
    # more for a request that left a little late next to another process's on time.
    assert most_in_window(times, 1.0) <= RATE + 1
    assert most_in_window(times, 4.0) <= 4 * RATE + 1
    assert (len(times) - 1) / (max(times) - min(times)) >= 0.7 * RATE, "together they still used the key's budget"


@pytest.mark.twins  # a twin counts what the processes send
def test_processes_of_different_keys_do_not_slow_each_other(twin: tuple[PingTwin, str], warehouse_url: str) -> None:
    keys = [f"hk_live_{uuid.uuid4().hex}", f"hk_live_{uuid.uuid4().hex}"]
    arrivals = run_processes(twin, warehouse_url, keys)
    first, second = (arrivals.of(key) for key in keys)
    assert len(first) == len(second) == REQUESTS
    assert min(second) < max(first) and min(first) < max(second), "the two ran at the same time"
    for times in (first, second):
        assert most_in_window(times, 1.0) <= RATE + 1, "each key within its own limit"
    both = first + second
    # One budget for both would hold them to the rate together; each key has its own.
    assert (len(both) - 1) / (max(both) - min(both)) >= 1.5 * RATE


def test_claims_from_many_connections_get_distinct_evenly_spaced_slots(warehouse_url: str) -> None:
    engine = warehouse_engine(warehouse_url)
    budget, interval = budget_id("Holded", "hk_live_claims"), 0.01
    slots: list[float] = []
    lock = threading.Lock()

    def claim_some() -> None:
        for _ in range(10):
            slot = claim(engine, budget, "Holded", interval)
            with lock:
                slots.append(slot)

    started = time.monotonic()
    threads = [threading.Thread(target=claim_some) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as connection:
        next_slot = connection.execute(sa.select(api_budgets.c.next_slot)).scalar_one()
    # 40 slots one interval apart: the last claim's slot is 39 intervals after the first's, whenever each was made.
    assert len(slots) == 40
    assert max(slots) - started <= 40 * interval + 1.0
    with engine.begin() as connection:
        connection.execute(sa.update(api_budgets).values(next_slot=next_slot + 2 * MAX_AHEAD_S))
    assert claim(engine, budget, "Holded", interval) <= time.monotonic(), (
        "a slot far ahead is a clock that went back: from now"
    )


def test_the_warehouse_keeps_a_hash_of_the_key_never_the_key(warehouse_url: str) -> None:
    key = f"hk_live_{uuid.uuid4().hex}"
    limiter = shared_rate_limiter("Holded", key, 100.0, warehouse_url)
    limiter.acquire()
    with warehouse_engine(warehouse_url).connect() as connection:
        rows = connection.execute(sa.select(api_budgets)).mappings().all()
    assert [(row["api"], row["budget"]) for row in rows] == [("Holded", budget_id("Holded", key))]
    assert key not in json.dumps([dict(row) for row in rows])
    assert key not in repr(limiter._shared)
    assert warehouse_url.split("/")[-1] not in repr(limiter._shared)
