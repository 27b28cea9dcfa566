"""Closing and re-opening an accrual month from the UI: the launchpads of ``accruals_close_month`` and
``accruals_reopen_month`` do what ``hr-assets accruals close|reopen`` do, audited with the run's job and launcher."""

import dagster as dg
import pytest

from hr_assets.definitions import defs
from hr_assets.defs.accruals import store
from hr_assets.warehouse.audit import entries
from hr_assets.warehouse.engine import warehouse_engine
from tests.revenue.conftest import MONTHS, failures, run_month

pytestmark = pytest.mark.usefixtures("revenue_env")
OPS = {"accruals_close_month": "close_accrual_month", "accruals_reopen_month": "reopen_accrual_month"}


def launch(instance: dg.DagsterInstance, job: str, month: str, **tags: str) -> dg.ExecuteInProcessResult:
    return (
        defs()
        .resolve_job_def(job)
        .execute_in_process(
            run_config={"ops": {OPS[job]: {"config": {"month": month}}}},
            instance=instance,
            tags=tags,
            raise_on_error=False,
        )
    )


def refusal(result: dg.ExecuteInProcessResult) -> str:
    """The one line the run's page shows for its failed step."""
    (failure,) = result.get_step_failure_events()
    return failure.step_failure_data.user_failure_data.description


def test_a_month_is_closed_and_reopened_from_the_launchpad_and_each_change_is_audited(
    instance: dg.DagsterInstance, warehouse_url: str
) -> None:
    booked = run_month(instance, MONTHS[0])
    assert booked.success, failures(booked)
    closed = launch(instance, "accruals_close_month", "2026-01", **{"hr_assets/launched_by": "api"})
    assert closed.success, failures(closed)
    engine = warehouse_engine(warehouse_url)
    with engine.connect() as connection:
        record = store.close_of(connection, MONTHS[0])
        summary = store.month_summary(connection, MONTHS[0])
    assert (record["closed_by"], record["reopened_at"]) == ("api", None)
    [output] = [e for e in closed.all_events if e.event_type == dg.DagsterEventType.STEP_OUTPUT]
    assert output.step_output_data.metadata["recognized"].value == str(summary["recognized_in_month"])
    again = launch(instance, "accruals_close_month", "2026-01")
    assert not again.success and refusal(again).startswith("2026-01 is already closed (on ")

    reopened = launch(instance, "accruals_reopen_month", "2026-01")
    assert reopened.success, failures(reopened)
    with engine.connect() as connection:
        assert store.close_of(connection, MONTHS[0])["reopened_by"] == "dagster-ui"
        audited = [e for e in entries(connection) if e["action"].startswith("accruals.")]
    assert [(e["action"], e["target"], e["actor"], e["command"]) for e in audited] == [
        ("accruals.close", "month 2026-01", "api", f"accruals_close_month run {closed.run_id}"),
        ("accruals.reopen", "month 2026-01", "dagster-ui", f"accruals_reopen_month run {reopened.run_id}"),
    ]
    not_closed = launch(instance, "accruals_reopen_month", "2026-01")
    assert not not_closed.success and refusal(not_closed) == "2026-01 is not closed"
    malformed = launch(instance, "accruals_close_month", "January")
    assert refusal(malformed) == "month 'January': write it as YYYY-MM, e.g. 2026-01"
