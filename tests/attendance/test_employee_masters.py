"""Each company's employee master, on both databases: the Paycom roster, the company's own list (imported with
``hr-assets companies import-employees`` or the ``companies_import_employees`` launchpad job, one snapshot per import,
the newest the master), or the device's ids; and ``hr-assets companies map-employee``, after which earlier imports'
rows of the device id are validated again."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from hr_assets.definitions import defs
from hr_assets.defs.shared.companies import EmployeeMaster, add_company
from hr_assets.warehouse.integration_errors import load_integration_errors
from hr_assets.warehouse.tables import company_employee_lists, company_employees
from tests.attendance.conftest import DEPARTMENT, AttendanceWorld, attendance_lines

HR_ASSETS = str(Path(sys.executable).with_name("hr-assets"))
GULF = "Gulf Co"  # the department of gulfco, whose staff are not in Paycom


def hr_assets(*args: str) -> subprocess.CompletedProcess[str]:
    """The command as a person types it, with the world's environment (the fixture set it in this process's)."""
    return subprocess.run([HR_ASSETS, *args], capture_output=True, text=True, timeout=120, check=False)


def ok(*args: str) -> str:
    result = hr_assets(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def row(employee: str, department: str = GULF, day: int = 2) -> list[str]:
    date = dt.date(2026, 3, day)
    return [employee, "Sara", department, date.isoformat(), date.strftime("%A"), "08:00", "17:00"]


@pytest.fixture
def gulfco(attendance_world: AttendanceWorld) -> int:
    """A second company, its master chosen: its own list (none imported yet)."""
    with attendance_world.engine.begin() as connection:
        return add_company(
            connection,
            slug="gulfco",
            name_en="Gulf Co",
            name_ar=None,
            fingerprint_report_name=GULF,
            timezone="Asia/Dubai",
            now=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
            employee_master=EmployeeMaster.LIST,
        )


def snapshot_rows(world: AttendanceWorld, list_id: int) -> list[dict]:
    query = sa.select(company_employees).where(company_employees.c.list_id == list_id)
    with world.engine.connect() as connection:
        return [dict(r) for r in connection.execute(query.order_by(company_employees.c.row_number)).mappings()]


def codes_and_validity(world: AttendanceWorld) -> list[tuple[str, str | None, bool]]:
    return [(r["csv_employee_id"], r["employee_code"], r["is_valid"]) for r in world.records()]


def audit_of(action: str) -> list[dict]:
    return [entry for entry in json.loads(ok("audit", "--json")) if entry["action"] == action]


def test_a_companys_own_list_is_imported_as_snapshots_and_the_newest_is_its_master(
    attendance_world: AttendanceWorld, gulfco: int
) -> None:
    first = attendance_world.write(
        "staff.csv",
        "Employee Code;Name;Grade\r\nG1;Sara Ali;3\r\nG2;Omar;2\r\n\r\n;No Code;1\r\nG1;Sara Again;3\r\nG3;Short\r\n",
    )
    printed = ok("companies", "import-employees", "gulfco", str(first))
    assert printed.splitlines() == [
        "gulfco: snapshot 1 of staff.csv, 2 employee(s), 3 row(s) with errors",
        "  staff.csv, row 5, field Employee Code: the employee code is empty",
        "  staff.csv, row 6, field Employee Code: employee code 'G1' is on row 2 already",
        "  staff.csv, row 7: the row has 2 cells where the header has 3",
    ]
    stored = snapshot_rows(attendance_world, 1)
    assert [(r["row_number"], r["employee_code"], r["name"], r["is_valid"]) for r in stored] == [
        (2, "G1", "Sara Ali", True),
        (3, "G2", "Omar", True),
        (5, None, "No Code", False),
        (6, None, "Sara Again", False),
        (7, "G3", "Short", False),
    ]
    assert stored[0]["raw"] == {"employee_code": "G1", "name": "Sara Ali", "Grade": "3"}  # as the file says
    assert stored[3]["validation_errors"] == [
        {
            "file_name": "staff.csv",
            "row_number": 6,
            "field": "Employee Code",
            "reason": "employee code 'G1' is on row 2 already",
            "record_key": "G1",
        }
    ]
    [entry] = audit_of("company.employees.import")
    assert (entry["target"], entry["new_values"]) == (
        "company gulfco",
        {"file": "staff.csv", "snapshot": 1, "rows": 5, "valid": 2},
    )

    week = attendance_lines([row("G1"), row("G2"), row("G3"), row("42"), row("42", DEPARTMENT)])
    assert attendance_world.run(attendance_world.write("week1.csv", week)).success
    assert codes_and_validity(attendance_world) == [
        ("G1", "G1", True),
        ("G2", "G2", True),
        ("G3", None, False),  # its list row is an error: not in the master
        ("42", None, False),  # in the Paycom roster, but gulfco's master is its own list
        ("42", "42", True),  # advline follows the deployment's rule: the roster
    ]
    reasons = {r["row_number"]: r["validation_errors"] for r in attendance_world.records() if not r["is_valid"]}
    assert reasons[4][0]["reason"] == "employee id 'G3' is not in the employee master (the company's own employee list)"

    second = attendance_world.write("staff-april.csv", "Code,Name\r\nG2,Omar\r\nG3,Huda\r\n")
    assert ok("companies", "import-employees", "gulfco", str(second)).splitlines() == [
        "gulfco: snapshot 2 of staff-april.csv, 2 employee(s), 0 row(s) with errors"
    ]
    assert attendance_world.run(
        attendance_world.write("week2.csv", attendance_lines([row(c, day=9) for c in ("G1", "G3")]))
    )
    newest = [(r["csv_employee_id"], r["is_valid"]) for r in attendance_world.records()[5:]]
    assert newest == [("G1", False), ("G3", True)]  # the newest snapshot is the master; the first is kept
    assert len(snapshot_rows(attendance_world, 1)) == 5

    refused = hr_assets(
        "companies", "import-employees", "gulfco", str(attendance_world.write("bad.csv", "Who,When\r\n"))
    )
    assert (refused.returncode, refused.stderr) == (
        1,
        "Error: bad.csv: required column missing: 'Employee Code' (accepted: Employee Code, Code, Employee ID, "
        "Emp Code, EE Code); headers found: 'Who', 'When'\n",
    )
    with attendance_world.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(company_employee_lists)).scalar_one() == 2


def test_the_master_is_chosen_per_company_and_listed(attendance_world: AttendanceWorld, gulfco: int) -> None:
    assert ok("companies", "set", "gulfco", "--employee-master", "device") == "gulfco: employee master device\n"
    listed = {
        r["slug"]: (r["employee_master"], r["date_format"]) for r in json.loads(ok("companies", "list", "--json"))
    }
    assert listed == {"advline": ("auto", "auto"), "gulfco": ("device", "auto")}
    [entry] = audit_of("company.employee_master")
    assert (entry["old_values"], entry["new_values"]) == ({"employee_master": "list"}, {"employee_master": "device"})
    unsaid = hr_assets("companies", "set", "gulfco")
    assert unsaid.returncode == 2 and "say what to change: --date-format or --employee-master" in unsaid.stderr

    long_id = "X" * 40  # an id longer than any employee code cannot be one
    week = attendance_lines([row("901"), row(long_id), row("901", DEPARTMENT)])
    assert attendance_world.run(attendance_world.write("week.csv", week)).success
    assert codes_and_validity(attendance_world) == [("901", "901", True), (long_id, None, False), ("901", None, False)]


def test_a_mapped_device_id_validates_earlier_rows_again_audited(
    attendance_world: AttendanceWorld, gulfco: int
) -> None:
    ok("companies", "import-employees", "gulfco", str(attendance_world.write("staff.csv", "Code\r\nE017\r\nE018\r\n")))
    week = attendance_lines([row("17"), row("17", day=3), row("18"), row("17", DEPARTMENT)])
    assert attendance_world.run(attendance_world.write("week.csv", week)).success
    assert codes_and_validity(attendance_world) == [("17", None, False), ("17", None, False), ("18", None, False),
                                                    ("17", None, False)]  # fmt: skip

    mapped = ok("companies", "map-employee", "gulfco", "17", "E018")
    assert mapped == "Device id '17' of gulfco stands for 'E018'; 2 row(s) of earlier imports validated again\n"
    assert codes_and_validity(attendance_world)[:2] == [("17", "E018", True)] * 2
    corrected = ok("companies", "map-employee", "gulfco", " 17 ", "E017")
    assert corrected == (
        "Device id '17' of gulfco stands for 'E017' (was 'E018'); 2 row(s) of earlier imports validated again\n"
    )
    assert ok("companies", "map-employee", "gulfco", "17", "E017") == (
        "Device id '17' of gulfco already stands for 'E017'; nothing changed\n"
    )
    typo = ok("companies", "map-employee", "gulfco", "18", "E81")
    assert typo.splitlines()[1] == "Note: 'E81' is not in gulfco's employee master: its rows are errors until it is"
    assert codes_and_validity(attendance_world) == [
        ("17", "E017", True),
        ("17", "E017", True),
        ("18", None, False),
        ("17", None, False),  # advline's row of 17: the mapping is gulfco's
    ]
    [summary] = attendance_world.imports()
    assert (summary["successful_records"], summary["failed_records"]) == (2, 2)
    with attendance_world.engine.connect() as connection:
        errors = load_integration_errors(connection, asset="attendance_records", partition_key=summary["partition_key"])
    assert [(e.row_number, e.field, e.reason) for e in errors if e.row_number == 4] == [
        (4, "Employee ID", "employee id '18' stands for code 'E81' (hr-assets companies map-employee), which is not "
         "in the employee master (the company's own employee list)")
    ]  # fmt: skip
    assert not [e for e in errors if e.row_number in (2, 3)]  # the valid rows' old errors went

    assert [(e["actor"] != "", e["old_values"], e["new_values"]) for e in audit_of("company.employee.map")] == [
        (True, {"device_id": "17", "employee_code": None}, {"device_id": "17", "employee_code": "E018"}),
        (True, {"device_id": "17", "employee_code": "E018"}, {"device_id": "17", "employee_code": "E017"}),
        (True, {"device_id": "18", "employee_code": None}, {"device_id": "18", "employee_code": "E81"}),
    ]
    unknown = hr_assets("companies", "map-employee", "nowhere", "17", "E017")
    assert (unknown.returncode, unknown.stderr) == (
        1,
        "Error: no company with slug 'nowhere' (see: hr-assets companies list)\n",
    )
    empty = hr_assets("companies", "map-employee", "gulfco", " ", "E017")
    assert (empty.returncode, empty.stderr) == (1, "Error: the device id is empty\n")


def launch(world: AttendanceWorld, **config: object) -> dg.ExecuteInProcessResult:
    """The ``companies_import_employees`` job as its launchpad launches it, on the real instance."""
    return (
        defs()
        .resolve_job_def("companies_import_employees")
        .execute_in_process(
            run_config={"ops": {"store_employee_list": {"config": config}}},
            instance=world.instance,
            raise_on_error=False,
        )
    )


def step_failure(result: dg.ExecuteInProcessResult) -> str:
    (failure,) = result.get_step_failure_events()
    return failure.step_failure_data.user_failure_data.description


def test_the_launchpad_job_imports_a_list_from_its_content_or_path_audited(
    attendance_world: AttendanceWorld, gulfco: int
) -> None:
    pasted = launch(attendance_world, company="gulfco", content="Employee Code,Name\nP1,Private Name\nP1,Again\n")
    assert pasted.success and pasted.output_for_node("store_employee_list") == 1
    [output] = [e for e in pasted.all_events if e.event_type == dg.DagsterEventType.STEP_OUTPUT]
    metadata = {key: value.value for key, value in output.step_output_data.metadata.items()}
    assert {key: metadata[key] for key in ("company", "snapshot", "file", "rows", "valid_rows", "invalid_rows")} == {
        "company": "gulfco",
        "snapshot": 1,
        "file": "employees.csv",
        "rows": 2,
        "valid_rows": 1,
        "invalid_rows": 1,
    }
    assert "Private Name" not in repr(output.step_output_data.metadata)  # names stay in the warehouse
    assert [(r["row_number"], r["employee_code"]) for r in snapshot_rows(attendance_world, 1)] == [(2, "P1"), (3, None)]

    path = attendance_world.write("from-disk.csv", "EE Code\r\nD1\r\n")
    from_path = launch(attendance_world, company="gulfco", file_path=str(path))
    assert from_path.success and from_path.output_for_node("store_employee_list") == 2
    assert attendance_world.run(attendance_world.write("week.csv", attendance_lines([row("D1"), row("P1")])))
    assert codes_and_validity(attendance_world) == [("D1", "D1", True), ("P1", None, False)]

    entries = audit_of("company.employees.import")
    assert [(e["actor"], e["command"], e["new_values"]["file"]) for e in entries] == [
        ("dagster-ui", f"companies_import_employees run {pasted.run_id}", "employees.csv"),
        ("dagster-ui", f"companies_import_employees run {from_path.run_id}", "from-disk.csv"),
    ]

    for config, said in (
        ({"company": "gulfco"}, "give the list as file_path or as content in the run config, not both"),
        ({"company": "gulfco", "content": "Code\n", "file_path": str(path)}, "give the list as file_path or as "
         "content in the run config, not both"),
        ({"company": "gulfco", "file_path": "/nowhere/list.csv"}, "/nowhere/list.csv is not a file on the machine "
         "this run runs on"),
        ({"company": "nowhere", "content": "Code\nX\n"}, "no company with slug 'nowhere' (see: hr-assets companies "
         "list)"),
        ({"company": "gulfco", "content": "\n\n"}, "employees.csv: the file is empty"),
    ):  # fmt: skip
        failed = launch(attendance_world, **config)
        assert not failed.success and step_failure(failed) == said
    assert len(audit_of("company.employees.import")) == 2
