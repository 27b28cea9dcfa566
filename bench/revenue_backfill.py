#!/usr/bin/env python
"""Benchmark of a revenue-chain backfill: how long N months take run the way a backfill runs them,
how close the Holded client gets to its rate limit, and what one run per partition costs.

Setup (untimed, reported as ``setup_s``): for each of the two backfills below a temporary Dagster
instance (``dagster_home/dagster.yaml`` copied) and a fresh warehouse (a temporary SQLite file, or a
new PostgreSQL database ``hr_bench_<hex>``) migrated to head, and the revenue sandbox (Holded, 4Geeks
and Notion twins on 127.0.0.1) serving N months of M invoices each, the last of them two months
before the current one. The platform is pointed at
the twins through its environment variables, with Holded paced at ``--holded-rate`` requests per
second (the Holded twin refusing above the same limit) and 4Geeks and Notion paced at 100 per
second, so that Holded is what the benchmark looks at. Nothing is mocked. The twins run in this
process, and their generated data (about 320,000 dicts and lists at the large size) is frozen out
of the garbage collector (``gc.freeze``) before the platform is imported: a deployment's process does
not hold it, and left in, it stretched full collections to 0.5 to 0.8 s, stalls the Holded client
then pays for (rate ratio about 0.94 instead of 0.97 at the large size).

Measured, against the real project code:

- ``per_partition_runs_s`` (also ``total_s``): the whole ``revenue_chain`` job over the N months as a
  backfill runs it, one run per month in month order, each through ``run_partition`` in
  ``hr_assets/lib/runs.py``: the job rebuilt from the definitions and executed by ``dg.execute_job``
  in the instance, which records the run;
- the Holded request rate during those runs. The twin logs every request it receives; those of the
  three listings (services, contacts, invoices) are cut into bursts, a new burst starting at each run
  and at each gap of 1 s or more. Within a burst of n requests the client was sending continuously,
  and n requests span n - 1 intervals, so the achieved rate is the sum over bursts of at least 5
  requests of (n - 1), divided by the sum of their durations (last arrival - first arrival). Time
  between bursts (other assets, run start and end) does not count against the client, but the
  hand-overs inside a run's burst do (``holded_services`` ending and ``holded_invoices`` starting, the
  month's invoices parsed before the contacts are listed): about 0.1 s a run, 2 % of the rate at
  the published size, about 10 % at the default's 14 requests a run;
- ``single_run_s``: the same N months on a second fresh warehouse and instance, with the same twins
  and data, as one recorded run for the whole range (``run_partition`` with ``last_partition_key``),
  as a backfill of the chain runs them under its ``BackfillPolicy.single_run()``: contacts, students,
  enrolments and Notion pages are listed once, not once a month, and the run starts once.
  ``per_partition_over_single_run`` is what one run per month costs over it.

It prints one JSON object on stdout (logs go to stderr). Run it from the repository root::

    .venv/bin/python bench/revenue_backfill.py [--months 6] [--invoices-per-month 500]
        [--holded-rate 20] [--database sqlite|postgresql]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]
    .venv/bin/python bench/revenue_backfill.py --months 24 --invoices-per-month 2000   # the large size

The default takes about 40 s on a 2-core machine; the large size (24 months of 2000 invoices)
about 10 minutes, both backfills included. Judge the rate aim at the large size: with 14 Holded
requests a run, the default's hand-overs alone hold the ratio near 0.9. SQLite is the default warehouse; with
``--database postgresql`` PostgreSQL must answer at ``--postgres-url`` (an account allowed to
create databases), or the benchmark stops with a one-line error instead of falling back to SQLite.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from common import BenchError, environment, postgres_admin, postgres_database, print_figures

from hr_assets.warehouse.engine import warehouse_engine
from hr_sandbox.revenue import RevenueSandbox

# Dagster and the definitions are imported inside the functions that use them: the settings are read
# when the definitions are imported, so only once the environment points at the twins, and the
# platform's objects stay out of the gc.freeze() that takes the twins' data out of garbage collection.

REPO = Path(__file__).resolve().parents[1]
JOB = "revenue_chain"
AIMS = {"holded_rate_ratio_min": 0.9}
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
OTHER_APIS_RATE = 100.0  # 4Geeks and Notion: paced high, so Holded is the API the benchmark looks at
HOLDED_PAGE_SIZE = 250
HOLDED_LISTINGS = (
    "/api/invoicing/v1/services",
    "/api/invoicing/v1/contacts",
    "/api/invoicing/v1/documents/invoice",
    "/api/invoicing/v1/documents/creditnote",
)
BURST_GAP_S = 1.0
BURST_MIN_REQUESTS = 5
NOTE = (
    "per_partition_runs_s: one run per month in month order, each through run_partition "
    "(hr_assets/lib/runs.py: the job rebuilt from the definitions, dg.execute_job, recorded in the instance), "
    "as a backfill with the default one-run-per-partition policy runs them; single_run_s: the same months on a "
    "fresh warehouse and instance with the same data as one recorded run for the range, as a backfill runs them "
    "under the chain's single-run policy (contacts, students, enrolments and Notion pages listed once, not once "
    "a month). holded_rate_* come from the per-partition runs, single_run_holded_* from the single run."
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--months", type=int, default=6, help="months backfilled (default 6; the large size: 24)")
    parser.add_argument(
        "--invoices-per-month",
        type=int,
        default=500,
        help="Holded invoices a month (default 500; the large size: 2000)",
    )
    parser.add_argument("--holded-rate", type=float, default=20.0, help="Holded requests per second (default 20)")
    parser.add_argument(
        "--database", choices=("sqlite", "postgresql"), default="sqlite", help="the warehouse database (default sqlite)"
    )
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help=f"admin URL used to create and drop the bench databases (default {DEFAULT_POSTGRES_URL})",
    )
    args = parser.parse_args(argv)
    if args.months < 1:
        parser.error("--months must be at least 1")
    if args.invoices_per_month < 1:
        parser.error("--invoices-per-month must be at least 1")
    if not args.holded_rate > 0:
        parser.error("--holded-rate must be positive")
    return args


def first_month(months: int, today: dt.date) -> dt.date:
    """The first of ``months`` months that all lie before ``today``'s month, with one month to spare:
    the current month minus ``months + 1``."""
    index = today.year * 12 + today.month - 1 - (months + 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def month_keys(start: dt.date, months: int) -> list[str]:
    index = start.year * 12 + start.month - 1
    return [dt.date((index + n) // 12, (index + n) % 12 + 1, 1).isoformat() for n in range(months)]


# --- the warehouse and the instance -----------------------------------------------------------


def migrated(url: str) -> str:
    """Create the warehouse schema now, so no run pays for it (the platform's engine migrates on first use)."""
    warehouse_engine(url)
    return url


def new_warehouses(
    args: argparse.Namespace, stack: contextlib.ExitStack, work: Path, names: Sequence[str]
) -> list[str]:
    """Fresh warehouses, migrated: PostgreSQL databases dropped at the end, or SQLite files in ``work``."""
    if args.database == "sqlite":
        return [migrated(f"sqlite:///{work / name}.db") for name in names]
    admin = stack.enter_context(postgres_admin(args.postgres_url))
    return [migrated(stack.enter_context(postgres_database(admin))) for _ in names]


def new_dagster_home(work: Path, name: str) -> Path:
    home = work / name
    home.mkdir()
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    return home


def point_platform_at(sandbox_environment: dict[str, str], start: dt.date, holded_rate: float) -> dict[str, str]:
    """The environment the platform reads: the twins, the pacing and the history start."""
    return {
        **sandbox_environment,
        "HOLDED_RATE_LIMIT_PER_SECOND": str(holded_rate),
        "FOURGEEKS_RATE_LIMIT_PER_SECOND": str(OTHER_APIS_RATE),
        "NOTION_RATE_LIMIT_PER_SECOND": str(OTHER_APIS_RATE),
        "HR_HISTORY_START": start.isoformat(),
        "HR_TIMEZONE": "UTC",
    }


def freeze_what_exists() -> None:
    """Keep everything alive now (the twins' data above all) out of every later garbage collection."""
    gc.collect()
    gc.freeze()


# --- what is measured -------------------------------------------------------------------------


def per_partition_runs(keys: Sequence[str], mark: Callable[[], None]) -> float:
    """One recorded run per month, in order, as a backfill launches them; ``mark`` is called before each."""
    from hr_assets.lib.runs import run_partition

    started = time.perf_counter()
    for key in keys:
        mark()
        outcome = run_partition(JOB, key)
        if not outcome.success:
            raise BenchError(f"the {JOB} run for {key} failed: {outcome.error}")
    return time.perf_counter() - started


def single_run(keys: Sequence[str]) -> float:
    """The same months as one recorded run for the whole range, as a backfill launches it under the
    chain's single-run backfill policy."""
    from hr_assets.lib.runs import run_partition

    started = time.perf_counter()
    outcome = run_partition(JOB, keys[0], last_partition_key=keys[-1])
    if not outcome.success:
        raise BenchError(f"the {JOB} run for {keys[0]} to {keys[-1]} failed: {outcome.error}")
    return time.perf_counter() - started


def holded_bursts(times: Sequence[float], run_starts: Sequence[int]) -> list[tuple[int, float]]:
    """(requests, seconds from first to last) of each burst: a new burst at each run's first request
    (an index in ``run_starts``) and after each gap of ``BURST_GAP_S`` or more."""
    bursts: list[tuple[int, float]] = []
    starts = set(run_starts)
    first = 0
    for index in range(1, len(times) + 1):
        if index == len(times) or index in starts or times[index] - times[index - 1] >= BURST_GAP_S:
            bursts.append((index - first, times[index - 1] - times[first]))
            first = index
    return bursts


def achieved_rate(bursts: Sequence[tuple[int, float]]) -> float | None:
    """Intervals per second within the bursts of at least ``BURST_MIN_REQUESTS`` requests."""
    counted = [(requests, seconds) for requests, seconds in bursts if requests >= BURST_MIN_REQUESTS]
    seconds = sum(seconds for _, seconds in counted)
    return sum(requests - 1 for requests, _ in counted) / seconds if seconds > 0 else None


def holded_figures(requests: Sequence[Any], run_marks: Sequence[int], limit: float) -> dict[str, Any]:
    """The rate figures from the Holded twin's log entries of the per-partition runs; ``run_marks`` are the
    log's length when each run began (relative to ``requests``)."""
    listed = [(index, request.at) for index, request in enumerate(requests) if request.path in HOLDED_LISTINGS]
    positions = [index for index, _ in listed]
    run_starts = [sum(1 for position in positions if position < mark) for mark in run_marks]
    bursts = holded_bursts([at for _, at in listed], run_starts)
    rate = achieved_rate(bursts)
    ratio = rate / limit if rate is not None else None
    return {
        "holded_requests": len(listed),
        "holded_bursts": sum(1 for requests, _ in bursts if requests >= BURST_MIN_REQUESTS),
        "holded_rate_achieved_per_s": round(rate, 3) if rate is not None else None,
        "holded_rate_limit_per_s": limit,
        "holded_rate_ratio": round(ratio, 4) if ratio is not None else None,
    }


# --- the run ----------------------------------------------------------------------------------


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> dict[str, Any]:
    setup_started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="hr_bench_"))
    stack.callback(shutil.rmtree, work, ignore_errors=True)
    start = first_month(args.months, dt.date.today())
    keys = month_keys(start, args.months)

    # The warehouses first: an unreachable PostgreSQL fails before the slow part of the setup.
    runs_warehouse, single_warehouse = new_warehouses(args, stack, work, ["warehouse_runs", "warehouse_single"])
    runs_home, single_home = new_dagster_home(work, "dagster_home_runs"), new_dagster_home(work, "dagster_home_single")

    sandbox = RevenueSandbox(
        work / "revenue",
        start=start,
        months=args.months,
        invoices_per_month=args.invoices_per_month,
        holded_page_size=HOLDED_PAGE_SIZE,
        holded_rate_limit_per_second=args.holded_rate,
        notion_rate_limit_per_second=OTHER_APIS_RATE,
    )
    stack.enter_context(sandbox)
    freeze_what_exists()
    env = point_platform_at(sandbox.environment(), start, args.holded_rate)
    stack.enter_context(environment({**env, "DAGSTER_HOME": str(runs_home), "HR_WAREHOUSE_URL": runs_warehouse}))
    from hr_assets.definitions import defs

    defs()  # import every module now, so the first measured run does not pay for it
    setup_s = time.perf_counter() - setup_started

    # (a) one recorded run per month; the Holded log is marked at each run's start.
    log_start, throttled_start = len(sandbox.holded.requests), sandbox.holded.throttled
    marks: list[int] = []
    per_partition_s = per_partition_runs(keys, lambda: marks.append(len(sandbox.holded.requests) - log_start))
    runs_requests = sandbox.holded.requests[log_start:]
    holded_429s = sandbox.holded.throttled - throttled_start

    # (b) the same months as one run for the range, on a fresh warehouse and instance.
    os.environ["HR_WAREHOUSE_URL"] = single_warehouse
    os.environ["DAGSTER_HOME"] = str(single_home)
    log_start, throttled_start = len(sandbox.holded.requests), sandbox.holded.throttled
    single_s = single_run(keys)
    single_requests = sandbox.holded.requests[log_start:]
    holded_429s += sandbox.holded.throttled - throttled_start

    holded = holded_figures(runs_requests, marks, args.holded_rate)
    single = holded_figures(single_requests, [0], args.holded_rate)
    ratios = (holded["holded_rate_ratio"], single["holded_rate_ratio"])
    return {
        "months": args.months,
        "invoices_per_month": args.invoices_per_month,
        "database": args.database,
        "first_month": keys[0],
        "setup_s": round(setup_s, 3),
        "total_s": round(per_partition_s, 3),
        "seconds_per_month": round(per_partition_s / args.months, 3),
        "runs": len(keys),
        "all_runs_succeeded": True,  # a failed run stops the benchmark (exit 1)
        **holded,
        "holded_429s": holded_429s,
        "per_partition_runs_s": round(per_partition_s, 3),
        "single_run_s": round(single_s, 3),
        "single_run_seconds_per_month": round(single_s / args.months, 3),
        "single_run_holded_requests": single["holded_requests"],
        "single_run_holded_rate_ratio": single["holded_rate_ratio"],
        "per_partition_over_single_run": round(per_partition_s / single_s, 4),
        "note": NOTE,
        "aims": AIMS,
        "meets_rate_aim": all(ratio is not None and ratio >= AIMS["holded_rate_ratio_min"] for ratio in ratios),
        "python": platform.python_version(),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return print_figures("revenue_backfill", lambda stack: run(args, stack))


if __name__ == "__main__":
    sys.exit(main())
