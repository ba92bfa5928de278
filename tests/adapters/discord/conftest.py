"""A real SaidService over a temporary database and a fake Discord on loopback, with the real
discord.py client in between."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import discord
import pytest
import yarl

import adapters.discord as entry
from adapters.discord import SaidClient, serve
from bot.port import Core
from bot.service import SaidService
from bot.settings import CoreSettings, DiscordSettings, Settings
from bot.shared_state import SharedState
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.state import MemoryState

ADMIN_ID = 700000000000000099
VIDEO_ID = "ugvHCXCOmm4"

TALENT_EN = f"""\
---
title: "Talent density on Lex Fridman #452"
lang: en
date: 2024-11-11
show: Lex Fridman Podcast
episode: 452
episode_title: "Lex Fridman Podcast #452 — Dario Amodei"
youtube: {VIDEO_ID}
speakers: [Lex Fridman, Dario Amodei]
tags: [talent density, hiring]
---

# Talent density

**Lex Fridman (01:38:25):**
Lex asks why talent density beats talent mass.

**Dario Amodei (01:38:37):**
"Talent density beats talent mass. A team of one hundred people who are all excellent beats a team
of a thousand where only two hundred are excellent."

**Dario Amodei (01:39:15):**
"On talent density, curiosity and open-mindedness matter more than raw technical skill when we hire."

**Dario Amodei (01:40:02):**
"We slowed our hiring on purpose to protect talent density as we got near a thousand people."

**Dario Amodei (01:41:30):**
"When everyone around you is talented, talent density sets the tone for the whole company."

**Dario Amodei (01:42:10):**
"Talent density also means fewer approvals and less politics. Bureaucracy grows when you cannot
trust the people around you."
"""

TALENT_JA = f"""\
---
title: "Lex Fridman #452 のタレント密度"
lang: ja
date: 2024-11-11
show: Lex Fridman Podcast
episode: 452
episode_title: "Lex Fridman Podcast #452 — Dario Amodei"
youtube: {VIDEO_ID}
speakers: [Lex Fridman, Dario Amodei]
tags: [タレント密度, 採用]
---

# タレント密度（talent density）

**Dario Amodei (01:38:37):**
アモデイは、タレント密度はタレント量に勝ると言います。全員が優秀な100人のチームは、優秀な人が200人しかいない1,000人のチームに勝ると述べます。
"""


def create_client(core: Core, settings: Settings, *, state: SharedState | None = None, **options: Any) -> SaidClient:
    """The bot as `create_client` makes it, with button state in memory unless a test shares one."""
    return entry.create_client(core, settings, state=state if state is not None else MemoryState(), **options)


async def run_discord(core: Core, settings: Settings, *, state: SharedState | None = None) -> None:
    await entry.run_discord(core, settings, state=state if state is not None else MemoryState())


@pytest.fixture
def notes_dir(tmp_path: Path) -> Path:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "talent-en.md").write_text(TALENT_EN, encoding="utf-8")
    (notes / "talent-ja.md").write_text(TALENT_JA, encoding="utf-8")
    return notes


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    # discord.py hard-codes Discord's hosts; in tests they point at the fake.
    monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
    yield server
    await server.close()


@pytest.fixture
def settings(tmp_path: Path, notes_dir: Path, fake: FakeDiscord) -> Settings:
    return Settings(
        core=CoreSettings(_env_file=None, notes=notes_dir, db=tmp_path / "data" / "said.db"),
        discord=DiscordSettings(_env_file=None, token=fake.token, guild_id=fake.guild_id, admin_ids=[ADMIN_ID]),
    )


async def open_service(settings: Settings) -> SaidService:
    service = await SaidService.open(settings)
    await service.ensure_index()
    return service


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[SaidService]:
    svc = await open_service(settings)
    yield svc
    await svc.close()


@contextlib.asynccontextmanager
async def running(
    fake: FakeDiscord,
    start: Callable[[], Any],
) -> AsyncIterator[asyncio.Task[None]]:
    """Run a bot (a coroutine factory such as `lambda: run_discord(service, settings)`) until the
    block ends, then cancel it the way the CLI does on Ctrl-C."""
    sessions = fake.sessions_ready
    task: asyncio.Task[None] = asyncio.create_task(start())
    try:
        ready = asyncio.create_task(fake.wait_ready(sessions + 1))
        done, _ = await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED, timeout=10)
        if task in done:
            ready.cancel()
            task.result()  # raises what the bot died of
            raise AssertionError("the bot stopped before it connected")
        if ready not in done:
            raise AssertionError("the bot did not connect to the fake gateway")
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        # Cancelling closed the gateway connection cleanly: the fake sees no live socket.
        await fake.wait_for(lambda: not any(not s.ws.closed for s in fake._sockets), 5)


def assert_clean(fake: FakeDiscord) -> None:
    """Nothing Discord would have refused, nothing that could ping, mentions off on every message."""
    assert fake.problems == [], fake.problems
    assert fake.pings == [], fake.pings
    for where, body in fake.message_bodies:
        assert body.get("allowed_mentions") == {"parse": []}, (where, body)


@pytest.fixture
async def bot(fake: FakeDiscord, service: SaidService, settings: Settings) -> AsyncIterator[FakeDiscord]:
    """The bot as `saidbot discord` runs it, connected to `fake`. Yields the fake."""
    async with running(fake, lambda: run_discord(service, settings)):
        yield fake
    assert_clean(fake)


__all__ = ["ADMIN_ID", "VIDEO_ID", "assert_clean", "create_client", "open_service", "running", "serve"]
