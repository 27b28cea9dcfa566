"""How fast the employee API answers the scheduling app's two big reads for 10,000 employees, against a bare SQL
query of the same rows in the same run.

A warehouse (SQLite, or a throwaway PostgreSQL database) gets a random roster and staff view; `hr-assets api` is
started on a free loopback port, exactly as an operator starts it; a token is made with its command. Then, for
`available_for_scheduling` and `stats`: sequential requests for p50/p99 latency, then a bounded concurrent httpx
load for requests per second; the bare query is the API's own SQL run on an engine in this process (rows fetched,
nothing serialised). The aims: the API's p50 within 2x of the bare query's, and 10,000 employees' availability
in under 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from common import BenchError, add_database_arguments, print_figures, warehouse_url

from hr_assets.api import queries
from hr_assets.warehouse.engine import create_engine, insert_rows, migrate
from hr_assets.warehouse.tables import paycom_employees, scheduling_staff

HR_ASSETS = str(Path(sys.executable).with_name("hr-assets"))
NOW = dt.datetime(2026, 11, 20, 15, tzinfo=dt.UTC)
AIMS = {"p50_over_bare_query_max": 2.0, "availability_p50_max_ms": 100.0}
DEPARTMENTS = [("D10", "Nursing"), ("D20", "Dietary"), ("D30", "Housekeeping"), ("D40", "Activities")]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_arguments(parser)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40, help="sequential requests per endpoint (latency)")
    parser.add_argument("--load-requests", type=int, default=80, help="requests per endpoint under load")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


def fill(engine: Any, employees: int, rng: random.Random) -> None:
    roster, staff = [], []
    for number in range(employees):
        code = f"{100000 + number}"
        department = rng.choice(DEPARTMENTS)
        status = rng.choices(["active", "on_leave", "terminated"], [90, 4, 6])[0]
        eligible = rng.random() < 0.8
        roster.append(
            {
                "employee_code": code,
                "first_name": f"First{number}",
                "last_name": f"Last{number}",
                "status": status,
                "department_code": department[0],
                "department_description": department[1],
                "position": "Registered Nurse" if department[0] == "D10" else "Aide",
                "location_code": rng.choice(["NORTH", "SOUTH"]),
                "pay_type": "hourly" if eligible else "salary",
                "hourly_rate": Decimal("25.5000") if eligible else None,
                "annual_salary": None if eligible else Decimal("70000.00"),
                "overtime_eligible": eligible,
                "created_at": NOW,
                "updated_at": NOW,
                "last_synced_at": NOW,
                "last_synced_week": NOW.date(),
            }
        )
        if status == "terminated":
            continue
        week = Decimal(rng.randint(0, 5200)) / 100
        cap = 40 if eligible else 50
        staff.append(
            {
                "employee_code": code,
                "display_name": f"First{number} Last{number}",
                "role": "nurse",
                "available_for_scheduling": status == "active",
                "max_hours_per_week": cap,
                "period_start": NOW.date(),
                "updated_at": NOW,
                "hours_as_of": NOW.date(),
                "hours_this_week": week,
                "hours_this_period": week * 2,
                "hours_this_year": week * 40,
                "overtime_hours_this_week": max(week - 40, Decimal(0)) if eligible else Decimal(0),
                "hours_left_before_overtime": max(Decimal(40) - week, Decimal(0)) if eligible else None,
                "hours_left_before_cap": max(Decimal(cap) - week, Decimal(0)),
                "weekly_cap_override": None,
                "scheduling_app_staff_id": None,
            }
        )
    with engine.begin() as connection:
        insert_rows(connection, paycom_employees, roster)
        insert_rows(connection, scheduling_staff, staff)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_api(stack: contextlib.ExitStack, url: str, home: Path) -> tuple[str, str]:
    environment = {**os.environ, "HR_WAREHOUSE_URL": url, "DAGSTER_HOME": str(home)}
    made = subprocess.run(
        [HR_ASSETS, "api", "token", "create", "--name", "bench", "--scope", "read"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        raise BenchError(f"hr-assets api token create failed: {made.stderr.strip()}")
    port = free_port()
    process = subprocess.Popen(
        [HR_ASSETS, "api", "--port", str(port)], env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    stack.callback(process.wait, 30)
    stack.callback(process.terminate)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError("hr-assets api exited before answering")
        with contextlib.suppress(httpx.TransportError):
            httpx.get(base, timeout=1)
            return base, made.stdout.strip()
        time.sleep(0.5)
    raise BenchError("hr-assets api did not answer within 120 s")


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(count: int, call: Callable[[], object]) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


async def load(url: str, headers: dict[str, str], requests: int, concurrency: int) -> float:
    """Requests per second with ``concurrency`` clients sending ``requests`` in all."""
    remaining = iter(range(requests))

    async def worker(client: httpx.AsyncClient) -> None:
        for _ in remaining:
            answer = await client.get(url, headers=headers)
            answer.raise_for_status()

    async with httpx.AsyncClient(timeout=120) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        return requests / (time.perf_counter() - started)


def milliseconds(seconds: float) -> float:
    return round(seconds * 1000, 2)


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> dict[str, Any]:
    home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hr_bench_api_")))
    url = warehouse_url(args, stack, home)
    engine = create_engine(url)
    stack.callback(engine.dispose)
    migrate(engine)
    fill(engine, args.employees, random.Random(args.seed))  # noqa: S311 - reproducible bench data
    base, token = start_api(stack, url, home)
    reader = create_engine(url, reads_only=True)  # as the API's own engine reads
    stack.callback(reader.dispose)
    headers = {"Authorization": f"Bearer {token}"}
    endpoints = {
        "available_for_scheduling": (
            lambda connection: connection.execute(queries.available_staff_query()).all(),
            "/api/paycom/employees/available_for_scheduling/",
        ),
        "stats": (queries.stats, "/api/paycom/employees/stats/"),
    }
    figures: dict[str, Any] = {}
    with httpx.Client(timeout=120) as client:
        for name, (query, path) in endpoints.items():
            answer = client.get(base + path, headers=headers)
            answer.raise_for_status()
            rows = len(answer.json()) if isinstance(answer.json(), list) else None

            def bare(query: Callable = query) -> object:
                with reader.connect() as connection:
                    return query(connection)

            api_samples = timed(args.requests, lambda path=path: client.get(base + path, headers=headers))
            bare_samples = timed(args.requests, bare)
            api_p50, bare_p50 = statistics.median(api_samples), statistics.median(bare_samples)
            figures[name] = {
                "rows": rows,
                "response_bytes": len(answer.content),
                "p50_ms": milliseconds(api_p50),
                "p99_ms": milliseconds(percentile(api_samples, 0.99)),
                "bare_query_p50_ms": milliseconds(bare_p50),
                "bare_query_p99_ms": milliseconds(percentile(bare_samples, 0.99)),
                "p50_over_bare_query": round(api_p50 / bare_p50, 2),
                "requests_per_s": round(
                    asyncio.run(load(base + path, headers, args.load_requests, args.concurrency)), 1
                ),
            }
    availability = figures["available_for_scheduling"]
    ratio = max(endpoint["p50_over_bare_query"] for endpoint in figures.values())
    return {
        "employees": args.employees,
        "database": args.database,
        "python": platform.python_version(),
        "requests": args.requests,
        "load_requests": args.load_requests,
        "concurrency": args.concurrency,
        "endpoints": figures,
        "p50_over_bare_query": ratio,
        "aims": AIMS,
        "meets_aims": ratio <= AIMS["p50_over_bare_query_max"]
        and availability["p50_ms"] < AIMS["availability_p50_max_ms"],
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return print_figures("api", lambda stack: run(args, stack))


if __name__ == "__main__":
    sys.exit(main())
