"""Holded's definitions: the service catalog and each month's invoices, the revenue chain's first steps."""

import dagster as dg

from hr_assets.defs.holded.assets import holded_assets
from hr_assets.defs.holded.checks import invoice_checks
from hr_assets.defs.holded.resources import HoldedResource
from hr_assets.settings import Settings


def definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        assets=holded_assets(settings),
        asset_checks=invoice_checks(settings),
        resources={"holded": HoldedResource.from_environment()},
    )
