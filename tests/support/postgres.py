"""A fresh PostgreSQL database per test, on the server `.ci/run` starts.

`SAIDBOT_TEST_DATABASE_URL` names a role that may create databases; each test gets its own
database, dropped afterwards. Without the variable the tests that need PostgreSQL are skipped,
unless `SAIDBOT_REQUIRE_POSTGRES=1` (CI sets it), where a missing server fails them instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.state_db import async_url


def server_url() -> str:
    url = os.environ.get("SAIDBOT_TEST_DATABASE_URL", "").strip()
    if not url:
        if os.environ.get("SAIDBOT_REQUIRE_POSTGRES") == "1":
            pytest.fail("SAIDBOT_REQUIRE_POSTGRES=1 but SAIDBOT_TEST_DATABASE_URL is not set")
        pytest.skip("needs PostgreSQL: set SAIDBOT_TEST_DATABASE_URL (see .ci/run)")
    return url


async def fresh_database() -> AsyncIterator[str]:
    """Yields a `postgresql://…` URL of a new, empty database; drops it afterwards."""
    base = make_url(server_url())
    name = f"saidbot_t_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(async_url(base.render_as_string(hide_password=False)), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
