"""Alembic runs these migrations on the connection the platform hands it (see ``engine.migrate``)."""

from alembic import context

from hr_assets.warehouse.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
context.run_migrations()
