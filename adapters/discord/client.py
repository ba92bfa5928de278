"""The discord.py client: intents, command tree, command sync, and the interaction fallbacks.

It is given its commands ready-made (`commands.build_commands`), so nothing here knows the core.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

from .compat import harden_interaction_parser
from .respond import Turn, interaction_lang
from .sync import SyncOutcome, sync_if_changed
from .translate import CatalogTranslator
from .views import ViewRegistry

log = logging.getLogger(__name__)


def bot_intents() -> discord.Intents:
    """Slash commands need no gateway intents at all; `guilds` (not privileged) keeps discord.py's
    channel cache working. No message content, members or presences."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


class SaidTree(app_commands.CommandTree[discord.Client]):
    async def on_error(
        self, interaction: discord.Interaction[discord.Client], error: app_commands.AppCommandError
    ) -> None:
        # Reached for failures outside our handlers' own guards, e.g. a stale command that
        # Discord still shows but this version no longer has.
        command = interaction.command.name if interaction.command is not None else None
        fields = {"interaction_id": interaction.id, "command": command, "error": type(error).__name__}
        if isinstance(error, app_commands.CommandInvokeError):
            log.error("discord_command_failed", exc_info=error, extra=fields)
        else:
            # The options did not fit the command (a stale or malformed payload): not our bug, one line.
            log.warning("discord_command_rejected", extra=fields)
        await Turn(interaction, lang=interaction_lang(interaction), ephemeral=True).apologize()


ClickAnswerer = Callable[[discord.Interaction[Any]], Awaitable[None]]


class SaidClient(discord.Client):
    """A gateway client serving `commands`; it holds no core, only what Discord's events need.

    `clicks` answers a button click that no live view of this process serves (from the shared state,
    or with the "expired" note). `options` go to discord.py's client (shard ids and count).
    """

    def __init__(
        self,
        commands: Iterable[app_commands.Command[Any, Any, None] | app_commands.ContextMenu],
        *,
        views: ViewRegistry,
        clicks: ClickAnswerer,
        guild_id: int | None,
        state_file: Path,
        **options: Any,
    ) -> None:
        super().__init__(intents=bot_intents(), allowed_mentions=discord.AllowedMentions.none(), **options)
        self.guild_id = guild_id
        self.state_file = state_file
        # The answer views alive in this process; a click on any other goes to `clicks`.
        self.views = views
        self._clicks = clicks
        self.sync_outcome: SyncOutcome | None = None
        self.tree = SaidTree(self)
        for command in commands:
            self.tree.add_command(command)
        harden_interaction_parser(self)

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CatalogTranslator())
        guild = discord.Object(id=self.guild_id) if self.guild_id is not None else None
        if guild is not None:
            # Guild commands appear at once; global ones can take up to an hour to propagate.
            self.tree.copy_global_to(guild=guild)
        assert self.application_id is not None  # set by login() before setup_hook
        self.sync_outcome = await sync_if_changed(
            self.tree, application_id=self.application_id, guild=guild, state_file=self.state_file
        )

    async def on_ready(self) -> None:
        user = self.user
        log.info("discord_connected", extra={"user": str(user), "user_id": user.id if user else None})

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        await self._clicks(interaction)


class ShardedSaidClient(SaidClient, discord.AutoShardedClient):
    """The same bot over several gateway connections (`DISCORD_SHARD_COUNT`, `DISCORD_SHARD_IDS`).

    Each process runs the shards it is given; a click may come back on another shard or process,
    which is why button state lives in the shared state rather than in the views.
    """

    async def on_shard_ready(self, shard_id: int) -> None:
        log.info("discord_shard_ready", extra={"shard_id": shard_id, "shard_count": self.shard_count})
