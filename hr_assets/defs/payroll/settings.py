"""Payroll's settings, read from the environment like the platform's (one clear line when one is wrong)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PayrollSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HR_PAYROLL_", extra="ignore")

    run_hour: int = Field(2, ge=0, le=23, description="The hour of the daily evaluation of due periods, HR_TIMEZONE.")
    lease_minutes: float = Field(
        60.0, gt=0, description="How long a run may hold a period before another run may release it."
    )
    retry_delay_seconds: float = Field(
        30.0, ge=0, description="The first retry's delay after a failed payroll step; doubled each retry (3)."
    )
