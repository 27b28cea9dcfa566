#!/usr/bin/env python
"""Benchmark of a fingerprint attendance import: its memory as files grow, and its rows per second against a bare
``csv`` read of the same file and against the floor of storing the same rows.

Setup (untimed, reported as ``setup_s``): a fresh warehouse (a temporary SQLite file, or a new PostgreSQL database
``hr_bench_<hex>``) migrated to head, with ``--employees`` employees in ``paycom_employees``, one company whose
fingerprint department the files name, and ``attendance_storage_floor``, an empty copy of
``attendance_import_records`` (the same columns, keys, foreign keys and indexes); then two fingerprint CSV files of
about ``--sizes SMALL LARGE`` MB (UTF-8, nine columns, one employee-day a row, one row in a hundred an unknown
employee so errors are written too).

Measured, once each, every measurement in a fresh Python process of its own, so that its peak resident memory
(``ru_maxrss``) is that measurement's alone:

- the bare read: ``csv.reader`` over the file opened as UTF-8, counting rows; nothing else;
- the storage floor: the bare read, each row made the tuple of the columns an import stores (its cells where a
  cell is stored, the row as JSON, the constants) with no validation, and stored into
  ``attendance_storage_floor`` by the database's fastest bulk path, in one transaction, a chunk at a time:
  the DBAPI's ``executemany`` of an ``INSERT`` on SQLite; ``COPY ... FROM STDIN`` on PostgreSQL, since
  psycopg2's ``executemany`` sends one statement per row (about 90 µs a row, slower than the import);
- the import: what the inbox sensor (or ``hr-assets attendance import``) and then the ``attendance_records`` asset
  run: ``store_attendance_file`` (hash, then the file stored in the warehouse a chunk at a time; timed alone as
  ``store_s``), then ``import_file`` on the stored copy, read back from the warehouse a chunk at a time: encoding
  check, parse, validate every row against the master and the companies, and store every record and error in one
  transaction, a chunk at a time. The process has imported the platform and opened the warehouse before the clock
  starts (``rss_before_mb``); its peak memory covers both.

Figures, on the large file: ``rss_growth_mb`` is the import's peak RSS on the large file minus that on the small
one (the aim: under 200 MB); ``bare_csv_over_import`` is the bare read's rows per second over the
import's (the aim: at most 1.5); ``import_over_storage_floor`` is the import's time over the storage
floor's, and ``bare_csv_over_storage_floor`` the bare read's rows per second over the floor's: what storing alone
costs against the bare read, and so the least ``bare_csv_over_import`` could be. Each figure is one run, so load
from elsewhere on the machine shows in it.

It prints one JSON object on stdout (logs go to stderr). Run it from the repository root::

    .venv/bin/python bench/attendance_import.py [--sizes 10 50] [--employees 500]
        [--database sqlite|postgresql] [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]

SQLite is the default warehouse; with ``--database postgresql`` PostgreSQL must answer at ``--postgres-url`` (an
account allowed to create databases), or the benchmark stops with a one-line error.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import io
import itertools
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from common import BenchError, add_database_arguments, print_figures, warehouse_url

from hr_assets.defs.attendance.importing import CHUNK_ROWS, content_sha256, import_file, store_attendance_file
from hr_assets.defs.attendance.store import start_import
from hr_assets.defs.shared.companies import add_company
from hr_assets.warehouse.engine import warehouse_engine
from hr_assets.warehouse.tables import (
    attendance_import_records,
    companies,
    metadata,
    paycom_employees,
)

AIMS = {"rss_growth_mb_max": 200, "bare_csv_over_import_max": 1.5}
DEPARTMENT = "AdvLine"
HEADER = "Employee ID,First Name,Department,Date,Weekday,Check In,Check Out,Clock In,Clock Out"
FIRST_DAY = dt.date(2020, 1, 1)
UNKNOWN_EVERY = 100  # one row in this many names an employee the master does not have
MB = 1_000_000
FLOOR_TABLE = "attendance_storage_floor"
# The columns an import stores, in the order the storage floor's rows hold them.
FLOOR_COLUMNS = (
    "attendance_import_id",
    "row_number",
    "employee_code",
    "company_id",
    "csv_employee_id",
    "first_name",
    "fingerprint_department",
    "date",
    "weekday",
    "check_in",
    "check_out",
    "clock_in",
    "clock_out",
    "raw",
    "is_valid",
    "validation_errors",
    "created_at",
    "updated_at",
)
FLOOR_INSERT = f"INSERT INTO {FLOOR_TABLE} ({', '.join(FLOOR_COLUMNS)}) VALUES ({', '.join('?' * len(FLOOR_COLUMNS))})"
_NOT_NULL = ", ".join(name for name in FLOOR_COLUMNS if not attendance_import_records.c[name].nullable)
FLOOR_COPY = (
    f"COPY {FLOOR_TABLE} ({', '.join(FLOOR_COLUMNS)}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({_NOT_NULL}))"
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=float,
        nargs=2,
        default=(10, 50),
        metavar=("SMALL", "LARGE"),
        help="sizes of the small and the large file in MB (default 10 50; the published figures: 10 100)",
    )
    parser.add_argument("--employees", type=int, default=500, help="employees in the master (default 500)")
    add_database_arguments(parser)
    parser.add_argument("--measure", choices=("bare", "floor", "import"), help=argparse.SUPPRESS)  # a child's one
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure is None and not 0 < args.sizes[0] < args.sizes[1]:
        parser.error("--sizes: the small size must be positive and smaller than the large one")
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
        floor_table().create(connection)
    engine.dispose()


def floor_table() -> sa.Table:
    """``attendance_storage_floor``: ``attendance_import_records`` under another name, with the same columns, keys,
    foreign keys and indexes (theirs renamed after it)."""
    copies = sa.MetaData()
    for table in metadata.sorted_tables:  # the tables its foreign keys refer to
        table.to_metadata(copies)
    floor = attendance_import_records.to_metadata(copies, name=FLOOR_TABLE)
    for item in (*floor.indexes, *floor.constraints):
        if isinstance(item.name, str):
            item.name = item.name.replace(attendance_import_records.name, FLOOR_TABLE)
    return floor


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
    if args.measure == "floor":
        return measure_storage_floor(engine, args.file)
    with engine.connect() as connection:  # the pool's connection opened before the clock starts
        connection.execute(sa.text("SELECT 1"))
    before = _rss_mb()
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    with engine.begin() as connection:
        stored = store_attendance_file(connection, args.file, content_sha256(args.file), now)
    store_seconds = time.perf_counter() - started
    outcome = import_file(engine, stored, f"bench-{args.file.stem}", now)
    seconds = time.perf_counter() - started
    return {
        "rows": outcome.rows,
        "valid": outcome.valid,
        "errors": outcome.error_count,
        "seconds": seconds,
        "store_seconds": store_seconds,
        "rss_before_mb": before,
        "peak_rss_mb": _peak_rss_mb(),
    }


def measure_storage_floor(engine: sa.Engine, path: Path) -> dict[str, Any]:
    """The bare read, then the rows stored with the DBAPI alone, a chunk at a time in one transaction."""
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:  # an import for the rows to belong to, and the company: untimed
        company_id = connection.execute(sa.select(companies.c.id)).scalar_one()
        import_id, _ = start_import(
            connection,
            sha256=f"storage floor of {path.name}",
            partition_key=f"storage-floor-{path.stem}",
            file_name=path.name,
            file_path=str(path),
            run_id="bench-storage-floor",
            now=now,
        )
    on_postgresql = engine.dialect.name == "postgresql"
    stamp = now.isoformat() if on_postgresql else now.strftime("%Y-%m-%d %H:%M:%S.%f")
    dbapi_connection = engine.raw_connection()
    try:
        cursor = dbapi_connection.cursor()
        started = time.perf_counter()
        if not on_postgresql:
            cursor.execute("BEGIN IMMEDIATE")
        with path.open(encoding="utf-8", newline="") as handle:
            rows = floor_rows(csv.reader(handle), import_id, company_id, stamp)
            stored = 0
            while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
                if on_postgresql:
                    copy_floor_rows(cursor, chunk)
                else:
                    cursor.executemany(FLOOR_INSERT, chunk)
                stored += len(chunk)
        dbapi_connection.commit()
        seconds = time.perf_counter() - started
    finally:
        dbapi_connection.close()
    return {"rows": stored, "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}


def floor_rows(reader: Iterator[list[str]], import_id: int, company_id: int, stamp: str) -> Iterator[tuple]:
    """Each row as the tuple of ``FLOOR_COLUMNS``: its cells, the row as JSON, the constants of a valid record."""
    header = next(reader)
    for line, cells in enumerate(reader, start=2):
        code, first_name, department, day, weekday, check_in, check_out, clock_in, clock_out = cells
        raw = json.dumps(dict(zip(header, cells, strict=True)))
        yield (
            import_id, line, code, company_id, code, first_name, department, day, weekday,
            check_in, check_out, clock_in, clock_out, raw,
            True, "null", stamp, stamp,
        )  # fmt: skip


def copy_floor_rows(cursor: Any, chunk: list[tuple]) -> None:
    """``COPY`` in CSV format, written by ``csv.writer``; an empty cell is NULL only in the nullable columns."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(chunk)
    text.seek(0)
    cursor.copy_expert(FLOOR_COPY, text)


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
    url = warehouse_url(args, stack, work)
    build_warehouse(url, args.employees)
    files = {}
    for name, megabytes in zip(("small", "large"), args.sizes, strict=True):
        path = work / f"fingerprint_{name}.csv"
        files[name] = (path, write_file(path, megabytes, args.employees))
    setup_s = time.perf_counter() - started

    figures: dict[str, dict[str, Any]] = {}
    for name, (path, rows) in files.items():
        bare = in_child("bare", path, url)
        floor = in_child("floor", path, url)
        imported = in_child("import", path, url)
        if {bare["rows"], floor["rows"], imported["rows"]} != {rows}:
            raise BenchError(
                f"{path.name}: {rows} rows written, {bare['rows']} read bare, {floor['rows']} stored by the floor, "
                f"{imported['rows']} imported"
            )
        expected_errors = rows // UNKNOWN_EVERY
        if imported["valid"] != rows - expected_errors or imported["errors"] != expected_errors:
            raise BenchError(f"{path.name}: {imported['valid']} valid and {imported['errors']} errors of {rows} rows")
        bare_rate, floor_rate, import_rate = (
            rows / seconds for seconds in (bare["seconds"], floor["seconds"], imported["seconds"])
        )
        figures[name] = {
            "file_mb": round(path.stat().st_size / MB, 1),
            "rows": rows,
            "bare_csv_s": round(bare["seconds"], 3),
            "bare_csv_rows_per_s": round(bare_rate),
            "bare_csv_peak_rss_mb": round(bare["peak_rss_mb"], 1),
            "storage_floor_s": round(floor["seconds"], 3),
            "storage_floor_rows_per_s": round(floor_rate),
            "import_s": round(imported["seconds"], 3),
            "store_s": round(imported["store_seconds"], 3),
            "import_rows_per_s": round(import_rate),
            "import_rss_before_mb": round(imported["rss_before_mb"], 1),
            "import_peak_rss_mb": round(imported["peak_rss_mb"], 1),
            "bare_csv_over_import": round(bare_rate / import_rate, 2),
            "bare_csv_over_storage_floor": round(bare_rate / floor_rate, 2),
            "import_over_storage_floor": round(floor_rate / import_rate, 2),
        }
    large = figures["large"]
    rss_growth_mb = round(large["import_peak_rss_mb"] - figures["small"]["import_peak_rss_mb"], 1)
    meets_memory_aim = rss_growth_mb < AIMS["rss_growth_mb_max"]
    meets_throughput_aim = large["bare_csv_over_import"] <= AIMS["bare_csv_over_import_max"]
    return {
        "database": args.database,
        "python": platform.python_version(),
        "employees": args.employees,
        "chunk_rows": CHUNK_ROWS,
        "storage_floor_method": "COPY FROM STDIN" if args.database == "postgresql" else "executemany",
        "setup_s": round(setup_s, 3),
        "small": figures["small"],
        "large": large,
        "rss_growth_mb": rss_growth_mb,
        "bare_csv_over_import": large["bare_csv_over_import"],
        "import_over_storage_floor": large["import_over_storage_floor"],
        "bare_csv_over_storage_floor": large["bare_csv_over_storage_floor"],
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
