"""The alerts' definitions: a message to the team's webhook when a sync succeeds or fails."""

import dagster as dg

from hr_assets.defs.alerts.resources import NotifyResource
from hr_assets.defs.alerts.sensors import notify_sync_failure, notify_sync_success
from hr_assets.settings import Settings


def definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        sensors=[notify_sync_success, notify_sync_failure], resources={"notify": NotifyResource.from_environment()}
    )
