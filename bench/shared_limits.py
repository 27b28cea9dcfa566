#!/usr/bin/env python
"""Benchmark of a vendor key's budget shared by overlapping runs: two revenue runs and the month's refresh, each a
recorded Dagster run in a process of its own, all three against one Holded key at a low limit.

Setup (untimed, reported as ``setup_s``): a temporary Dagster instance (``dagster_home/dagster.yaml`` copied) and
a fresh warehouse (a temporary SQLite file, or a new PostgreSQL database ``hr_bench_<hex>``) migrated to head,
shared by the three runs as a deployment's runs share them; the revenue sandbox (Holded, 4Geeks and Notion twins
on 127.0.0.1, in this process) serving the last four months, the current one included, with Holded answering
``--holded-page-size`` items a page (small, so a run makes many requests) and refusing above ``--holded-rate``
requests a second per key (429, ``Retry-After: 1``). The platform paces Holded at the same ``--holded-rate``, and
4Geeks and Notion at 100 a second, so Holded is what the benchmark looks at.

Measured, against the real project code: three processes each run ``run_partition("revenue_chain", month)``
(``hr_assets/lib/runs.py``: the job built from the definitions, ``dg.execute_job`` in the instance), for the months
three and two months back (two revenue runs, as a person's syncs or a backfill make them) and the current month (the
daily refresh). Each process loads the definitions, says it is ready and waits; all three are then told to go at
once, so their Holded listings (services, then invoices and contacts) overlap.

- ``max_window_rate_over_limit``: the most requests the Holded twin received for the key in any 10 s window
  ``[t, t + 10)``, from its own request log (arrival times as the kernel stamped them, 429s included: a refused
  request reached the vendor too), over the limit's 10 s worth (``--holded-rate`` times 10). At most 1.0 is the aim
  (the limiter paces ``PACING_MARGIN`` under the limit so that requests reaching the twin a little after their slots
  still keep it); one request more in a window is ``1 + 1 / (10 * rate)``;
- ``twin_429s``: the requests the twin refused for going over the limit;
- ``rate_over_limit``: the key's requests over the time from its first to its last, over the limit: how much of the
  budget the runs used together (near 1.0 when they share it well, near 3 when each takes it all);
- per run: its seconds from "go" to its end, whether it succeeded and if not why (a run that gave up because Holded
  kept refusing it is reported, not raised: it is what the benchmark looks for).

It prints one JSON object on stdout (logs go to stderr). Run it from the repository root::

    .venv/bin/python bench/shared_limits.py [--holded-rate 4] [--invoices-per-month 100] [--holded-page-size 5]
        [--database sqlite|postgresql] [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]
    .venv/bin/python bench/shared_limits.py --invoices-per-month 40 --holded-page-size 10   # the smoke size

The default makes about 160 Holded requests (53 a run) and takes about a minute on a 2-core machine; the smoke size
about 66 (22 a run) and 35 s.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from common import BenchError, add_database_arguments, print_figures, warehouse_url

from hr_assets.warehouse.engine import warehouse_engine
from hr_sandbox.http_server import key_id, most_in_window
from hr_sandbox.revenue import RevenueSandbox

REPO = Path(__file__).resolve().parents[1]
JOB = "revenue_chain"
WINDOW_S = 10.0
MONTHS_SERVED = 4  # three months back to the current one
RUN_MONTHS_BACK = (3, 2, 0)  # two revenue runs and the refresh of the month in progress
OTHER_APIS_RATE = 100.0
READY_S = 180.0
RUN_S = 600.0
AIMS = {"max_window_rate_over_limit_max": 1.0, "twin_429s_max": 0}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--holded-rate", type=float, default=4.0, help="Holded requests per second (default 4)")
    parser.add_argument(
        "--invoices-per-month", type=int, default=100, help="Holded invoices a month (default 100; smoke: 40)"
    )
    parser.add_argument("--holded-page-size", type=int, default=5, help="items on a Holded page (default 5; smoke: 10)")
    parser.add_argument("--run", metavar="MONTH", help=argparse.SUPPRESS)  # a run's process: its partition key
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    if not args.holded_rate > 0:
        parser.error("--holded-rate must be positive")
    if args.invoices_per_month < 1 or args.holded_page_size < 1:
        parser.error("--invoices-per-month and --holded-page-size must be at least 1")
    return args


def month_back(today: dt.date, months: int) -> dt.date:
    index = today.year * 12 + today.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


# --- a run's process --------------------------------------------------------------------------


def run_one(month: str) -> int:
    """Load the definitions, say ``ready``, wait for ``go`` on stdin, run the month; print the outcome as JSON."""
    from hr_assets.definitions import defs
    from hr_assets.lib.runs import run_partition

    defs()  # every module imported before the start line, so the runs start together
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return 1
    started = time.monotonic()
    outcome = run_partition(JOB, month)
    print(json.dumps({"success": outcome.success, "error": outcome.error, "seconds": time.monotonic() - started}))
    return 0


# --- what is measured -------------------------------------------------------------------------


def start_runs(months: Sequence[str], env: dict[str, str], stack: contextlib.ExitStack) -> list[subprocess.Popen]:
    processes = []
    for month in months:
        process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--run", month],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        stack.callback(_stop, process)
        processes.append(process)
    deadline = time.monotonic() + READY_S
    for process, month in zip(processes, months, strict=True):
        line = process.stdout.readline() if process.stdout else ""
        if line.strip() != "ready" or time.monotonic() > deadline:
            raise BenchError(f"the run for {month} did not get ready (exit code {process.poll()})")
    return processes


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


def go(processes: Sequence[subprocess.Popen], months: Sequence[str]) -> list[dict[str, Any]]:
    """Tell every run to start; each one's outcome. A run that failed is reported, not raised: a run that gave up
    because the vendor kept refusing it is what this benchmark looks for."""
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    outcomes = []
    for process, month in zip(processes, months, strict=True):
        output, _ = process.communicate(timeout=RUN_S)
        lines = output.strip().splitlines()
        if process.returncode != 0 or not lines:
            raise BenchError(f"the run for {month} ended with exit code {process.returncode}")
        outcome = json.loads(lines[-1])
        outcomes.append({"month": month, **outcome, "seconds": round(outcome["seconds"], 3)})
    return outcomes


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> dict[str, Any]:
    setup_started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="hr_bench_"))
    stack.callback(shutil.rmtree, work, ignore_errors=True)
    today = dt.date.today()
    months = [month_back(today, back).isoformat() for back in RUN_MONTHS_BACK]

    url = warehouse_url(args, stack, work)  # an unreachable PostgreSQL fails before the slow part of the setup
    warehouse_engine(url).dispose()  # migrated now, so no run pays for it
    home = work / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    first = month_back(today, MONTHS_SERVED - 1)
    sandbox = RevenueSandbox(
        work / "revenue",
        start=first,
        months=MONTHS_SERVED,
        invoices_per_month=args.invoices_per_month,
        holded_page_size=args.holded_page_size,
        holded_rate_limit_per_second=args.holded_rate,
        notion_rate_limit_per_second=OTHER_APIS_RATE,
    )
    stack.enter_context(sandbox)
    gc.collect()
    gc.freeze()  # the twins' data, out of every later collection in this process (it serves the twins)
    sandbox_env = sandbox.environment()
    env = {
        **os.environ,
        **sandbox_env,
        "DAGSTER_HOME": str(home),
        "HR_WAREHOUSE_URL": url,
        "HR_HISTORY_START": first.isoformat(),
        "HR_TIMEZONE": "UTC",
        "HOLDED_RATE_LIMIT_PER_SECOND": str(args.holded_rate),
        "FOURGEEKS_RATE_LIMIT_PER_SECOND": str(OTHER_APIS_RATE),
        "NOTION_RATE_LIMIT_PER_SECOND": str(OTHER_APIS_RATE),
    }
    # The instance's storage made once, before the runs: three processes creating it at once race (issue 29).
    subprocess.run(
        [str(Path(sys.executable).with_name("dagster")), "instance", "migrate"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    processes = start_runs(months, env, stack)
    setup_s = time.perf_counter() - setup_started

    log_start, throttled_start = len(sandbox.holded.requests), sandbox.holded.throttled
    runs = go(processes, months)
    key = key_id(sandbox_env["HOLDED_API_KEY"])
    times = [request.at for request in sandbox.holded.requests[log_start:] if request.key_id == key]
    twin_429s = sandbox.holded.throttled - throttled_start
    if len(times) < 2:
        raise BenchError("the Holded twin received fewer than two requests")
    most = most_in_window(times, WINDOW_S)
    allowed = args.holded_rate * WINDOW_S
    span = max(times) - min(times)
    ratio = most / allowed
    return {
        "holded_rate_limit_per_s": args.holded_rate,
        "invoices_per_month": args.invoices_per_month,
        "holded_page_size": args.holded_page_size,
        "database": args.database,
        "runs": runs,
        "setup_s": round(setup_s, 3),
        "holded_requests": len(times),
        "holded_span_s": round(span, 3),
        "rate_over_limit": round((len(times) - 1) / span / args.holded_rate, 4),
        "window_s": WINDOW_S,
        "max_window_requests": most,
        "window_allowed_requests": allowed,
        "max_window_rate_over_limit": round(ratio, 4),
        "twin_429s": twin_429s,
        "aims": AIMS,
        "all_runs_succeeded": all(outcome["success"] for outcome in runs),
        "meets_all_aims": ratio <= AIMS["max_window_rate_over_limit_max"] and twin_429s <= AIMS["twin_429s_max"],
        "load_average_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.run:
        return run_one(args.run)
    return print_figures("shared_limits", lambda stack: run(args, stack))


if __name__ == "__main__":
    sys.exit(main())
