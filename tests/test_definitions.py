"""The code location loads, `dg check defs` accepts it, and a bad setting stops it with one clear line."""

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture
def minimal_env(tmp_path: Path) -> dict[str, str]:
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text("")
    environment = {name: value for name, value in os.environ.items() if not name.startswith(("PAYCOM_", "HR_"))}
    return {
        **environment,
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
    assert groups == {"paycom_roster_files": "paycom", "paycom_employees": "paycom", "scheduling_staff": "paycom"}
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
