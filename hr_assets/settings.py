"""The settings the code location reads when it loads: what every part shares, and when the schedules run.

These are the only settings read at load time, each with a default, so the code location loads in an empty
environment. Each vendor's settings belong to its resource (``IntegrationResource``), read when a run uses it.
``load(SettingsClass)`` turns pydantic's multi-line validation report into a single ``ConfigurationError``
line and never echoes a value.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hr_assets.lib.errors import OperatorError


class ConfigurationError(OperatorError):
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

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("not an IANA timezone name such as Europe/Madrid") from exc
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


class RevenueScheduleSettings(BaseSettings):
    """When the revenue chain runs: the closed month on this day and hour, the open month daily."""

    model_config = SettingsConfigDict(env_prefix="HR_REVENUE_", extra="ignore")

    monthly_day: int = Field(1, ge=1, le=28)
    monthly_hour: int = Field(6, ge=0, le=23)
    daily_hour: int = Field(5, ge=0, le=23)


class PayrollSettings(BaseSettings):
    """When payroll's automation runs, how long a run may hold a period, and how its failed steps retry."""

    model_config = SettingsConfigDict(env_prefix="HR_PAYROLL_", extra="ignore")

    run_hour: int = Field(2, ge=0, le=23, description="The hour of the daily evaluation of due periods, HR_TIMEZONE.")
    lease_minutes: float = Field(
        60.0, gt=0, description="How long a run may hold a period before another run may release it."
    )
    retry_delay_seconds: float = Field(
        30.0, ge=0, description="The first retry's delay after a failed payroll step; doubled each retry (3)."
    )


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


# What every part shares, read once as the code location or a command loads.
platform_settings = load(PlatformSettings)
