"""Discord adapter: slash commands that answer with quotes and timestamp links.

Entry points, shaped like the Slack adapter's: `create_client(core, settings)` and
`run_discord(core, settings)`, where `core` is any `bot.port.Core`. See docs/discord.md for
setting up the Discord application.

Modules: format (layout within Discord's limits, escaping), respond (the 3-second deadline,
apologies), buttons (what More / Share need, in the shared state), views (the gateway's buttons),
deps (what handlers depend on), commands (the slash commands), client (the gateway client, plain or
sharded), sync (command registration), translate (Japanese command descriptions), compat (lenient
interaction payloads), interactions_http (the same commands over HTTP, for the web process), with
interaction_request (signature, reading), http_turn (answering inline or deferred) and webhook (the REST
calls that complete an HTTP interaction). Only this module imports client.
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
from bot.shared_state import SharedState
from bot.state_db import open_shared_state

from .client import SaidClient, ShardedSaidClient
from .commands import build_commands, click_answerer
from .deps import PAGE_SIZE, build_deps
from .sync import STATE_FILE_NAME, SyncOutcome
from .views import VIEW_TIMEOUT

__all__ = ["SaidClient", "ShardedSaidClient", "create_client", "register_commands", "run_discord", "serve"]

log = logging.getLogger(__name__)


def create_client(
    core: Core, settings: Settings, *, state: SharedState, view_timeout: float = VIEW_TIMEOUT,
    page_size: int = PAGE_SIZE,
) -> SaidClient:
    """A Discord client answering from `core`; its commands and views get their dependencies here, once.

    With DISCORD_SHARD_COUNT it is discord.py's AutoShardedClient, running DISCORD_SHARD_IDS (or every
    shard); button state is in `state`, so a click is answered whichever shard or process gets it.
    """
    deps = build_deps(core, settings, state=state, view_timeout=view_timeout, page_size=page_size)
    discord_settings = settings.discord
    kind: type[SaidClient] = SaidClient
    shards: dict[str, object] = {}
    if discord_settings.shard_count is not None:
        kind = ShardedSaidClient
        shards = {"shard_count": discord_settings.shard_count, "shard_ids": list(discord_settings.shard_ids) or None}
    return kind(
        build_commands(deps),
        views=deps.views,
        clicks=click_answerer(deps),
        guild_id=discord_settings.guild_id,
        state_file=command_state_file(settings),
        **shards,
    )


def command_state_file(settings: Settings) -> Path:
    """Where the hash of the last command sync lives: next to the database."""
    return settings.core.db_path.parent / STATE_FILE_NAME


async def run_discord(core: Core, settings: Settings, *, state: SharedState | None = None) -> None:
    """Run the bot until the client is closed or this task is cancelled (which closes it cleanly).

    `state` is what the instances share (the settings' own when not given). Raises ValueError when
    DISCORD_TOKEN is not set and discord.LoginFailure when Discord rejects it.
    """
    shared = state if state is not None else open_shared_state(settings.core)
    try:
        await serve(create_client(core, settings, state=shared), settings)
    finally:
        if state is None:
            await shared.close()


async def register_commands(core: Core, settings: Settings, *, state: SharedState) -> SyncOutcome:
    """Register the slash commands over REST only, as HTTP mode needs (no gateway connects).

    The same client, commands and sync as the gateway bot: logging in runs its `setup_hook`, which
    syncs when the command set changed (the hash next to the database). Returns "registered",
    "unchanged" or "failed" (then the log's `discord_commands_sync_failed` says why).
    """
    readiness = settings.discord.registration_readiness
    secret = settings.discord.token
    if not readiness.configured or secret is None:
        raise ValueError(f"{', '.join(readiness.missing)} is not set; see docs/discord.md")
    point_at(settings)
    client = create_client(core, settings, state=state)
    async with client:
        try:
            await client.login(secret.get_secret_value().strip())
        except discord.LoginFailure:
            log.error("discord_login_failed", extra={
                "variable": "DISCORD_TOKEN", "hint": "reset the token in the Developer Portal (Bot → Token)",
            })
            raise
    return client.sync_outcome or "failed"


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
