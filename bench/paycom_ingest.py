#!/usr/bin/env python
"""Benchmark of the Paycom ingest path: how much the platform adds to numbers-parser, and how much
faster its INSERT ... ON CONFLICT upsert is than the old row-by-row SELECT-then-INSERT/UPDATE.

Setup (untimed, reported as ``setup_s``): one Paycom push of N sandbox employees (three ``.numbers``
roster reports and the CSV pay export) served by the sandbox SFTP server on 127.0.0.1, and a fresh
warehouse (a new PostgreSQL database ``hr_bench_<hex>``, or a temporary SQLite file) migrated to head.

Measured, each the best of ``repetitions`` (2) runs, against the real project code (nothing mocked);
the two sides of each ratio take turns, so load from elsewhere on the machine hits both alike:

- ``bare_read_s``: numbers-parser alone reading the three ``.numbers`` files, plus ``csv`` reading the
  pay export: the floor any ingest pays;
- ``pipeline_s``: the platform's path end to end: SFTP listing, report selection, download, storing the
  files in the warehouse, reading them back from it (their content then deleted), parsing, merging,
  then in one transaction ``load_employees`` / ``write_employees`` / ``replace_snapshot``
  (tables emptied before each run, so each run inserts the same ``rows``);
- ``upsert_s``: ``store.write_employees`` alone on an emptied table, in one transaction;
- ``naive_upsert_s``: the row-by-row baseline on the same rows (a SELECT, then an INSERT or UPDATE per row)
  (``update_or_create`` in autocommit): per row its own transaction, ``SELECT ... FOR UPDATE`` by
  employee code, then UPDATE or INSERT;
- ``naive_upsert_one_transaction_s``: the same loop inside one transaction, the strongest
  row-by-row competitor, reported beside it so the headline ratio can be judged.

Upsert timings include BEGIN and COMMIT on both sides.
It prints one JSON object on stdout (logs go to stderr). Run it from the repository root::

    .venv/bin/python bench/paycom_ingest.py [--employees 2000] [--database postgresql|sqlite]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]

PostgreSQL must answer at ``--postgres-url`` (an account allowed to create databases); if it does
not, the benchmark stops with a one-line error instead of falling back to SQLite.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import gc
import platform
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from common import BenchError, print_figures, warehouse_url
from numbers_parser import Document

from hr_assets.defs.paycom import store
from hr_assets.defs.paycom.ingest import SOURCE
from hr_assets.defs.paycom.parsing import parse_report
from hr_assets.defs.paycom.reports import REPORT_TYPES, classify, newest_per_type
from hr_assets.defs.paycom.resources import PaycomSftpResource
from hr_assets.defs.paycom.roster import RosterChanges, apply_reports, merge_reports
from hr_assets.warehouse.engine import create_engine, migrate
from hr_assets.warehouse.stored_files import delete_content, local_copy, store_path
from hr_assets.warehouse.tables import paycom_employee_snapshots, paycom_employees
from hr_sandbox.paycom_reports import sandbox_employees, write_paycom_reports
from hr_sandbox.sftp_server import SandboxSftpServer, generate_host_key

REPETITIONS = 2
AIMS = {"overhead_ratio_max": 1.3, "upsert_speedup_min": 20}
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

# The push: a Friday morning, read by that Friday's sync (cutoff: the end of the day).
TZ = ZoneInfo("UTC")
PUSHED_AT = dt.datetime(2024, 1, 5, 6, 0, 0, tzinfo=TZ)
CUTOFF = PUSHED_AT + dt.timedelta(days=1)
WEEK = PUSHED_AT.date()
SFTP_USER = "bench"
SFTP_PASSWORD = "bench-" + uuid.uuid4().hex


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=2000, help="employees in the push (default 2000)")
    parser.add_argument(
        "--database",
        choices=("postgresql", "sqlite"),
        default="postgresql",
        help="the warehouse database (default postgresql)",
    )
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help=f"admin URL used to create and drop the bench database (default {DEFAULT_POSTGRES_URL})",
    )
    args = parser.parse_args(argv)
    if args.employees < 1:
        parser.error("--employees must be at least 1")
    return args


def interleaved(repetitions: int, *runs: Callable[[], float]) -> list[list[float]]:
    """The seconds of each run, ``repetitions`` times, the runs taking turns (a, b, a, b, ...) so a
    load spike from elsewhere on the machine hits both sides of a ratio alike; garbage is collected
    before each run so one run's leftovers do not slow the next."""
    samples: list[list[float]] = [[] for _ in runs]
    for _ in range(repetitions):
        for run, times in zip(runs, samples, strict=True):
            gc.collect()
            times.append(run())
    return samples


# --- the warehouse ----------------------------------------------------------------------------


def empty_tables(engine: sa.Engine) -> None:
    """Empty the two tables the pipeline writes, so each repetition inserts the same rows."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # TRUNCATE, not DELETE: no dead tuples left for the next run's unique checks to wade through.
            connection.execute(sa.text(f"TRUNCATE {paycom_employees.name}, {paycom_employee_snapshots.name}"))
        else:
            connection.execute(sa.delete(paycom_employees))
            connection.execute(sa.delete(paycom_employee_snapshots))


def table_counts(engine: sa.Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        employees = connection.execute(sa.select(sa.func.count()).select_from(paycom_employees)).scalar_one()
        snapshots = connection.execute(
            sa.select(sa.func.count())
            .select_from(paycom_employee_snapshots)
            .where(paycom_employee_snapshots.c.sync_week == WEEK)
        ).scalar_one()
    return employees, snapshots


# --- what is measured -------------------------------------------------------------------------


def bare_read(numbers_paths: list[Path], csv_path: Path) -> int:
    """numbers-parser and the csv module alone; returns the rows read (so nothing is optimised away)."""
    rows = 0
    for path in numbers_paths:
        rows += len(Document(str(path)).sheets[0].tables[0].rows(values_only=True))
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows += len(list(csv.reader(handle)))
    return rows


def pipeline(sftp: PaycomSftpResource, engine: sa.Engine, now: dt.datetime, local_directory: Path) -> RosterChanges:
    """The platform's own path: SFTP to warehouse, as the Paycom assets run it (the files stored in the warehouse,
    then read back from it and their content deleted)."""
    entries = sftp.list_files()
    reports = [r for e in entries if (r := classify(e.name, e.size_bytes, TZ)) is not None]
    chosen = newest_per_type(reports, CUTOFF, REPORT_TYPES)
    downloaded, failed = sftp.download(list(chosen.values()), local_directory)
    if failed:
        raise BenchError(f"download failed: {failed[0].reason}")
    with engine.begin() as connection:
        stored = {f.report.report_type: store_path(connection, source=SOURCE, path=f.path, now=now) for f in downloaded}
    with engine.begin() as connection:
        parsed = {}
        for report_type, file in stored.items():
            with local_copy(connection, file) as path:
                parsed[report_type] = parse_report(report_type, path, file.file_name)
        delete_content(connection, [file.id for file in stored.values()], now)
        merged = merge_reports(parsed)
        existing = store.load_employees(connection)
        changes = apply_reports(existing, merged)
        store.write_employees(connection, changes.rows, changes.created + changes.updated, WEEK, now)
        store.replace_snapshot(connection, WEEK, changes.rows)
    return changes


def naive_upsert(
    engine: sa.Engine, rows: dict[str, dict[str, Any]], week: dt.date, now: dt.datetime, *, transaction_per_row: bool
) -> None:
    """The row-by-row loop: per row, SELECT the employee, then UPDATE it or INSERT it.

    ``transaction_per_row`` is what the Django code did: ``update_or_create`` in autocommit mode is
    one transaction per row with ``SELECT ... FOR UPDATE``. Without it the same loop runs in one
    transaction, the strongest row-by-row competitor. Statements are built once and executed with
    bound parameters, so the baseline pays for round trips, not for building expressions per row.
    """
    table = paycom_employees
    select = sa.select(table).where(table.c.employee_code == sa.bindparam("code")).with_for_update()
    insert = sa.insert(table)
    update = sa.update(table).where(table.c.employee_code == sa.bindparam("code_key"))

    def write_one(connection: sa.Connection, code: str, row: dict[str, Any]) -> None:
        values = dict(
            row, employee_code=code, last_synced_at=now, last_synced_week=week, created_at=now, updated_at=now
        )
        if connection.execute(select, {"code": code}).first() is None:
            connection.execute(insert, values)
        else:
            updates = {name: value for name, value in values.items() if name not in ("employee_code", "created_at")}
            connection.execute(update, {**updates, "code_key": code})

    if transaction_per_row:
        for code, row in rows.items():
            with engine.begin() as connection:
                write_one(connection, code, row)
    else:
        with engine.begin() as connection:
            for code, row in rows.items():
                write_one(connection, code, row)


def timed(engine: sa.Engine, write: Callable[[], None]) -> float:
    """Empty the tables, then time ``write``, its transactions and commits included."""
    empty_tables(engine)
    started = time.perf_counter()
    write()
    return time.perf_counter() - started


# --- the run ----------------------------------------------------------------------------------


def run(args: argparse.Namespace, stack: contextlib.ExitStack) -> dict[str, Any]:
    setup_started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="hr_bench_"))
    stack.callback(shutil.rmtree, work, ignore_errors=True)

    # The warehouse first: an unreachable PostgreSQL fails before the slow part of the setup.
    url = warehouse_url(args, stack, work)
    engine = create_engine(url)
    stack.callback(engine.dispose)
    migrate(engine)

    served = work / "sftp"
    paths = write_paycom_reports(served, sandbox_employees(args.employees), PUSHED_AT)
    numbers_paths = [paths[name] for name in ("directory", "dates", "payees")]
    server = SandboxSftpServer(
        root=served, host_key=generate_host_key(), username=SFTP_USER, password=SFTP_PASSWORD, port=0
    )
    server.start()
    stack.callback(server.stop)
    known_hosts = server.write_known_hosts(work / "known_hosts")

    def resource() -> PaycomSftpResource:
        return PaycomSftpResource(
            host=server.host,
            port=server.port,
            username=SFTP_USER,
            password=SFTP_PASSWORD,
            known_hosts=str(known_hosts),
            remote_directory="/",
        )

    setup_s = time.perf_counter() - setup_started

    # 2. numbers-parser and csv alone, taking turns with 3. the platform's path, end to end.
    def bare_once() -> float:
        started = time.perf_counter()
        bare_read(numbers_paths, paths["pay"])
        return time.perf_counter() - started

    results: list[RosterChanges] = []

    def pipeline_once() -> float:
        empty_tables(engine)
        local = Path(tempfile.mkdtemp(prefix="download_", dir=work))
        try:
            sftp = resource()
            started = time.perf_counter()
            results.append(pipeline(sftp, engine, dt.datetime.now(dt.UTC), local))
            elapsed = time.perf_counter() - started
        finally:
            shutil.rmtree(local, ignore_errors=True)
        expected = len(results[-1].rows)
        written = table_counts(engine)
        if written != (expected, expected) or len(results[-1].created) != expected:
            raise BenchError(f"pipeline wrote {written} employee/snapshot rows, expected {expected} of each")
        return elapsed

    bare_samples, pipeline_samples = interleaved(REPETITIONS, bare_once, pipeline_once)
    bare_s, pipeline_s = min(bare_samples), min(pipeline_samples)
    changes = results[-1]
    rows = len(changes.rows)
    if any(len(r.rows) != rows for r in results):
        raise BenchError("the pipeline repetitions did not write the same number of rows")

    # 3b. the upsert alone, taking turns with 4. the row-by-row baseline, on the same rows.
    now = dt.datetime.now(dt.UTC)
    changed = changes.created + changes.updated

    def in_one_transaction(write: Callable[[sa.Connection], None]) -> Callable[[], None]:
        def run_it() -> None:
            with engine.begin() as connection:
                write(connection)

        return run_it

    def checked(name: str, elapsed: float) -> float:
        if table_counts(engine)[0] != rows:
            raise BenchError(f"{name} did not insert every row")
        return elapsed

    def upsert_once() -> float:
        write = in_one_transaction(lambda c: store.write_employees(c, changes.rows, changed, WEEK, now))
        return checked("write_employees", timed(engine, write))

    def naive_once() -> float:
        write = lambda: naive_upsert(engine, changes.rows, WEEK, now, transaction_per_row=True)  # noqa: E731
        return checked("the row-by-row loop", timed(engine, write))

    def naive_one_transaction_once() -> float:
        write = lambda: naive_upsert(engine, changes.rows, WEEK, now, transaction_per_row=False)  # noqa: E731
        return checked("the single-transaction loop", timed(engine, write))

    upsert_samples, naive_samples, naive_one_samples = interleaved(
        REPETITIONS, upsert_once, naive_once, naive_one_transaction_once
    )
    upsert_s, naive_s, naive_one_s = min(upsert_samples), min(naive_samples), min(naive_one_samples)

    overhead_ratio = pipeline_s / bare_s
    upsert_speedup = naive_s / upsert_s

    def seconds(values: list[float]) -> list[float]:
        return [round(value, 4) for value in values]

    return {
        "database": args.database,
        "employees": args.employees,
        "rows": rows,
        "python": platform.python_version(),
        "repetitions": REPETITIONS,
        "setup_s": round(setup_s, 4),
        "bare_read_s": round(bare_s, 4),
        "pipeline_s": round(pipeline_s, 4),
        "upsert_s": round(upsert_s, 4),
        "naive_upsert_s": round(naive_s, 4),
        "naive_upsert_one_transaction_s": round(naive_one_s, 4),
        "overhead_ratio": round(overhead_ratio, 4),
        "upsert_speedup": round(upsert_speedup, 4),
        "upsert_speedup_vs_one_transaction_loop": round(naive_one_s / upsert_s, 4),
        "aims": AIMS,
        "meets_overhead_aim": overhead_ratio <= AIMS["overhead_ratio_max"],
        "meets_upsert_aim": upsert_speedup >= AIMS["upsert_speedup_min"],
        "samples_s": {
            "bare_read": seconds(bare_samples),
            "pipeline": seconds(pipeline_samples),
            "upsert": seconds(upsert_samples),
            "naive_upsert": seconds(naive_samples),
            "naive_upsert_one_transaction": seconds(naive_one_samples),
        },
        "file_bytes": {name: path.stat().st_size for name, path in paths.items()},
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return print_figures("paycom_ingest", lambda stack: run(args, stack))


if __name__ == "__main__":
    sys.exit(main())
