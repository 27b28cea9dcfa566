"""Every benchmark in bench/ run at its smoke size, as a person runs it (a process of its own, its JSON on stdout),
on SQLite and, where it takes ``--database``, on PostgreSQL: a bench that no longer runs, or whose figures go
missing or stop adding up, fails here instead of the next time someone measures. The figures themselves are not
judged (their aims are for the full sizes, on a quiet machine; bench/README.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from numbers import Number
from typing import Any

import pytest

from tests.conftest import POSTGRES_ADMIN_URL, REPO
from tests.running_platform import platform_environment

pytestmark = pytest.mark.bench

BENCH = REPO / "bench"


def positive(figures: dict[str, Any], *keys: str) -> None:
    for key in keys:
        assert isinstance(figures[key], Number) and figures[key] > 0, f"{key} = {figures[key]!r}"


def accruals(figures: dict[str, Any]) -> None:
    positive(figures, "recognition_s", "booking_s", "rows")
    # The code and the bench's plain reference agreed on every line's schedule and every month (it fails otherwise).
    assert (figures["compared_schedules"], figures["compared_months"]) == (figures["lines"], figures["months"])


def accruals_end_to_end(figures: dict[str, Any]) -> None:
    for database in ("sqlite", "postgresql"):
        for run in ("first_run", "rerun"):
            positive(figures[database][run], "read_s", "book_s", "write_s", "end_to_end_s")
        assert figures[database]["rows"] == figures["sqlite"]["rows"] > 0  # the same rows on both databases


def shared_limits(figures: dict[str, Any]) -> None:
    assert figures["all_runs_succeeded"] is True
    positive(figures, "holded_requests", "max_window_requests", "window_allowed_requests")
    # One key's budget across every run at once: at most one request over the limit in any window (the bench's
    # aim, 1.0, is for a quiet machine; bench/README.md).
    assert figures["max_window_requests"] <= figures["window_allowed_requests"] + 1


def api(figures: dict[str, Any]) -> None:
    for endpoint, measured in figures["endpoints"].items():
        positive(measured, "p50_ms", "p99_ms", "bare_query_p50_ms", "requests_per_s", "response_bytes")
        assert measured["p50_ms"] <= measured["p99_ms"], endpoint
    assert 0 < figures["endpoints"]["available_for_scheduling"]["rows"] <= figures["employees"]


def attendance_import(figures: dict[str, Any]) -> None:
    for size in ("small", "large"):
        positive(figures[size], "rows", "bare_csv_rows_per_s", "storage_floor_rows_per_s", "import_rows_per_s")
        positive(figures[size], "import_peak_rss_mb", "bare_csv_over_import")
    assert figures["large"]["rows"] > figures["small"]["rows"]
    assert figures["meets_memory_aim"] is True  # flat memory holds at any size


def bayzat_platform(figures: dict[str, Any]) -> None:
    assert figures["run_status"] == "SUCCESS"
    positive(figures, "wall_s", "min_rate_ratio", "peak_rss_mb")
    assert [company["bayzat_records"] for company in figures["per_company"]] == [
        2 * figures["attendance_records_per_company"]
    ] * figures["companies"]


def bayzat_push(figures: dict[str, Any]) -> None:
    positive(figures, "project_total_s", "project_bayzat_records_per_s", "sequential_total_s", "speedup")
    synced = [company["synced_attendance_records"] for company in figures["per_company"]]
    assert synced == [figures["attendance_records_per_company"]] * figures["companies"]
    assert figures["sandbox_429s"] == 0


def paycom_ingest(figures: dict[str, Any]) -> None:
    positive(figures, "bare_read_s", "pipeline_s", "upsert_s", "naive_upsert_s", "overhead_ratio", "upsert_speedup")
    assert figures["rows"] == figures["employees"]


def payroll(figures: dict[str, Any]) -> None:
    positive(figures, "attendance_records", "read_s", "compute_s", "write_s", "end_to_end_s")
    # Every employee's pay identical to the plain reference computation's (the bench fails otherwise).
    assert figures["results"] == figures["compared_employees"] == figures["employees"]
    assert float(figures["gross_pay_total"]) > 0


def revenue_backfill(figures: dict[str, Any]) -> None:
    assert figures["all_runs_succeeded"] is True
    positive(figures, "total_s", "single_run_s", "holded_requests", "holded_rate_achieved_per_s")
    assert figures["holded_429s"] == 0


# Each bench's smoke size (bench/README.md lists them): seconds each on the 2-core machine.
SMOKE: dict[str, tuple[list[str], Callable[[dict[str, Any]], None]]] = {
    "accruals": (["--lines", "2000", "--months", "6"], accruals),
    "accruals --end-to-end": (
        ["--end-to-end", "--lines", "2000", "--months", "6", "--repetitions", "1"],
        accruals_end_to_end,
    ),
    "api": (["--employees", "200", "--requests", "5", "--load-requests", "8", "--concurrency", "2"], api),
    "attendance_import": (["--sizes", "0.1", "0.3", "--employees", "50"], attendance_import),
    "bayzat_platform": (["--companies", "2", "--records", "20", "--rate", "20"], bayzat_platform),
    "bayzat_push": (["--companies", "2", "--records", "50", "--sequential-requests", "3"], bayzat_push),
    "paycom_ingest": (["--employees", "50"], paycom_ingest),
    "payroll": (["--employees", "100"], payroll),
    "revenue_backfill": (["--months", "1", "--invoices-per-month", "20"], revenue_backfill),
    "shared_limits": (["--invoices-per-month", "40", "--holded-page-size", "10"], shared_limits),
}
# The kernel alone, in memory; and the end-to-end run, which takes both databases itself.
WITHOUT_A_DATABASE = {"accruals", "accruals --end-to-end"}


def cases() -> list[Any]:
    found = sorted(path.stem for path in BENCH.glob("*.py") if path.stem != "common")
    assert found == sorted({name.split()[0] for name in SMOKE}), "every bench/*.py has its smoke size here"
    return [
        pytest.param(
            name, database, id=f"{name.replace(' --', '-')}-{database}" if database else name.replace(" --", "-")
        )
        for name in sorted(SMOKE)
        for database in ([None] if name in WITHOUT_A_DATABASE else ["sqlite", "postgresql"])
    ]


@pytest.mark.parametrize(("name", "database"), cases())
def test_the_bench_runs_at_its_smoke_size_and_reports_its_figures(name: str, database: str | None) -> None:
    arguments, check = SMOKE[name]
    if database:
        arguments = [*arguments, "--database", database, "--postgres-url", POSTGRES_ADMIN_URL]
    completed = subprocess.run(
        [sys.executable, str(BENCH / f"{name.split()[0]}.py"), *arguments],
        cwd=REPO,
        env=platform_environment(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    [line] = completed.stdout.splitlines()  # the JSON figures, and nothing else
    figures = json.loads(line)
    if database:
        assert figures["database"] == database
    check(figures)
