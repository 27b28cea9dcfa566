#!/usr/bin/env python
"""Benchmark of the monthly accruals: a run end to end on a real warehouse, or the computation alone.

Setup (untimed): N random invoice lines, four to an invoice, with invoice dates spread over M months from January
2023, service periods of 1 to 12 months starting from two months before the invoice date to one month after it (so
there is catch-up, prepayment, and a few periods over before their invoice month), about 5% unmatched lines and 2%
credit notes.

``--end-to-end`` measures what a person waits for: on each database (a SQLite file; a fresh PostgreSQL database at
``--postgres-url``, dropped afterwards) the lines stored as Holded's import and the 4Geeks enrolments store them,
then an accruals run over the M months as the asset makes it (``ledger.recompute``: read the lines, closed months and
service periods; book; write the rows and summaries; commit), ``repetitions`` times from no accruals stored (every
row written), each followed by a re-run with every month stored (what each month's run does to the open months
before it). The stored months are compared in full with ``baseline_accruals`` afterwards.

Without it, the computation alone, no database: ``accruals_for_months`` (recognition) and ``book_months`` (recognition
and booking, as the run calls it), each the best of ``repetitions`` runs, after both have been compared in full with
``baseline_accruals`` below, the rules written again one line and one month at a time.

It prints one JSON object on stdout. Run it from the repository root::

    .venv/bin/python bench/accruals.py [--lines 100000] [--months 36] [--seed 7] [--repetitions 3]
    .venv/bin/python bench/accruals.py --end-to-end [--database sqlite|postgresql|both] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import calendar
import contextlib
import gc
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa
from common import DEFAULT_POSTGRES_URL, BenchError, interleaved, postgres_admin, postgres_database, print_figures

from hr_assets.defs.accruals import ledger
from hr_assets.defs.accruals.booking import book_months
from hr_assets.defs.accruals.recognition import AccrualLine, MonthAccruals, accruals_for_months, line_schedule
from hr_assets.warehouse.engine import create_engine, insert_rows, migrate
from hr_assets.warehouse.tables import (
    accrual_months,
    accruals,
    holded_invoice_lines,
    holded_invoices,
    holded_services,
    service_periods,
)

AIMS = {"sqlite_end_to_end_max_s": 5}
REPETITIONS = 3
FIRST_MONTH = date(2023, 1, 1)
ONE_DAY = timedelta(days=1)
NOW = datetime(2026, 1, 5, 9, tzinfo=UTC)
LINES_PER_INVOICE = 4


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000, help="invoice lines (default 100000)")
    parser.add_argument("--months", type=int, default=36, help="months the invoices spread over (default 36)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the random lines (default 7)")
    parser.add_argument(
        "--end-to-end",
        action="store_true",
        help="an accruals run as a person waits for it: read from a real warehouse, book, write, on each database",
    )
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgresql", "both"),
        default="both",
        help="with --end-to-end: the warehouse databases (default both)",
    )
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help=f"admin URL used to create and drop the bench database (default {DEFAULT_POSTGRES_URL})",
    )
    parser.add_argument("--repetitions", type=int, default=REPETITIONS, help=f"default {REPETITIONS}")
    args = parser.parse_args(argv)
    if args.lines < 1 or args.months < 1 or args.repetitions < 1:
        parser.error("--lines, --months and --repetitions must be at least 1")
    return args


def add_months(day: date, count: int) -> date:
    """The same day ``count`` months later, or that month's last day when it is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 + count, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


# --- the baseline: the rules one line and one month at a time ------------------------------------


class PlainMonth(NamedTuple):
    """A month's accruals as plain Python: what the baseline builds, and what the project's result is compared as."""

    month: date
    rows: list[tuple[str, int, int | None, int]]  # (invoice_id, line_no, service_period_id, recognized_cents)
    invoiced_in_month_cents: int
    invoiced_to_date_cents: int
    recognized_in_month_cents: int
    recognized_to_date_cents: int
    deferred_cents: int
    unmatched_lines: int


def baseline_schedule(line: AccrualLine) -> dict[date, int]:
    """Month -> cents of one line, catch-up folded into its invoice month."""
    invoice_month = line.invoice_date.replace(day=1)
    if line.period_start is None or line.period_end is None:
        return {invoice_month: line.net_cents}
    sign, magnitude = (-1 if line.net_cents < 0 else 1), abs(line.net_cents)
    total_days = (line.period_end - line.period_start).days + 1
    months, floors, remainders = [], [], []
    month = line.period_start.replace(day=1)
    while month <= line.period_end:
        following = add_months(month, 1)
        days = (min(line.period_end + ONE_DAY, following) - max(line.period_start, month)).days
        floor, remainder = divmod(magnitude * days, total_days)
        months.append(month)
        floors.append(floor)
        remainders.append(remainder)
        month = following
    largest_first = sorted(range(len(months)), key=lambda k: (-remainders[k], k))
    for k in largest_first[: magnitude - sum(floors)]:
        floors[k] += 1
    schedule: dict[date, int] = {}
    for month, cents in zip(months, floors, strict=True):
        target = max(month, invoice_month)
        schedule[target] = schedule.get(target, 0) + sign * cents
    return schedule


def baseline_accruals(lines: Sequence[AccrualLine], months: Sequence[date]) -> list[PlainMonth]:
    """``accruals_for_months`` for consecutive ``months`` starting at or before the first invoice month."""
    position = {month: k for k, month in enumerate(months)}
    after_last = add_months(months[-1], 1)
    rows: list[list[tuple[str, int, int | None, int]]] = [[] for _ in months]
    invoiced, recognized, deferred, unmatched = ([0] * len(months) for _ in range(4))
    for line in lines:
        if line.invoice_date >= after_last:
            continue
        schedule = baseline_schedule(line)
        first = position[line.invoice_date.replace(day=1)]
        invoiced[first] += line.net_cents
        unmatched[first] += line.service_period_id is None
        still_deferred = line.net_cents
        for k in range(first, len(months)):
            cents = schedule.get(months[k], 0)
            if cents:
                rows[k].append((line.invoice_id, line.line_no, line.service_period_id, cents))
                recognized[k] += cents
                still_deferred -= cents
            deferred[k] += still_deferred
    invoiced_to_date = recognized_to_date = 0
    result = []
    for k, month in enumerate(months):
        invoiced_to_date += invoiced[k]
        recognized_to_date += recognized[k]
        result.append(
            PlainMonth(
                month,
                rows[k],
                invoiced[k],
                invoiced_to_date,
                recognized[k],
                recognized_to_date,
                deferred[k],
                unmatched[k],
            )
        )
    return result


# --- comparing -------------------------------------------------------------------------------------


def plain(result: MonthAccruals) -> PlainMonth:
    return PlainMonth(
        result.month,
        result.rows,
        result.invoiced_in_month_cents,
        result.invoiced_to_date_cents,
        result.recognized_in_month_cents,
        result.recognized_to_date_cents,
        result.deferred_cents,
        result.unmatched_lines,
    )


def compare(lines: Sequence[AccrualLine], months: list[date]) -> None:
    """Raises unless the project and the baseline agree on every month's totals and rows and every line's schedule."""
    if [plain(result) for result in accruals_for_months(lines, months)] != baseline_accruals(lines, months):
        raise BenchError("the project's accruals and the baseline disagree")
    baseline = [{month: cents for month, cents in baseline_schedule(line).items() if cents} for line in lines]
    if [line_schedule(line) for line in lines] != baseline:
        raise BenchError("the project's schedules and the baseline disagree")


def described(args: argparse.Namespace) -> dict[str, Any]:
    """What was measured, and how busy the machine was when it started."""
    return {
        "lines": args.lines,
        "months": args.months,
        "seed": args.seed,
        "python": platform.python_version(),
        "repetitions": args.repetitions,
        "load_average": [round(load, 2) for load in os.getloadavg()],
    }


def seconds(samples: list[float]) -> list[float]:
    return [round(sample, 4) for sample in samples]


def run_computation(args: argparse.Namespace) -> dict[str, Any]:
    lines = random_invoices(args.lines, args.months, args.seed)
    months = [add_months(FIRST_MONTH, k) for k in range(args.months)]
    compare(lines, months)
    recognized = accruals_for_months(lines, months)
    recognition, booking = interleaved(
        args.repetitions, lambda: accruals_for_months(lines, months), lambda: book_months(lines, {}, months)
    )
    return described(args) | {
        "recognition_s": round(min(recognition), 4),
        "booking_s": round(min(booking), 4),
        "samples_s": {"recognition": seconds(recognition), "booking": seconds(booking)},
        "rows": sum(len(month.rows) for month in recognized),
        "unmatched_lines": sum(month.unmatched_lines for month in recognized),
        "compared_months": len(months),  # every month's totals and rows, identical on both sides
        "compared_schedules": len(lines),  # every line's schedule, identical on both sides
    }


# --- end to end: a run on a real warehouse --------------------------------------------------------


def random_invoices(count: int, months: int, seed: int) -> list[AccrualLine]:
    """Lines as the warehouse holds them: ``LINES_PER_INVOICE`` lines an invoice (one contact, one date), each line a
    different service, so each matched line has its own enrolment (its service period) to match; otherwise as
    ``random_lines``. Half the unmatched lines have no service, the other half a service the contact has no
    enrolment in."""
    rng = random.Random(seed)  # noqa: S311 - reproducible bench data, not secrets
    days = (add_months(FIRST_MONTH, months) - FIRST_MONTH).days
    lines, invoiced = [], FIRST_MONTH
    for index in range(count):
        number, line_no = divmod(index, LINES_PER_INVOICE)
        if line_no == 0:
            invoiced = FIRST_MONTH + timedelta(days=rng.randrange(days))
        net = rng.randrange(100, 5_000_000) * (-1 if rng.random() < 0.02 else 1)
        invoice_id = f"INV-{number:06d}"
        if rng.random() < 0.05:
            lines.append(AccrualLine(invoice_id, line_no + 1, invoiced, net, None, None, None))
            continue
        start = invoiced + timedelta(days=rng.randrange(-62, 32))
        end = add_months(start, rng.randint(1, 12)) - timedelta(days=rng.randrange(1, 4))
        lines.append(AccrualLine(invoice_id, line_no + 1, invoiced, net, index + 1, start, end))
    return lines


def store_invoices(engine: sa.Engine, lines: Sequence[AccrualLine]) -> None:
    """The lines as Holded's import and the 4Geeks enrolments store them."""
    invoices: dict[str, dict[str, Any]] = {}
    invoice_lines, periods = [], []
    for index, line in enumerate(lines):
        net = Decimal(line.net_cents).scaleb(-2)
        contact = line.invoice_id.replace("INV", "C")
        invoice = invoices.setdefault(
            line.invoice_id,
            {
                "id": line.invoice_id,
                "invoice_month": line.invoice_date.replace(day=1),
                "invoice_date": line.invoice_date,
                "contact_id": contact,
                "subtotal": Decimal(0),
                "discount": Decimal(0),
                "tax": Decimal(0),
                "total": Decimal(0),
                "synced_at": NOW,
            },
        )
        invoice["subtotal"] += net
        invoice["total"] += net
        unmatched_without_service = line.service_period_id is None and index % 2 == 0
        invoice_lines.append(
            {
                "invoice_id": line.invoice_id,
                "line_no": line.line_no,
                "invoice_month": line.invoice_date.replace(day=1),
                "service_id": None if unmatched_without_service else f"svc-{line.line_no}",
                "units": Decimal(1),
                "unit_price": net,
                "discount_percent": Decimal(0),
                "tax_percent": Decimal(0),
                "gross_amount": net,
                "net_amount": net,
                "tax_amount": Decimal(0),
            }
        )
        if line.service_period_id is not None:
            periods.append(
                {
                    "id": line.service_period_id,
                    "student_id": line.service_period_id,
                    "holded_contact_id": contact,
                    "service_code": f"COURSE-{line.line_no}",
                    "cohort_slug": "bench",
                    "start_date": line.period_start,
                    "end_date": line.period_end,
                    "synced_at": NOW,
                }
            )
    services = [
        {"id": f"svc-{n}", "name": f"Course {n}", "code": f"COURSE-{n}", "synced_at": NOW}
        for n in range(1, LINES_PER_INVOICE + 1)
    ]
    with engine.begin() as connection:
        for table, rows in (
            (holded_services, services),
            (holded_invoices, list(invoices.values())),
            (holded_invoice_lines, invoice_lines),
            (service_periods, periods),
        ):
            for start in range(0, len(rows), 20_000):
                insert_rows(connection, table, rows[start : start + 20_000])


def timed_run(engine: sa.Engine, months: list[date]) -> dict[str, float]:
    """One accruals run over ``months`` as the asset makes it (``ledger.recompute``: read, book, write, in one
    transaction), its phases timed apart; the commit is part of writing."""
    gc.collect()
    started = time.perf_counter()
    with engine.begin() as connection:
        inputs = ledger.read(connection, months)
        read = time.perf_counter()
        booked = ledger.book(inputs)
        computed = time.perf_counter()
        ledger.write(connection, booked, NOW)
    written = time.perf_counter()
    return {
        "read_s": read - started,
        "book_s": computed - read,
        "write_s": written - computed,
        "end_to_end_s": written - started,
    }


def stored_months_as_plain(engine: sa.Engine, months: list[date]) -> list[PlainMonth]:
    """What the warehouse holds for ``months``, as ``baseline_accruals`` gives it."""
    by_month: dict[date, list[tuple[str, int, int | None, int]]] = {month: [] for month in months}
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                accruals.c.month,
                accruals.c.invoice_id,
                accruals.c.line_no,
                accruals.c.kind,
                accruals.c.service_period_id,
                accruals.c.recognized_amount,
            ).order_by(accruals.c.month, accruals.c.invoice_id, accruals.c.line_no)
        )
        for month, invoice_id, line_no, kind, period_id, value in rows:
            if kind != "recognised":
                raise BenchError(f"a {kind} row in {month}: no month is closed")
            by_month[month].append((invoice_id, line_no, period_id, int(value.scaleb(2))))
        summaries = {row.month: row for row in connection.execute(sa.select(accrual_months))}
    return [
        PlainMonth(
            month,
            by_month[month],
            int(summaries[month].invoiced_in_month.scaleb(2)),
            int(summaries[month].invoiced_to_date.scaleb(2)),
            int(summaries[month].recognized_in_month.scaleb(2)),
            int(summaries[month].recognized_to_date.scaleb(2)),
            int(summaries[month].deferred_balance.scaleb(2)),
            summaries[month].unmatched_lines,
        )
        for month in months
    ]


def database_figures(
    name: str, url: str, lines: Sequence[AccrualLine], months: list[date], repetitions: int
) -> dict[str, Any]:
    """A fresh warehouse holding the lines; then, ``repetitions`` times, a first run (no accruals stored: every row
    written) and a re-run (every month stored, nothing changed: what each month's run does to the open months
    before it). The stored months are compared in full with ``baseline_accruals`` afterwards."""
    started = time.perf_counter()
    engine = create_engine(url)
    try:
        migrate(engine)
        store_invoices(engine, lines)
        setup_s = time.perf_counter() - started
        first_runs, reruns = [], []
        for _ in range(repetitions):
            with engine.begin() as connection:
                connection.execute(sa.delete(accruals))
                connection.execute(sa.delete(accrual_months))
            first_runs.append(timed_run(engine, months))
            reruns.append(timed_run(engine, months))
        if stored_months_as_plain(engine, months) != baseline_accruals(lines, months):
            raise BenchError(f"{name}: the stored accruals and the baseline disagree")
        with engine.connect() as connection:
            rows = connection.execute(sa.select(sa.func.count()).select_from(accruals)).scalar_one()
    finally:
        engine.dispose()

    def best(runs: list[dict[str, float]]) -> dict[str, Any]:
        fastest = min(runs, key=lambda run: run["end_to_end_s"])
        return {key: round(value, 3) for key, value in fastest.items()} | {
            "samples_s": [round(run["end_to_end_s"], 3) for run in runs]
        }

    return {"setup_s": round(setup_s, 2), "rows": rows, "first_run": best(first_runs), "rerun": best(reruns)}


def run_end_to_end(args: argparse.Namespace, stack: contextlib.ExitStack) -> dict[str, Any]:
    lines = random_invoices(args.lines, args.months, args.seed)
    months = [add_months(FIRST_MONTH, k) for k in range(args.months)]
    figures = described(args)
    if args.database in ("sqlite", "both"):
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hr_bench_accruals_")))
        url = f"sqlite:///{directory / 'warehouse.db'}"
        figures["sqlite"] = database_figures("sqlite", url, lines, months, args.repetitions)
    if args.database in ("postgresql", "both"):
        with postgres_admin(args.postgres_url) as admin, postgres_database(admin) as url:
            figures["postgresql"] = database_figures("postgresql", url, lines, months, args.repetitions)
    figures["load_average_after"] = [round(load, 2) for load in os.getloadavg()]
    if "sqlite" in figures:
        figures["aims"] = AIMS
        figures["meets_aims"] = figures["sqlite"]["first_run"]["end_to_end_s"] <= AIMS["sqlite_end_to_end_max_s"]
    return figures


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.end_to_end:
        return print_figures("accruals", lambda stack: run_end_to_end(args, stack))
    return print_figures("accruals", lambda _stack: run_computation(args))


if __name__ == "__main__":
    sys.exit(main())
