"""Web instances serving Discord over HTTP on loopback, for the interactions endpoint's tests.

Each instance is the real web app (`adapters.web.create_web_app`) behind a real aiohttp server on a
free port; the fake Discord delivers signed interactions to it and takes its answers as callbacks.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from adapters.web import create_web_app
from bot.port import Core
from bot.settings import CoreSettings, DiscordSettings, Settings, SlackSettings
from bot.shared_state import SharedState
from tests.adapters.discord.conftest import ADMIN_ID
from tests.fakes.discord_server import FakeDiscord
from tests.support.net import free_port


def http_settings(fake: FakeDiscord, tmp_path: Path, *, token: bool = True, **discord: object) -> Settings:
    """Discord in HTTP mode against `fake` (its public key, application id and REST API)."""
    return Settings(
        core=CoreSettings(_env_file=None, db=tmp_path / "data" / "said.db"),
        discord=DiscordSettings(
            _env_file=None, public_key=fake.public_key_hex, application_id=fake.app_id, api_url=fake.api_base,
            token=fake.token if token else None, guild_id=fake.guild_id, admin_ids=[ADMIN_ID], **discord,
        ),
        slack=SlackSettings(_env_file=None),
    )


@dataclass
class Instance:
    url: str
    runner: web.AppRunner

    @property
    def endpoint(self) -> str:
        return f"{self.url}/discord/interactions"


@contextlib.asynccontextmanager
async def web_instance(core: Core, settings: Settings, state: SharedState) -> AsyncIterator[Instance]:
    """One web process (the app `saidbot serve` runs) on a free loopback port, until the block ends."""
    runner = web.AppRunner(create_web_app(core, settings, state=state), access_log=None)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield Instance(f"http://127.0.0.1:{port}", runner)
    finally:
        await runner.cleanup()
