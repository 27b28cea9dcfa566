"""The code location's root: every source's definitions from ``defs/``, plus what all of them share."""

from pathlib import Path

import dagster as dg

from hr_assets.lib.clock import Clock
from hr_assets.settings import PlatformSettings, load
from hr_assets.warehouse.resource import WarehouseResource


def warehouse_resource(settings: PlatformSettings) -> WarehouseResource:
    """The warehouse URL may hold a password, so when it is configured it stays an EnvVar."""
    if settings.warehouse_url:
        return WarehouseResource(url=dg.EnvVar("HR_WAREHOUSE_URL"))
    return WarehouseResource(url=settings.resolved_warehouse_url())


@dg.definitions
def defs() -> dg.Definitions:
    # Every chain here is a line of steps against rate-limited APIs: running a run's steps in one
    # process saves a Python start-up per step and loses no parallelism.
    settings = load(PlatformSettings)
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent / "defs"),
        dg.Definitions(
            resources={"warehouse": warehouse_resource(settings), "clock": Clock(timezone=settings.timezone)},
            executor=dg.in_process_executor,
        ),
    )
