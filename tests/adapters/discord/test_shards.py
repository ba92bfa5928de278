"""Gateway sharding: with DISCORD_SHARD_COUNT (and DISCORD_SHARD_IDS) the bot is discord.py's
AutoShardedClient and identifies each of its shards as `[id, count]`; settings refuse ids that do not fit."""

from __future__ import annotations

import discord
import pytest
from pydantic import ValidationError

from adapters.discord import ShardedSaidClient, serve
from bot.service import SaidService
from bot.settings import DiscordSettings, Settings
from tests.adapters.discord.conftest import assert_clean, create_client, running
from tests.adapters.discord.support import timestamps
from tests.fakes.discord_server import FakeDiscord


async def test_the_bot_runs_the_shards_it_is_given(fake: FakeDiscord, service: SaidService, settings: Settings) -> None:
    sharded = settings.updated(discord={"shard_count": 3, "shard_ids": [0, 2]})
    client = create_client(service, sharded)
    assert isinstance(client, ShardedSaidClient) and isinstance(client, discord.AutoShardedClient)

    async def no_identify_wait(shard_id: int | None, *, initial: bool = False) -> None:
        # discord.py waits 5 s between identifies (Discord's identify rate limit); the fake has none.
        return None

    client.before_identify_hook = no_identify_wait  # type: ignore[method-assign]
    async with running(fake, lambda: serve(client, sharded)):
        await fake.wait_ready(2)
        assert sorted(tuple(identify["shard"]) for identify in fake.identifies) == [(0, 3), (2, 3)]
        it = await fake.answered(await fake.slash("ask", question="talent density"))
        assert timestamps(fake.reply_message(it))
    assert_clean(fake)


async def test_without_shard_settings_the_client_is_not_sharded(service: SaidService, settings: Settings) -> None:
    client = create_client(service, settings)
    assert not isinstance(client, discord.AutoShardedClient)


def test_shard_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "4")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "1, 3")
    section = DiscordSettings(_env_file=None)
    assert (section.shard_count, section.shard_ids, section.sharded) == (4, [1, 3], True)


@pytest.mark.parametrize(("count", "ids"), [(None, "0"), (2, "2"), (2, "0,0"), (0, ""), (2, "-1"), (2, "a")])
def test_shard_ids_that_do_not_fit_are_refused(monkeypatch: pytest.MonkeyPatch, count: int | None, ids: str) -> None:
    if count is not None:
        monkeypatch.setenv("DISCORD_SHARD_COUNT", str(count))
    monkeypatch.setenv("DISCORD_SHARD_IDS", ids)
    with pytest.raises(ValidationError):
        DiscordSettings(_env_file=None)
