"""Alembic's entry point, run on the connection `bot.state_db` hands in (never from a URL of its own)."""

from __future__ import annotations

from alembic import context

from bot.state_db import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
