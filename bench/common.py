"""What every benchmark here shares: a one-line failure, throwaway PostgreSQL databases, interleaved timings,
and a stdout that carries nothing but the JSON figures."""

import argparse
import contextlib
import gc
import json
import logging
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    """``--database sqlite|postgresql`` and ``--postgres-url``, as every warehouse benchmark takes them."""
    parser.add_argument(
        "--database", choices=("sqlite", "postgresql"), default="sqlite", help="the warehouse database (default sqlite)"
    )
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help=f"admin URL used to create and drop the bench database (default {DEFAULT_POSTGRES_URL})",
    )


class BenchError(Exception):
    """The benchmark cannot run; the message is one line saying why."""


@contextlib.contextmanager
def postgres_admin(admin_url: str) -> Iterator[sa.Engine]:
    """An AUTOCOMMIT engine on the admin URL, checked to answer: PostgreSQL asked for is never skipped."""
    try:
        safe_url = sa.engine.make_url(admin_url).render_as_string(hide_password=True)
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise BenchError(f"cannot use --postgres-url: {exc}") from None
    try:
        try:
            with admin.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except sa.exc.DBAPIError as exc:
            reason = " ".join(str(exc.orig).split()) or type(exc.orig).__name__
            raise BenchError(f"PostgreSQL at {safe_url} is unreachable or refused the connection: {reason}") from None
        yield admin
    finally:
        admin.dispose()


def warehouse_url(args: argparse.Namespace, stack: contextlib.ExitStack, directory: Path) -> str:
    """The benchmark's warehouse, as ``--database`` says: a fresh PostgreSQL database (dropped when ``stack`` closes;
    an unreachable server is a ``BenchError``, never a fall-back to SQLite), or a SQLite file in ``directory``."""
    if args.database == "postgresql":
        return stack.enter_context(postgres_database(stack.enter_context(postgres_admin(args.postgres_url))))
    return f"sqlite:///{directory / 'warehouse.db'}"


@contextlib.contextmanager
def postgres_database(admin: sa.Engine) -> Iterator[str]:
    """A fresh database ``hr_bench_<hex>``, dropped WITH (FORCE) afterwards; yields its URL."""
    name = f"hr_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables, restoring the previous values afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send everything written to file descriptor 1 meanwhile (print, log handlers bound to stdout,
    Dagster's console logs, C code) to stderr, so stdout carries the JSON only."""
    sys.stdout.flush()
    real_stdout = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(real_stdout, 1)
        os.close(real_stdout)


def print_figures(name: str, run: Callable[[contextlib.ExitStack], dict[str, Any]]) -> int:
    """Run the benchmark with its clean-ups on one stack; print its JSON, or its one-line failure. Exit code."""
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    result: dict[str, Any] | None = None
    with stdout_to_stderr():
        try:
            with contextlib.ExitStack() as stack:
                result = run(stack)
        except BenchError as exc:
            print(f"{name}: {exc}", file=sys.stderr)
    if result is None:
        return 1
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


def interleaved(repetitions: int, *runs: Callable[[], object]) -> list[list[float]]:
    """The seconds of each run, ``repetitions`` times, the runs taking turns so load from elsewhere on the machine
    hits both alike; garbage is collected before each run so one run's leftovers do not slow the next."""
    samples: list[list[float]] = [[] for _ in runs]
    for _ in range(repetitions):
        for run, times in zip(runs, samples, strict=True):
            gc.collect()
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
    return samples
