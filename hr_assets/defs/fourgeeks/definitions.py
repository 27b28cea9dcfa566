"""4Geeks' definitions: the students behind the month's invoiced clients and their enrolments."""

import dagster as dg

from hr_assets.defs.fourgeeks.assets import fourgeeks_assets
from hr_assets.defs.fourgeeks.resources import FourGeeksResource
from hr_assets.settings import Settings


def definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        assets=fourgeeks_assets(settings), resources={"fourgeeks": FourGeeksResource.from_environment()}
    )
