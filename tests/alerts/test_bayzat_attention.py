"""A Bayzat push that succeeds but leaves records a person must act on says so in its notification: a real push
to the Bayzat twin, which refuses an employee it does not know, and the success sensor evaluated on that run."""

import dagster as dg

from hr_assets.defs.alerts.resources import NotifyResource
from hr_assets.defs.alerts.sensors import notify_sync_success
from tests.bayzat.conftest import EMPLOYEES, KEYS, BayzatWorld, attendance_csv, bayzat_sandbox, bayzat_world, week_of
from tests.webhook_receiver import WebhookReceiver

__all__ = ["bayzat_sandbox", "bayzat_world"]  # the fixtures this module uses


def _notified(world: BayzatWorld, result: dg.ExecuteInProcessResult, notify: NotifyResource) -> None:
    with dg.build_run_status_sensor_context(
        sensor_name=notify_sync_success.name,
        dagster_event=result.get_run_success_event(),
        dagster_instance=world.instance,
        dagster_run=result.dagster_run,
        resources={"notify": notify},
    ) as context:
        assert notify_sync_success(context) is None


def test_a_push_that_fails_more_than_the_threshold_needs_attention(
    bayzat_world: BayzatWorld, webhook: WebhookReceiver
) -> None:
    bayzat_world.sandbox.add_key(KEYS["advline"], employees=EMPLOYEES[1:5])  # Bayzat does not know 0001
    assert bayzat_world.import_csv("week.csv", attendance_csv(week_of("advline", EMPLOYEES[:5]))).success
    result = bayzat_world.push("advline")
    assert result.success
    [pushed] = result.asset_materializations_for_node("bayzat_sync_batches")
    metadata = pushed.metadata
    by_status = {row.data["status"]: row.data["records"] for row in metadata["records_by_status"].value.records}
    assert by_status == {"pending": 0, "syncing": 0, "synced": 12, "failed": 3, "skipped": 0}
    assert metadata["failure_rate"].value == 0.2
    attention = [row.data for row in metadata["records_needing_attention"].value.records]
    assert [(row["employee_code"], row["retries_left"]) for row in attention] == [("0001", 0)] * 3
    assert all("Name0001" not in str(row) for row in attention)  # codes, never names
    assert metadata["dagster/row_count"].value == 1  # the table's one batch; its name and columns are the definition's

    _notified(bayzat_world, result, NotifyResource(webhook_url=webhook.url))
    _notified(bayzat_world, result, NotifyResource(webhook_url=webhook.url, failure_rate=0.25))
    strict, lenient = (body["text"].splitlines() for _, body in webhook.posts)
    assert strict[0] == "hr_assets: bayzat_push succeeded, needs attention for advline"
    assert strict[-1] == (
        "Attention: advline: 3 of 15 records failed (20%, over 5%); see the failed records on the "
        "bayzat_sync_batches page, then hr-assets bayzat retry-failed --company advline"
    )
    assert lenient[0] == "hr_assets: bayzat_push succeeded for advline"
    assert not any(line.startswith("Attention:") for line in lenient)
