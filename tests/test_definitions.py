"""The code location loads, `dg check defs` accepts it, and a bad setting stops it with one clear line."""

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from tests.conftest import API_PLACEHOLDERS

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture
def minimal_env(tmp_path: Path) -> dict[str, str]:
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text("")
    ours = ("PAYCOM_", "HR_", "HOLDED_", "FOURGEEKS_", "NOTION_")
    environment = {name: value for name, value in os.environ.items() if not name.startswith(ours)}
    return {
        **environment,
        **API_PLACEHOLDERS,
        "DAGSTER_HOME": str(tmp_path),
        "PAYCOM_SFTP_HOST": "127.0.0.1",
        "PAYCOM_SFTP_USERNAME": "u",
        "PAYCOM_SFTP_PASSWORD": "p",
        "PAYCOM_SFTP_KNOWN_HOSTS": str(known_hosts),
    }


def test_definitions_are_loadable_with_flat_keys_one_group_per_source(
    minimal_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in minimal_env.items():
        monkeypatch.setenv(name, value)
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
        "crm_students": "crm",
        "service_periods": "crm",
        "notion_external_ids": "notion",
        "accruals": "accruals",
        "attendance_records": "attendance",
        "bayzat_sync_batches": "bayzat",
        "payroll_results": "payroll",
    }
    assert all(len(key.path) == 1 for key in graph.get_all_asset_keys())


def test_dg_check_defs_passes(minimal_env: dict[str, str]) -> None:
    completed = subprocess.run(
        [str(BIN / "dg"), "check", "defs"], cwd=REPO, env=minimal_env, capture_output=True, text=True, timeout=180
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"PAYCOM_SFTP_HOST": None}, "Error: Configuration error: PAYCOM_SFTP_HOST is not set"),
        (
            {"PAYCOM_SFTP_PORT": "twenty-two"},
            "Error: Configuration error: PAYCOM_SFTP_PORT: Input should be a valid integer",
        ),
        (
            {"PAYCOM_SFTP_KNOWN_HOSTS": "/nowhere/known_hosts"},
            "Error: Configuration error: PAYCOM_SFTP_KNOWN_HOSTS: not a readable file: /nowhere/known_hosts",
        ),
        ({"PAYCOM_SFTP_PASSWORD": None}, "set PAYCOM_SFTP_PASSWORD or PAYCOM_SFTP_PRIVATE_KEY_PATH"),
        ({"HR_TIMEZONE": "Mars/Olympus"}, "Error: Configuration error: HR_TIMEZONE: not an IANA timezone name"),
        ({"HR_SECRET_KEY": "short"}, "Error: Configuration error: HR_SECRET_KEY: must be at least 32 characters"),
    ],
)
def test_a_bad_setting_fails_at_start_with_one_line_naming_it(
    minimal_env: dict[str, str], change: dict[str, str | None], message: str
) -> None:
    environment = dict(minimal_env)
    for name, value in change.items():
        environment.pop(name, None) if value is None else environment.__setitem__(name, value)
    completed = subprocess.run(
        [str(BIN / "hr-assets"), "paycom", "test-connection"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 1
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: Configuration error: "), completed.stderr
    assert message in lines[0]
    assert "Traceback" not in completed.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"HOLDED_API_KEY": None}, "Configuration error: HOLDED_API_KEY is not set"),
        (
            {"FOURGEEKS_ACADEMY_ID": "downtown"},
            "Configuration error: FOURGEEKS_ACADEMY_ID: Input should be a valid integer",
        ),
    ],
)
def test_the_code_location_refuses_to_load_without_its_api_settings(
    minimal_env: dict[str, str], change: dict[str, str | None], message: str
) -> None:
    environment = {**minimal_env, **{k: v for k, v in change.items() if v is not None}}
    for name in [k for k, v in change.items() if v is None]:
        environment.pop(name)
    completed = subprocess.run(
        [str(BIN / "dg"), "check", "defs"], cwd=REPO, env=environment, capture_output=True, text=True, timeout=180
    )
    assert completed.returncode != 0
    assert message in completed.stdout + completed.stderr
