#!/usr/bin/env python
"""Benchmark of the Bayzat push through the real platform: many companies, each with its own key and limit, pushed
by the daemon as a person launches it, at Bayzat's real default limits.

Setup (untimed, reported as ``setup_s``): a fresh warehouse (a temporary SQLite file, or a new PostgreSQL database)
and a fresh Dagster instance (a temporary ``DAGSTER_HOME`` holding the project's ``dagster_home/dagster.yaml``);
C companies, each with its Bayzat account on its own key and one imported attendance file of N records
(``--records``, default 1000: a check-in and a check-out each, so 2N Bayzat records due), built as
``bench/bayzat_push.py`` builds them; the Bayzat twin in a process of its own, allowing ``--rate`` requests a second
per key (default 1, Bayzat's own) and answering 429 above it; the webserver and the daemon (``dagster-webserver``
and ``dagster-daemon run`` on the project's ``workspace.yaml``), started and serving before anything is timed.

Measured: ``hr-assets bayzat push --all --async`` is run as a person types it. Its clock starts when the command is
started; the command asks the webserver to queue the run and returns; the daemon starts the run, which pushes
every company at once. For each company:

- ``rate_ratio``: the Bayzat records the twin accepted for its key over its push window, over the ceiling
  (``max_records_per_request`` 20 times ``--rate``). Its window runs from its first request's arrival at the twin to
  its last request's, plus one request interval (the last request's own turn): a push paced exactly at the limit
  has a ratio of 1.0;
- its 429s (the twin's, and the client's count in the company's materialization metadata).

In all: ``wall_over_ideal`` is the time from the command's start to the last company's materialization, over the
ideal: the busiest company's requests at its key's rate (``requests / rate``), the least any push could take.
``sandbox_429s`` is every 429 the twin gave. ``peak_rss_mb`` and ``cpu_s`` are the run's process (the code server
spawns it), sampled from /proc every 0.2 s: VmHWM is the kernel's own peak, so sampling loses no peak. How memory
grows with companies is read from runs with different ``--companies`` (one company's peak is what one process per
company would cost each). The figures are checked first: every record synced in the warehouse and every Bayzat record
in the twin's ledger exactly once, or the benchmark fails.

It prints one JSON object on stdout (logs go to stderr). Run it from the repository root::

    .venv/bin/python bench/bayzat_platform.py [--companies 25] [--records 1000] [--rate 1]
        [--database sqlite|postgresql] [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]

At the defaults a run takes about two and a half minutes: 100 s of pushing (100 requests a company at one a
second), the setup and the platform's start.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import httpx
from bayzat_push import (
    MAX_RECORDS_PER_REQUEST,
    Company,
    Twin,
    TwinLog,
    arrivals,
    build_world,
    check_ledger,
    make_companies,
)
from bayzat_push import check_statuses as check_all_synced
from common import BenchError, add_database_arguments, print_figures, warehouse_url

from hr_assets.defs.shared.partitions import bayzat_company_partitions
from hr_assets.warehouse.engine import warehouse_engine

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
AIMS = {"min_rate_ratio": 0.95, "sandbox_429s_max": 0, "wall_over_ideal_max": 1.1}
ASSET = dg.AssetKey("bayzat_sync_batches")
PLATFORM_START_S = 180
RUN_TIMEOUT_S = 900
SAMPLE_S = 0.2
_QUEUED = re.compile(r"Queued run ([0-9a-f-]{36})")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=25, help="companies pushed at once (default 25)")
    parser.add_argument("--records", type=int, default=1000, help="attendance records due per company (default 1000)")
    parser.add_argument("--rate", type=float, default=1.0, help="requests a second allowed per key (default 1)")
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    if args.companies < 1 or args.records < 1 or not args.rate > 0:
        parser.error("--companies and --records must be at least 1, --rate positive")
    return args


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Platform:
    """The webserver and the daemon on a fresh instance, each in a session of its own (stopped with its children)."""

    def __init__(self, stack: contextlib.ExitStack, environment: dict[str, str], work: Path) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        port = self.url.rsplit(":", 1)[1]
        self._processes = [
            self._start(
                stack, [BIN / "dagster-daemon", "run", "-w", "workspace.yaml"], environment, work / "daemon.log"
            ),
            self._start(
                stack,
                [BIN / "dagster-webserver", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", port],
                environment,
                work / "webserver.log",
            ),
        ]

    @staticmethod
    def _start(stack: contextlib.ExitStack, command: list, environment: dict[str, str], log: Path) -> subprocess.Popen:
        with log.open("w") as output:
            process = subprocess.Popen(
                [str(part) for part in command],
                cwd=REPO,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        stack.callback(_stop, process)
        return process

    def wait_until_ready(self, instance: dg.DagsterInstance) -> None:
        """The webserver answers and the daemon's run queue has reported in."""
        deadline = time.monotonic() + PLATFORM_START_S
        while time.monotonic() < deadline:
            if any(process.poll() is not None for process in self._processes):
                raise BenchError("the webserver or the daemon exited; see their logs in the bench's work folder")
            with contextlib.suppress(httpx.TransportError):
                serving = httpx.get(f"{self.url}/server_info", timeout=2).status_code == 200
                if serving and "QUEUED_RUN_COORDINATOR" in instance.get_daemon_heartbeats():
                    return
            time.sleep(0.5)
        raise BenchError(f"the platform did not start within {PLATFORM_START_S} s")


def _stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, 15)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 9)
        process.wait()


@dataclass
class RunProcess:
    """The run's process as sampled from /proc: its peak resident memory, and its CPU time."""

    peak_rss_kb: int = 0
    cpu_ticks: int = 0


def sample_run_process(stop: threading.Event, found: RunProcess, home: Path) -> None:
    """The run's process is the code server's child (a ``multiprocessing`` spawn) on this bench's instance."""
    ours = f"DAGSTER_HOME={home}".encode()
    while not stop.wait(SAMPLE_S):
        for pid in filter(str.isdigit, os.listdir("/proc")):
            with contextlib.suppress(OSError):
                if b"spawn_main" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                    continue
                if ours not in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                    continue
                status = dict(
                    line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
                )
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                found.peak_rss_kb = max(found.peak_rss_kb, int(status["VmHWM"].split()[0]))
                found.cpu_ticks = max(found.cpu_ticks, int(fields[11]) + int(fields[12]))  # utime + stime


def launch(environment: dict[str, str]) -> str:
    """``hr-assets bayzat push --all --async``, as a person types it; the run id it printed."""
    done = subprocess.run(
        [str(BIN / "hr-assets"), "bayzat", "push", "--all", "--async"],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    queued = _QUEUED.findall(done.stdout)
    if done.returncode or len(queued) != 1:
        raise BenchError(f"bayzat push --all --async: {(done.stderr or done.stdout).strip()}")
    return queued[0]


def wait_for_run(instance: dg.DagsterInstance, run_id: str) -> dg.DagsterRun:
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        run = instance.get_run_by_id(run_id)
        if run is not None and run.is_finished:
            if run.status != dg.DagsterRunStatus.SUCCESS:
                raise BenchError(f"the push run {run_id} ended {run.status.value}; see its logs in the instance")
            return run
        time.sleep(0.5)
    raise BenchError(f"the push run {run_id} did not finish within {RUN_TIMEOUT_S} s")


def materialized_at(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Each company's materialization time (wall clock) in the run."""
    return {
        entry.asset_materialization.partition: entry.timestamp
        for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
        if entry.asset_materialization is not None and entry.asset_materialization.asset_key == ASSET
    }


def company_figures(company: Company, log: TwinLog, rate: float, metadata: dict[str, Any]) -> dict[str, Any]:
    times = arrivals(log, company)
    window = (times[-1] - times[0]) + 1 / rate if times else math.inf
    accepted = len(log.accepted(company.api_key))
    return {
        "company": company.slug,
        "requests": len(times),
        "bayzat_records": accepted,
        "push_window_s": round(window, 3),
        "rate_ratio": round(accepted / window / (MAX_RECORDS_PER_REQUEST * rate), 4),
        "client_429s": metadata.get("throttled_429"),
    }


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> dict[str, Any]:
    setup_started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="hr_bench_platform_"))
    stack.callback(shutil.rmtree, work, ignore_errors=True)
    secret_key = secrets.token_urlsafe(48)
    url = warehouse_url(args, stack, work)
    engine = warehouse_engine(url)
    stack.callback(engine.dispose)
    companies = make_companies(args.companies)
    twin = Twin(stack, companies, args.rate)
    build_world(engine, companies, args.records, twin.url, work, secret_key)

    home = work / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith(("HR_", "BAYZAT_", "DAGSTER_"))},
        "DAGSTER_HOME": str(home),
        "HR_WAREHOUSE_URL": url,
        "HR_SECRET_KEY": secret_key,
        "BAYZAT_RATE_LIMIT_DELAY": str(1 / args.rate),
    }
    os.environ["DAGSTER_HOME"] = str(home)
    instance = stack.enter_context(dg.DagsterInstance.get())
    instance.add_dynamic_partitions(bayzat_company_partitions.name, [company.slug for company in companies])
    platform = Platform(stack, environment, work)
    platform.wait_until_ready(instance)
    environment["HR_DAGSTER_URL"] = platform.url
    setup_s = time.perf_counter() - setup_started

    stop, process = threading.Event(), RunProcess()
    sampler = threading.Thread(target=sample_run_process, args=(stop, process, home), daemon=True)
    sampler.start()
    launched = time.time()
    run_id = launch(environment)
    finished = wait_for_run(instance, run_id)
    stop.set()
    sampler.join()
    done_at = materialized_at(instance, run_id)
    log = twin.log()

    check_all_synced(engine, args.records, args.companies)
    expected = {company.slug: 2 * args.records for company in companies}
    check_ledger(log, companies, expected, "the platform's push")
    if sorted(done_at) != sorted(expected):
        raise BenchError(f"the run materialized {len(done_at)} of {len(expected)} companies")
    metadata = {
        entry.asset_materialization.partition: {k: v.value for k, v in entry.asset_materialization.metadata.items()}
        for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
        if entry.asset_materialization is not None
    }
    per_company = [company_figures(company, log, args.rate, metadata[company.slug]) for company in companies]
    ideal_s = max(figures["requests"] for figures in per_company) / args.rate
    wall_s = max(done_at.values()) - launched
    stats = instance.get_run_stats(run_id)
    min_ratio = min(figures["rate_ratio"] for figures in per_company)
    ticks = os.sysconf("SC_CLK_TCK")
    figures = {
        "companies": args.companies,
        "attendance_records_per_company": args.records,
        "bayzat_records_per_company": 2 * args.records,
        "rate_limit_per_s": args.rate,
        "database": args.database,
        "runs": len(instance.get_run_records()),
        "setup_s": round(setup_s, 3),
        "ideal_s": round(ideal_s, 3),
        "wall_s": round(wall_s, 3),
        "wall_over_ideal": round(wall_s / ideal_s, 4),
        "launch_to_run_start_s": round(stats.start_time - launched, 3),
        "last_company_to_run_end_s": round(stats.end_time - max(done_at.values()), 3),
        "min_rate_ratio": min_ratio,
        "mean_rate_ratio": round(sum(f["rate_ratio"] for f in per_company) / len(per_company), 4),
        "sandbox_429s": log.throttled,
        "client_429s": sum(f["client_429s"] or 0 for f in per_company),
        "peak_rss_mb": round(process.peak_rss_kb / 1024, 1),
        "cpu_s": round(process.cpu_ticks / ticks, 2),
        "cpu_share": round(process.cpu_ticks / ticks / (stats.end_time - stats.start_time), 3),
        "run_status": finished.status.value,
        "per_company": per_company,
        "aims": AIMS,
    }
    figures["meets_all_aims"] = (
        min_ratio >= AIMS["min_rate_ratio"]
        and log.throttled <= AIMS["sandbox_429s_max"]
        and figures["wall_over_ideal"] <= AIMS["wall_over_ideal_max"]
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return print_figures("bayzat_platform", lambda stack: run(args, stack))


if __name__ == "__main__":
    sys.exit(main())
