"""The slash commands: /ask, /episodes, /about, /reload, /timeline, /verify and /add (adding a source:
add.py), and the "Find who said this" message command.

Each handler translates an interaction into one core call and the result into a reply; the
deadline and error handling live in `respond.Turn`. Handlers take their dependencies (`Deps`) as
an argument; `build_commands` binds one `Deps` into the callbacks discord.py calls.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import discord
from discord import app_commands

from adapters.gate import Busy
from bot import i18n
from bot.models import AnswerStatus, StoreStats
from bot.present import has_more
from bot.ratelimit import limited_text, rate_key

from .add import URL_MAX
from .add import add as add_source
from .buttons import QUESTION_MAX, AskState
from .deps import Deps
from .format import Reply, cut, render_about, render_answer, render_episodes, render_reload, render_verification
from .respond import Computes, Turn, interaction_lang
from .translate import described
from .views import AnswerView, answer_click

log = logging.getLogger(__name__)

CHOICES_MAX: Final = 25  # Discord's limit for autocomplete
CHOICE_MAX_LEN: Final = 100

Interaction = discord.Interaction[discord.Client]
T = TypeVar("T")


@dataclass(frozen=True)
class Asked:
    """What /ask shows: a private `note`, or `reply` (with `state` when it gets buttons)."""

    note: str | None = None
    reply: Reply | None = None
    state: AskState | None = None


@dataclass(frozen=True)
class Refused:
    """A question not put to the core: the asker is over the limit, or the backlog is full."""

    note: str


async def limited_call(
    deps: Deps, turn: Computes, call: Callable[[], Awaitable[T]], *, user_id: int, interaction_id: int, lang: str,
) -> T | Refused:
    """One question's core call as both front ends make it: the asker's limit, then through the gate."""
    # Discord user ids are unique across servers: one limit per person wherever they ask.
    if not await deps.limits.allow(rate_key("discord", None, str(user_id))):
        log.info("discord_rate_limited", extra={"interaction_id": interaction_id, "user_id": user_id})
        return Refused(limited_text(lang))
    try:
        return await turn.compute(deps.gate.run(call))
    except Busy:
        return Refused(i18n.t("busy", lang))


async def answer_ask(
    deps: Deps, turn: Computes, *, user_id: int, interaction_id: int, lang: str, question: str,
    speaker: str | None, private: bool,
) -> Asked:
    """/ask as both front ends answer it: the limit, one core call through the gate, the layout."""
    answer = await limited_call(
        deps, turn, lambda: deps.core.ask(question, speaker=speaker or None, lang=lang, limit=deps.page_size, offset=0),
        user_id=user_id, interaction_id=interaction_id, lang=lang,
    )
    if isinstance(answer, Refused):
        return Asked(note=answer.note)
    if answer.status is AnswerStatus.HELP:
        # How to use the bot is of interest to the asker only.
        return Asked(note=render_answer(answer, lang, question=question).content)
    state = None
    if answer.status is AnswerStatus.OK and (has_more(answer) or private):
        state = AskState.for_answer(answer, question=question, speaker=speaker or None, lang=lang, private=private,
                                    page_size=deps.page_size, asker_id=user_id)
    return Asked(reply=render_answer(answer, lang, question=question), state=state)


# What a client's tree is given: slash commands and message (context-menu) commands.
AppCommand = app_commands.Command[Any, Any, None] | app_commands.ContextMenu
# A quote to verify: a sentence or a paragraph (the core checks the first 1000 characters of anything longer).
QUOTE_MAX: Final = 1000


def speaker_choices(deps: Deps, current: str) -> list[app_commands.Choice[str]]:
    # Autocomplete cannot be deferred, so this only reads the core's in-memory speaker cache.
    try:
        names = deps.core.speaker_names(prefix=current.strip(), limit=CHOICES_MAX)
    except Exception:
        log.exception("discord_autocomplete_failed", extra={"prefix_len": len(current)})
        return []
    return [
        app_commands.Choice(name=cut(name, CHOICE_MAX_LEN), value=name[:CHOICE_MAX_LEN])
        for name in names[:CHOICES_MAX]
        if name
    ]


async def ask(deps: Deps, interaction: Interaction, question: str, speaker: str | None, private: bool) -> None:
    lang = interaction_lang(interaction)
    turn = Turn(interaction, lang=lang, ephemeral=private)
    async with turn.guard("/ask"):
        asked = await answer_ask(deps, turn, user_id=interaction.user.id, interaction_id=interaction.id, lang=lang,
                                 question=question, speaker=speaker, private=private)
        if asked.reply is None:
            await turn.tell(asked.note or "")
            return
        view: AnswerView | None = None
        if asked.state is not None:
            view = AnswerView(asked.state, core=deps.core, registry=deps.views, store=deps.state,
                              timeout=deps.view_timeout)
            view.editor = interaction
        try:
            if view is not None:
                await turn.compute(view.remember())
            await turn.show(asked.reply, view=view)
        except BaseException:
            if view is not None:
                view.stop()
            raise


async def stats_reply(
    deps: Deps, interaction: Interaction, command: str, render: Callable[[StoreStats, str], Reply]
) -> None:
    """A private reply drawn from what the store holds (/episodes, /about)."""
    lang = interaction_lang(interaction)
    turn = Turn(interaction, lang=lang, ephemeral=True)
    async with turn.guard(command):
        stats = await turn.compute(deps.core.stats())
        await turn.show(render(stats, lang))


async def reload(deps: Deps, interaction: Interaction) -> None:
    lang = interaction_lang(interaction)
    turn = Turn(interaction, lang=lang, ephemeral=True)
    async with turn.guard("/reload"):
        if not may_reload(interaction, deps.admin_ids):
            log.info("discord_reload_refused", extra={"interaction_id": interaction.id, "user_id": interaction.user.id})
            await turn.tell(i18n.t("not_allowed", lang))
            return
        log.info("discord_reload", extra={"interaction_id": interaction.id, "user_id": interaction.user.id})
        result = await turn.compute(deps.core.reload())
        await turn.show(render_reload(result, lang))


async def answer_timeline(
    deps: Deps, turn: Computes, *, user_id: int, interaction_id: int, lang: str, topic: str, speaker: str | None,
) -> Reply | Refused:
    """/timeline as both front ends answer it: the core's timeline, laid out like any answer."""
    answer = await limited_call(deps, turn, lambda: deps.core.timeline(topic, speaker=speaker or None, lang=lang),
                                user_id=user_id, interaction_id=interaction_id, lang=lang)
    return answer if isinstance(answer, Refused) else render_answer(answer, lang, question=topic)


async def timeline(deps: Deps, interaction: Interaction, topic: str, speaker: str | None, private: bool) -> None:
    """/timeline: the core's timeline answer, laid out like any answer (one entry per episode, dated)."""
    lang = interaction_lang(interaction)
    turn = Turn(interaction, lang=lang, ephemeral=private)
    async with turn.guard("/timeline"):
        reply = await answer_timeline(deps, turn, user_id=interaction.user.id, interaction_id=interaction.id,
                                      lang=lang, topic=topic, speaker=speaker)
        if isinstance(reply, Refused):
            await turn.tell(reply.note)
            return
        await turn.show(reply)


def may_reload(interaction: discord.Interaction[Any], admin_ids: frozenset[int]) -> bool:
    return may_reload_as(interaction.user.id, admin_ids, in_server=interaction.guild_id is not None,
                         manages_server=interaction.permissions.manage_guild)


def may_reload_as(user_id: int, admin_ids: frozenset[int], *, in_server: bool, manages_server: bool) -> bool:
    """Configured admins anywhere; otherwise members with Manage Server in a server."""
    return user_id in admin_ids or (in_server and manages_server)


def click_answerer(deps: Deps) -> Callable[[discord.Interaction[Any]], Awaitable[None]]:
    """What the client calls for a click no live view of this process serves."""

    async def answer(interaction: discord.Interaction[Any]) -> None:
        await answer_click(interaction, deps.views, core=deps.core, store=deps.state, view_timeout=deps.view_timeout)

    return answer


async def verify(
    deps: Deps, interaction: Interaction, quote: str, speaker: str | None, *, private: bool, command: str,
    from_message: bool = False,
) -> None:
    """/verify and "Find who said this": the core's verdict on the words, with the passages that show it."""
    lang = interaction_lang(interaction)
    turn = Turn(interaction, lang=lang, ephemeral=private)
    async with turn.guard(command):
        reply = await answer_verify(deps, turn, user_id=interaction.user.id, interaction_id=interaction.id,
                                    lang=lang, quote=quote, speaker=speaker, from_message=from_message)
        if isinstance(reply, Refused):
            await turn.tell(reply.note)
            return
        await turn.show(reply)


async def answer_verify(
    deps: Deps, turn: Computes, *, user_id: int, interaction_id: int, lang: str, quote: str, speaker: str | None,
    from_message: bool,
) -> Reply | Refused:
    """/verify and "Find who said this" as both front ends answer them."""
    found = await limited_call(
        deps, turn,
        lambda: deps.core.verify(quote[:QUOTE_MAX], speaker=speaker or None, lang=lang, from_message=from_message),
        user_id=user_id, interaction_id=interaction_id, lang=lang,
    )
    return found if isinstance(found, Refused) else render_verification(found, lang)


def build_commands(deps: Deps) -> list[AppCommand]:
    """Fresh command objects for one client's tree, each callback bound to `deps`.

    The callbacks are closures rather than methods: discord.py reads the options from the
    callback's signature and would take a method's first parameter for a cog.
    """

    async def speaker_autocomplete(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        return speaker_choices(deps, current)

    @app_commands.describe(
        question=described("opt_question"),
        speaker=described("opt_speaker"),
        private=described("opt_private"),
    )
    @app_commands.autocomplete(speaker=speaker_autocomplete)
    async def ask_command(
        interaction: Interaction,
        question: app_commands.Range[str, 1, QUESTION_MAX],
        speaker: app_commands.Range[str, 1, CHOICE_MAX_LEN] | None = None,
        private: bool = False,
    ) -> None:
        await ask(deps, interaction, question, speaker, private)

    @app_commands.describe(
        topic=described("opt_topic"),
        speaker=described("opt_timeline_speaker"),
        private=described("opt_private"),
    )
    @app_commands.autocomplete(speaker=speaker_autocomplete)
    async def timeline_command(
        interaction: Interaction,
        topic: app_commands.Range[str, 1, QUESTION_MAX],
        speaker: app_commands.Range[str, 1, CHOICE_MAX_LEN] | None = None,
        private: bool = False,
    ) -> None:
        await timeline(deps, interaction, topic, speaker, private)

    async def episodes_command(interaction: Interaction) -> None:
        await stats_reply(deps, interaction, "/episodes", render_episodes)

    async def about_command(interaction: Interaction) -> None:
        await stats_reply(deps, interaction, "/about", render_about)

    async def reload_command(interaction: Interaction) -> None:
        await reload(deps, interaction)

    @app_commands.describe(quote=described("opt_quote"), speaker=described("opt_verify_speaker"))
    @app_commands.autocomplete(speaker=speaker_autocomplete)
    async def verify_command(
        interaction: Interaction,
        quote: app_commands.Range[str, 1, QUOTE_MAX],
        speaker: app_commands.Range[str, 1, CHOICE_MAX_LEN] | None = None,
    ) -> None:
        await verify(deps, interaction, quote, speaker, private=False, command="/verify")

    async def find_who_said(interaction: Interaction, message: discord.Message) -> None:
        # Someone else's message, checked for the one who asked: the reply is theirs alone.
        await verify(
            deps, interaction, message.content, None, private=True, command="find_who_said", from_message=True
        )

    @app_commands.describe(url=described("opt_url"))
    async def add_command(interaction: Interaction, url: app_commands.Range[str, 1, URL_MAX]) -> None:
        await add_source(deps, interaction, url, may_reload)

    return [
        app_commands.Command(name="ask", description=described("cmd_ask"), callback=ask_command),
        app_commands.Command(name="episodes", description=described("cmd_episodes"), callback=episodes_command),
        app_commands.Command(name="about", description=described("cmd_about"), callback=about_command),
        app_commands.Command(name="reload", description=described("cmd_reload"), callback=reload_command),
        app_commands.Command(name="timeline", description=described("cmd_timeline"), callback=timeline_command),
        app_commands.Command(name="verify", description=described("cmd_verify"), callback=verify_command),
        app_commands.ContextMenu(name=described("ctx_find_who"), callback=find_who_said),
        app_commands.Command(name="add", description=described("cmd_add"), callback=add_command),
    ]
