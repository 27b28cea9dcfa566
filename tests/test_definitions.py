"""The code location loads in an empty environment (no vendor configured), `dg check defs` and `dagster definitions
validate` accept it, and a malformed global setting stops it with one clear line."""

import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

pytestmark = pytest.mark.commands

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture
def empty_env(tmp_path: Path) -> dict[str, str]:
    """Nothing but what any process has: no platform setting, no vendor's."""
    return {"PATH": str(BIN) + ":/usr/bin:/bin", "HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path)}


@pytest.mark.usefixtures("dagster_home")
def test_definitions_are_loadable_with_flat_keys_one_group_per_source() -> None:
    from hr_assets.definitions import defs

    definitions = defs()
    dg.Definitions.validate_loadable(definitions)
    graph = definitions.resolve_asset_graph()
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups == {
        "paycom_roster_files": "paycom",
        "paycom_employees": "paycom",
        "scheduling_staff": "paycom",
        "holded_services": "holded",
        "holded_invoices": "holded",
        "fourgeeks_students": "fourgeeks",
        "service_periods": "fourgeeks",
        "notion_external_ids": "notion",
        "accruals": "accruals",
        "attendance_records": "attendance",
        "bayzat_sync_batches": "bayzat",
        "payroll_results": "payroll",
    }
    assert all(len(key.path) == 1 for key in graph.get_all_asset_keys())


@pytest.mark.parametrize(
    "command",
    [["dg", "check", "defs"], ["dagster", "definitions", "validate", "-w", "workspace.yaml"]],
    ids=["dg-check-defs", "dagster-definitions-validate"],
)
def test_an_empty_environment_loads_every_asset_schedule_and_sensor(
    empty_env: dict[str, str], command: list[str]
) -> None:
    completed = subprocess.run(
        [str(BIN / command[0]), *command[1:]], cwd=REPO, env=empty_env, capture_output=True, text=True, timeout=180
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    listed = subprocess.run(
        [str(BIN / "dg"), "list", "defs", "--json"],
        cwd=REPO,
        env=empty_env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert listed.returncode == 0, listed.stderr
    for name in (
        "holded_invoices",
        "bayzat_sync_batches",
        "paycom_weekly_sync",
        "attendance_inbox",
        "revenue_month_close",
        "scheduling_staff_after_attendance",
        "scheduling_staff_refresh",
        "scheduling_staff_daily_refresh",
    ):
        assert name in listed.stdout


def test_a_malformed_global_setting_stops_the_code_location_with_one_line_naming_it(
    empty_env: dict[str, str],
) -> None:
    environment = {**empty_env, "HR_TIMEZONE": "Mars/Olympus"}
    checked = subprocess.run(
        [str(BIN / "dg"), "check", "defs"], cwd=REPO, env=environment, capture_output=True, text=True, timeout=180
    )
    assert checked.returncode != 0
    assert "HR_TIMEZONE: not an IANA timezone name" in checked.stdout + checked.stderr
    status = subprocess.run([str(BIN / "hr-assets"), "status"], env=environment, capture_output=True, text=True)
    assert (status.returncode, status.stdout) == (1, "")
    assert status.stderr.strip().splitlines() == [
        "Error: Configuration error: HR_TIMEZONE: not an IANA timezone name such as Europe/Madrid"
    ]


# Imports every module of the product, then builds the definitions.
IMPORT_ALL_THEN_BUILD = """
import importlib, pkgutil, hr_assets
names = [m.name for m in pkgutil.walk_packages(hr_assets.__path__, "hr_assets.") if ".migrations" not in m.name]
for name in names:
    importlib.import_module(name)
print(f"imported {len(names)} modules")
from hr_assets.definitions import defs
from hr_assets.lib.errors import OperatorError
try:
    defs()
except OperatorError as exc:
    print(exc)
"""


def test_nothing_reads_a_setting_at_import(empty_env: dict[str, str]) -> None:
    """With settings the definitions cannot be built from, every module still imports: the settings are read where
    the definitions are built, which says what is wrong in one line."""
    environment = {**empty_env, "HR_TIMEZONE": "Mars/Olympus", "HR_PAYROLL_RUN_HOUR": "25"}
    completed = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL_THEN_BUILD], env=environment, capture_output=True, text=True, timeout=180
    )
    assert completed.returncode == 0, completed.stderr
    imported, said = completed.stdout.strip().splitlines()
    assert int(imported.split()[1]) > 100, imported
    assert said == (
        "Configuration error: HR_TIMEZONE: not an IANA timezone name such as Europe/Madrid; "
        "HR_PAYROLL_RUN_HOUR: Input should be less than or equal to 23"
    )


def launchpad_fields(job: dg.JobDefinition, op: str) -> dict:
    """The fields of ``op``'s config as the launchpad's editor and docs show them."""
    return (
        job.run_config_schema.config_type.fields["ops"]
        .config_type.fields[op]
        .config_type.fields["config"]
        .config_type.fields
    )


@pytest.mark.usefixtures("dagster_home")
def test_the_launchpad_of_bayzat_retry_failed_describes_each_field() -> None:
    from hr_assets.definitions import defs

    job = defs().resolve_job_def("bayzat_retry_failed")
    fields = launchpad_fields(job, "reset_failed_records")
    assert set(fields) == {"import_id", "batch_id", "company"}
    assert all(not field.is_required for field in fields.values())
    assert "attendance import" in fields["import_id"].description
    assert "push batch" in fields["batch_id"].description
    assert "slug" in fields["company"].description
    assert "push_after_retry" in job.description


@pytest.mark.usefixtures("dagster_home")
@pytest.mark.parametrize(
    ("job", "op"), [("accruals_close_month", "close_accrual_month"), ("accruals_reopen_month", "reopen_accrual_month")]
)
def test_the_launchpads_of_the_accrual_month_jobs_ask_for_the_month(job: str, op: str) -> None:
    from hr_assets.definitions import defs

    fields = launchpad_fields(defs().resolve_job_def(job), op)
    assert set(fields) == {"month"} and fields["month"].is_required
    assert "YYYY-MM" in fields["month"].description


@pytest.mark.usefixtures("dagster_home")
def test_every_blocking_check_is_in_a_job_whose_command_says_its_failure() -> None:
    """A blocking check fails the run it is in; the command that runs the job must say what to do about it (a
    ``CheckRemedy``), so a new blocking check, or a job that gains one, is written into its command's line."""
    from hr_assets.cli.paycom import ROSTER_CHECK_REMEDIES
    from hr_assets.definitions import defs

    blocking: dict[str, set[str]] = {}
    for job in defs().resolve_all_job_defs():
        if job.name == "__ASSET_JOB":  # the UI's own job, for materializations launched there
            continue
        graph = job.asset_layer.asset_graph
        for key in graph.asset_check_keys:
            if graph.get_check_spec(key).blocking:
                blocking.setdefault(job.name, set()).add(key.name)
    assert blocking == {"paycom_sync": set(ROSTER_CHECK_REMEDIES)}


@pytest.mark.usefixtures("dagster_home")
def test_the_launchpad_of_companies_import_employees_asks_for_the_company_and_its_list() -> None:
    from hr_assets.definitions import defs

    job = defs().resolve_job_def("companies_import_employees")
    fields = launchpad_fields(job, "store_employee_list")
    assert set(fields) == {"company", "file_path", "content", "file_name"}
    assert fields["company"].is_required and "slug" in fields["company"].description
    assert not any(fields[name].is_required for name in ("file_path", "content", "file_name"))
    assert "machine the run runs on" in fields["file_path"].description and "pasted" in fields["content"].description
