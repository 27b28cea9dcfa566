"""Every command says a person's error in one line: each is run once with a setting it needs missing and once with
it malformed, and its whole output must be that one ``Error:`` line, with a non-zero exit code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

import click
import pytest

from hr_assets.cli import EXIT_BUG, EXIT_INTERRUPTED, EXIT_PERSON, EXIT_USAGE, main
from hr_assets.cli.app import cli
from tests.conftest import REPO

pytestmark = pytest.mark.commands

HR_ASSETS = str(Path(sys.executable).with_name("hr-assets"))
RANGE = ["--start-date", "2026-01-01", "--end-date", "2026-02-01"]
PAYCOM = {
    "PAYCOM_SFTP_HOST": "127.0.0.1",
    "PAYCOM_SFTP_PORT": "1",
    "PAYCOM_SFTP_USERNAME": "hr-user",
    "PAYCOM_SFTP_PASSWORD": "pa55word",
}
REVENUE = {
    "HOLDED_API_KEY": "holded-key",
    "FOURGEEKS_API_TOKEN": "4geeks-token",
    "FOURGEEKS_ACADEMY_ID": "7",
    "NOTION_TOKEN": "notion-token",
    "NOTION_DATABASE_ID": "clients",
}
BAYZAT = {"HR_SECRET_KEY": "a-secret-key-of-at-least-32-characters"}

# (command, the settings it is given, the one to drop and what the line says, the malformed one and what it says)
CASES = [
    (
        ["paycom", "test-connection"],
        PAYCOM,
        ("PAYCOM_SFTP_HOST", "Paycom is not configured: PAYCOM_SFTP_HOST is not set"),
        (
            {"PAYCOM_SFTP_PORT": "twenty-two"},
            "Paycom is misconfigured: PAYCOM_SFTP_PORT: Input should be a valid integer",
        ),
    ),
    (
        ["paycom", "sync", "--dry-run"],
        PAYCOM,
        ("PAYCOM_SFTP_PASSWORD", "set PAYCOM_SFTP_PASSWORD or"),
        ({"PAYCOM_SFTP_KNOWN_HOSTS": "/nowhere"}, "PAYCOM_SFTP_KNOWN_HOSTS: not a readable file: /nowhere"),
    ),
    (
        ["sync", "--in-process", *RANGE],
        REVENUE,
        ("HOLDED_API_KEY", "Holded is not configured: HOLDED_API_KEY is not set"),
        ({"HOLDED_RATE_LIMIT_PER_SECOND": "abc"}, "HOLDED_RATE_LIMIT_PER_SECOND: Input should be a valid number"),
    ),
    (
        ["sync", "--from-step", "crm-clients", "--in-process", *RANGE],
        REVENUE,
        ("FOURGEEKS_API_TOKEN", "4Geeks is not configured: FOURGEEKS_API_TOKEN is not set"),
        ({"FOURGEEKS_ACADEMY_ID": "downtown"}, "FOURGEEKS_ACADEMY_ID: Input should be a valid integer"),
    ),
    (
        ["status"],
        {},
        ("DAGSTER_HOME", "DAGSTER_HOME is not set"),
        ({"HR_TIMEZONE": "Mars/Olympus"}, "Configuration error: HR_TIMEZONE: not an IANA timezone name"),
    ),
    (
        ["companies", "list"],
        {},
        ("DAGSTER_HOME", "DAGSTER_HOME is not set"),
        ({"HR_WAREHOUSE_URL": "mysql://hr@db/hr"}, "HR_WAREHOUSE_URL: must be a sqlite:/// or postgresql:// URL"),
    ),
    (
        ["companies", "add", "--slug", "acme", "--name-en", "Acme", "--timezone", "Asia/Dubai"],
        {},
        ("DAGSTER_HOME", "DAGSTER_HOME is not set"),
        ({"HR_HISTORY_START": "last year"}, "Configuration error: HR_HISTORY_START: Input should be a valid date"),
    ),
    (
        ["attendance", "import", "{file}"],
        {},
        ("DAGSTER_HOME", "DAGSTER_HOME is not set"),
        ({"HR_TIMEZONE": "Europe/Atlantis"}, "Configuration error: HR_TIMEZONE: not an IANA timezone name"),
    ),
    (
        ["bayzat", "list"],
        BAYZAT,
        ("HR_SECRET_KEY", "Bayzat is not configured: HR_SECRET_KEY is not set"),
        ({"HR_SECRET_KEY": "short"}, "HR_SECRET_KEY: String should have at least 32 characters"),
    ),
    (
        ["bayzat", "configure", "--company", "acme", "--skip-test"],
        BAYZAT,
        ("HR_SECRET_KEY", "Bayzat is not configured: HR_SECRET_KEY is not set"),
        ({"BAYZAT_RATE_LIMIT_DELAY": "fast"}, "BAYZAT_RATE_LIMIT_DELAY: Input should be a valid number"),
    ),
    (
        ["bayzat", "test-connection", "--company", "acme"],
        BAYZAT,
        ("HR_SECRET_KEY", "Bayzat is not configured: HR_SECRET_KEY is not set"),
        ({"BAYZAT_TIMEOUT_SECONDS": "soon"}, "BAYZAT_TIMEOUT_SECONDS: Input should be a valid number"),
    ),
    (
        ["bayzat", "push", "--company", "acme"],
        BAYZAT,
        ("HR_SECRET_KEY", "Bayzat is not configured: HR_SECRET_KEY is not set"),
        ({"BAYZAT_MAX_RECORDS_PER_REQUEST": "0"}, "BAYZAT_MAX_RECORDS_PER_REQUEST: Input should be greater than 0"),
    ),
    (
        ["bayzat", "retry-failed"],
        BAYZAT,
        ("HR_SECRET_KEY", "Bayzat is not configured: HR_SECRET_KEY is not set"),
        ({"BAYZAT_LEASE_SECONDS": "-5"}, "BAYZAT_LEASE_SECONDS: Input should be greater than 0"),
    ),
    (
        ["payroll", "list"],
        {},
        ("DAGSTER_HOME", "DAGSTER_HOME is not set"),
        ({"HR_PAYROLL_LEASE_MINUTES": "an hour"}, "HR_PAYROLL_LEASE_MINUTES: Input should be a valid number"),
    ),
    (
        ["payroll", "due"],
        {},
        ("DAGSTER_HOME", "DAGSTER_HOME is not set"),
        ({"HR_PAYROLL_RUN_HOUR": "25"}, "HR_PAYROLL_RUN_HOUR: Input should be less than or equal to 23"),
    ),
    (
        ["payroll", "add-period", "--start", "2026-01-01", "--end", "2026-01-14", "--type", "bi_weekly"],
        {},
        ("DAGSTER_HOME", "DAGSTER_HOME is not set"),
        ({"HR_PAYROLL_RUN_HOUR": "-2"}, "HR_PAYROLL_RUN_HOUR: Input should be greater than or equal to 0"),
    ),
    (
        ["payroll", "generate", "--type", "monthly", "--start", "2026-01-01", "--until", "2026-03-01"],
        {},
        ("DAGSTER_HOME", "DAGSTER_HOME is not set"),
        ({"HR_TIMEZONE": "UTC+3"}, "Configuration error: HR_TIMEZONE: not an IANA timezone name"),
    ),
    (
        ["payroll", "run", "--period-id", "1"],
        {},
        ("DAGSTER_HOME", "DAGSTER_HOME is not set"),
        ({"HR_PAYROLL_RETRY_DELAY_SECONDS": "-1"}, "HR_PAYROLL_RETRY_DELAY_SECONDS: Input should be greater than"),
    ),
]


@pytest.fixture
def base_environment(tmp_path: Path) -> dict[str, str]:
    """A deployment's environment before the case's settings: an instance folder, and nothing of ours."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text("")
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DAGSTER_HOME": str(home),
        "PAYCOM_SFTP_KNOWN_HOSTS": str(known_hosts),
    }


def _run(arguments: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HR_ASSETS, *arguments], env=environment, input="", capture_output=True, text=True, timeout=120, check=False
    )


def test_each_command_says_a_missing_or_malformed_setting_in_one_line(
    base_environment: dict[str, str], tmp_path: Path
) -> None:
    attendance_file = tmp_path / "week.csv"
    attendance_file.write_text("Employee ID,First Name,Department,Date,Check In,Check Out\n")
    runs = []
    for command, settings, (dropped, missing_says), (malformed, malformed_says) in CASES:
        arguments = [argument.format(file=attendance_file) for argument in command]
        given = {**base_environment, **settings}
        runs.append((arguments, {k: v for k, v in given.items() if k != dropped}, missing_says))
        runs.append((arguments, {**given, **malformed}, malformed_says))
    with ThreadPoolExecutor(max_workers=4) as pool:
        outputs = list(pool.map(lambda run: _run(run[0], run[1]), runs))

    wrong = []
    for (arguments, _, says), output in zip(runs, outputs, strict=True):
        lines = (output.stdout + output.stderr).strip().splitlines()
        if (
            output.returncode != EXIT_PERSON
            or len(lines) != 1
            or not lines[0].startswith("Error: ")
            or says not in lines[0]
        ):
            wrong.append(f"hr-assets {' '.join(arguments)} (exit {output.returncode}):\n{output.stdout}{output.stderr}")
    assert wrong == [], "\n\n".join(wrong)


def test_a_bad_argument_is_one_line_too(base_environment: dict[str, str]) -> None:
    output = _run(["paycom", "sync", "--week", "2026-11-21"], {**base_environment, **PAYCOM})
    assert output.returncode == EXIT_USAGE == 2 and output.stdout == ""
    assert output.stderr.strip().splitlines() == [
        "Error: Invalid value for --week: 2026-11-21 is not the Friday of a synced week (see hr-assets paycom sync "
        "--help)"
    ]
    both = _run(["payroll", "run", "--period-id", "1", "--async", "--in-process"], base_environment)
    assert (both.returncode, both.stdout) == (EXIT_USAGE, "")
    assert both.stderr.splitlines() == [
        "Error: give --async or --in-process, not both (see hr-assets payroll run --help)"
    ]


def test_a_sync_before_the_history_starts_is_one_line(base_environment: dict[str, str]) -> None:
    output = _run(["paycom", "sync"], {**base_environment, **PAYCOM, "HR_HISTORY_START": "2999-01-01"})
    assert output.returncode == EXIT_PERSON and output.stdout == ""
    assert output.stderr.strip().splitlines() == [
        "Error: no week to sync yet: HR_HISTORY_START is later than this week"
    ]


def test_a_bug_says_it_is_one_under_its_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    @click.command("divide")
    def divide() -> None:
        """A command with a bug in it."""
        click.echo(1 / 0)

    cli.add_command(divide)
    monkeypatch.setattr(sys, "argv", ["hr-assets", "divide"])
    try:
        with pytest.raises(SystemExit) as exited:
            main()
    finally:
        cli.commands.pop("divide")
    assert exited.value.code == EXIT_BUG == 70
    stderr = capsys.readouterr().err
    assert "Traceback (most recent call last)" in stderr and "1 / 0" in stderr
    assert stderr.strip().splitlines()[-1] == (
        "Error: ZeroDivisionError: division by zero (a bug in hr-assets: please report it with the traceback above)"
    )


def test_the_version_and_the_exit_codes_are_in_the_command_s_own_words(base_environment: dict[str, str]) -> None:
    version = _run(["--version"], base_environment)
    assert (version.returncode, version.stdout) == (0, f"hr-assets, version {metadata.version('hr_assets')}\n")
    described = _run(["--help"], base_environment).stdout
    assert "Exit codes:" in described
    meanings = (EXIT_PERSON, "a person's error"), (EXIT_USAGE, "a usage error"), (EXIT_BUG, "a bug")
    for code, meaning in (*meanings, (EXIT_INTERRUPTED, "stopped waiting for a run")):
        assert any(line.split()[:1] == [str(code)] and meaning in line for line in described.splitlines()), code
    unknown = _run(["no-such-command"], base_environment)
    assert (unknown.returncode, unknown.stderr.strip()) == (
        EXIT_USAGE,
        "Error: No such command 'no-such-command'. (see hr-assets --help)",
    )
