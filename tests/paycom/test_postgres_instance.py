"""The production instance configuration: every Dagster storage in PostgreSQL (dagster-postgres)."""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import pytest

from tests.conftest import REPO
from tests.paycom.conftest import WEEKS


@pytest.mark.parametrize("warehouse_url", ["postgresql"], indirect=True)
def test_a_sync_on_the_postgres_instance_is_recorded_in_postgres(
    platform_env: dict[str, str],
    make_postgres_database: Callable[[], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "postgres_home"
    home.mkdir()
    shutil.copy(REPO / "deploy" / "postgres" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("DAGSTER_POSTGRES_URL", make_postgres_database())

    completed = subprocess.run(
        [
            str(Path(sys.executable).with_name("hr-assets")),
            "paycom",
            "sync",
            "--in-process",
            "--week",
            WEEKS[2].isoformat(),
        ],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stderr

    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        [run] = instance.get_runs()
        assert run.status == dg.DagsterRunStatus.SUCCESS
        latest = instance.get_latest_materialization_event(dg.AssetKey("paycom_employees"))
        assert latest is not None and latest.run_id == run.run_id
    assert not (home / "history").exists(), "nothing fell back to SQLite in DAGSTER_HOME"
