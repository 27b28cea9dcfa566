"""Where fingerprint attendance files arrive, and how long they are kept once imported (``ATTENDANCE_*``)."""

from pathlib import Path

from pydantic import Field, PositiveInt

from hr_assets.lib.integration import IntegrationResource
from hr_assets.settings import dagster_home


class AttendanceInboxResource(IntegrationResource):
    """The folder the fingerprint files arrive in (``ATTENDANCE_*``): always configured."""

    integration = "The attendance inbox"
    env_prefix = "ATTENDANCE_"

    inbox_directory: str | None = Field(
        None, description="The folder fingerprint files arrive in; default DAGSTER_HOME/attendance_inbox."
    )
    retention_days: PositiveInt = Field(90, description="Days an imported file is kept; its records stay.")

    @property
    def inbox(self) -> Path:
        return Path(self.inbox_directory) if self.inbox_directory else dagster_home() / "attendance_inbox"
