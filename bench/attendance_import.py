#!/usr/bin/env python
"""Benchmark of a fingerprint attendance import: its memory as files grow, and its rows per second against a bare
``csv`` read of the same file.

Setup (untimed, reported as ``setup_s``): a fresh warehouse (a temporary SQLite file, or a new PostgreSQL database
``hr_bench_<hex>``) migrated to head, with ``--employees`` employees in ``paycom_employees`` and one company whose
fingerprint department the files name; then two fingerprint CSV files of about ``--small-mb`` and ``--large-mb``
MB (UTF-8, nine columns, one employee-day a row, one row in a hundred an unknown employee so errors are written
too).

Measured, once each, every measurement in a fresh Python process of its own, so that its peak resident memory
(``ru_maxrss``) is that measurement's alone:

- the bare read: ``csv.reader`` over the file opened as UTF-8, counting rows; nothing else;
- the import: ``import_file``, what the ``attendance_records`` asset and ``hr-assets attendance import`` run:
  hash, encoding check, parse, validate every row against the master and the companies, and store every record
  and error in one transaction, a chunk at a time. The process has imported the platform and opened the warehouse
  before the clock starts (``rss_before_mb``).

Figures: ``rss_growth_mb`` is the import's peak RSS on the large file minus that on the small one (aim: under
200 MB); ``bare_csv_over_import`` is the bare read's rows per second over the import's, on the large file (aim: at
most 1.5). Each figure is one run, so load from elsewhere on the machine shows in it.

It prints one JSON object on stdout (logs go to stderr). Run it from the repository root::

    .venv/bin/python bench/attendance_import.py [--small-mb 10] [--large-mb 100] [--employees 500]
        [--database sqlite|postgresql] [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]

SQLite is the default warehouse; with ``--database postgresql`` PostgreSQL must answer at ``--postgres-url`` (an
account allowed to create databases), or the benchmark stops with a one-line error.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from common import BenchError, add_database_arguments, postgres_admin, postgres_database, print_figures

from hr_assets.defs.attendance.importing import CHUNK_ROWS, import_file
from hr_assets.defs.companies.store import add_company
from hr_assets.warehouse.engine import warehouse_engine
from hr_assets.warehouse.tables import paycom_employees

AIMS = {"rss_growth_mb_max": 200, "bare_csv_over_import_max": 1.5}
DEPARTMENT = "AdvLine"
HEADER = "Employee ID,First Name,Department,Date,Weekday,Check In,Check Out,Clock In,Clock Out"
FIRST_DAY = dt.date(2020, 1, 1)
UNKNOWN_EVERY = 100  # one row in this many names an employee the master does not have
MB = 1_000_000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small-mb", type=float, default=10, help="size of the small file in MB (default 10)")
    parser.add_argument("--large-mb", type=float, default=100, help="size of the large file in MB (default 100)")
    parser.add_argument("--employees", type=int, default=500, help="employees in the master (default 500)")
    add_database_arguments(parser)
    parser.add_argument("--measure", choices=("bare", "import"), help=argparse.SUPPRESS)  # a child's one measurement
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure is None and not 0 < args.small_mb < args.large_mb:
        parser.error("--small-mb must be positive and smaller than --large-mb")
    if args.employees < 1:
        parser.error("--employees must be at least 1")
    return args


def employee_code(number: int) -> str:
    return f"{1000 + number}"


def write_file(path: Path, megabytes: float, employees: int) -> int:
    """A fingerprint report of about ``megabytes`` MB: each employee, day after day. Returns its rows."""
    rows, size, target = 0, len(HEADER) + 2, megabytes * MB
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER + "\r\n")
        while size < target:
            number = rows % employees
            day = FIRST_DAY + dt.timedelta(days=rows // employees)
            code = "99999" if rows % UNKNOWN_EVERY == UNKNOWN_EVERY - 1 else employee_code(number)
            line = (
                f"{code},Name{number},{DEPARTMENT},{day.isoformat()},{day:%A},"
                f"08:{rows % 60:02d},17:{(rows * 7) % 60:02d},08:00,17:00\r\n"
            )
            handle.write(line)
            size += len(line)
            rows += 1
    return rows


def build_warehouse(url: str, employees: int) -> None:
    engine = warehouse_engine(url)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(paycom_employees),
            [
                {
                    "employee_code": employee_code(number),
                    "status": "active",
                    "created_at": now,
                    "updated_at": now,
                    "last_synced_at": now,
                    "last_synced_week": dt.date(2026, 1, 2),
                }
                for number in range(employees)
            ],
        )
        add_company(
            connection,
            slug="advline",
            name_en="AdvLine",
            name_ar=None,
            fingerprint_report_name=DEPARTMENT,
            timezone="UTC",
            now=now,
        )
    engine.dispose()


def _rss_mb() -> float:
    """The resident memory now (Linux: /proc/self/statm)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / MB


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB  # kilobytes on Linux


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """One measurement, in this (fresh) process."""
    if args.measure == "bare":
        started = time.perf_counter()
        with args.file.open(encoding="utf-8", newline="") as handle:
            rows = sum(1 for _ in csv.reader(handle)) - 1
        seconds = time.perf_counter() - started
        return {"rows": rows, "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}
    engine = warehouse_engine(args.url)
    with engine.connect() as connection:  # the pool's connection opened before the clock starts
        connection.execute(sa.text("SELECT 1"))
    before = _rss_mb()
    started = time.perf_counter()
    outcome = import_file(engine, args.file, f"bench-{args.file.stem}", dt.datetime.now(dt.UTC))
    seconds = time.perf_counter() - started
    return {
        "rows": outcome.rows,
        "valid": outcome.valid,
        "errors": outcome.error_count,
        "seconds": seconds,
        "rss_before_mb": before,
        "peak_rss_mb": _peak_rss_mb(),
    }


def in_child(what: str, path: Path, url: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--measure", what, "--file", str(path), "--url", url]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchError(f"the {what} measurement of {path.name} failed: {last}")
    return json.loads(completed.stdout)


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> dict[str, Any]:
    started = time.perf_counter()
    work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hr_bench_attendance_")))
    if args.database == "postgresql":
        url = stack.enter_context(postgres_database(stack.enter_context(postgres_admin(args.postgres_url))))
    else:
        url = f"sqlite:///{work / 'warehouse.db'}"
    build_warehouse(url, args.employees)
    files = {}
    for name, megabytes in (("small", args.small_mb), ("large", args.large_mb)):
        path = work / f"fingerprint_{name}.csv"
        files[name] = (path, write_file(path, megabytes, args.employees))
    setup_s = time.perf_counter() - started

    figures: dict[str, dict[str, Any]] = {}
    for name, (path, rows) in files.items():
        bare = in_child("bare", path, url)
        imported = in_child("import", path, url)
        if bare["rows"] != rows or imported["rows"] != rows:
            raise BenchError(f"{path.name}: {rows} rows written, {bare['rows']} read bare, {imported['rows']} imported")
        expected_errors = rows // UNKNOWN_EVERY
        if imported["valid"] != rows - expected_errors or imported["errors"] != expected_errors:
            raise BenchError(f"{path.name}: {imported['valid']} valid and {imported['errors']} errors of {rows} rows")
        bare_rate, import_rate = rows / bare["seconds"], rows / imported["seconds"]
        figures[name] = {
            "file_mb": round(path.stat().st_size / MB, 1),
            "rows": rows,
            "bare_csv_s": round(bare["seconds"], 3),
            "bare_csv_rows_per_s": round(bare_rate),
            "bare_csv_peak_rss_mb": round(bare["peak_rss_mb"], 1),
            "import_s": round(imported["seconds"], 3),
            "import_rows_per_s": round(import_rate),
            "import_rss_before_mb": round(imported["rss_before_mb"], 1),
            "import_peak_rss_mb": round(imported["peak_rss_mb"], 1),
            "bare_csv_over_import": round(bare_rate / import_rate, 2),
        }
    rss_growth_mb = round(figures["large"]["import_peak_rss_mb"] - figures["small"]["import_peak_rss_mb"], 1)
    bare_csv_over_import = figures["large"]["bare_csv_over_import"]
    meets_memory_aim = rss_growth_mb < AIMS["rss_growth_mb_max"]
    meets_throughput_aim = bare_csv_over_import <= AIMS["bare_csv_over_import_max"]
    return {
        "database": args.database,
        "python": platform.python_version(),
        "employees": args.employees,
        "chunk_rows": CHUNK_ROWS,
        "setup_s": round(setup_s, 3),
        "small": figures["small"],
        "large": figures["large"],
        "rss_growth_mb": rss_growth_mb,
        "bare_csv_over_import": bare_csv_over_import,
        "aims": AIMS,
        "meets_memory_aim": meets_memory_aim,
        "meets_throughput_aim": meets_throughput_aim,
        "meets_aims": meets_memory_aim and meets_throughput_aim,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.measure:
        sys.stdout.write(json.dumps(measure(args)) + "\n")
        return 0
    return print_figures("attendance_import", lambda stack: run(args, stack))


if __name__ == "__main__":
    sys.exit(main())
