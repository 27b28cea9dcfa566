"""deploy/hosts/dagster.yaml, the instance of a deployment on several hosts: a step's output goes to the shared
S3-compatible store, and another host's instance, which has no file of it, reads it from there."""

from __future__ import annotations

import tempfile
from pathlib import Path

import dagster as dg
import pytest

from tests.conftest import REPO
from tests.containers.conftest import COMPUTE_LOGS_BUCKET, Servers
from tests.servers import S3_KEY_ID, S3_SECRET, create_databases

pytestmark = [pytest.mark.containers, pytest.mark.xdist_group("containers")]


@dg.asset
def greeting() -> None:
    print("hello from the code server's host")  # noqa: T201 - the step output under test


def host(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> dg.DagsterInstance:
    """A host's instance: its own DAGSTER_HOME holding the shipped file, its own temporary folder."""
    home = tmp_path / name / "dagster_home"
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text((REPO / "deploy" / "hosts" / "dagster.yaml").read_text())
    monkeypatch.setattr(tempfile, "tempdir", str(home.parent))  # where the compute log manager stages its files
    return dg.DagsterInstance.from_config(str(home))


def test_a_step_output_is_read_from_the_shared_store_by_another_hosts_instance(
    servers: Servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_databases(servers.postgres, "hosts")
    for name, value in {
        "DAGSTER_POSTGRES_URL": f"{servers.postgres}/hosts",
        "DAGSTER_COMPUTE_LOGS_BUCKET": COMPUTE_LOGS_BUCKET,
        "DAGSTER_COMPUTE_LOGS_ENDPOINT_URL": servers.s3,
        "AWS_ACCESS_KEY_ID": S3_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET,
    }.items():
        monkeypatch.setenv(name, value)
    with host(tmp_path, "code", monkeypatch) as code_host:
        result = dg.materialize([greeting], instance=code_host)
        (captured,) = code_host.all_logs(result.run_id, of_type=dg.DagsterEventType.LOGS_CAPTURED)
        file_key = captured.dagster_event.logs_captured_data.file_key
    with host(tmp_path, "web", monkeypatch) as web_host:
        assert not list((tmp_path / "web").rglob("*.out"))  # no file of it on this host: only the store has it
        output = web_host.compute_log_manager.get_log_data([result.run_id, "compute_logs", file_key])
    assert output.stdout is not None
    assert b"hello from the code server's host" in output.stdout
