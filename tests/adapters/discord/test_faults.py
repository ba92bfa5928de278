"""Discord under faults (issue #16): double Share clicks, More pressed by another member, a slow
(rate-limited) callback, interactions Discord already expired, and the per-user question limit;
the real discord.py client against the fake Discord on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from collections.abc import AsyncIterator

import pytest

from adapters.discord import serve
from bot.settings import Settings
from bot.shared_state import SharedState
from bot.state_db import open_shared_state
from tests.adapters.discord.conftest import ADMIN_ID, assert_clean, create_client, running
from tests.adapters.discord.support import button, dario_core, followups, is_ephemeral, text_of, timestamps
from tests.fakes.core import FakeCore
from tests.fakes.discord_server import DEFERRED_CHANNEL_MESSAGE, FakeDiscord

QUESTION = "what did Dario Amodei say about talent density?"


@contextlib.asynccontextmanager
async def serving(fake: FakeDiscord, settings: Settings, core: FakeCore,
                  clean: bool = True, state: SharedState | None = None) -> AsyncIterator[FakeDiscord]:
    client = create_client(core, settings, state=state)
    async with running(fake, lambda: serve(client, settings)):
        yield fake
    if clean:
        assert_clean(fake)


async def test_two_quick_share_clicks_post_one_public_copy(fake: FakeDiscord, settings: Settings) -> None:
    async with serving(fake, settings, dario_core()):
        it = await fake.answered(await fake.slash("ask", question=QUESTION, private=True))
        message = fake.reply_message(it)
        share = button(message, "share")["custom_id"]
        first, second = await asyncio.gather(fake.click(copy.deepcopy(message), share),
                                             fake.click(copy.deepcopy(message), share))
        await fake.answered(first)
        await fake.answered(second)
        await asyncio.sleep(0.2)
        assert len(fake.channel_messages()) == 1


async def test_more_from_another_member_pages_privately_and_leaves_the_askers_message(
    fake: FakeDiscord, settings: Settings
) -> None:
    async with serving(fake, settings, dario_core()):
        it = await fake.answered(await fake.slash("ask", question=QUESTION))
        message = fake.reply_message(it)
        before = timestamps(message)
        more = button(message, "more")["custom_id"]
        other = await fake.answered(await fake.click(copy.deepcopy(message), more, user_id=fake.second_member_id,
                                                     locale="ja"))
        assert timestamps(fake.reply_message(it)) == before  # the asker's page did not move
        private = fake.reply_message(other) if other.original_id != int(message["id"]) else followups(fake, other)[0]
        assert is_ephemeral(private) and timestamps(private) == ["01:41:30", "01:42:10"]
        # The asker still pages their own message.
        mine = await fake.answered(await fake.click(copy.deepcopy(message), more))
        assert timestamps(fake.reply_message(mine)) == ["01:41:30", "01:42:10"]


async def test_a_rate_limited_callback_still_lands_inside_three_seconds(fake: FakeDiscord, settings: Settings) -> None:
    fake.callback_rate_limits, fake.callback_retry_after = 1, 1.0
    async with serving(fake, settings, dario_core(delay=2.5)):
        it = await fake.answered(await fake.slash("ask", question=QUESTION), timeout=10)
        assert it.callback_type == DEFERRED_CHANNEL_MESSAGE and it.callback_delays[0] < 3.0
        assert "Dario Amodei" in text_of(fake.reply_message(it))


async def test_an_interaction_discord_expired_is_one_warning_line(
    fake: FakeDiscord, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.discord")
    async with serving(fake, settings, dario_core(), clean=False):
        fake.interactions_expired = True
        await fake.slash("ask", question=QUESTION)
        for _ in range(300):
            if any(r.getMessage() == "discord_interaction" for r in caplog.records):
                break
            await asyncio.sleep(0.01)
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in loud] == ["discord_interaction_gone"]
    assert loud[0].exc_info is None and loud[0].__dict__["code"] == 10062


async def test_a_flood_from_one_member_is_limited_privately_admins_are_not(
    fake: FakeDiscord, settings: Settings
) -> None:
    tight = settings.updated(core={"rate_limit_per_minute": 2})
    # Counted in the shared state (a real SQLite file here), as every instance would count it.
    state = open_shared_state(tight.core)
    try:
        async with serving(fake, tight, dario_core(), state=state):
            answers = [await fake.answered(await fake.slash("ask", question=QUESTION, locale="ja")) for _ in range(3)]
            last = answers[-1].callbacks[0]["data"]
            assert last["flags"] & 64 and "1分" in last["content"]
            assert all("embeds" in a.callbacks[0]["data"] for a in answers[:2])
            admin = [await fake.answered(await fake.slash("ask", question=QUESTION, user_id=ADMIN_ID))
                     for _ in range(3)]
            assert all("embeds" in a.callbacks[0]["data"] for a in admin)
    finally:
        await state.close()
