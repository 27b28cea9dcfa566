"""Importing fingerprint files through the real job and warehouse: every row stored once, its errors once, under
the partition the content was first imported as, and memory bounded by a chunk of rows, not by the file."""

from __future__ import annotations

import datetime as dt
import tracemalloc
from pathlib import Path

import dagster as dg
import pytest

from hr_assets.definitions import defs
from hr_assets.defs.attendance.importing import CHUNK_ROWS, import_file
from hr_assets.defs.attendance.sensors import attendance_inbox
from hr_assets.defs.shared.companies import DateFormat, add_company, set_date_format
from hr_assets.warehouse.tables import stored_files
from tests.attendance.conftest import DEPARTMENT, HEADER, AttendanceWorld, attendance_lines, good_row
from tests.attendance.jobs import stored
from tests.clock import stopped_at
from tests.conftest import ON_SQLITE


def test_a_long_file_name_with_an_invalid_row_stores_its_errors_on_every_database(
    attendance_world: AttendanceWorld,
) -> None:
    path = attendance_world.write(
        "fingerprint_report_march_2026_week_1_all_branches.csv",
        attendance_lines([good_row(), ["999", "Bo", "AdvLine", "2026-03-02", "Monday", "08:00", "17:00"]]),
    )
    result = attendance_world.run(path)
    assert result.success
    [stored] = attendance_world.imports()
    assert len(stored["partition_key"]) > 32
    [error] = attendance_world.errors()
    assert (error["partition_key"], error["file_name"], error["row_number"], error["field"]) == (
        stored["partition_key"],
        path.name,
        3,
        "Employee ID",
    )
    assert [record["is_valid"] for record in attendance_world.records()] == [True, False]


def test_the_same_content_under_a_new_name_keeps_one_import_and_its_errors_once(
    attendance_world: AttendanceWorld,
) -> None:
    content = attendance_lines([good_row(), ["999", "Bo", "AdvLine", "2026-03-02", "Monday", "08:00", "17:00"]])
    first = attendance_world.write("march.csv", content)
    assert attendance_world.run(first).success
    renamed = attendance_world.write("march_copy.csv", content)
    result = attendance_world.run(renamed)
    assert result.success
    [stored] = attendance_world.imports()
    assert stored["partition_key"].startswith("march-")
    [error] = attendance_world.errors()
    assert (error["partition_key"], error["row_number"]) == (stored["partition_key"], 3)
    assert len(attendance_world.records()) == 2
    [materialization] = result.asset_materializations_for_node("attendance_records")
    assert materialization.metadata["imported_as_partition"].value == stored["partition_key"]


def test_the_page_shows_each_company_s_records_the_unmapped_departments_and_the_table(
    attendance_world: AttendanceWorld,
) -> None:
    rows = [good_row(day=2), good_row(day=3), ["42", "Ana", "Nowhere Ltd", "2026-03-04", "Wednesday", "08:00", "17:00"]]
    result = attendance_world.run(attendance_world.write("week.csv", attendance_lines(rows)))
    assert result.success
    [materialization] = result.asset_materializations_for_node("attendance_records")
    metadata = materialization.metadata
    [company] = [row.data for row in metadata["bayzat_status_by_company"].value.records]
    assert company == {"company": "advline", "pending": 2, "syncing": 0, "synced": 0, "failed": 0, "skipped": 0}
    assert [row.data for row in metadata["unmapped_departments"].value.records] == [{"department": "Nowhere Ltd"}]
    assert metadata["dagster/row_count"].value == len(attendance_world.records()) == 3
    assert not any("Ana" in str(value.value) for value in metadata.values()), "codes, never names"


def test_values_longer_than_their_column_are_refused_and_the_raw_row_keeps_them(
    attendance_world: AttendanceWorld,
) -> None:
    hostile = "9" * 10_000
    path = attendance_world.write(
        "hostile.csv",
        attendance_lines(
            [
                [hostile, "Ana", "AdvLine", "2026-03-02", "Monday", "08:00", "17:00"],
                ["42", "N" * 10_000, "AdvLine", "2026-03-02", "Monday", "08:00", "17:00"],
                ["42", "Ana", "D" * 10_000, "2026-03-02", "M" * 300, "08:00", "17:00"],
                good_row("7"),
            ]
        ),
    )
    assert attendance_world.run(path).success
    records = attendance_world.records()
    assert [record["row_number"] for record in records] == [2, 3, 4, 5]
    assert [record["is_valid"] for record in records] == [False, False, False, True]
    assert (records[0]["csv_employee_id"], records[0]["raw"]["csv_employee_id"]) == ("", hostile)
    assert (records[1]["first_name"], len(records[1]["raw"]["first_name"])) == ("", 10_000)
    assert (records[2]["fingerprint_department"], records[2]["weekday"]) == ("", "")
    errors = {(e["row_number"], e["field"]): e for e in attendance_world.errors()}
    assert set(errors) == {(2, "Employee ID"), (3, "First Name"), (4, "Department"), (4, "Weekday")}
    assert errors[(2, "Employee ID")]["reason"] == "is 10000 characters long; at most 64 are stored"
    assert errors[(2, "Employee ID")]["record_key"] is None
    assert errors[(4, "Weekday")]["reason"] == "is 300 characters long; at most 20 are stored"


def test_every_error_is_stored_and_the_summaries_hold_the_first(attendance_world: AttendanceWorld) -> None:
    unknown = [["999", "Bo", "AdvLine", "2026-03-02", "Monday", "08:00", "17:00"]] * 130
    result = attendance_world.run(attendance_world.write("many.csv", attendance_lines(unknown)))
    assert result.success
    assert [e["row_number"] for e in attendance_world.errors()] == list(range(2, 132))
    [stored] = attendance_world.imports()
    assert (stored["failed_records"], len(stored["validation_errors"])) == (130, 100)
    [materialization] = result.asset_materializations_for_node("attendance_records")
    metadata = materialization.metadata
    reasons = [row.data for row in metadata["reasons"].value.records]
    assert [(row["file"], row["row"]) for row in reasons] == [("many.csv", row) for row in range(2, 22)]
    assert (metadata["errors"].value, metadata["invalid_records"].value) == (130, 130)
    assert metadata["dagster/row_count"].value == len(attendance_world.records()) == 130


def _peak_bytes(world: AttendanceWorld, path: Path) -> int:
    tracemalloc.start()
    try:
        outcome = import_file(
            world.engine, stored(world.engine, path), f"run-{path.stem}", dt.datetime(2026, 3, 9, tzinfo=dt.UTC)
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert outcome.valid == outcome.rows
    return peak


@pytest.mark.slow
@ON_SQLITE  # the database's side of memory is the bench's (bench/attendance_import.py, both databases)
def test_memory_is_bounded_by_a_chunk_of_rows_not_by_the_file(attendance_world: AttendanceWorld) -> None:
    def file_of(name: str, rows: int) -> Path:
        lines = [good_row(("42", "0100", "7")[n % 3], 1 + n % 28) for n in range(rows)]
        return attendance_world.write(name, attendance_lines(lines))

    small = _peak_bytes(attendance_world, file_of("small.csv", 2 * CHUNK_ROWS))
    large = _peak_bytes(attendance_world, file_of("large.csv", 8 * CHUNK_ROWS))
    assert large < 1.3 * small, (small, large)
    assert len(attendance_world.records()) == 10 * CHUNK_ROWS


def test_cells_holding_tabs_backslashes_and_line_breaks_are_stored_as_written_and_again_on_a_reimport(
    attendance_world: AttendanceWorld,
) -> None:
    # What PostgreSQL's COPY would read as a delimiter, an escape, NULL or the end of the data, unless escaped.
    names = ["Ana\tB", "C:\\N\\x", "\\N", "\\.", "名前 Çé"]
    rows = [[f'"{name}"', *good_row(day=2 + n)[2:], f'"note {n}\r\non two lines"'] for n, name in enumerate(names)]
    path = attendance_world.write("odd.csv", attendance_lines([["42", *row] for row in rows], HEADER + ",Note"))
    copy = stored(attendance_world.engine, path)
    for _ in range(2):
        outcome = import_file(attendance_world.engine, copy, "run-odd", dt.datetime(2026, 3, 9, tzinfo=dt.UTC))
        assert outcome.valid == outcome.rows == len(names)
        records = attendance_world.records()
        assert [record["first_name"] for record in records] == names
        assert [record["raw"]["first_name"] for record in records] == names
        assert [record["raw"]["Note"] for record in records] == [f"note {n}\r\non two lines" for n in range(5)]
        assert [record["row_number"] for record in records] == [2, 4, 6, 8, 10]


def test_a_companys_date_format_reads_its_rows_and_the_file_settles_the_others(
    attendance_world: AttendanceWorld,
) -> None:
    with attendance_world.engine.begin() as connection:
        set_date_format(connection, "advline", DateFormat.MDY, dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
        add_company(
            connection,
            slug="bluesky",
            name_en="Blue Sky",
            name_ar=None,
            fingerprint_report_name="Blue Sky",
            timezone="Asia/Dubai",
            now=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        )
    rows = [
        ["42", "Ana", DEPARTMENT, "03/02/2026", "", "08:00", "17:00"],
        ["42", "Ana", DEPARTMENT, "03/25/2026", "", "08:00", "17:00"],  # month first: not evidence for Blue Sky
        ["7", "Bo", "Blue Sky", "04/03/2026", "", "08:00", "17:00"],
        ["7", "Bo", "Blue Sky", "26/03/2026", "", "08:00", "17:00"],
    ]
    result = attendance_world.run(attendance_world.write("mixed.csv", attendance_lines(rows)))
    assert result.success
    assert [(r["date"], r["is_valid"]) for r in attendance_world.records()] == [
        (dt.date(2026, 3, 2), True),
        (dt.date(2026, 3, 25), True),
        (dt.date(2026, 3, 4), True),
        (dt.date(2026, 3, 26), True),
    ]
    [materialization] = result.asset_materializations_for_node("attendance_records")
    assert materialization.metadata["dates_read_as"].value == "DMY: day first, as the file's dates over 12 say"


@ON_SQLITE
def test_the_inbox_sensor_stores_the_file_and_its_run_reads_the_warehouses_copy(
    attendance_world: AttendanceWorld,
) -> None:
    path = attendance_world.write("week 9.csv", attendance_lines([good_row(), good_row("7")]))
    definitions = defs()
    written = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    resources = {
        **definitions.get_repository_def().get_top_level_resources(),
        "clock": stopped_at(written + dt.timedelta(minutes=1)),
    }
    with dg.build_sensor_context(
        instance=attendance_world.instance, definitions=definitions, resources=resources
    ) as context:
        result = attendance_inbox(context)
    assert isinstance(result, dg.SensorResult)
    [request] = result.run_requests
    config = request.run_config["ops"]["attendance_records"]["config"]
    assert config["file_path"] == str(path.resolve())
    [kept] = attendance_world.select(stored_files)
    assert (config["stored_file_id"], kept["source"], kept["file_name"]) == (kept["id"], "attendance", "week 9.csv")
    assert kept["sha256"] == request.run_key

    path.unlink()  # the run may be on another machine: it reads the warehouse, not the inbox
    attendance_world.instance.add_dynamic_partitions("attendance_files", [request.partition_key])
    run = definitions.resolve_job_def("attendance_import").execute_in_process(
        partition_key=request.partition_key,
        instance=attendance_world.instance,
        run_config=request.run_config,
        raise_on_error=False,
    )
    assert run.success
    assert [record["csv_employee_id"] for record in attendance_world.records()] == ["42", "7"]
    [imported] = attendance_world.imports()
    assert (imported["filename"], imported["file_path"]) == ("week 9.csv", str(path.resolve()))
