"""The code location: each source folder's definitions, built from the settings read here, once, plus what all of
them share (the warehouse, the clock, the executor).

A source folder's ``definitions.py`` lists everything it defines, in one ``definitions(settings)`` function; a new
source is one more line in ``SOURCES``. The composition is explicit, so an installed package (a wheel, ``pip install
.``) loads the same definitions as a checkout.
"""

import warnings

import dagster as dg

from hr_assets.defs.accruals import definitions as accruals
from hr_assets.defs.alerts import definitions as alerts
from hr_assets.defs.attendance import definitions as attendance
from hr_assets.defs.bayzat import definitions as bayzat
from hr_assets.defs.fourgeeks import definitions as fourgeeks
from hr_assets.defs.holded import definitions as holded
from hr_assets.defs.notion import definitions as notion
from hr_assets.defs.paycom import definitions as paycom
from hr_assets.defs.payroll import definitions as payroll
from hr_assets.defs.shared import definitions as shared
from hr_assets.lib.clock import Clock
from hr_assets.settings import Settings
from hr_assets.warehouse.resource import WarehouseResource

SOURCES = (paycom, attendance, bayzat, payroll, holded, fourgeeks, notion, accruals, alerts, shared)


def warehouse_resource(settings: Settings) -> WarehouseResource:
    """The warehouse URL may hold a password, so when it is configured it stays an EnvVar."""
    if settings.warehouse_url:
        return WarehouseResource(url=dg.EnvVar("HR_WAREHOUSE_URL"))
    return WarehouseResource(url=settings.resolved_warehouse_url())


@dg.definitions
def defs() -> dg.Definitions:
    settings = Settings.from_environment()
    # Dagster marks the revenue chain's backfill policy beta and partitioned asset checks preview; their warnings,
    # printed by every command that loads the definitions, tell an operator nothing.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        warnings.simplefilter("ignore", dg.PreviewWarning)
        sources = [source.definitions(settings) for source in SOURCES]
    # Every chain here is a line of steps against rate-limited APIs: running a run's steps in one
    # process saves a Python start-up per step and loses no parallelism.
    return dg.Definitions.merge(
        *sources,
        dg.Definitions(
            resources={"warehouse": warehouse_resource(settings), "clock": Clock(timezone=settings.timezone)},
            executor=dg.in_process_executor,
        ),
    )
