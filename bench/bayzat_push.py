#!/usr/bin/env python
"""Benchmark of the Bayzat push: how close each company's push gets to the rate limit of its API key when
all companies push at once, whether Bayzat has to refuse any request, and how much faster that is than the
one-company-at-a-time way.

Setup (untimed, reported as ``setup_s``): a fresh warehouse (a temporary SQLite file, or a new PostgreSQL
database ``hr_bench_<hex>``) migrated to head; C companies (``add_company``), each with its fingerprint
department and an encrypted Bayzat configuration (``save_config``, under a random ``HR_SECRET_KEY``); 100
employees a company in ``paycom_employees``; and per company one attendance CSV of N rows (its employees
day after day, every row with a check-in and a check-out, so 2 Bayzat records) imported with
``import_file``, the importer the asset and the CLI use. Two Bayzat twins (``BayzatSandbox`` served by
``SandboxHttpServer`` on 127.0.0.1), one per side, so each side starts with an empty ledger and its own
429 count; both know every company's key and employees and allow ``--rate`` requests per second per key,
answering 429 above it. The twin judges a request at its arrival, when the kernel received it, whenever
one of its threads gets round to it. Each twin runs in its own Python process that imports only the
sandbox, as Bayzat is not in the platform's process: its threads and collections do not slow the push.

Measured, once each, against the real project code and the real twin over HTTP (nothing mocked):

- the project's push: ``push_company`` for every company at once, one process per company (as parallel
  Dagster runs of the ``bayzat_push`` job are, one per company partition), with a ``BayzatResource``
  whose ``rate_limit_delay_s`` is ``1 / --rate``. A company's ``seconds`` run from the call to its
  return: lease, due records, batches, every request with its status writes before and after, batches
  closed, lease released. Its rate is the Bayzat records the twin accepted for its key over that time;
  the ceiling is ``max_records_per_request`` (20) times ``--rate``. Rates are given in Bayzat records
  (``*_bayzat_records_per_s``) and in attendance records (``*_attendance_records_per_s``, half as many:
  each attendance record is a check-in and a check-out); ``rate_ratio`` is the same in both units.
  ``request_rate_per_s`` is the pacing alone, from the twin's log: (requests - 1) over the time from the
  key's first request to its last (429s included); ``before_first_request_s`` and
  ``after_last_request_s`` are the rest of the company's time;
- the one-company-at-a-time way, on the same records: one company after another, a plain ``httpx`` loop posting
  20 Bayzat records at a time and sleeping the rate-limit delay (``1 / --rate``) after every request. Each
  of its requests costs the same (the sleep and a round trip), so only the first ``--sequential-requests`` (40)
  of each company are sent and timed (``sequential_measured_s``), and ``sequential_total_s`` is that time scaled to
  all the requests: sending all 2500 at the large size would take about 140 s and tell nothing more. Its
  request bodies are built untimed beforehand (with the project's own transform) and it writes no status
  back to the warehouse, so it does less work than the project's push: ``speedup`` is a floor.

``speedup`` is the sequential total over the project's total (first company's start to last company's end).
Both pushes are checked before anything is reported: every record synced in the warehouse (project) and
every Bayzat record in its twin's ledger exactly once (both sides), or the benchmark fails.
``project_cpu_share`` is the push processes' CPU time over the push's wall time (2 cores: at most 2.0).

It prints one JSON object on stdout (logs go to stderr). Run it from the repository root::

    .venv/bin/python bench/bayzat_push.py [--companies 5] [--records 5000] [--rate 20]
        [--database sqlite|postgresql] [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]

At the default 20 requests per second and the large size (5 companies of 5000 records, 500 requests each)
the project's push takes about 26 s, the sequential sample about 10 s and the setup 3 s. A faster ``--rate`` does
not help on a 2-core machine: the five push threads, sharing one interpreter at about 6 ms of CPU a request,
fall behind from about 30 requests per second per key, and their figures then measure the machine rather than
the pacing (Dagster runs each company's push in its own process).
SQLite is the default warehouse; with ``--database postgresql``
PostgreSQL must answer at ``--postgres-url`` (an account allowed to create databases), or the benchmark
stops with a one-line error instead of falling back to SQLite.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import math
import multiprocessing
import platform
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from common import BenchError, add_database_arguments, print_figures, warehouse_url

from hr_assets.defs.attendance.importing import content_sha256, import_file, store_attendance_file
from hr_assets.defs.bayzat.configs import save_config
from hr_assets.defs.bayzat.push import PushSummary, push_company
from hr_assets.defs.bayzat.resources import BayzatResource
from hr_assets.defs.bayzat.store import status_counts
from hr_assets.defs.bayzat.transform import Punches, bayzat_records, chunks
from hr_assets.defs.shared.companies import add_company
from hr_assets.lib.clock import Clock
from hr_assets.warehouse.engine import warehouse_engine
from hr_assets.warehouse.tables import attendance_import_records, paycom_employees
from hr_assets.warehouse.tables import companies as companies_table
from hr_sandbox.http_server import key_id

AIMS = {"rate_ratio_min": 0.95, "sandbox_429s_max": 0}
DEFAULT_RATE = 20.0
EMPLOYEES_PER_COMPANY = 100
FIRST_DAY = dt.date(2025, 1, 1)
TIMEZONE = "Asia/Dubai"
HEADER = "Employee ID,First Name,Department,Date,Weekday,Check In,Check Out,Clock In,Clock Out"
MAX_RECORDS_PER_REQUEST = 20
TIMEOUT_S = 10.0
TWIN_STOP_S = 10.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=5, help="companies pushing at once (default 5)")
    parser.add_argument("--records", type=int, default=5000, help="attendance records per company (default 5000)")
    parser.add_argument(
        "--sequential-requests",
        type=int,
        default=40,
        help="requests per company the sequential way actually sends; its total is scaled from them (default 40)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=DEFAULT_RATE,
        help=f"requests per second allowed per API key, by the twin and the client (default {DEFAULT_RATE:g})",
    )
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    if args.companies < 1 or args.records < 1:
        parser.error("--companies and --records must be at least 1")
    if not args.rate > 0:
        parser.error("--rate must be positive")
    return args


@dataclass(frozen=True)
class Company:
    slug: str
    department: str
    api_key: str
    employees: list[str]


# --- the world --------------------------------------------------------------------------------


def make_companies(count: int) -> list[Company]:
    return [
        Company(
            slug=f"company-{n}",
            department=f"Department {n}",
            api_key=f"bayzat-bench-{n}-{secrets.token_hex(12)}",
            employees=[f"{n:02d}{e:04d}" for e in range(1, EMPLOYEES_PER_COMPANY + 1)],
        )
        for n in range(1, count + 1)
    ]


def attendance_csv(company: Company, records: int) -> str:
    """``records`` rows: the company's employees day after day, each row a check-in and a check-out (times spread
    over the minutes and seconds, so every punch is its own Bayzat record)."""
    lines = [HEADER]
    days = math.ceil(records / len(company.employees))
    rows = [(d, n) for d in range(days) for n in range(len(company.employees))][:records]
    for d, n in rows:
        day, emp_id = FIRST_DAY + dt.timedelta(days=d), company.employees[n]
        check_in = f"08:{(n + d) % 60:02d}:{(n * 13) % 60:02d}"
        check_out = f"17:{(n * 7 + d) % 60:02d}:{(n * 17) % 60:02d}"
        lines.append(
            f"{emp_id},Name{emp_id},{company.department},{day.isoformat()},{day.strftime('%A')},"
            f"{check_in},{check_out},09:00,17:00"
        )
    return "\r\n".join(lines) + "\r\n"


def build_world(
    engine: sa.Engine, companies: Sequence[Company], records: int, api_url: str, work: Path, secret_key: str
) -> None:
    """Employees, companies with their Bayzat configurations (keys encrypted with ``secret_key``), and one
    imported CSV per company."""
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(paycom_employees),
            [
                {
                    "employee_code": code,
                    "first_name": f"Name{code}",
                    "status": "active",
                    "created_at": now,
                    "updated_at": now,
                    "last_synced_at": now,
                    "last_synced_week": FIRST_DAY,
                }
                for company in companies
                for code in company.employees
            ],
        )
        for company in companies:
            company_id = add_company(
                connection,
                slug=company.slug,
                name_en=company.slug.title(),
                name_ar=None,
                fingerprint_report_name=company.department,
                timezone=TIMEZONE,
                now=now,
            )
            save_config(
                connection,
                company_id=company_id,
                api_key=company.api_key,
                api_url=api_url,
                is_enabled=True,
                sync_frequency="hourly",
                now=now,
                secret_key=secret_key,
            )
    for company in companies:
        path = work / f"{company.slug}.csv"
        path.write_text(attendance_csv(company, records), encoding="utf-8")
        with engine.begin() as connection:
            stored = store_attendance_file(connection, path, content_sha256(path), now)
        outcome = import_file(engine, stored, f"bench-import-{uuid.uuid4().hex[:8]}", now)
        if outcome.valid != records:
            first = outcome.first_errors[0] if outcome.first_errors else "no error recorded"
            raise BenchError(f"{company.slug}: {outcome.valid} of {records} rows imported as valid ({first})")


def sequential_bodies(engine: sa.Engine, company: Company) -> list[dict[str, Any]]:
    """The request bodies the sequential pusher sends for a company: its valid records in file order, 20 Bayzat
    records a request (read whatever their status, as this runs after the project's push has synced them)."""
    table = attendance_import_records
    query = (
        sa.select(table.c.id, table.c.csv_employee_id, table.c.date, table.c.check_in, table.c.check_out)
        .join(companies_table, companies_table.c.id == table.c.company_id)
        .where(companies_table.c.slug == company.slug, table.c.is_valid)
        .order_by(table.c.attendance_import_id, table.c.row_number)
    )
    with engine.connect() as connection:
        punches = [Punches(*row) for row in connection.execute(query)]
    return [
        {"records": [body for record in group for body in bayzat_records(record)]}
        for group in chunks(punches, MAX_RECORDS_PER_REQUEST)
    ]


# The twin's process runs this: only the sandbox is imported (no Dagster, no SQLAlchemy).
TWIN_PROGRAM = """
import json, sys
from hr_sandbox.bayzat import ATTENDANCE_PATH, BayzatSandbox
from hr_sandbox.http_server import SandboxHttpServer

config = json.loads(sys.stdin.readline())
sandbox = BayzatSandbox(
    config["api_keys"], config["rate"], config["max_records_per_request"], config["known_employees"]
)
with SandboxHttpServer(sandbox) as server:
    print(json.dumps(server.url + ATTENDANCE_PATH), flush=True)
    for line in sys.stdin:
        if line.strip() != "log":
            break
        log = {
            "throttled": sandbox.throttled,
            "requests": [[r.at, r.key_id, r.status] for r in sandbox.requests],
            "ledger": {key: [[r.emp_id, r.time] for r in records] for key, records in sandbox.ledger.items()},
        }
        print(json.dumps(log), flush=True)
"""


@dataclass(frozen=True)
class TwinLog:
    """What a twin saw: the 429s it gave, its requests (arrival on the monotonic clock, key id, status),
    and its ledger as (empId, time) per key id."""

    throttled: int
    requests: list[tuple[float, str, int]]
    ledger: dict[str, list[tuple[str, str]]]

    def accepted(self, api_key: str) -> list[tuple[str, str]]:
        return self.ledger.get(key_id(api_key), [])


class Twin:
    """A Bayzat twin (``BayzatSandbox`` served by ``SandboxHttpServer`` on 127.0.0.1) in its own process, as
    Bayzat is not in the platform's: its threads and garbage collections do not hold up the push's interpreter."""

    def __init__(self, stack: contextlib.ExitStack, companies: Sequence[Company], rate: float) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-c", TWIN_PROGRAM], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        stack.callback(self._stop)
        config = {
            "api_keys": [company.api_key for company in companies],
            "rate": rate,
            "max_records_per_request": MAX_RECORDS_PER_REQUEST,
            "known_employees": {company.api_key: company.employees for company in companies},
        }
        self.url: str = self._ask(json.dumps(config))

    def log(self) -> TwinLog:
        log = self._ask("log")
        return TwinLog(
            throttled=log["throttled"],
            requests=[(at, key, status) for at, key, status in log["requests"]],
            ledger={key: [(emp_id, at) for emp_id, at in records] for key, records in log["ledger"].items()},
        )

    def _ask(self, line: str) -> Any:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()
        answer = self._process.stdout.readline()
        if not answer:
            raise BenchError(f"the Bayzat twin exited (code {self._process.wait(TWIN_STOP_S)}); see its error above")
        return json.loads(answer)

    def _stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            assert self._process.stdin is not None
            self._process.stdin.close()
        try:
            self._process.wait(TWIN_STOP_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


# --- what is measured -------------------------------------------------------------------------


@dataclass
class Pushed:
    company: Company
    started: float = 0.0
    finished: float = 0.0
    summary: PushSummary | None = None
    error: BaseException | None = None

    @property
    def seconds(self) -> float:
        return self.finished - self.started


def children_cpu_s() -> float:
    """CPU seconds of the child processes that have ended (the pushes, once joined; the twins still run)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def project_push(engine: sa.Engine, companies: Sequence[Company], bayzat: BayzatResource) -> list[Pushed]:
    """Every company's ``push_company`` at once, each in its own process as Dagster runs them (one run per
    company partition), started together; forked, so the processes share this one's setup."""
    forking = multiprocessing.get_context("fork")
    barrier, results = forking.Barrier(len(companies)), forking.SimpleQueue()

    def push(company: Company) -> None:
        engine.dispose(close=False)  # the parent's pooled connections are not this process's to use
        barrier.wait()
        result = Pushed(company, started=time.monotonic())
        try:
            result.summary = push_company(engine, company.slug, bayzat, f"bench-{uuid.uuid4().hex}", Clock().now)
        except Exception as exc:  # reported by the parent
            result.error = RuntimeError(f"{type(exc).__name__}: {exc}")
        result.finished = time.monotonic()
        results.put(result)

    processes = [forking.Process(target=push, args=(company,), name=f"push-{company.slug}") for company in companies]
    for process in processes:
        process.start()
    pushed = {result.company.slug: result for result in (results.get() for _ in processes)}
    for process in processes:
        process.join()
    for result in pushed.values():
        if result.error is not None:
            raise BenchError(f"{result.company.slug}: the push failed: {result.error}")
    return [pushed[company.slug] for company in companies]


def sequential_push(
    url: str, bodies: dict[str, list[dict[str, Any]]], companies: Sequence[Company], delay: float
) -> dict:
    """The sequential pusher: one company after another, a POST then a fixed sleep of the rate-limit delay."""
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    for company in companies:
        with httpx.Client(headers={"x-api-key": company.api_key}, timeout=TIMEOUT_S) as client:
            for body in bodies[company.slug]:
                status = client.post(url, json=body).status_code
                statuses[status] = statuses.get(status, 0) + 1
                time.sleep(delay)
    return {"seconds": time.perf_counter() - started, "statuses": statuses}


# --- checks and figures -----------------------------------------------------------------------


def check_ledger(log: TwinLog, companies: Sequence[Company], expected: dict[str, int], side: str) -> None:
    for company in companies:
        accepted = log.accepted(company.api_key)
        unique = set(accepted)
        if len(accepted) != expected[company.slug] or len(unique) != len(accepted):
            raise BenchError(
                f"{side}: the twin holds {len(accepted)} records ({len(unique)} distinct) for {company.slug}, "
                f"expected {expected[company.slug]}"
            )


def check_statuses(engine: sa.Engine, records: int, companies: int) -> None:
    with engine.connect() as connection:
        counts = dict(status_counts(connection))
    if counts != {"synced": records * companies}:
        raise BenchError(
            f"after the push the records' statuses are {counts}, expected all {records * companies} synced"
        )


def arrivals(log: TwinLog, company: Company) -> list[float]:
    mine = key_id(company.api_key)
    return [at for at, key, _ in log.requests if key == mine]


def company_figures(pushed: Pushed, log: TwinLog, rate: float, attendance_per_bayzat: float) -> dict[str, Any]:
    summary = pushed.summary
    assert summary is not None
    bayzat_records_sent = len(log.accepted(pushed.company.api_key))
    ceiling = MAX_RECORDS_PER_REQUEST * rate
    achieved = bayzat_records_sent / pushed.seconds
    times = arrivals(log, pushed.company)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return {
        "company": pushed.company.slug,
        "seconds": round(pushed.seconds, 3),
        "requests": summary.requests,
        "synced_attendance_records": summary.synced,
        "bayzat_records": bayzat_records_sent,
        "achieved_bayzat_records_per_s": round(achieved, 2),
        "ceiling_bayzat_records_per_s": round(ceiling, 2),
        "achieved_attendance_records_per_s": round(achieved * attendance_per_bayzat, 2),
        "ceiling_attendance_records_per_s": round(ceiling * attendance_per_bayzat, 2),
        "rate_ratio": round(achieved / ceiling, 4),
        "request_rate_per_s": round((len(times) - 1) / span, 3) if span > 0 else None,
        "request_rate_ratio": round((len(times) - 1) / span / rate, 4) if span > 0 else None,
        "before_first_request_s": round(times[0] - pushed.started, 3) if times else None,
        "after_last_request_s": round(pushed.finished - times[-1], 3) if times else None,
        "client_429s": summary.throttled,
        "stopped": summary.stopped,
    }


# --- the run ----------------------------------------------------------------------------------


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> dict[str, Any]:
    setup_started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="hr_bench_"))
    stack.callback(shutil.rmtree, work, ignore_errors=True)
    secret_key = secrets.token_urlsafe(48)

    # The warehouse first: an unreachable PostgreSQL fails before the slow part of the setup.
    url = warehouse_url(args, stack, work)
    engine = warehouse_engine(url)
    stack.callback(engine.dispose)

    companies = make_companies(args.companies)
    project_twin, sequential_twin = Twin(stack, companies, args.rate), Twin(stack, companies, args.rate)
    build_world(engine, companies, args.records, project_twin.url, work, secret_key)
    delay = 1 / args.rate
    bayzat = BayzatResource(
        hr_secret_key=secret_key,
        rate_limit_delay=delay,
        max_records_per_request=MAX_RECORDS_PER_REQUEST,
        timeout_seconds=TIMEOUT_S,
        hr_warehouse_url=url,  # each key's budget shared through the warehouse, as a run's is
    )
    gc.collect()  # the import's garbage, so that no collection of it lands in the push
    setup_s = time.perf_counter() - setup_started

    # 1. the project's push, every company at once.
    cpu_started = children_cpu_s()
    pushed = project_push(engine, companies, bayzat)
    project_cpu_s = children_cpu_s() - cpu_started
    project_s = max(p.finished for p in pushed) - min(p.started for p in pushed)
    project_log = project_twin.log()

    # 2. the one-company-at-a-time way, the same records to a second twin (bodies built untimed, after the push, so
    # the push's process does not hold them).
    bodies = {company.slug: sequential_bodies(engine, company) for company in companies}
    expected = {slug: sum(len(body["records"]) for body in company_bodies) for slug, company_bodies in bodies.items()}
    sampled = {slug: company_bodies[: args.sequential_requests] for slug, company_bodies in bodies.items()}
    gc.collect()
    sequential = sequential_push(sequential_twin.url, sampled, companies, delay)
    sequential_log = sequential_twin.log()
    sequential_requests = sum(len(company_bodies) for company_bodies in sampled.values())
    all_requests = sum(len(company_bodies) for company_bodies in bodies.values())
    sequential_total_s = sequential["seconds"] * all_requests / sequential_requests

    check_statuses(engine, args.records, args.companies)
    check_ledger(project_log, companies, expected, "the project's push")
    sampled_expected = {slug: sum(len(body["records"]) for body in bodies_) for slug, bodies_ in sampled.items()}
    check_ledger(sequential_log, companies, sampled_expected, "the sequential push")

    total_bayzat_records = sum(expected.values())
    attendance_per_bayzat = args.records * args.companies / total_bayzat_records
    per_company = [company_figures(p, project_log, args.rate, attendance_per_bayzat) for p in pushed]
    min_ratio = min(figures["rate_ratio"] for figures in per_company)
    project_429s = project_log.throttled
    meets_rate_aim = min_ratio >= AIMS["rate_ratio_min"]
    meets_429_aim = project_429s <= AIMS["sandbox_429s_max"]
    requests = sum(p.summary.requests for p in pushed if p.summary is not None)
    return {
        "companies": args.companies,
        "attendance_records_per_company": args.records,
        "bayzat_records_per_company": round(total_bayzat_records / args.companies),
        "rate_limit_per_s": args.rate,
        "max_records_per_request": MAX_RECORDS_PER_REQUEST,
        "database": args.database,
        "python": platform.python_version(),
        "setup_s": round(setup_s, 3),
        "project_total_s": round(project_s, 3),
        "project_bayzat_records_per_s": round(total_bayzat_records / project_s, 2),
        "per_company": per_company,
        "min_rate_ratio": min_ratio,
        "sandbox_429s": project_429s,
        "project_requests": requests,
        "project_cpu_s": round(project_cpu_s, 3),
        "project_cpu_ms_per_request": round(1000 * project_cpu_s / requests, 3),
        "project_cpu_share": round(project_cpu_s / project_s, 3),
        "sequential_measured_requests": sequential_requests,
        "sequential_measured_s": round(sequential["seconds"], 3),
        "sequential_total_s": round(sequential_total_s, 3),
        "sequential_bayzat_records_per_s": round(total_bayzat_records / sequential_total_s, 2),
        "sequential_429s": sequential_log.throttled,
        "sequential_statuses": {str(status): count for status, count in sorted(sequential["statuses"].items())},
        "speedup": round(sequential_total_s / project_s, 3),
        "aims": AIMS,
        "meets_rate_aim": meets_rate_aim,
        "meets_429_aim": meets_429_aim,
        "meets_all_aims": meets_rate_aim and meets_429_aim,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return print_figures("bayzat_push", lambda stack: run(args, stack))


if __name__ == "__main__":
    sys.exit(main())
