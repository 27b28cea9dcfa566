"""The platform's own settings (``HR_*``): the business timezone, the warehouse and the times the schedules run.

They are read in one place, ``Settings.from_environment()``, which the definitions' builder (``definitions.py``)
and each command call; nothing reads them when a module is imported. A setting's variable is ``HR_`` and its field's
name in capitals (``revenue_daily_hour``: ``HR_REVENUE_DAILY_HOUR``). Every one has a default, so the code location
loads in an empty environment. Each vendor's settings are its resource's fields instead (``lib/integration.py``),
read when a run, a tick or a command uses the vendor. A missing or malformed setting is one ``ConfigurationError``
line that names its variable and never echoes a value.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tzlocal
from pydantic import Field, ValidationError, field_validator
from pydantic.config import JsonDict
from pydantic_settings import BaseSettings, SettingsConfigDict

from hr_assets.lib.errors import OperatorError

SECRET: JsonDict = {
    "secret": True
}  # a field's json_schema_extra when its value is never shown (docs/configuration.md marks it)


class ConfigurationError(OperatorError):
    """A setting is missing or malformed; the message is one line that names it."""


def dagster_home() -> Path:
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        raise ConfigurationError("DAGSTER_HOME is not set: point it at the instance folder (e.g. dagster_home)")
    return Path(home).resolve()


def machine_timezone() -> str:
    """The machine's zone as an IANA name (``TZ``, else ``/etc/timezone`` or ``/etc/localtime``), as cron and every
    other program on the machine read it; UTC where none is set, as the C library then takes it."""
    return tzlocal.get_localzone_name() or "UTC"


class Settings(BaseSettings):
    """The platform's settings: what every source shares, and when the schedules run."""

    model_config = SettingsConfigDict(env_prefix="HR_", extra="ignore")

    timezone: str = Field(
        default_factory=machine_timezone,
        description=(
            "The business timezone, an IANA name such as Europe/Madrid: schedules and partitions use it. Default "
            "the machine's zone (``TZ``, else ``/etc/localtime``), the one cron used; ``hr-assets status`` shows "
            "the zone in use and where it came from."
        ),
    )
    warehouse_url: str | None = Field(
        None,
        description=(
            "The warehouse's SQLAlchemy URL, sqlite:///... or postgresql://... (it may hold a password, so it stays "
            "an EnvVar); default SQLite in DAGSTER_HOME/warehouse.db. Its schema upgrades in place on first use "
            "(Alembic migrations). Every run also shares each vendor key's request budget through it."
        ),
        json_schema_extra=SECRET,
    )
    history_start: dt.date = Field(dt.date(2024, 1, 1), description="The first day of the partitions.")
    revenue_monthly_day: int = Field(
        1, ge=1, le=28, description="The day of the month the revenue chain syncs and closes the month just ended."
    )
    revenue_monthly_hour: int = Field(6, ge=0, le=23, description="The hour of that monthly run.")
    revenue_daily_hour: int = Field(5, ge=0, le=23, description="The hour of the daily refresh of this month.")
    payroll_run_hour: int = Field(2, ge=0, le=23, description="The hour of the daily evaluation of due pay periods.")
    payroll_lease_minutes: float = Field(
        60.0, gt=0, description="How long a run may hold a pay period before another run may release it."
    )
    payroll_retry_delay_seconds: float = Field(
        30.0, ge=0, description="The first retry's delay after a failed payroll step; doubled each retry (3)."
    )

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

    @classmethod
    def from_environment(cls) -> Settings:
        """The settings as the environment says, or one ``ConfigurationError`` line naming what is wrong."""
        try:
            return cls()
        except ValidationError as exc:
            raise ConfigurationError(
                "Configuration error: " + one_line(exc, lambda field: f"HR_{field}".upper())
            ) from None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def timezone_source(self) -> str:
        """Where the business timezone came from: ``HR_TIMEZONE``, or ``machine`` (its default)."""
        return "HR_TIMEZONE" if "timezone" in self.model_fields_set else "machine"

    @property
    def payroll_lease(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.payroll_lease_minutes)

    def resolved_warehouse_url(self) -> str:
        return self.warehouse_url or f"sqlite:///{dagster_home() / 'warehouse.db'}"


def one_line(exc: ValidationError, variable: Callable[[str], str]) -> str:
    """pydantic's report of what is wrong, as one line naming each variable (``variable(field)``), never a value."""
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        name = variable(str(error["loc"][0])) if error["loc"] else "the settings"
        if error["type"] == "missing":
            problems.append(f"{name} is not set")
        else:
            problems.append(f"{name}: {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(problems)
