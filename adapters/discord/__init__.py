"""Discord adapter: slash commands that answer with quotes and timestamp links.

Entry points, shaped like the Slack adapter's: `create_client(core, settings)` and
`run_discord(core, settings)`, where `core` is any `bot.port.Core`. See docs/discord.md for
setting up the Discord application.

Modules: format (layout within Discord's limits, escaping), respond (the 3-second deadline,
apologies), views (More / Share buttons), deps (what handlers depend on), commands (the slash
commands), client (the gateway client), sync (command registration), translate (Japanese
command descriptions), compat (lenient interaction payloads). Only this module imports client.
"""

from __future__ import annotations

import logging
from pathlib import Path

import discord
import discord.gateway
import discord.http
import yarl

from bot.port import Core
from bot.ratelimit import RateLimiter
from bot.settings import Settings
from bot.shared_state import SharedState
from bot.state_db import open_shared_state

from .client import SaidClient
from .commands import build_commands
from .deps import PAGE_SIZE, Deps
from .sync import STATE_FILE_NAME
from .views import VIEW_TIMEOUT

__all__ = ["SaidClient", "create_client", "run_discord", "serve"]

log = logging.getLogger(__name__)


def create_client(
    core: Core, settings: Settings, *, view_timeout: float = VIEW_TIMEOUT, page_size: int = PAGE_SIZE,
    state: SharedState | None = None,
) -> SaidClient:
    """A Discord client answering from `core`; its commands and views get their dependencies here, once.

    Per-user limits are counted in `state` (shared by every instance); without one nobody is limited.
    """
    admins = frozenset(settings.discord.admin_ids)
    deps = Deps(
        core=core, admin_ids=admins, view_timeout=view_timeout, page_size=page_size,
        limits=RateLimiter(settings.core.rate_limit_per_minute, state=state, exempt={str(i) for i in admins}),
    )
    return SaidClient(
        build_commands(deps),
        views=deps.views,
        guild_id=settings.discord.guild_id,
        state_file=command_state_file(settings),
    )


def command_state_file(settings: Settings) -> Path:
    """Where the hash of the last command sync lives: next to the database."""
    return settings.core.db_path.parent / STATE_FILE_NAME


async def run_discord(core: Core, settings: Settings, *, state: SharedState | None = None) -> None:
    """Run the bot until the client is closed or this task is cancelled (which closes it cleanly).

    `state` is what the instances share (the settings' own when not given). Raises ValueError when
    DISCORD_TOKEN is not set and discord.LoginFailure when Discord rejects it.
    """
    own = open_shared_state(settings.core) if state is None else None
    try:
        await serve(create_client(core, settings, state=state if state is not None else own), settings)
    finally:
        if own is not None:
            await own.close()


def point_at(settings: Settings) -> None:
    """Use a Discord-compatible server when DISCORD_API_URL / DISCORD_GATEWAY_URL say so.

    discord.py keeps both addresses as class attributes, so this is process-wide; unset, it is discord.com.
    """
    if settings.discord.api_url:
        discord.http.Route.BASE = settings.discord.api_url.rstrip("/")
        log.info("discord_api_url", extra={"api_url": discord.http.Route.BASE})
    if settings.discord.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord.gateway_url)
        log.info("discord_gateway_url", extra={"gateway_url": settings.discord.gateway_url})


async def serve(client: discord.Client, settings: Settings) -> None:
    """Log in with the configured token and run `client` until it is closed or cancelled."""
    readiness = settings.discord.readiness
    secret = settings.discord.token
    if not readiness.configured or secret is None:
        missing = ", ".join(readiness.missing) or "DISCORD_TOKEN"
        raise ValueError(f"{missing} is not set; see docs/discord.md")
    point_at(settings)
    async with client:  # closes the gateway and HTTP session however we leave
        try:
            await client.start(secret.get_secret_value().strip())
        except discord.LoginFailure:
            # Which variable to fix, never its value.
            log.error("discord_login_failed", extra={
                "variable": "DISCORD_TOKEN", "hint": "reset the token in the Developer Portal (Bot → Token)",
            })
            raise
