"""The weekly Paycom sync through the real SFTP sandbox, the real Dagster instance and both databases."""

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from hr_assets.definitions import defs
from hr_assets.warehouse import tables
from hr_sandbox.paycom import PaycomSandbox, week_roster
from hr_sandbox.paycom_reports import DATES_COLUMNS, DIRECTORY_COLUMNS, write_numbers_table, write_paycom_reports
from tests.conftest import ON_SQLITE, materialized
from tests.paycom.conftest import BASE_EMPLOYEES, WEEKS, check_results, rows, sync

pytestmark = pytest.mark.usefixtures("platform_env")
TIMESTAMPS = ("created_at", "updated_at", "last_synced_at", "downloaded_at", "run_id", "id", "stored_file_id")


def test_a_week_lands_in_the_warehouse_exactly_as_paycom_sent_it(
    instance: dg.DagsterInstance, warehouse_url: str
) -> None:
    result = sync(instance, WEEKS[2])
    assert result.success
    truth = {employee.code: employee for employee in week_roster(BASE_EMPLOYEES, 2, WEEKS[2])}
    stored = {row["employee_code"]: row for row in rows(warehouse_url, tables.paycom_employees)}
    assert stored.keys() == truth.keys()
    assert {"01004", "1029A"} <= stored.keys(), "text codes keep their leading zero and letter"
    for code, employee in truth.items():
        row = stored[code]
        assert (row["first_name"], row["last_name"]) == (employee.first_name, employee.last_name)
        assert row["status"] == employee.status
        assert row["hire_date"] == employee.hire_date
        assert row["termination_date"] == employee.termination_date
        assert row["position"] == employee.position
        assert row["department_code"] == employee.department_code
        assert row["pay_type"] == employee.pay_type
        if employee.pay_type == "hourly":
            assert row["hourly_rate"] == employee.hourly_rate and isinstance(row["hourly_rate"], Decimal)
        else:
            assert row["annual_salary"] == employee.annual_salary
        assert row["overtime_eligible"] is (not employee.overtime_exempt)
        assert row["last_synced_at"].tzinfo is not None

    staff = rows(warehouse_url, tables.scheduling_staff)
    assert len(staff) == sum(1 for e in truth.values() if e.status != "terminated")
    assert sum(s["available_for_scheduling"] for s in staff) == sum(1 for e in truth.values() if e.status == "active")
    [log] = rows(warehouse_url, tables.paycom_sync_log)
    assert (log["status"], log["files_processed"], log["employees_created"]) == ("completed", 4, len(truth))
    assert {f["report_type"] for f in rows(warehouse_url, tables.paycom_files)} == {
        "directory",
        "dates",
        "payees",
        "pay",
    }
    assert all(check_results(result).values())
    shown = materialized(result)
    for asset, table in (
        ("paycom_roster_files", tables.paycom_files),
        ("paycom_employees", tables.paycom_employees),
        ("scheduling_staff", tables.scheduling_staff),
    ):
        assert shown[asset]["dagster/row_count"] == len(rows(warehouse_url, table)) > 0, asset
    files = {row.data["report"]: row.data for row in shown["paycom_roster_files"]["files"].records}
    assert files.keys() == {"directory", "dates", "payees", "pay"} and all(row["bytes"] > 0 for row in files.values())
    by_role = {row.data["role"]: row.data["staff"] for row in shown["scheduling_staff"]["by_role"].records}
    assert sum(by_role.values()) == shown["scheduling_staff"]["staff"] == len(staff)


def test_the_next_week_reports_what_changed(instance: dg.DagsterInstance, warehouse_url: str) -> None:
    assert sync(instance, WEEKS[1]).success
    result = sync(instance, WEEKS[2])
    summary = materialized(result)["paycom_employees"]
    assert (summary["employees_created"], summary["employees_terminated"]) == (2, 1)
    assert summary["employees_processed"] == BASE_EMPLOYEES + 4
    snapshots = rows(warehouse_url, tables.paycom_employee_snapshots)
    assert {s["sync_week"] for s in snapshots} == {WEEKS[1], WEEKS[2]}
    assert sum(s["sync_week"] == WEEKS[1] for s in snapshots) == BASE_EMPLOYEES + 2


def test_a_synced_week_is_skipped_and_a_forced_rerun_changes_nothing(
    instance: dg.DagsterInstance, warehouse_url: str
) -> None:
    assert sync(instance, WEEKS[2]).success
    data_tables = (
        tables.paycom_employees,
        tables.paycom_employee_snapshots,
        tables.paycom_payees,
        tables.scheduling_staff,
        tables.paycom_files,
        tables.integration_errors,
    )
    before = {t.name: rows(warehouse_url, t, without=TIMESTAMPS) for t in data_tables}

    skipped = sync(instance, WEEKS[2])
    assert skipped.success and materialized(skipped) == {}
    assert [log["status"] for log in rows(warehouse_url, tables.paycom_sync_log)].count("skipped") == 1

    forced = sync(instance, WEEKS[2], force=True)
    assert forced.success
    assert materialized(forced)["paycom_employees"]["employees_updated"] == 0
    assert {t.name: rows(warehouse_url, t, without=TIMESTAMPS) for t in data_tables} == before


@ON_SQLITE
def test_a_dry_run_lists_the_files_and_writes_nothing(instance: dg.DagsterInstance, warehouse_url: str) -> None:
    result = sync(instance, WEEKS[1], dry_run=True)
    assert result.success and materialized(result) == {}
    [observation] = [e for e in result.all_events if e.event_type_value == "ASSET_OBSERVATION"]
    names = observation.asset_observation_data.asset_observation.metadata["would_download"].value
    assert len(names) == 4 and all(name.startswith("20261112") for name in names)
    assert rows(warehouse_url, tables.paycom_employees) == []
    assert rows(warehouse_url, tables.paycom_sync_log) == []


@ON_SQLITE
def test_report_type_limits_the_sync(instance: dg.DagsterInstance, warehouse_url: str) -> None:
    result = sync(instance, WEEKS[2], report_type="directory")
    assert result.success
    assert {f["report_type"] for f in rows(warehouse_url, tables.paycom_files)} == {"directory"}
    stored = rows(warehouse_url, tables.paycom_employees)
    assert stored and all(row["hire_date"] is None and row["pay_type"] is None for row in stored)


def _replace_push(sandbox: PaycomSandbox, week: dt.date) -> dict[str, Path]:
    """Remove the generated push for ``week`` and write a fresh one the test can then damage."""
    stamp = (week - dt.timedelta(days=1)).strftime("%Y%m%d")
    for path in sandbox.reports_directory.glob(f"{stamp}*"):
        path.unlink()
    pushed_at = dt.datetime.combine(week - dt.timedelta(days=1), dt.time(18))
    return write_paycom_reports(sandbox.reports_directory, week_roster(BASE_EMPLOYEES, 2, week), pushed_at)


@ON_SQLITE
def test_bad_rows_are_explained_and_every_valid_row_is_kept(
    instance: dg.DagsterInstance, warehouse_url: str, paycom_sandbox: PaycomSandbox
) -> None:
    paths = _replace_push(paycom_sandbox, WEEKS[2])
    roster = week_roster(BASE_EMPLOYEES, 2, WEEKS[2])
    from numbers_parser import Document

    dates = [list(row) for row in Document(str(paths["dates"])).sheets[0].tables[0].rows(values_only=True)]
    hire = DATES_COLUMNS.index("Hire Date")
    dates[3][hire] = "2024-13-45"  # row 4: impossible date
    dates[4][hire] = "03/15/2021"  # row 5: a US text date, as Paycom writes them
    dates.append(list(dates[5]))  # a duplicate of row 6's employee, as row len+1
    write_numbers_table(paths["dates"], dates[0], dates[1:])

    result = sync(instance, WEEKS[2])
    assert result.success
    errors = rows(warehouse_url, tables.integration_errors)
    reasons = {(e["file_name"], e["row_number"], e["field"]): e["reason"] for e in errors}
    assert reasons[(paths["dates"].name, 4, "Hire Date")] == "'2024-13-45' is not a real date"
    assert (paths["dates"].name, 5, "Hire Date") not in reasons
    hired = {e["employee_code"]: e["hire_date"] for e in rows(warehouse_url, tables.paycom_employees)}
    assert hired[str(dates[4][DATES_COLUMNS.index("EE Code")]).removesuffix(".0")] == dt.date(2021, 3, 15)
    assert "duplicate employee code" in reasons[(paths["dates"].name, len(dates), "EE Code")]
    assert len(rows(warehouse_url, tables.paycom_employees)) == len(roster), "the Directory row still lands"
    checks = check_results(result)
    assert checks["no_invalid_rows"] is False and checks["roster_is_whole_and_unique"] is True
    assert materialized(result)["paycom_employees"]["rows_invalid"] == 2


@pytest.mark.parametrize("damage", ["not_numbers", "truncated", "missing_column"])
@ON_SQLITE
def test_an_unusable_file_is_an_error_and_the_other_files_still_sync(
    instance: dg.DagsterInstance, warehouse_url: str, paycom_sandbox: PaycomSandbox, damage: str
) -> None:
    paths = _replace_push(paycom_sandbox, WEEKS[2])
    directory = paths["directory"]
    if damage == "not_numbers":
        directory.write_text('EECode,EE Name\n1001,"Doe, Jane"\n')
    elif damage == "truncated":
        directory.write_bytes(directory.read_bytes()[: directory.stat().st_size // 2])
    else:
        header = [c for c in DIRECTORY_COLUMNS if c != "Status"]
        write_numbers_table(directory, header, [[1001.0, "Doe, Jane"]])

    result = sync(instance, WEEKS[2])
    assert result.success
    [error] = [e for e in rows(warehouse_url, tables.integration_errors) if e["file_name"] == directory.name]
    expected = "required column 'Status' is missing" if damage == "missing_column" else "not a readable Apple Numbers"
    assert expected in error["reason"]
    files = {f["report_type"]: f for f in rows(warehouse_url, tables.paycom_files)}
    assert files["directory"]["status"] == "failed" and files["dates"]["status"] == "parsed"
    assert len(rows(warehouse_url, tables.paycom_employees)) == BASE_EMPLOYEES + 4, (
        "Dates alone still builds the roster"
    )


def test_a_collapsed_headcount_blocks_the_staff_view_until_forced(
    instance: dg.DagsterInstance, warehouse_url: str, paycom_sandbox: PaycomSandbox
) -> None:
    assert sync(instance, WEEKS[1]).success
    staff_before = rows(warehouse_url, tables.scheduling_staff, without=("updated_at",))
    stamp = (WEEKS[2] - dt.timedelta(days=1)).strftime("%Y%m%d")
    for path in paycom_sandbox.reports_directory.glob(f"{stamp}*"):
        path.unlink()
    half = [
        dataclasses.replace(e, status="terminated") if i % 2 else e
        for i, e in enumerate(week_roster(BASE_EMPLOYEES, 2, WEEKS[2]))
    ]
    write_paycom_reports(
        paycom_sandbox.reports_directory, half, dt.datetime.combine(WEEKS[2] - dt.timedelta(days=1), dt.time(18))
    )

    blocked = sync(instance, WEEKS[2])
    assert not blocked.success
    assert check_results(blocked)["active_headcount_holds"] is False
    assert "scheduling_staff" not in materialized(blocked)
    assert rows(warehouse_url, tables.scheduling_staff, without=("updated_at",)) == staff_before

    forced = sync(instance, WEEKS[2], force=True)
    assert forced.success and check_results(forced)["active_headcount_holds"] is True
    assert len(rows(warehouse_url, tables.scheduling_staff)) < len(staff_before)


@ON_SQLITE
def test_nothing_sensitive_reaches_events_logs_or_the_warehouse(
    instance: dg.DagsterInstance, warehouse_url: str, platform_env: dict[str, str], paycom_sandbox: PaycomSandbox
) -> None:
    from numbers_parser import Document

    result = sync(instance, WEEKS[2])
    assert result.success
    [payees] = paycom_sandbox.reports_directory.glob("20261119*_Payees_*")
    header, *payee_rows = Document(str(payees)).sheets[0].tables[0].rows(values_only=True)
    sensitive = {str(row[header.index(name)]) for row in payee_rows for name in ("Routing Code", "Account Code")}
    secrets = {platform_env["PAYCOM_SFTP_PASSWORD"]}
    assert len(sensitive) >= 4

    event_text = "\n".join(
        record.to_json() if hasattr(record, "to_json") else repr(record) for record in instance.all_logs(result.run_id)
    )
    warehouse_text = repr([rows(warehouse_url, table) for table in tables.metadata.sorted_tables])
    for needle in secrets | sensitive:
        assert needle not in event_text
        assert needle not in warehouse_text
    assert rows(warehouse_url, tables.paycom_payees), "payees are kept, without their bank details"
    assert rows(warehouse_url, tables.stored_file_chunks) == [], "the raw reports are deleted once read"


@ON_SQLITE
def test_the_downloads_are_kept_in_the_warehouse_until_read_and_a_later_run_asks_for_a_new_download(
    instance: dg.DagsterInstance, warehouse_url: str
) -> None:
    assert sync(instance, WEEKS[2]).success
    files = rows(warehouse_url, tables.paycom_files)
    stored = {f["id"]: f for f in rows(warehouse_url, tables.stored_files)}
    assert sorted(stored) == sorted(f["stored_file_id"] for f in files)
    for file in files:
        kept = stored[file["stored_file_id"]]
        assert (kept["source"], kept["file_name"]) == ("paycom", file["file_name"])
        assert (kept["size_bytes"], kept["sha256"]) == (file["size_bytes"], file["sha256"])
        assert kept["content_deleted_at"] is not None
    employees = rows(warehouse_url, tables.paycom_employees)

    job = defs().resolve_job_def("paycom_sync")
    again = job.execute_in_process(
        partition_key=WEEKS[2].isoformat(),
        instance=instance,
        asset_selection=[dg.AssetKey("paycom_employees")],
        raise_on_error=False,
    )
    [failure] = again.get_step_failure_events()
    assert failure.step_failure_data.user_failure_data.description == (
        "Week 2026-11-20's Paycom files are no longer kept: they were deleted once read, since raw reports hold bank "
        "details: materialize paycom_roster_files first, with force."
    )
    assert rows(warehouse_url, tables.paycom_employees) == employees
    assert {f["status"] for f in rows(warehouse_url, tables.paycom_files)} == {"parsed"}

    assert sync(instance, WEEKS[2], force=True).success
    assert len(rows(warehouse_url, tables.stored_files)) == len(files), "the previous download's rows are gone"


@ON_SQLITE
def test_a_week_with_no_readable_file_fails_and_still_stores_why(
    instance: dg.DagsterInstance, warehouse_url: str, paycom_sandbox: PaycomSandbox
) -> None:
    for path in _replace_push(paycom_sandbox, WEEKS[2]).values():
        path.write_bytes(b"not a report")
    result = sync(instance, WEEKS[2], report_type="directory")
    assert not result.success
    [failure] = result.get_step_failure_events()
    assert "None of week 2026-11-20's Paycom files could be read" in failure.step_failure_data.error.message
    [error] = rows(warehouse_url, tables.integration_errors)
    assert "not a readable Apple Numbers document" in error["reason"]
    [log] = rows(warehouse_url, tables.paycom_sync_log)
    assert log["status"] == "failed" and "files could be read" in log["error_message"]


@ON_SQLITE
def test_a_pay_export_that_cannot_be_read_is_its_own_error_and_the_week_goes_on(
    instance: dg.DagsterInstance, warehouse_url: str, paycom_sandbox: PaycomSandbox
) -> None:
    paths = _replace_push(paycom_sandbox, WEEKS[2])
    lines = paths["pay"].read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("Non-Exempt", "Non-Exempt " + "x" * 200_000)  # a field over csv's 128 KB limit
    paths["pay"].write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = sync(instance, WEEKS[2])
    assert result.success
    [error] = [e for e in rows(warehouse_url, tables.integration_errors) if e["file_name"] == paths["pay"].name]
    assert (error["row_number"], error["reason"]) == (
        None,
        "line 3 cannot be read as CSV (field larger than field limit (131072))",
    )
    stored = rows(warehouse_url, tables.paycom_employees)
    assert len(stored) == BASE_EMPLOYEES + 4 and all(row["pay_type"] is None for row in stored)
    files = {f["report_type"]: f["status"] for f in rows(warehouse_url, tables.paycom_files)}
    assert files == {"directory": "parsed", "dates": "parsed", "payees": "parsed", "pay": "failed"}


@ON_SQLITE
def test_a_folder_under_a_reports_name_is_that_files_failure_and_the_week_goes_on(
    instance: dg.DagsterInstance, warehouse_url: str, paycom_sandbox: PaycomSandbox
) -> None:
    folder = paycom_sandbox.reports_directory / "20261119190000_Employee_Dates_abcd1234_EmployeeRoster.numbers"
    folder.mkdir()
    result = sync(instance, WEEKS[2])
    assert result.success
    assert materialized(result)["paycom_roster_files"]["failed_downloads"] == 1
    files = {f["file_name"]: f for f in rows(warehouse_url, tables.paycom_files)}
    assert files[folder.name]["status"] == "not_downloaded"
    assert files[folder.name]["error_message"] == (
        f"Paycom SFTP download of {folder.name} failed: it is not a file (a folder?)"
    )
    [error] = [e for e in rows(warehouse_url, tables.integration_errors) if e["file_name"] == folder.name]
    assert error["reason"] == files[folder.name]["error_message"]
    assert {f["status"] for name, f in files.items() if name != folder.name} == {"parsed"}
    stored = rows(warehouse_url, tables.paycom_employees)
    assert len(stored) == BASE_EMPLOYEES + 4 and all(row["hire_date"] is None for row in stored), (
        "the Directory still builds the roster; the dates stay unknown"
    )


def test_in_a_week_without_a_dates_push_this_week_s_directory_says_the_status_and_the_disagreement_is_reported(
    instance: dg.DagsterInstance, warehouse_url: str, paycom_sandbox: PaycomSandbox
) -> None:
    assert sync(instance, WEEKS[1]).success
    last_week = {e.code: e for e in week_roster(BASE_EMPLOYEES, 1, WEEKS[1])}
    roster = week_roster(BASE_EMPLOYEES, 2, WEEKS[2])
    back = next(i for i, e in enumerate(roster) if e.status == "on_leave" and last_week[e.code].status == "on_leave")
    roster[back] = dataclasses.replace(roster[back], status="active")  # back from leave, as the Directory says
    stamp = (WEEKS[2] - dt.timedelta(days=1)).strftime("%Y%m%d")
    for path in paycom_sandbox.reports_directory.glob(f"{stamp}*"):
        path.unlink()
    paths = write_paycom_reports(
        paycom_sandbox.reports_directory, roster, dt.datetime.combine(WEEKS[2] - dt.timedelta(days=1), dt.time(18))
    )
    paths.pop("dates").unlink()  # no Dates push this week: the sync uses last week's
    [old_dates] = paycom_sandbox.reports_directory.glob(f"{(WEEKS[1] - dt.timedelta(days=1)):%Y%m%d}*_Dates_*")

    result = sync(instance, WEEKS[2])
    assert result.success
    stored = {row["employee_code"]: row for row in rows(warehouse_url, tables.paycom_employees)}
    assert {code: row["status"] for code, row in stored.items()} == {e.code: e.status for e in roster}
    assert stored[roster[back].code]["hire_date"] == roster[back].hire_date, "the Dates report still says the dates"
    staff = {row["employee_code"]: row for row in rows(warehouse_url, tables.scheduling_staff)}
    assert staff[roster[back].code]["available_for_scheduling"] is True

    changed = sorted(e.code for e in roster if e.code in last_week and e.status != last_week[e.code].status)
    assert roster[back].code in changed and len(changed) == 2, "the employee back from leave and the week's leaver"
    shown = materialized(result)["paycom_employees"]
    assert shown["report_disagreements"] == len(changed)
    table = sorted((record.data for record in shown["disagreements"].records), key=lambda row: row["code"])
    assert table == [
        {
            "code": code,
            "field": "status",
            "older_value": last_week[code].status,
            "older_file": old_dates.name,
            "newer_value": next(e.status for e in roster if e.code == code),
            "newer_file": paths["directory"].name,
        }
        for code in changed
    ]
