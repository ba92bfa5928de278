"""Command registration: the contract's names, synced only when the command set changed, no
privileged intents, and a clean start/stop as `saidbot discord` does it."""

from __future__ import annotations

import asyncio
import json
import logging

import discord
import pytest
from pydantic import SecretStr

import adapters.discord as entry
from adapters.discord import command_state_file
from bot.logs import JsonFormatter
from bot.service import SaidService
from bot.settings import Settings
from tests.adapters.discord.conftest import run_discord, running
from tests.fakes.discord_server import PRIVILEGED_INTENTS, FakeDiscord


async def test_commands_and_options_follow_the_contract(bot: FakeDiscord) -> None:
    commands = {c["name"]: c for c in bot.commands[bot.guild_id]}
    assert set(commands) == {"ask", "episodes", "about", "reload", "timeline", "verify", "Find who said this", "add"}
    ask = commands["ask"]
    options = {o["name"]: o for o in ask["options"]}
    assert list(options) == ["question", "speaker", "private"]
    assert options["question"]["type"] == 3 and options["question"]["required"] is True
    assert options["speaker"]["type"] == 3 and options["speaker"]["autocomplete"] is True
    assert options["private"]["type"] == 5 and not options["private"].get("required")
    # Descriptions are localized for Japanese clients; names stay the contract's.
    assert ask["description_localizations"]["ja"].startswith("誰かがある話題について")
    assert "name_localizations" not in ask or not ask["name_localizations"]


async def test_no_privileged_intents(bot: FakeDiscord) -> None:
    [identify] = bot.identifies
    assert identify["intents"] & PRIVILEGED_INTENTS == 0


async def test_guild_sync_happens_once_across_restarts(
    fake: FakeDiscord, service: SaidService, settings: Settings
) -> None:
    for _ in range(3):
        async with running(fake, lambda: run_discord(service, settings)):
            pass
    assert fake.command_puts == [fake.guild_id]
    assert fake.requests_to("PUT", rf"/applications/{fake.app_id}/commands") == []  # nothing global
    state = json.loads(command_state_file(settings).read_text())
    assert state == {f"{fake.app_id}:guild:{fake.guild_id}": state[f"{fake.app_id}:guild:{fake.guild_id}"],
                     f"{fake.app_id}:last_guild": str(fake.guild_id)}
    assert command_state_file(settings).parent == settings.core.db_path.parent


async def test_commands_are_synced_again_when_discord_lost_them(
    fake: FakeDiscord, service: SaidService, settings: Settings
) -> None:
    async with running(fake, lambda: run_discord(service, settings)):
        pass
    fake.commands.clear()  # e.g. someone removed them in another tool
    async with running(fake, lambda: run_discord(service, settings)):
        pass
    assert fake.command_puts == [fake.guild_id, fake.guild_id]


async def test_commands_are_synced_again_when_they_changed(
    fake: FakeDiscord, service: SaidService, settings: Settings
) -> None:
    async with running(fake, lambda: run_discord(service, settings)):
        pass
    state_file = command_state_file(settings)
    state = json.loads(state_file.read_text())
    state_file.write_text(json.dumps({k: "0" * 64 for k in state}))  # as left by an older version
    async with running(fake, lambda: run_discord(service, settings)):
        pass
    assert len(fake.command_puts) == 2


async def test_without_a_guild_id_commands_are_global(fake: FakeDiscord, service: SaidService, settings: Settings) -> None:
    settings = settings.updated(discord={"guild_id": None})
    async with running(fake, lambda: run_discord(service, settings)):
        it = await fake.answered(await fake.slash("ask", question="talent density"))
        assert "Dario Amodei" in str(fake.reply_message(it)["embeds"])
    assert fake.command_puts == [None]
    assert fake.requests_to("PUT", rf"/applications/{fake.app_id}/guilds/\d+/commands") == []


async def test_a_wrong_token_fails_clearly_without_logging_it(
    fake: FakeDiscord, service: SaidService, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "wrong-token-value"
    settings = settings.updated(discord={"token": SecretStr(wrong)})
    with caplog.at_level(logging.DEBUG), pytest.raises(discord.LoginFailure):
        await run_discord(service, settings)
    [failed] = [r for r in caplog.records if r.getMessage() == "discord_login_failed"]
    assert failed.variable == "DISCORD_TOKEN"  # type: ignore[attr-defined]
    assert wrong not in caplog.text
    assert not any(wrong in JsonFormatter().format(r) for r in caplog.records)


@pytest.mark.parametrize("token", [None, SecretStr("   ")])
async def test_a_missing_token_is_refused_before_connecting(
    fake: FakeDiscord, service: SaidService, settings: Settings, token: SecretStr | None
) -> None:
    settings = settings.updated(discord={"token": token})
    assert settings.discord.readiness.missing == ("DISCORD_TOKEN",)
    with pytest.raises(ValueError, match="DISCORD_TOKEN is not set"):
        await run_discord(service, settings)
    assert fake.requests == []


async def test_run_discord_returns_when_the_client_is_closed(
    fake: FakeDiscord, service: SaidService, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    clients: list[discord.Client] = []
    real_create = entry.create_client

    def spy(*args: object, **kwargs: object) -> discord.Client:
        client = real_create(*args, **kwargs)  # type: ignore[arg-type]
        clients.append(client)
        return client

    monkeypatch.setattr(entry, "create_client", spy)
    task = asyncio.create_task(run_discord(service, settings))
    await fake.wait_ready(1)
    await clients[0].close()
    await asyncio.wait_for(task, 5)  # returned, no exception
    assert clients[0].is_closed()


def _names(fake: FakeDiscord, scope: int | None) -> list[str]:
    return sorted(c["name"] for c in fake.commands.get(scope, []))


def _cleared(caplog: pytest.LogCaptureFixture) -> list[tuple[str, int]]:
    return [(r.scope, r.count) for r in caplog.records if r.getMessage() == "discord_commands_cleared"]  # type: ignore[attr-defined]


async def test_switching_between_global_and_guild_lists_each_command_once(
    fake: FakeDiscord, service: SaidService, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    everything = sorted(["about", "ask", "episodes", "reload", "timeline", "verify", "Find who said this", "add"])
    caplog.set_level(logging.INFO, logger="adapters.discord")
    async with running(fake, lambda: run_discord(service, settings.updated(discord={"guild_id": None}))):
        pass
    assert _names(fake, None) == everything and _cleared(caplog) == []
    # A command of this application that saidbot did not register (e.g. made in another tool).
    fake.commands[None].append({"id": "1", "name": "someone-elses", "type": 1, "description": "kept"})

    async with running(fake, lambda: run_discord(service, settings)):  # now with DISCORD_GUILD_ID
        pass
    assert _names(fake, fake.guild_id) == everything
    assert _names(fake, None) == ["someone-elses"]  # ours cleared from the global scope, theirs kept
    assert _cleared(caplog) == [("global", len(everything))]

    caplog.clear()
    async with running(fake, lambda: run_discord(service, settings.updated(discord={"guild_id": None}))):
        pass
    assert _names(fake, None) == everything
    assert _names(fake, fake.guild_id) == []  # the previous guild's, known from the state file
    assert _cleared(caplog) == [(f"guild:{fake.guild_id}", len(everything))]
    state = json.loads(command_state_file(settings).read_text())
    assert f"{fake.app_id}:last_guild" not in state

    caplog.clear()
    async with running(fake, lambda: run_discord(service, settings.updated(discord={"guild_id": None}))):
        pass
    assert _cleared(caplog) == [] and fake.requests_to("GET", rf"/applications/{fake.app_id}/guilds/\d+/commands")
