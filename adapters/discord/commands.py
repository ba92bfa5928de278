"""The slash commands: /ask, /episodes, /about and /reload.

Each handler translates an interaction into one core call and the result into a reply; the
deadline and error handling live in `respond.Turn`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import discord
from discord import app_commands

from bot import i18n
from bot.models import AnswerStatus, StoreStats
from bot.present import has_more

from .format import Reply, cut, render_about, render_answer, render_episodes, render_reload
from .respond import Turn, interaction_lang
from .translate import described
from .views import AnswerView, AskState

if TYPE_CHECKING:
    from .client import SaidClient

log = logging.getLogger(__name__)

PAGE_SIZE: Final = 3
QUESTION_MAX: Final = 500
CHOICES_MAX: Final = 25  # Discord's limit for autocomplete
CHOICE_MAX_LEN: Final = 100


async def speaker_autocomplete(
    interaction: discord.Interaction[SaidClient], current: str
) -> list[app_commands.Choice[str]]:
    # Autocomplete cannot be deferred, so this only reads the core's in-memory speaker cache.
    try:
        names = interaction.client.core.speaker_names(prefix=current.strip(), limit=CHOICES_MAX)
    except Exception:
        log.exception("speaker autocomplete failed")
        return []
    return [
        app_commands.Choice(name=cut(name, CHOICE_MAX_LEN), value=name[:CHOICE_MAX_LEN])
        for name in names[:CHOICES_MAX]
        if name
    ]


@app_commands.describe(
    question=described("opt_question"),
    speaker=described("opt_speaker"),
    private=described("opt_private"),
)
@app_commands.autocomplete(speaker=speaker_autocomplete)
async def ask(
    interaction: discord.Interaction[SaidClient],
    question: app_commands.Range[str, 1, QUESTION_MAX],
    speaker: app_commands.Range[str, 1, CHOICE_MAX_LEN] | None = None,
    private: bool = False,
) -> None:
    client = interaction.client
    lang = interaction_lang(interaction)
    turn = Turn(interaction, lang=lang, ephemeral=private)
    async with turn.guard("/ask"):
        answer = await turn.compute(
            client.core.ask(question, speaker=speaker or None, lang=lang, limit=PAGE_SIZE, offset=0)
        )
        view: AnswerView | None = None
        if answer.status is AnswerStatus.OK and (has_more(answer) or private):
            state = AskState(question, speaker or None, lang, private, PAGE_SIZE, answer)
            view = AnswerView(client, state, timeout=client.view_timeout)
            view.editor = interaction
        try:
            await turn.show(render_answer(answer, lang, question=question), view=view)
        except BaseException:
            if view is not None:
                view.stop()
            raise


async def episodes(interaction: discord.Interaction[SaidClient]) -> None:
    await _stats_reply(interaction, "/episodes", render_episodes)


async def about(interaction: discord.Interaction[SaidClient]) -> None:
    await _stats_reply(interaction, "/about", render_about)


async def _stats_reply(
    interaction: discord.Interaction[SaidClient], command: str, render: Callable[[StoreStats, str], Reply]
) -> None:
    """A private reply drawn from what the store holds."""
    lang = interaction_lang(interaction)
    turn = Turn(interaction, lang=lang, ephemeral=True)
    async with turn.guard(command):
        stats = await turn.compute(interaction.client.core.stats())
        await turn.show(render(stats, lang))


async def reload(interaction: discord.Interaction[SaidClient]) -> None:
    client = interaction.client
    lang = interaction_lang(interaction)
    turn = Turn(interaction, lang=lang, ephemeral=True)
    async with turn.guard("/reload"):
        if not may_reload(interaction, client.admin_ids):
            log.info("refused /reload for user %s", interaction.user.id)
            await turn.tell(i18n.t("not_allowed", lang))
            return
        log.info("/reload by user %s", interaction.user.id)
        report = await turn.compute(client.core.reload())
        await turn.show(render_reload(report, lang))


def may_reload(interaction: discord.Interaction[Any], admin_ids: frozenset[int]) -> bool:
    """Configured admins anywhere; otherwise members with Manage Server in a server."""
    if interaction.user.id in admin_ids:
        return True
    return interaction.guild_id is not None and interaction.permissions.manage_guild


def build_commands() -> list[app_commands.Command[Any, Any, None]]:
    """Fresh command objects for one client's tree."""
    return [
        app_commands.Command(name="ask", description=described("cmd_ask"), callback=ask),
        app_commands.Command(name="episodes", description=described("cmd_episodes"), callback=episodes),
        app_commands.Command(name="about", description=described("cmd_about"), callback=about),
        app_commands.Command(name="reload", description=described("cmd_reload"), callback=reload),
    ]
