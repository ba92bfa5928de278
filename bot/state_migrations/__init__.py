"""Alembic migrations of the shared-state database (bot/state_db.py); run by `DatabaseState.migrate`."""
