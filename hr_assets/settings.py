"""Configuration from the environment, validated once, failing with one line that names the setting.

Each group of settings is a pydantic-settings class read from the environment with the names the
legacy systems used (``PAYCOM_SFTP_HOST``, ...). ``load(SettingsClass)`` turns pydantic's
multi-line validation report into a single ``ConfigurationError`` line and never echoes a value,
so a secret cannot leak through an error message.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigurationError(Exception):
    """A setting is missing or malformed; the message is one line that names it."""


def dagster_home() -> Path:
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        raise ConfigurationError("DAGSTER_HOME is not set: point it at the instance folder (e.g. dagster_home)")
    return Path(home).resolve()


class PlatformSettings(BaseSettings):
    """Settings every part of the platform shares."""

    model_config = SettingsConfigDict(env_prefix="HR_", extra="ignore")

    timezone: str = Field("UTC", description="The business timezone: schedules and partitions use it.")
    warehouse_url: str | None = Field(None, description="SQLAlchemy URL; default SQLite in DAGSTER_HOME.")
    history_start: dt.date = Field(dt.date(2024, 1, 1), description="First day of the partitions.")
    secret_key: SecretStr | None = Field(
        None, description="Encrypts the secrets the platform stores (Bayzat API keys); at least 32 characters."
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("not an IANA timezone name such as Europe/Madrid") from exc
        return value

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (e.g. the output of: openssl rand -base64 32)")
        return value

    @field_validator("warehouse_url")
    @classmethod
    def _supported_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("sqlite:", "postgresql:", "postgresql+")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def resolved_warehouse_url(self) -> str:
        return self.warehouse_url or f"sqlite:///{dagster_home() / 'warehouse.db'}"


class PaycomSftpSettings(BaseSettings):
    """The Paycom SFTP account, with the legacy integration's variable names."""

    model_config = SettingsConfigDict(env_prefix="PAYCOM_SFTP_", extra="ignore")

    host: str
    port: int = Field(22, ge=1, le=65535)
    username: str
    password: SecretStr | None = None
    private_key_path: Path | None = None
    remote_directory: str = "/"
    local_directory: Path | None = None
    known_hosts: Path

    @field_validator("private_key_path", "known_hosts")
    @classmethod
    def _readable_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"not a readable file: {value}")
        return value

    @model_validator(mode="after")
    def _one_way_to_log_in(self) -> PaycomSftpSettings:
        if self.password is None and self.private_key_path is None:
            raise ValueError("set PAYCOM_SFTP_PASSWORD or PAYCOM_SFTP_PRIVATE_KEY_PATH")
        return self

    def resolved_local_directory(self) -> Path:
        return self.local_directory or dagster_home() / "paycom_files"


class HoldedSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOLDED_", extra="ignore")

    api_key: SecretStr
    base_url: str = "https://api.holded.com/api/invoicing/v1"
    rate_limit_per_second: float = Field(5.0, gt=0)


class FourGeeksSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FOURGEEKS_", extra="ignore")

    api_token: SecretStr
    academy_id: int
    base_url: str = "https://breathecode.herokuapp.com/v1"
    rate_limit_per_second: float = Field(5.0, gt=0)


class NotionSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NOTION_", extra="ignore")

    token: SecretStr
    database_id: str
    base_url: str = "https://api.notion.com/v1"
    rate_limit_per_second: float = Field(3.0, gt=0)


class NotifySettings(BaseSettings):
    """Where the sync jobs' run notifications go, and the web UI address their links point at."""

    model_config = SettingsConfigDict(env_prefix="HR_", extra="ignore")

    notify_webhook_url: SecretStr | None = Field(
        None, description="A Slack-compatible incoming webhook (its URL is a credential); unset: no notifications."
    )
    dagster_url: str | None = Field(None, description="The web UI as people open it, for links to runs.")

    @field_validator("notify_webhook_url")
    @classmethod
    def _http_webhook(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("https://", "http://")):
            raise ValueError("must be an http(s):// URL")
        return value

    @field_validator("dagster_url")
    @classmethod
    def _http_ui(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s):// URL")
        return value


class RevenueScheduleSettings(BaseSettings):
    """When the revenue chain runs: the closed month on this day and hour, the open month daily."""

    model_config = SettingsConfigDict(env_prefix="HR_REVENUE_", extra="ignore")

    monthly_day: int = Field(1, ge=1, le=28)
    monthly_hour: int = Field(6, ge=0, le=23)
    daily_hour: int = Field(5, ge=0, le=23)


class BayzatSettings(BaseSettings):
    """The Bayzat push, with the legacy pusher's variable names."""

    model_config = SettingsConfigDict(env_prefix="BAYZAT_", extra="ignore")

    default_api_url: str = "https://integration.bayzat.com/attendance"
    rate_limit_delay: float = Field(1.0, gt=0, description="Seconds between two requests of one API key.")
    max_records_per_request: int = Field(20, ge=1)
    max_retry_attempts: int = Field(5, ge=0)
    timeout_seconds: float = Field(30.0, gt=0)
    lease_seconds: float = Field(
        120.0, gt=0, description="How long a dead run's hold on a company's push lasts before another run takes over."
    )


class AttendanceSettings(BaseSettings):
    """Where fingerprint attendance files arrive, and how long they are kept once imported."""

    model_config = SettingsConfigDict(env_prefix="ATTENDANCE_", extra="ignore")

    inbox_directory: Path | None = None
    retention_days: int = Field(90, ge=1)

    def resolved_inbox_directory(self) -> Path:
        return self.inbox_directory or dagster_home() / "attendance_inbox"


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


def load(settings_class: type[SettingsT]) -> SettingsT:
    """Read a settings class from the environment, or raise one clear ConfigurationError line."""
    try:
        return settings_class()
    except ValidationError as exc:
        raise ConfigurationError(_one_line(settings_class, exc)) from None


def _one_line(settings_class: type[BaseSettings], exc: ValidationError) -> str:
    prefix = str(settings_class.model_config.get("env_prefix", ""))
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        field = error["loc"][0] if error["loc"] else None
        name = f"{prefix}{field}".upper() if field else f"{prefix.rstrip('_')} settings"
        if error["type"] == "missing":
            problems.append(f"{name} is not set")
        else:
            problems.append(f"{name}: {error['msg'].removeprefix('Value error, ')}")
    return "Configuration error: " + "; ".join(problems)
