"""The warehouse for commands that read or change it directly (not through a run)."""

from sqlalchemy.engine import Engine

from hr_assets.settings import PlatformSettings, load
from hr_assets.warehouse.engine import warehouse_engine


def warehouse() -> Engine:
    return warehouse_engine(load(PlatformSettings).resolved_warehouse_url())
