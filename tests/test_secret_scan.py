"""The secret scan finds a secret wherever the platform could keep one, and says where.

The scan of the whole sandbox platform runs at the end of ``tests/test_dev_platform.py``'s run (webserver,
daemon, Paycom sync, revenue backfill, attendance import and Bayzat push), so the platform starts once.
"""

from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from tests.secret_scan import scan_platform

IN_TAGS = "tag-secret-0123456789"
IN_A_LOG_LINE = "log-secret-0123456789"
ON_STDOUT = "stdout-secret-0123456789"
IN_THE_WAREHOUSE = "012345678"  # shaped like a bank routing number
NEEDLES = {
    IN_TAGS: "the tagged secret",
    IN_A_LOG_LINE: "the logged secret",
    ON_STDOUT: "the printed secret",
    IN_THE_WAREHOUSE: "the stored routing number",
}


@dg.op
def careless(context: dg.OpExecutionContext) -> None:
    context.log.info(f"calling with {IN_A_LOG_LINE}")
    print(f"debug: {ON_STDOUT}")  # noqa: T201 - the leak under test


@dg.job
def careless_job() -> None:
    careless()


@pytest.fixture
def leaky_platform(instance: dg.DagsterInstance, tmp_path: Path) -> str:
    """A run that tags, logs and prints secrets, and a warehouse table holding a routing number."""
    assert careless_job.execute_in_process(instance=instance, tags={"note": IN_TAGS}).success
    warehouse_url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    engine = sa.create_engine(warehouse_url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE careless_notes (routing TEXT)"))
        connection.execute(sa.text("INSERT INTO careless_notes VALUES (:routing)"), {"routing": IN_THE_WAREHOUSE})
    engine.dispose()
    return warehouse_url


def test_the_scan_names_each_secret_and_where_it_was_found(
    instance: dg.DagsterInstance, dagster_home: Path, leaky_platform: str
) -> None:
    [run] = instance.get_runs()
    found = scan_platform(instance, dagster_home, leaky_platform, NEEDLES)

    assert f"the tagged secret in run storage: run {run.run_id} (careless_job) config and tags" in found
    assert any(line.startswith(f"the logged secret in event log: run {run.run_id}") for line in found)
    assert any(line.startswith("the printed secret in log file") and line.endswith(".out") for line in found)
    assert "the stored routing number in warehouse table careless_notes" in found


def test_a_clean_platform_has_nothing_to_report(
    instance: dg.DagsterInstance, dagster_home: Path, leaky_platform: str
) -> None:
    assert scan_platform(instance, dagster_home, leaky_platform, {"never-used-secret-42": "a secret"}) == []
