"""The UI's action on failed records: a run of ``bayzat_retry_failed`` resets what its config names, audited as a
command is, and ``push_after_retry`` then pushes the companies with records due."""

from __future__ import annotations

import dagster as dg
import sqlalchemy as sa

from hr_assets.definitions import defs
from hr_assets.defs.bayzat.retry_failed_job import push_after_retry
from hr_assets.warehouse.audit import entries
from tests.bayzat.conftest import DEPARTMENTS, EMPLOYEES, KEYS, BayzatWorld, attendance_csv, week_of


def retry(world: BayzatWorld, **config: object) -> dg.ExecuteInProcessResult:
    return (
        defs()
        .resolve_job_def("bayzat_retry_failed")
        .execute_in_process(
            run_config={"ops": {"reset_failed_records": {"config": config}}},
            instance=world.instance,
            raise_on_error=False,
        )
    )


def pushes_after(world: BayzatWorld, run: dg.ExecuteInProcessResult) -> list[dg.RunRequest] | dg.SkipReason:
    """``push_after_retry``'s evaluation after ``run`` succeeded."""
    with dg.build_run_status_sensor_context(
        sensor_name="push_after_retry",
        dagster_event=run.get_run_success_event(),
        dagster_instance=world.instance,
        dagster_run=run.dagster_run,
        resources=defs().get_repository_def().get_top_level_resources(),
    ) as context:
        return push_after_retry(context)


def import_id(world: BayzatWorld, filename: str) -> int:
    with world.engine.connect() as connection:
        query = sa.text("SELECT id FROM attendance_imports WHERE filename = :name")
        return connection.execute(query, {"name": filename}).scalar_one()


def step_failure(result: dg.ExecuteInProcessResult) -> str:
    """The one line the run's page shows for its failed step."""
    (failure,) = result.get_step_failure_events()
    return failure.step_failure_data.user_failure_data.description


def test_a_retry_from_the_launchpad_resets_one_imports_failed_records_and_its_company_is_pushed(
    bayzat_world: BayzatWorld,
) -> None:
    bayzat_world.sandbox.add_key(KEYS["advline"], employees=EMPLOYEES[1:3])  # Bayzat does not know 0001
    assert bayzat_world.import_csv("first.csv", attendance_csv(week_of("advline", EMPLOYEES[:3], days=2))).success
    later = [("0001", DEPARTMENTS["advline"], "2026-03-10", "08:55", "17:05")]
    assert bayzat_world.import_csv("later.csv", attendance_csv(later)).success
    assert bayzat_world.push("advline").success
    first, second = import_id(bayzat_world, "first.csv"), import_id(bayzat_world, "later.csv")
    failed = bayzat_world.records(status="failed")
    assert sorted(r["attendance_import_id"] for r in failed) == [first, first, second]
    bayzat_world.sandbox.add_key(KEYS["advline"], employees=EMPLOYEES[:3])  # now Bayzat knows 0001

    run = retry(bayzat_world, import_id=first)
    assert run.success
    assert run.output_for_node("reset_failed_records") == 2
    [output] = [e for e in run.all_events if e.event_type == dg.DagsterEventType.STEP_OUTPUT]
    assert output.step_output_data.metadata["records_reset"].value == 2
    assert output.step_output_data.metadata["target"].value == f"import {first}"
    reset = bayzat_world.records(attendance_import_id=first, csv_employee_id="0001")
    assert [(r["status"], r["retry_count"], r["error"]) for r in reset] == [("pending", 0, None)] * 2
    [untouched] = bayzat_world.records(attendance_import_id=second)
    assert untouched["status"] == "failed" and "0001" in untouched["error"]
    with bayzat_world.engine.connect() as connection:
        [entry] = [e for e in entries(connection) if e["action"] == "bayzat.retry_failed"]
    assert (entry["actor"], entry["target"], entry["new_values"]) == ("dagster-ui", f"import {first}", {"records": 2})
    assert entry["command"] == f"bayzat_retry_failed run {run.run_id}"

    [request] = pushes_after(bayzat_world, run)
    assert (request.partition_key, request.run_key) == ("advline", f"advline-retry-{run.run_id}")
    assert request.tags["hr_assets/bayzat_company"] == "advline"
    assert bayzat_world.push("advline").success
    assert {r["status"] for r in bayzat_world.records(attendance_import_id=first)} == {"synced"}
    assert bayzat_world.records(attendance_import_id=second)[0]["status"] == "failed"

    nothing = retry(bayzat_world, company="gulfco")  # gulfco has no failed record: nothing to push
    assert nothing.success and nothing.output_for_node("reset_failed_records") == 0
    skipped = pushes_after(bayzat_world, nothing)
    assert isinstance(skipped, dg.SkipReason) and "found no failed record" in str(skipped.skip_message)


def test_a_retry_that_names_no_records_or_an_unknown_company_fails_in_one_line(bayzat_world: BayzatWorld) -> None:
    unsaid = retry(bayzat_world)
    assert not unsaid.success
    assert (
        step_failure(unsaid)
        == "say which failed records to retry: give import_id, batch_id or company in the run config"
    )
    unknown = retry(bayzat_world, company="nowhere", import_id=1)
    assert not unknown.success
    assert step_failure(unknown) == "no company with slug 'nowhere' (see: hr-assets companies list)"
    with bayzat_world.engine.connect() as connection:
        assert [e for e in entries(connection) if e["action"] == "bayzat.retry_failed"] == []
