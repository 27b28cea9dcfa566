"""What must never leave the platform's inputs, and a scan of everything the platform keeps for it.

``scan_platform`` reads the instance's run storage (run configs, tags), its event log, the compute logs
under ``DAGSTER_HOME`` (and any other log file or message given) and every table of the warehouse, and
names each place a needle was found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import dagster as dg
import sqlalchemy as sa
from numbers_parser import Document

from hr_assets.warehouse.engine import warehouse_engine
from hr_sandbox.attendance import AttendanceSandbox
from hr_sandbox.paycom import PaycomSandbox

RUNLESS_RUN_ID = ""  # the run id Dagster files events that belong to no run under
COMPUTE_LOG_DIRECTORY = "storage"  # the local compute log manager's folder under DAGSTER_HOME

PAYEE_SECRETS = ("Routing Code", "Account Code")
# Every setting that is a credential, by the name the platform reads it under.
SECRET_SETTINGS = (
    "PAYCOM_SFTP_PASSWORD",
    "HOLDED_API_KEY",
    "FOURGEEKS_API_TOKEN",
    "NOTION_TOKEN",
    "HR_SECRET_KEY",
    "HR_NOTIFY_WEBHOOK_URL",
)


def bank_details(reports_directory: Path) -> dict[str, str]:
    """Each bank routing and account number in the Payees reports Paycom pushed, named by column and row."""
    found = {}
    for path in sorted(reports_directory.glob("*_Payees_*")):
        header, *rows = Document(str(path)).sheets[0].tables[0].rows(values_only=True)
        for number, row in enumerate(rows, start=2):
            for column in PAYEE_SECRETS:
                found[str(row[header.index(column)])] = f"{column} of {path.name} row {number}"
    return found


def configured_secrets(environment: Mapping[str, str]) -> dict[str, str]:
    """The credentials set in ``environment``, each named by its setting."""
    return {environment[name]: name for name in SECRET_SETTINGS if environment.get(name)}


def sandbox_needles(sandbox_directory: Path, environment: Mapping[str, str]) -> dict[str, str]:
    """Everything secret a sandbox platform was given: the configured credentials, the Bayzat API keys the
    demo companies were set up with, and the bank details in the Paycom pushes."""
    bayzat_keys = AttendanceSandbox(sandbox_directory / "attendance").keys
    return {
        **configured_secrets(environment),
        **{key: f"the Bayzat API key of {company}" for company, key in bayzat_keys.items()},
        **bank_details(PaycomSandbox(sandbox_directory / "paycom").reports_directory),
    }


def _places(
    instance: dg.DagsterInstance,
    dagster_home: Path,
    warehouse_url: str,
    more_files: Iterable[Path],
    messages: Iterable[str],
) -> Iterable[tuple[str, str]]:
    """(where, text) for every run, event, compute log file, other log file, warehouse table and message."""
    for run in instance.get_runs():
        yield f"run storage: run {run.run_id} ({run.job_name}) config and tags", repr((run.run_config, run.tags))
        for entry in instance.all_logs(run.run_id):
            yield f"event log: run {run.run_id} {entry.dagster_event_type or 'log'} event", entry.to_json()
    for entry in instance.all_logs(RUNLESS_RUN_ID):  # events outside any run (freshness, runless materializations)
        yield f"event log: runless {entry.dagster_event_type or 'log'} event", entry.to_json()
    compute_logs = dagster_home / COMPUTE_LOG_DIRECTORY
    assert compute_logs.is_dir(), f"no compute logs in {compute_logs}: the scan would prove nothing"
    for path in sorted(compute_logs.rglob("*")) + list(more_files):
        if path.is_file():
            yield f"log file {path}", path.read_text(errors="replace")
    engine = warehouse_engine(warehouse_url)
    with engine.connect() as connection:
        every_table = sa.MetaData()
        every_table.reflect(connection)
        for table in every_table.sorted_tables:
            yield f"warehouse table {table.name}", repr(connection.execute(sa.select(table)).all())
    for message in messages:
        yield f"the notification {message.splitlines()[0]!r}", message


def scan_platform(
    instance: dg.DagsterInstance,
    dagster_home: Path,
    warehouse_url: str,
    needles: Mapping[str, str],
    more_files: Iterable[Path] = (),
    messages: Iterable[str] = (),
) -> list[str]:
    """One line per place a needle appears: ``HOLDED_API_KEY in event log: run ... STEP_FAILURE event``."""
    alternatives = "|".join(re.escape(needle) for needle in sorted(needles, key=len, reverse=True))
    pattern = re.compile(rf"(?<![0-9A-Za-z])({alternatives})(?![0-9A-Za-z])")
    return [
        f"{needles[needle]} in {where}"
        for where, text in _places(instance, dagster_home, warehouse_url, more_files, messages)
        for needle in sorted({match.group(1) for match in pattern.finditer(text)})
    ]


def assert_nothing_leaked(
    dagster_home: Path,
    warehouse_url: str,
    needles: Mapping[str, str],
    more_files: Iterable[Path] = (),
    messages: Iterable[str] = (),
) -> None:
    """Fails naming each secret or bank detail found, and where."""
    assert len(needles) > 0, "nothing to look for: the scan would prove nothing"
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        found = scan_platform(instance, dagster_home, warehouse_url, needles, more_files, messages)
    assert found == [], "secrets or bank details found:\n" + "\n".join(found)
