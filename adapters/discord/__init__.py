"""Discord adapter: slash commands that answer with quotes and timestamp links.

Entry points for the CLI: `create_client(service, settings)` and `run_discord(service, settings)`.
See docs/discord.md for setting up the Discord application.
"""

from __future__ import annotations

import logging
from pathlib import Path

import discord
import discord.gateway
import discord.http
import yarl

from bot.port import Core
from bot.settings import Settings

from .client import SaidClient
from .sync import STATE_FILE_NAME
from .views import VIEW_TIMEOUT

__all__ = ["SaidClient", "create_client", "run_discord", "serve"]

log = logging.getLogger(__name__)


def create_client(service: Core, settings: Settings, *, view_timeout: float = VIEW_TIMEOUT) -> SaidClient:
    """A Discord client answering from `service` (a `bot.service.SaidService`)."""
    return SaidClient(
        service,
        guild_id=settings.discord.guild_id,
        admin_ids=frozenset(settings.discord.admin_ids),
        state_file=command_state_file(settings),
        view_timeout=view_timeout,
    )


def command_state_file(settings: Settings) -> Path:
    """Where the hash of the last command sync lives: next to the database."""
    return settings.core.db_path.parent / STATE_FILE_NAME


async def run_discord(service: Core, settings: Settings) -> None:
    """Run the bot until the client is closed or this task is cancelled (which closes it cleanly).

    Raises ValueError when DISCORD_TOKEN is not set and discord.LoginFailure when Discord rejects it.
    """
    await serve(create_client(service, settings), settings)


def point_at(settings: Settings) -> None:
    """Use a Discord-compatible server when DISCORD_API_URL / DISCORD_GATEWAY_URL say so.

    discord.py keeps both addresses as class attributes, so this is process-wide; unset, it is discord.com.
    """
    if settings.discord.api_url:
        discord.http.Route.BASE = settings.discord.api_url.rstrip("/")
        log.info("using Discord API at %s", discord.http.Route.BASE)
    if settings.discord.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord.gateway_url)


async def serve(client: discord.Client, settings: Settings) -> None:
    """Log in with the configured token and run `client` until it is closed or cancelled."""
    if settings.discord.token is None or not settings.discord.token.get_secret_value().strip():
        raise ValueError("DISCORD_TOKEN is not set; see docs/discord.md")
    point_at(settings)
    async with client:  # closes the gateway and HTTP session however we leave
        try:
            await client.start(settings.discord.token.get_secret_value())
        except discord.LoginFailure:
            log.error("Discord rejected DISCORD_TOKEN; check it in the Developer Portal (Bot → Token)")
            raise
