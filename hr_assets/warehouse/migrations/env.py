"""Alembic runs these migrations on the connection the platform hands it (see ``engine.migrate``)."""

from typing import Any, Literal

import sqlalchemy as sa
from alembic import context
from alembic.autogenerate.api import AutogenContext

from hr_assets.warehouse.tables import metadata


def render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Migrations keep the database type of a TypeDecorator, never an import of the platform's code."""
    if kind == "type" and isinstance(item, sa.types.TypeDecorator):
        return f"sa.{item.impl!r}"
    return False


connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, render_item=render_item)
context.run_migrations()
