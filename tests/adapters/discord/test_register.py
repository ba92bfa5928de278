"""`saidbot discord-register`: the slash commands registered over REST, as HTTP mode needs, against the
fake Discord; the same payload the gateway bot syncs, and nothing sent when it has not changed."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.settings import Settings
from saidbot.bootstrap import given_core
from saidbot.cli import build_parser, cmd_discord_register, main
from tests.adapters.discord.conftest import run_discord, running
from tests.adapters.discord.http_support import http_settings
from tests.adapters.discord.support import dario_core
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.state import MemoryState


def _args() -> argparse.Namespace:
    return build_parser().parse_args(["discord-register"])


async def test_the_command_registers_what_the_gateway_bot_would(
    fake: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    http = http_settings(fake, tmp_path)
    opener = given_core(dario_core(), state=MemoryState())
    assert await cmd_discord_register(_args(), http, opener) == 0
    assert capsys.readouterr().out == f"Discord commands registered in server {fake.guild_id}.\n"
    registered = json.loads(json.dumps(fake.commands[fake.guild_id]))
    assert fake.sessions_ready == 0  # over REST only

    assert await cmd_discord_register(_args(), http, opener) == 0
    assert "already up to date" in capsys.readouterr().out
    assert fake.command_puts == [fake.guild_id]

    # The gateway bot, over the same data folder, finds the hash of exactly its own payload: nothing to sync.
    assert settings.core.db_path == http.core.db_path
    async with running(fake, lambda: run_discord(dario_core(), settings)):
        pass
    assert fake.command_puts == [fake.guild_id]
    assert fake.commands[fake.guild_id] == registered


async def test_a_rejected_token_is_one_line_and_exit_1(
    fake: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    http = http_settings(fake, tmp_path)
    wrong = http.updated(discord={"token": SecretStr("wrong-token")})
    assert await cmd_discord_register(_args(), wrong, given_core(dario_core(), state=MemoryState())) == 1
    assert "Discord refused DISCORD_TOKEN" in capsys.readouterr().err
    assert fake.command_puts == []


def test_without_a_token_it_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("DISCORD_TOKEN", "DISCORD_PUBLIC_KEY", "DISCORD_APPLICATION_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SAIDBOT_DB", str(tmp_path / "said.db"))
    monkeypatch.chdir(tmp_path)  # no .env here
    assert main(["discord-register"], opener=given_core(dario_core(), state=MemoryState())) == 2
    assert "DISCORD_TOKEN is not set" in capsys.readouterr().err
