"""/add url:…: an admin adds a remote source through the real discord.py path; it is fetched, answered
from, and kept in the shared state; anyone else is refused and nothing is fetched."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.discord import run_discord
from bot.service import SaidService
from bot.settings import Settings
from tests.adapters.discord.conftest import ADMIN_ID, assert_clean, running
from tests.adapters.discord.support import is_ephemeral
from tests.fakes.discord_server import DEFAULT_MEMBER_PERMISSIONS, MANAGE_GUILD, FakeDiscord
from tests.fakes.state import MemoryState
from tests.support.remote_server import RemoteServer, serving

NOTE = """\
---
title: Loom notes
lang: en
show: Remote Show
episode: 9
youtube: AbCdEfGhIjK
speakers: [Charles Babbage]
---

**Charles Babbage (00:02:00):**
"Punched cards can carry the whole pattern of a calculation."
"""
QUESTION = "what did Babbage say about punched cards?"


@pytest.fixture
async def remote() -> AsyncIterator[RemoteServer]:
    async with serving() as server:
        yield server


@pytest.fixture
def state() -> MemoryState:
    return MemoryState()


@pytest.fixture
async def added_bot(
    fake: FakeDiscord, settings: Settings, state: MemoryState
) -> AsyncIterator[tuple[FakeDiscord, SaidService]]:
    settings = settings.updated(core={"allow_private_urls": True, "fetch_timeout_seconds": 2.0})
    service = await SaidService.open(settings, shared_state=state)
    await service.ensure_index()
    try:
        async with running(fake, lambda: run_discord(service, settings)):
            yield fake, service
        assert_clean(fake)
    finally:
        await service.close()


async def test_an_admin_adds_a_source_and_it_is_answered(
    added_bot: tuple[FakeDiscord, SaidService], remote: RemoteServer, state: MemoryState
) -> None:
    fake, _ = added_bot
    url = remote.put("/loom.md", NOTE)
    it = await fake.answered(await fake.slash("add", url=url, user_id=ADMIN_ID))
    message = fake.reply_message(it)
    assert is_ephemeral(message)
    assert message["content"] == f"Added {url} (1 document(s), 1 passage(s)); it is fetched again on every refresh."
    assert [(s.url, s.added_by) for s in await state.sources()] == [(url, f"discord:{ADMIN_ID}")]
    ask = await fake.answered(await fake.slash("ask", question=QUESTION))
    assert "Punched cards can carry" in str(fake.reply_message(ask)["embeds"])


async def test_a_server_manager_may_add_and_a_failure_says_why(
    added_bot: tuple[FakeDiscord, SaidService], remote: RemoteServer, state: MemoryState
) -> None:
    fake, service = added_bot
    url = remote.url("/missing.xml")
    it = await fake.answered(await fake.slash("add", url=url, permissions=DEFAULT_MEMBER_PERMISSIONS | MANAGE_GUILD))
    assert fake.reply_message(it)["content"] == f"Could not add {url}: HTTP 404. Nothing was kept."
    assert await state.sources() == [] and await service.remote_sources() == []
    ja = await fake.answered(await fake.slash("add", url="ftp://example.com/x", user_id=ADMIN_ID, locale="ja"))
    assert fake.reply_message(ja)["content"].startswith("ftp://example.com/x を追加できませんでした")


async def test_others_are_refused_and_nothing_is_fetched(
    added_bot: tuple[FakeDiscord, SaidService], remote: RemoteServer, state: MemoryState
) -> None:
    fake, _ = added_bot
    url = remote.put("/loom.md", NOTE)
    it = await fake.answered(await fake.slash("add", url=url))
    message = fake.reply_message(it)
    assert is_ephemeral(message) and message["content"] == "Sorry, only server managers can do that."
    assert remote.seen == [] and await state.sources() == []


async def test_without_shared_state_add_says_it_is_not_available(
    fake: FakeDiscord, settings: Settings, tmp_path: Path, remote: RemoteServer
) -> None:
    service = await SaidService.open(settings.updated(core={"allow_private_urls": True}))
    try:
        async with running(fake, lambda: run_discord(service, settings)):
            it = await fake.answered(await fake.slash("add", url=remote.url("/x.md"), user_id=ADMIN_ID))
            content = fake.reply_message(it)["content"]
    finally:
        await service.close()
    assert content.startswith("Adding sources from chat is not available here")
    assert remote.seen == []
