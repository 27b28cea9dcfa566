"""The sync notifications: real paycom_sync runs in a real instance, the sensors evaluated on them, and what a
loopback Slack-like webhook received."""

import datetime as dt
import re

import dagster as dg
import pytest

from hr_assets.definitions import defs
from hr_assets.defs.alerts.resources import NotifyResource
from hr_assets.defs.alerts.sensors import notify_sync_failure, notify_sync_success
from hr_assets.lib.http import ApiError
from hr_sandbox.paycom import PaycomSandbox, week_roster
from tests.paycom.conftest import BASE_EMPLOYEES, WEEKS, sync
from tests.secret_scan import bank_details, configured_secrets
from tests.webhook_receiver import SECRET_PATH, WebhookReceiver

pytestmark = pytest.mark.usefixtures("platform_env")
UI = "https://dagster.example.org"
WEEK_BEFORE_ANY_PUSH = WEEKS[0] - dt.timedelta(days=7)


def _evaluate(
    sensor: dg.RunStatusSensorDefinition,
    instance: dg.DagsterInstance,
    result: dg.ExecuteInProcessResult,
    repository_def: dg.RepositoryDefinition | None = None,
    webhook: WebhookReceiver | None = None,
) -> dg.SkipReason | None:
    event = result.get_run_success_event() if result.success else result.get_run_failure_event()
    notify = NotifyResource(webhook_url=webhook.url, hr_dagster_url=UI) if webhook else NotifyResource()
    with dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_event=event,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        repository_def=repository_def,
        resources={"notify": notify},
    ) as context:
        return sensor(context.for_run_failure() if sensor is notify_sync_failure else context)


def _personal_and_secret(paycom_sandbox: PaycomSandbox, environment: dict[str, str]) -> dict[str, str]:
    """Each value no message may carry, named by what it is."""
    needles = {**bank_details(paycom_sandbox.reports_directory), **configured_secrets(environment)}
    for employee in week_roster(BASE_EMPLOYEES, 2, WEEKS[2]):
        needles[employee.last_name] = "an employee's last name"
        needles[employee.work_email] = "an employee's email"
        needles[employee.birth_date.isoformat()] = "an employee's birth date"
    needles[SECRET_PATH] = "the webhook URL's secret path"
    return needles


def _leaks(text: str, needles: dict[str, str]) -> list[str]:
    return [what for needle, what in needles.items() if re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", text)]


def test_a_successful_sync_posts_what_ran_its_counts_and_a_link_and_nothing_personal(
    instance: dg.DagsterInstance,
    webhook: WebhookReceiver,
    paycom_sandbox: PaycomSandbox,
    platform_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = sync(instance, WEEKS[2])
    assert result.success

    assert _evaluate(notify_sync_success, instance, result, webhook=webhook) is None
    [(path, body)] = webhook.posts
    assert path == SECRET_PATH
    assert set(body) == {"text"}
    text = body["text"]
    roster = len(week_roster(BASE_EMPLOYEES, 2, WEEKS[2]))
    assert text.splitlines()[0] == f"hr_assets: paycom_sync succeeded for {WEEKS[2].isoformat()}"
    assert f"• paycom_employees: files_processed 4, employees_processed {roster}, employees_created {roster}" in text
    assert "• paycom_roster_files: file_count 4, failed_downloads 0, refused_names 0" in text
    assert text.splitlines()[-1] == f"Run: {UI}/runs/{result.run_id}"
    environment = {**platform_env, "HR_NOTIFY_WEBHOOK_URL": webhook.url}
    assert _leaks(text, _personal_and_secret(paycom_sandbox, environment)) == []


def test_a_failed_sync_posts_the_error_and_the_next_step(
    instance: dg.DagsterInstance, webhook: WebhookReceiver, platform_env: dict[str, str]
) -> None:
    result = sync(instance, WEEK_BEFORE_ANY_PUSH)
    assert not result.success

    assert _evaluate(notify_sync_failure, instance, result, webhook=webhook) is None
    [(_, body)] = webhook.posts
    lines = body["text"].splitlines()
    assert lines[0] == f"hr_assets: paycom_sync failed for {WEEK_BEFORE_ANY_PUSH.isoformat()}"
    assert lines[1].startswith("Error: paycom_roster_files: No Paycom report of type directory")
    assert lines[2].startswith("Next step: check the SFTP account with `hr-assets paycom test-connection`")
    assert lines[3] == f"Run: {UI}/runs/{result.run_id}"
    assert platform_env["PAYCOM_SFTP_PASSWORD"] not in body["text"]


# The daemon gives the sensor its repository; a test passes it through a parameter Dagster marks beta.
@pytest.mark.filterwarnings("ignore::dagster.BetaWarning")
def test_an_asset_backfill_run_of_a_sync_jobs_assets_notifies_as_that_job(
    instance: dg.DagsterInstance, webhook: WebhookReceiver
) -> None:
    asset_job = defs().resolve_implicit_global_asset_job_def()
    paycom = [dg.AssetKey(name) for name in ("paycom_roster_files", "paycom_employees")]
    result = asset_job.execute_in_process(
        instance=instance, partition_key=WEEKS[2].isoformat(), asset_selection=paycom, raise_on_error=False
    )
    assert result.success and result.dagster_run.job_name == "__ASSET_JOB"

    _evaluate(notify_sync_success, instance, result, repository_def=defs().get_repository_def(), webhook=webhook)
    [text] = webhook.texts()
    assert text.startswith(f"hr_assets: paycom_sync succeeded for {WEEKS[2].isoformat()}")


def test_without_a_webhook_nothing_is_sent_and_the_tick_says_why(
    instance: dg.DagsterInstance, webhook: WebhookReceiver
) -> None:
    result = sync(instance, WEEK_BEFORE_ANY_PUSH)

    skipped = _evaluate(notify_sync_failure, instance, result)
    assert isinstance(skipped, dg.SkipReason)
    assert skipped.skip_message.startswith(
        "The notification webhook is not configured: HR_NOTIFY_WEBHOOK_URL is not set: no notification for "
        "paycom_sync run"
    )
    assert webhook.posts == []


def test_a_refused_post_fails_the_tick_with_one_line_that_hides_the_webhook_url(
    instance: dg.DagsterInstance, webhook: WebhookReceiver
) -> None:
    result = sync(instance, WEEK_BEFORE_ANY_PUSH)
    webhook.status, webhook.answer = 404, "no_service"

    with pytest.raises(ApiError) as raised:
        _evaluate(notify_sync_failure, instance, result, webhook=webhook)
    assert str(raised.value) == "HR_NOTIFY_WEBHOOK_URL answered 404: no_service"


def test_both_sensors_are_in_the_code_location_and_start_running() -> None:
    definitions = defs()
    for sensor in (notify_sync_success, notify_sync_failure):
        assert definitions.resolve_sensor_def(sensor.name).default_status == dg.DefaultSensorStatus.RUNNING
