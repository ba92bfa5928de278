"""The shared state on a real SQLite file and a real PostgreSQL server: each promise of the port,
and the ones that matter across instances (two engines on one database claiming and counting at once)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from bot.settings import CoreSettings, Settings
from bot.shared_state import SharedState
from bot.state_db import DatabaseState, StateConfigError, async_url, describe, open_shared_state, state_url
from tests.support.postgres import fresh_database


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.db'}"
        return
    async for database in fresh_database():
        yield database


@pytest.fixture
async def make(url: str) -> AsyncIterator[Callable[..., DatabaseState]]:
    """Instances of the state on one database: each its own engine, as two dynos would have."""
    made: list[DatabaseState] = []

    def factory(clock: Callable[[], float] | None = None) -> DatabaseState:
        state = DatabaseState(async_url(url), **({"clock": clock} if clock else {}))
        made.append(state)
        return state

    yield factory
    for state in made:
        await state.close()


async def test_it_is_a_shared_state(make: Callable[..., DatabaseState]) -> None:
    state: SharedState = make()
    assert await state.claim("x")


async def test_a_claim_is_granted_once_until_it_expires(make: Callable[..., DatabaseState]) -> None:
    clock = Clock()
    state = make(clock)
    assert await state.claim("slack:event:Ev1", ttl_seconds=600)
    assert not await state.claim("slack:event:Ev1", ttl_seconds=600)
    assert await state.claim("slack:event:Ev2", ttl_seconds=600)
    clock.now += 599
    assert not await state.claim("slack:event:Ev1", ttl_seconds=600)
    clock.now += 2
    assert await state.claim("slack:event:Ev1", ttl_seconds=600)


async def test_two_instances_claiming_at_once_get_one_grant(make: Callable[..., DatabaseState]) -> None:
    a, b = make(), make()
    await asyncio.gather(a.migrate(), b.migrate())
    results = await asyncio.gather(*(s.claim("discord:share:42") for _ in range(10) for s in (a, b)))
    assert sorted(results) == [False] * 19 + [True]


async def test_a_bucket_allows_its_limit_in_any_window(make: Callable[..., DatabaseState]) -> None:
    clock = Clock()
    state = make(clock)
    assert [await state.hit("u1", limit=3, window_seconds=60) for _ in range(4)] == [True, True, True, False]
    assert await state.hit("u2", limit=3, window_seconds=60), "buckets are separate"
    clock.now += 59
    assert not await state.hit("u1", limit=3, window_seconds=60), "the first hits are still in the window"
    clock.now += 2
    assert await state.hit("u1", limit=3, window_seconds=60)
    assert not await state.hit("u1", limit=0, window_seconds=60)


async def test_the_limit_holds_when_two_instances_count_at_once(make: Callable[..., DatabaseState]) -> None:
    a, b = make(), make()
    await asyncio.gather(a.migrate(), b.migrate())
    results = await asyncio.gather(*(s.hit("slack:U1", limit=5, window_seconds=60) for _ in range(8) for s in (a, b)))
    assert results.count(True) == 5


async def test_kept_state_round_trips_replaces_and_expires(make: Callable[..., DatabaseState]) -> None:
    clock = Clock()
    state = make(clock)
    assert await state.get("discord_button", "k") is None
    await state.put("discord_button", "k", {"question": "タレント密度", "offset": 3}, ttl_seconds=900)
    assert await state.get("discord_button", "k") == {"question": "タレント密度", "offset": 3}
    await state.put("discord_button", "k", {"question": "q", "offset": 6}, ttl_seconds=900)
    assert await state.get("discord_button", "k") == {"question": "q", "offset": 6}
    assert await state.get("other_kind", "k") is None
    clock.now += 901
    assert await state.get("discord_button", "k") is None


async def test_sources_from_chat_are_kept_once_in_order(make: Callable[..., DatabaseState]) -> None:
    clock = Clock()
    state = make(clock)
    assert await state.add_source("https://example.com/feed.xml", added_by="discord:1")
    clock.now += 1
    assert await state.add_source("https://example.com/b.vtt", added_by="slack:U1")
    assert not await state.add_source("https://example.com/feed.xml", added_by="slack:U2")
    listed = await state.sources()
    assert [s.url for s in listed] == ["https://example.com/feed.xml", "https://example.com/b.vtt"]
    assert listed[0].added_by == "discord:1" and listed[0].added_at.tzinfo is not None
    assert await make().sources() == listed, "another instance sees the same sources"
    assert await state.remove_source("https://example.com/b.vtt")
    assert not await state.remove_source("https://example.com/b.vtt")
    assert [s.url for s in await state.sources()] == ["https://example.com/feed.xml"]


async def test_long_keys_are_bounded_but_still_distinct(make: Callable[..., DatabaseState]) -> None:
    state = make()
    long_a, long_b = "a" * 400 + "1", "a" * 400 + "2"
    assert await state.claim(long_a) and await state.claim(long_b)
    assert not await state.claim(long_a)


async def test_expired_rows_are_swept(make: Callable[..., DatabaseState]) -> None:
    clock = Clock()
    state = make(clock)
    for i in range(5):
        await state.claim(f"k{i}", ttl_seconds=10)
        await state.hit("b", limit=10, window_seconds=10)
    clock.now += 120
    await state.claim("fresh", ttl_seconds=10)
    async with state.engine.connect() as conn:
        left = (await conn.execute(sa.text("SELECT count(*) FROM claimed_deliveries"))).scalar_one()
        hits = (await conn.execute(sa.text("SELECT count(*) FROM rate_hits"))).scalar_one()
    assert (left, hits) == (1, 0)


async def test_concurrent_first_boots_migrate_once(make: Callable[..., DatabaseState]) -> None:
    states = [make() for _ in range(3)]
    await asyncio.gather(*(s.migrate() for s in states))
    await states[0].migrate()
    async with states[0].engine.connect() as conn:
        version = (await conn.execute(sa.text("SELECT version_num FROM saidbot_state_version"))).scalars().all()
    assert version == ["0001"]


def test_paas_urls_become_async_driver_urls() -> None:
    url = async_url("postgres://u:pw@db.example.com:5432/d1?sslmode=require")
    assert url.drivername == "postgresql+asyncpg"
    assert dict(url.query) == {"ssl": "require"}
    assert "pw" not in describe(url)
    assert async_url("postgresql://u@h/d").drivername == "postgresql+asyncpg"
    assert async_url("sqlite:///x.db").drivername == "sqlite+aiosqlite"
    with pytest.raises(StateConfigError, match="mysql"):
        async_url("mysql://u@h/d")
    with pytest.raises(StateConfigError):
        async_url("not a url")


def test_without_database_url_the_state_is_a_file_beside_the_store(tmp_path: Path) -> None:
    core = CoreSettings(db=tmp_path / "notes.db")
    assert state_url(core).database == str(tmp_path / "notes-state.db")
    assert not core.shares_state
    assert open_shared_state(core).backend == "sqlite"
    shared = CoreSettings(db=tmp_path / "n.db", database_url=SecretStr("postgres://u:hunter22@h/d"))
    assert shared.shares_state and state_url(shared).drivername == "postgresql+asyncpg"


def test_the_database_password_is_a_secret(tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "n.db", database_url=SecretStr("postgres://u:hunter22@h/d"))
    assert "hunter22" in settings.secrets()
    assert "postgres://u:hunter22@h/d" in settings.secrets()


def test_the_cli_does_not_load_the_database_layer_until_it_is_used() -> None:
    import subprocess
    import sys

    probe = "import sys, saidbot.cli, saidbot.bootstrap; print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"


async def test_a_deferred_state_is_made_on_first_use_only(tmp_path: Path) -> None:
    from bot.shared_state import DeferredState

    made: list[DatabaseState] = []

    def make() -> DatabaseState:
        made.append(DatabaseState(async_url(f"sqlite:///{tmp_path / 's.db'}")))
        return made[0]

    deferred = DeferredState(make)
    await deferred.close()
    assert made == [] and not (tmp_path / "s.db").exists()
    assert await deferred.claim("k") and not await deferred.claim("k")
    assert len(made) == 1 and deferred.resolve() is made[0]
    await deferred.close()


async def test_a_connection_the_server_dropped_is_replaced_without_failing_the_call() -> None:
    async for database in fresh_database():
        state = DatabaseState(async_url(database))
        try:
            assert await state.claim("before")
            # The server (or a proxy in front of it) closes the idle pooled connection.
            killer = DatabaseState(async_url(database))
            async with killer.engine.connect() as conn:
                killed = await conn.execute(sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ))
                assert any(row[0] for row in killed)
            await killer.close()
            assert await state.claim("after")
            assert not await state.claim("before")
        finally:
            await state.close()
