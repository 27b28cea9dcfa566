"""Each integration is configured or it is not: an unconfigured one's assets stay, a run of them fails at its first
step with one line naming the missing setting, a malformed value is refused naming its variable, and the schedules
and sensors that would launch its runs skip, saying why."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import pytest

from hr_assets.definitions import defs
from hr_assets.defs.alerts.resources import NotifyResource
from hr_assets.defs.attendance.resources import AttendanceInboxResource
from hr_assets.defs.bayzat.resources import BayzatResource
from hr_assets.defs.fourgeeks.resources import FourGeeksResource
from hr_assets.defs.holded.resources import HoldedResource
from hr_assets.defs.notion.resources import NotionResource
from hr_assets.defs.paycom.resources import PaycomSftpResource
from hr_assets.lib.integration import IntegrationResource

pytestmark = pytest.mark.usefixtures("dagster_home")


@pytest.mark.parametrize(
    ("integration", "settings", "problem"),
    [
        (
            PaycomSftpResource,
            {},
            "Paycom is not configured: PAYCOM_SFTP_HOST and PAYCOM_SFTP_USERNAME and "
            "PAYCOM_SFTP_KNOWN_HOSTS are not set",
        ),
        (
            PaycomSftpResource,
            {"host": "sftp.paycom.example", "username": "hr-user", "known_hosts": "/etc/hostname"},
            "Paycom is not configured: set PAYCOM_SFTP_PASSWORD or PAYCOM_SFTP_PRIVATE_KEY_PATH",
        ),
        (
            PaycomSftpResource,
            {"host": "sftp.paycom.example", "username": "hr-user", "password": "pa55word", "known_hosts": "/nowhere"},
            "Paycom is misconfigured: PAYCOM_SFTP_KNOWN_HOSTS: not a readable file: /nowhere",
        ),
        (
            PaycomSftpResource,
            {
                "host": "sftp.paycom.example",
                "username": "hr-user",
                "password": "pa55word",
                "known_hosts": "/etc/hostname",
                "port": "twenty-two",
            },
            "Paycom is misconfigured: PAYCOM_SFTP_PORT: Input should be a valid integer",
        ),
        (
            PaycomSftpResource,
            {
                "host": "sftp.paycom.example",
                "username": "hr-user",
                "password": "pa55word",
                "known_hosts": "/etc/hostname",
                "port": "70000",
            },
            "Paycom is misconfigured: PAYCOM_SFTP_PORT: Input should be less than or equal to 65535",
        ),
        (HoldedResource, {}, "Holded is not configured: HOLDED_API_KEY is not set"),
        (
            HoldedResource,
            {"api_key": "key-1", "rate_limit_per_second": "abc"},
            "Holded is misconfigured: HOLDED_RATE_LIMIT_PER_SECOND: Input should be a valid number",
        ),
        (
            HoldedResource,
            {"api_key": "key-1", "rate_limit_per_second": "0"},
            "Holded is misconfigured: HOLDED_RATE_LIMIT_PER_SECOND: Input should be greater than 0",
        ),
        (FourGeeksResource, {"api_token": "token-1"}, "4Geeks is not configured: FOURGEEKS_ACADEMY_ID is not set"),
        (
            FourGeeksResource,
            {"api_token": "token-1", "academy_id": "downtown"},
            "4Geeks is misconfigured: FOURGEEKS_ACADEMY_ID: Input should be a valid integer",
        ),
        (NotionResource, {"token": "token-2"}, "Notion is not configured: NOTION_DATABASE_ID is not set"),
        (
            NotionResource,
            {"token": "token-2", "database_id": "clients", "data_source_id": "the clients"},
            "Notion is misconfigured: NOTION_DATA_SOURCE_ID: not a Notion id (32 hexadecimal digits, dashes allowed)",
        ),
        (BayzatResource, {}, "Bayzat is not configured: HR_SECRET_KEY is not set"),
        (
            BayzatResource,
            {"hr_secret_key": "short"},
            "Bayzat is misconfigured: HR_SECRET_KEY: String should have at least 32 characters",
        ),
        (
            BayzatResource,
            {"hr_secret_key": "s" * 32, "rate_limit_delay": "-1"},
            "Bayzat is misconfigured: BAYZAT_RATE_LIMIT_DELAY: Input should be greater than 0",
        ),
        (
            AttendanceInboxResource,
            {"retention_days": "ninety"},
            "The attendance inbox is misconfigured: ATTENDANCE_RETENTION_DAYS: Input should be a valid integer",
        ),
        (NotifyResource, {}, "The notification webhook is not configured: HR_NOTIFY_WEBHOOK_URL is not set"),
        (
            NotifyResource,
            {"webhook_url": "hooks.slack.com/services/T0/B0/x"},
            "The notification webhook is misconfigured: HR_NOTIFY_WEBHOOK_URL: Input should be a valid URL",
        ),
    ],
)
def test_a_missing_or_malformed_setting_is_one_line_naming_its_variable(
    integration: type[IntegrationResource], settings: dict[str, str], problem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for field, value in settings.items():
        monkeypatch.setenv(integration.env_name(field), value)
    said = integration.for_command().problem()  # the environment read as a command and the definitions read it
    assert said is not None and said.startswith(problem), said
    assert "\n" not in said
    assert all(value not in said.removeprefix(problem) for value in settings.values()), "a value is never echoed"


def test_configured_integrations_have_no_problem(tmp_path: Path) -> None:
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text("")
    assert PaycomSftpResource(host="h", username="u", password="p", known_hosts=str(known_hosts)).problem() is None
    assert HoldedResource(api_key="k").problem() is None
    assert FourGeeksResource(api_token="t", academy_id=7).problem() is None
    assert BayzatResource(hr_secret_key="s" * 32).problem() is None
    assert AttendanceInboxResource().problem() is None


def test_each_setting_is_typed_and_its_variable_is_the_prefix_and_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYCOM_SFTP_PORT", "2222")
    monkeypatch.setenv("HOLDED_RATE_LIMIT_PER_SECOND", "2.5")
    monkeypatch.setenv("HR_SECRET_KEY", "s" * 32)
    assert PaycomSftpResource.from_environment().port == 2222
    assert HoldedResource.from_environment().rate_limit_per_second == 2.5
    assert BayzatResource.for_command().hr_secret_key == "s" * 32
    assert NotifyResource.env_name("hr_dagster_url") == "HR_DAGSTER_URL"
    assert NotifyResource.env_name("webhook_url") == "HR_NOTIFY_WEBHOOK_URL"


def test_an_empty_environment_binds_no_setting_and_reads_none() -> None:
    holded = defs().resources["holded"]
    assert isinstance(holded, HoldedResource) and holded.api_key is None and holded.rate_limit_per_second == 5.0


def test_text_stays_an_envvar_and_a_malformed_number_is_said_when_the_vendor_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOLDED_API_KEY", "key-1")
    monkeypatch.setenv("HOLDED_RATE_LIMIT_PER_SECOND", "abc")
    holded = defs().resources["holded"]  # the code location loads all the same
    assert isinstance(holded, HoldedResource) and isinstance(holded.api_key, dg.EnvVar)
    assert holded.api_key.env_var_name == "HOLDED_API_KEY"  # a secret's value is not in the definitions
    assert holded.problem() == (
        "Holded is misconfigured: HOLDED_RATE_LIMIT_PER_SECOND: Input should be a valid number, unable to parse "
        "string as a number"
    )


def test_a_run_of_an_unconfigured_integration_fails_at_its_first_step_with_one_line(
    instance: dg.DagsterInstance,
) -> None:
    result = (
        defs()
        .resolve_job_def("revenue_chain")
        .execute_in_process(partition_key="2026-01-01", instance=instance, raise_on_error=False)
    )
    assert not result.success
    (failure,) = result.get_step_failure_events()  # the first step, once: no retries of a setting not set
    assert failure.step_key == "holded_services"
    assert failure.step_failure_data.user_failure_data.description == (
        "Holded is not configured: HOLDED_API_KEY is not set"
    )


def _tick(name: str, instance: dg.DagsterInstance, when: dt.datetime) -> dg.SkipReason | list[dg.RunRequest]:
    repository = defs().get_repository_def()
    with dg.build_schedule_context(
        instance=instance,
        scheduled_execution_time=when,
        repository_def=repository,
        resources=repository.get_top_level_resources(),
    ) as context:
        result = repository.get_schedule_def(name).evaluate_tick(context)
    return dg.SkipReason(result.skip_message) if result.skip_message else list(result.run_requests or [])


@pytest.mark.parametrize(
    ("schedule", "when", "reason"),
    [
        ("paycom_weekly_sync", dt.datetime(2026, 11, 20, 14, tzinfo=dt.UTC), "Paycom is not configured"),
        ("revenue_month_close", dt.datetime(2026, 11, 1, 6, tzinfo=dt.UTC), "Holded is not configured"),
        ("revenue_month_refresh", dt.datetime(2026, 11, 2, 5, tzinfo=dt.UTC), "4Geeks is not configured"),
        ("bayzat_hourly_push", dt.datetime(2026, 11, 2, 10, 5, tzinfo=dt.UTC), "Bayzat is not configured"),
    ],
)
def test_the_schedules_of_an_unconfigured_integration_skip_saying_what_is_missing(
    instance: dg.DagsterInstance, schedule: str, when: dt.datetime, reason: str
) -> None:
    skipped = _tick(schedule, instance, when)
    assert isinstance(skipped, dg.SkipReason) and reason in skipped.skip_message


def test_a_configured_integration_s_schedule_requests_its_run(
    instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text("")
    settings = {"HOST": "h", "USERNAME": "u", "PASSWORD": "p", "KNOWN_HOSTS": str(known_hosts)}
    for name, value in settings.items():
        monkeypatch.setenv(f"PAYCOM_SFTP_{name}", value)
    (request,) = _tick("paycom_weekly_sync", instance, dt.datetime(2026, 11, 20, 14, tzinfo=dt.UTC))
    assert request.partition_key == "2026-11-20"


def test_the_inbox_sensor_skips_while_its_settings_are_malformed(
    instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATTENDANCE_RETENTION_DAYS", "ninety")
    definitions = defs()
    with dg.build_sensor_context(
        instance=instance,
        definitions=definitions,
        resources=definitions.get_repository_def().get_top_level_resources(),
    ) as context:
        skipped = definitions.resolve_sensor_def("attendance_inbox")(context)
    assert isinstance(skipped, dg.SkipReason)
    assert skipped.skip_message == (
        "The attendance inbox is misconfigured: ATTENDANCE_RETENTION_DAYS: Input should be a valid integer, "
        "unable to parse string as an integer"
    )
