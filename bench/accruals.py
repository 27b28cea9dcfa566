#!/usr/bin/env python
"""Benchmark of the monthly accruals backfill: the vectorised ``accruals_for_months`` against a plain per-line
Python loop that applies the same rules.

Setup (untimed): N random invoice lines with invoice dates spread over M months from January 2023, service periods
of 1 to 12 months starting from two months before the invoice date to one month after it (so there is catch-up,
prepayment, and a few periods over before their invoice month), about 5% unmatched lines and 2% credit notes. Each
side gets its input ready: the baseline a list of ``AccrualLine`` objects, the project the same lines as columns
(``AccrualLines.of``), which is how the asset reads them from the warehouse.

Measured, each the best of ``repetitions`` (3) runs, the sides taking turns, over the M invoice months:

- ``vectorized_s``: ``accruals_for_months(columns, months)``, the project's code (numpy across all lines), each
  month's rows as positions into the columns with their cents;
- ``baseline_s``: ``baseline_accruals`` below: for each line, for each month of its service period, overlap days
  by date arithmetic, floor, remainder, largest remainder, catch-up; then for each month from its invoice month
  the rows (as tuples), totals and what is still deferred.

Also reported: ``schedules_only``, the per-line schedules alone, ``line_schedules(columns)`` against
``baseline_schedule`` for every line, without the months' rows and totals; and ``columnar_input_s``, what building
the columns from the ``AccrualLine`` objects costs (``AccrualLines.of``), outside both timings above.

Both results are compared in full before anything is timed: every month's totals and rows, and every line's
schedule. It prints one JSON object on stdout. Run it from the repository root::

    .venv/bin/python bench/accruals.py [--lines 100000] [--months 36] [--seed 7]
"""

from __future__ import annotations

import argparse
import calendar
import json
import platform
import random
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, NamedTuple

from common import interleaved

from hr_assets.defs.accruals.recognition import (
    AccrualLine,
    AccrualLines,
    LineSchedules,
    MonthAccruals,
    accruals_for_months,
    line_schedules,
)

AIMS = {"speedup_min": 50, "vectorized_max_s": 2}
REPETITIONS = 3
FIRST_MONTH = date(2023, 1, 1)
ONE_DAY = timedelta(days=1)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000, help="invoice lines (default 100000)")
    parser.add_argument("--months", type=int, default=36, help="months the invoices spread over (default 36)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the random lines (default 7)")
    args = parser.parse_args(argv)
    if args.lines < 1 or args.months < 1:
        parser.error("--lines and --months must be at least 1")
    return args


def add_months(day: date, count: int) -> date:
    """The same day ``count`` months later, or that month's last day when it is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 + count, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def random_lines(count: int, months: int, seed: int) -> list[AccrualLine]:
    rng = random.Random(seed)  # noqa: S311 - reproducible bench data, not secrets
    days = (add_months(FIRST_MONTH, months) - FIRST_MONTH).days
    lines = []
    for index in range(count):
        invoiced = FIRST_MONTH + timedelta(days=rng.randrange(days))
        net = rng.randrange(100, 5_000_000) * (-1 if rng.random() < 0.02 else 1)
        invoice_id, line_no = f"INV-{index // 4:06d}", index % 4 + 1
        if rng.random() < 0.05:
            lines.append(AccrualLine(invoice_id, line_no, invoiced, net, None, None, None))
            continue
        start = invoiced + timedelta(days=rng.randrange(-62, 32))
        end = add_months(start, rng.randint(1, 12)) - timedelta(days=rng.randrange(1, 4))
        lines.append(AccrualLine(invoice_id, line_no, invoiced, net, f"SP-{index:07d}", start, end))
    return lines


# --- the baseline: the rules one line and one month at a time ------------------------------------


class PlainMonth(NamedTuple):
    """A month's accruals as plain Python: what the baseline builds, and what the project's result is compared as."""

    month: date
    rows: list[tuple[str, int, str | None, int]]  # (invoice_id, line_no, service_period_id, recognized_cents)
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
    rows: list[list[tuple[str, int, str | None, int]]] = [[] for _ in months]
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
        result.rows.tuples(),
        result.invoiced_in_month_cents,
        result.invoiced_to_date_cents,
        result.recognized_in_month_cents,
        result.recognized_to_date_cents,
        result.deferred_cents,
        result.unmatched_lines,
    )


def plain_schedules(schedules: LineSchedules, count: int) -> list[dict[date, int]]:
    """Month -> cents of each of ``count`` lines, as ``baseline_schedule`` gives them."""
    by_line: list[dict[date, int]] = [{} for _ in range(count)]
    months = schedules.month.astype(object)  # datetime64[M] -> the month's first day
    for line, month, cents in zip(schedules.line.tolist(), months.tolist(), schedules.cents.tolist(), strict=True):
        by_line[line][month] = cents
    return by_line


def compare(lines: Sequence[AccrualLine], columns: AccrualLines, months: list[date]) -> None:
    """Raises unless both sides agree on every month's totals and rows and on every line's schedule."""
    if [plain(result) for result in accruals_for_months(columns, months)] != baseline_accruals(lines, months):
        raise AssertionError("the vectorised accruals and the baseline disagree")
    baseline = [{month: cents for month, cents in baseline_schedule(line).items() if cents} for line in lines]
    if plain_schedules(line_schedules(columns), len(lines)) != baseline:
        raise AssertionError("the vectorised schedules and the baseline disagree")


# --- timing -----------------------------------------------------------------------------------------


def seconds(samples: list[float]) -> list[float]:
    return [round(sample, 4) for sample in samples]


def run(args: argparse.Namespace) -> dict[str, Any]:
    lines = random_lines(args.lines, args.months, args.seed)
    columns = AccrualLines.of(lines)
    months = [add_months(FIRST_MONTH, k) for k in range(args.months)]
    compare(lines, columns, months)
    vectorized = accruals_for_months(columns, months)
    samples = interleaved(
        REPETITIONS,
        lambda: accruals_for_months(columns, months),
        lambda: baseline_accruals(lines, months),
        lambda: line_schedules(columns),
        lambda: [baseline_schedule(line) for line in lines],
        lambda: AccrualLines.of(lines),
    )
    vectorized_samples, baseline_samples, schedules_samples, baseline_schedules_samples, columnar_samples = samples
    vectorized_s, baseline_s = min(vectorized_samples), min(baseline_samples)
    speedup = baseline_s / vectorized_s
    schedules_s, baseline_schedules_s = min(schedules_samples), min(baseline_schedules_samples)
    return {
        "lines": args.lines,
        "months": args.months,
        "seed": args.seed,
        "python": platform.python_version(),
        "repetitions": REPETITIONS,
        "vectorized_s": round(vectorized_s, 4),
        "baseline_s": round(baseline_s, 4),
        "speedup": round(speedup, 2),
        "columnar_input_s": round(min(columnar_samples), 4),
        "aims": AIMS,
        "meets_aims": speedup >= AIMS["speedup_min"] and vectorized_s <= AIMS["vectorized_max_s"],
        "schedules_only": {
            "vectorized_s": round(schedules_s, 4),
            "baseline_s": round(baseline_schedules_s, 4),
            "speedup": round(baseline_schedules_s / schedules_s, 2),
        },
        "samples_s": {
            "vectorized": seconds(vectorized_samples),
            "baseline": seconds(baseline_samples),
            "schedules_only_vectorized": seconds(schedules_samples),
            "schedules_only_baseline": seconds(baseline_schedules_samples),
            "columnar_input": seconds(columnar_samples),
        },
        "rows": sum(len(month.rows) for month in vectorized),
        "unmatched_lines": sum(month.unmatched_lines for month in vectorized),
        "compared_months": len(months),  # every month's totals and rows, identical on both sides
        "compared_schedules": len(lines),  # every line's schedule, identical on both sides
    }


def main(argv: list[str] | None = None) -> int:
    sys.stdout.write(json.dumps(run(parse_args(argv))) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
