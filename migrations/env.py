"""Alembic runs migrations on the connection bot.storage.migrate hands it (no alembic.ini needed)."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
