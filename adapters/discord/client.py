"""The discord.py client: intents, command tree, command sync, and the interaction fallbacks."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

from bot import i18n
from bot.port import Core

from .commands import build_commands
from .compat import harden_interaction_parser
from .respond import Turn, interaction_lang
from .sync import sync_if_changed
from .translate import CatalogTranslator
from .views import VIEW_TIMEOUT, ViewRegistry, parse_custom_id

log = logging.getLogger(__name__)


def bot_intents() -> discord.Intents:
    """Slash commands need no gateway intents at all; `guilds` (not privileged) keeps discord.py's
    channel cache working. No message content, members or presences."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


class SaidTree(app_commands.CommandTree["SaidClient"]):
    async def on_error(
        self, interaction: discord.Interaction[SaidClient], error: app_commands.AppCommandError
    ) -> None:
        # Reached for failures outside our handlers' own guards, e.g. a stale command that
        # Discord still shows but this version no longer has.
        log.error("slash command failed: %s", error, exc_info=error)
        await Turn(interaction, lang=interaction_lang(interaction), ephemeral=True).apologize()


class SaidClient(discord.Client):
    def __init__(
        self,
        core: Core,
        *,
        guild_id: int | None,
        admin_ids: frozenset[int],
        state_file: Path,
        view_timeout: float = VIEW_TIMEOUT,
    ) -> None:
        super().__init__(intents=bot_intents(), allowed_mentions=discord.AllowedMentions.none())
        self.core = core
        self.guild_id = guild_id
        self.admin_ids = admin_ids
        self.state_file = state_file
        self.view_timeout = view_timeout
        self.views = ViewRegistry()
        self.tree = SaidTree(self)
        for command in build_commands():
            self.tree.add_command(command)
        harden_interaction_parser(self)

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CatalogTranslator())
        guild = discord.Object(id=self.guild_id) if self.guild_id is not None else None
        if guild is not None:
            # Guild commands appear at once; global ones can take up to an hour to propagate.
            self.tree.copy_global_to(guild=guild)
        assert self.application_id is not None  # set by login() before setup_hook
        await sync_if_changed(
            self.tree, application_id=self.application_id, guild=guild, state_file=self.state_file
        )

    async def on_ready(self) -> None:
        user = self.user
        log.info("connected to Discord as %s (id %s)", user, user.id if user else "?")

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Answer clicks on our buttons whose view no longer exists (a restart, or timed out)."""
        if interaction.type is not discord.InteractionType.component:
            return
        data: Any = interaction.data or {}
        ref = parse_custom_id(data.get("custom_id"))
        if ref is None or ref.key in self.views:
            return  # not ours, or a live view handles it
        lang = interaction_lang(interaction)
        turn = Turn(interaction, lang=lang, update=True)
        async with turn.guard("expired button"):
            log.info("click on expired button %s", data.get("custom_id"))
            # One private note in the interaction's own response: nothing else to wait for or fail.
            await turn.tell(i18n.t("expired", lang))
