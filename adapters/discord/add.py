"""/add url:…: an admin adds a remote source (a podcast feed, a transcript page) from Discord.

Gated like /reload (`commands.may_reload`); the core checks and fetches the URL and keeps it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final

import discord

from bot import i18n
from bot.present import add_source_summary

from .deps import Deps
from .format import Reply, cut, escape_user_text
from .respond import Computes, Turn, interaction_lang

log = logging.getLogger(__name__)

URL_MAX: Final = 2000
CONTENT_MAX: Final = 2000

Interaction = discord.Interaction[discord.Client]


async def add(
    deps: Deps, interaction: Interaction, url: str, allowed: Callable[[Interaction, frozenset[int]], bool]
) -> None:
    """`allowed` is /reload's rule (commands.may_reload), handed in by the module that registers both."""
    lang = interaction_lang(interaction)
    turn = Turn(interaction, lang=lang, ephemeral=True)
    async with turn.guard("/add"):
        if not allowed(interaction, deps.admin_ids):
            log.info("discord_add_refused", extra={"interaction_id": interaction.id, "user_id": interaction.user.id})
            await turn.tell(i18n.t("not_allowed", lang))
            return
        log.info("discord_add", extra={"interaction_id": interaction.id, "user_id": interaction.user.id})
        await turn.show(await added_reply(deps, turn, url, user_id=interaction.user.id, lang=lang))


async def added_reply(deps: Deps, turn: Computes, url: str, *, user_id: int, lang: str) -> Reply:
    """The core adds the source; the reply says what came of it (both front ends, once allowed)."""
    result = await turn.compute(deps.core.add_source(url.strip(), added_by=f"discord:{user_id}"))
    return Reply(content=cut(escape_user_text(add_source_summary(result, lang)), CONTENT_MAX))
