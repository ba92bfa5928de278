"""The shared per-user limit on a real SQLite state: two limiters on two engines over one file stand
for two instances and share the count; admins, other workspaces and platforms are not counted
against it; a database that is down lets questions through (and says so)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from bot.ratelimit import RateLimiter, limited_text, rate_key
from bot.state_db import DatabaseState
from tests.support.net import free_port


def _state(path: Path) -> DatabaseState:
    return DatabaseState(URL.create("sqlite+aiosqlite", database=str(path)))


async def test_two_instances_share_one_limit_per_asker(tmp_path: Path) -> None:
    one, two = _state(tmp_path / "state.db"), _state(tmp_path / "state.db")
    try:
        a = RateLimiter(3, state=one, exempt={"UADMIN"})
        b = RateLimiter(3, state=two, exempt={"UADMIN"})
        asker = rate_key("slack", "T1", "U1")
        allowed = [await (a if n % 2 else b).allow(asker) for n in range(5)]
        assert allowed == [True, True, True, False, False]
        # The same user id in another workspace, or on Discord, is another asker.
        assert await a.allow(rate_key("slack", "T2", "U1"))
        assert await b.allow(rate_key("discord", "G1", "U1"))
        assert all([await a.allow(rate_key("slack", "T1", "UADMIN")) for _ in range(6)])
    finally:
        await one.close()
        await two.close()


async def test_the_window_slides(tmp_path: Path) -> None:
    now = [1000.0]
    state = DatabaseState(URL.create("sqlite+aiosqlite", database=str(tmp_path / "s.db")), clock=lambda: now[0])
    try:
        limiter = RateLimiter(2, state=state)
        key = rate_key("slack", None, "U1")
        assert [await limiter.allow(key) for _ in range(3)] == [True, True, False]
        now[0] += 61
        assert await limiter.allow(key)
    finally:
        await state.close()


async def test_off_without_a_limit_or_a_state(tmp_path: Path) -> None:
    state = _state(tmp_path / "s.db")
    try:
        assert all([await RateLimiter(0, state=state).allow("rate:slack:T:U") for _ in range(20)])
        assert all([await RateLimiter(1).allow("rate:slack:T:U") for _ in range(3)])
    finally:
        await state.close()


async def test_a_database_that_is_down_lets_questions_through(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    down = DatabaseState(URL.create("postgresql+asyncpg", username="u", password="pw", host="127.0.0.1",
                                    port=free_port(), database="none"))
    try:
        assert await RateLimiter(1, state=down).allow(rate_key("slack", "T1", "U1"))
    finally:
        await down.close()
    assert [r.getMessage() for r in caplog.records] == ["rate_limit_unavailable"]


def test_the_note_is_in_the_askers_language() -> None:
    assert "1分" in limited_text("ja") and limited_text("ja") != limited_text("en")
