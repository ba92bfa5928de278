"""The "More" and "Share" buttons under an answer.

A button's custom_id is `saidbot:<action>:<key>`; the key names a live `AnswerView` in this
process's `ViewRegistry`, which holds the question and the page shown. After a restart (or once a
view has timed out) the key is unknown, and `answer_stale_click` answers the click with a polite
"expired" note instead of silently failing.

A view is given the core and the registry it needs when it is made; it never reaches them
through the Discord client.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any, Final

import discord

from bot import i18n
from bot.models import Answer, AnswerStatus
from bot.port import Core
from bot.present import has_more

from .format import Reply, render_answer
from .respond import NO_MENTIONS, Turn, interaction_lang

log = logging.getLogger(__name__)

# Interaction tokens (used to disable the buttons when the view times out) live 15 minutes; the
# timeout restarts on every click, and each click brings a fresh token.
VIEW_TIMEOUT: Final = 600.0

_CUSTOM_ID = re.compile(r"saidbot:(?P<action>more|share):(?P<key>[0-9a-f]{16})")


@dataclass(frozen=True)
class ButtonRef:
    action: str
    key: str


def parse_custom_id(custom_id: object) -> ButtonRef | None:
    """The action and view key of one of our buttons, or None for anything else."""
    if not isinstance(custom_id, str):
        return None
    match = _CUSTOM_ID.fullmatch(custom_id)
    return ButtonRef(match["action"], match["key"]) if match else None


@dataclass
class AskState:
    """Enough to ask the core for the next page, and to share the page shown."""

    question: str
    speaker: str | None
    lang: str
    private: bool
    page_size: int
    answer: Answer
    # Who asked: only they page the message itself; anyone else gets their own private page.
    asker_id: int | None = None


class ViewRegistry:
    """The answer views alive in this process, by key."""

    def __init__(self) -> None:
        self._views: dict[str, AnswerView] = {}

    def add(self, view: AnswerView) -> None:
        self._views[view.key] = view

    def discard(self, key: str) -> None:
        self._views.pop(key, None)

    def __contains__(self, key: object) -> bool:
        return key in self._views

    def __len__(self) -> int:
        return len(self._views)


class _ActionButton(discord.ui.Button["AnswerView"]):
    def __init__(self, action: str, key: str, label: str, style: discord.ButtonStyle) -> None:
        super().__init__(label=label, style=style, custom_id=f"saidbot:{action}:{key}")
        self.action = action

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        assert self.view is not None
        await self.view.handle(self.action, interaction)


class AnswerView(discord.ui.View):
    def __init__(
        self, state: AskState, *, core: Core, registry: ViewRegistry, timeout: float = VIEW_TIMEOUT
    ) -> None:
        super().__init__(timeout=timeout)
        self.core = core
        self.registry = registry
        self.state = state
        self.key = secrets.token_hex(8)
        # The latest interaction whose original response is the message these buttons sit on.
        self.editor: discord.Interaction[Any] | None = None
        self.more = _ActionButton("more", self.key, i18n.t("more", state.lang), discord.ButtonStyle.primary)
        self.add_item(self.more)
        # Set before the first await of a Share click, so a second click cannot post a second copy.
        self.shared = False
        self.share: _ActionButton | None = None
        if state.private:
            label = i18n.t("share", state.lang)
            self.share = _ActionButton("share", self.key, label, discord.ButtonStyle.secondary)
            self.add_item(self.share)
        self.refresh()
        registry.add(self)

    def refresh(self) -> None:
        self.more.disabled = not has_more(self.state.answer)

    def stop(self) -> None:
        self.registry.discard(self.key)
        super().stop()

    async def on_timeout(self) -> None:
        self.registry.discard(self.key)
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.editor is None:
            return
        try:
            await self.editor.edit_original_response(view=self, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            # The message may be gone (deleted, or an ephemeral one dismissed); nothing to disable.
            log.debug("discord_view_disable_failed", extra={"view": self.key}, exc_info=True)

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        log.error("discord_button_failed", exc_info=error, extra={
            "interaction_id": interaction.id, "custom_id": getattr(item, "custom_id", None),
        })
        await Turn(interaction, lang=self.state.lang, update=True).apologize()

    async def handle(self, action: str, interaction: discord.Interaction[Any]) -> None:
        asker = self.state.asker_id
        if action == "more" and asker is not None and interaction.user.id != asker:
            await self._more_for_someone_else(interaction)
            return
        turn = Turn(interaction, lang=self.state.lang, update=True)
        async with turn.guard(f"button {action}"):
            if action == "more":
                await self._more(turn)
            elif action == "share":
                if self.shared:
                    # A second (quick) click: the first one is posting already; only redraw the buttons.
                    log.info("discord_share_duplicate", extra={"interaction_id": interaction.id})
                    await turn.show(None, view=self)
                    return
                self.shared = True
                if self.share is not None:
                    self.share.disabled = True
                await self._share(turn)

    async def _more_for_someone_else(self, interaction: discord.Interaction[Any]) -> None:
        """The next page, privately, in the clicker's language; the asker's message stays as it is."""
        lang = interaction_lang(interaction)
        turn = Turn(interaction, lang=lang, ephemeral=True)
        async with turn.guard("button more (other member)"):
            shown = self.state.answer
            answer = await turn.compute(self.core.ask(
                self.state.question, speaker=self.state.speaker, lang=lang, limit=self.state.page_size,
                offset=shown.offset + len(shown.citations),
            ))
            if answer.status is not AnswerStatus.OK or not answer.citations:
                await turn.tell(i18n.t("no_more", lang))
                return
            await turn.show(render_answer(answer, lang, question=self.state.question))

    async def _more(self, turn: Turn) -> None:
        state = self.state
        shown = state.answer
        answer = await turn.compute(
            self.core.ask(
                state.question,
                speaker=state.speaker,
                lang=state.lang,
                limit=state.page_size,
                offset=shown.offset + len(shown.citations),
            )
        )
        self.editor = turn.interaction
        if answer.status is not AnswerStatus.OK or not answer.citations:
            # The notes changed since the first page; keep what is shown and say so.
            self.more.disabled = True
            await turn.show(None, view=self)
            await turn.tell(i18n.t("no_more", state.lang))
            return
        state.answer = answer
        self.refresh()
        if self.share is not None:
            self.share.disabled = False  # a new page is something new to share
            self.shared = False
        await turn.show(render_answer(answer, state.lang, question=state.question), view=self)

    async def _share(self, turn: Turn) -> None:
        interaction = turn.interaction
        reply = render_answer(
            self.state.answer, self.state.lang, question=self.state.question, shared_by=interaction.user.mention
        )
        await turn.compute(self._post_publicly(turn, reply))
        if self.share is not None:
            self.share.disabled = True  # one public copy is enough
        self.editor = interaction
        await turn.show(None, view=self)

    async def _post_publicly(self, turn: Turn, reply: Reply) -> None:
        interaction = turn.interaction
        channel = interaction.channel
        if isinstance(channel, discord.abc.Messageable):
            try:
                await channel.send(content=reply.content or None, embeds=reply.embeds, allowed_mentions=NO_MENTIONS)
                return
            except (discord.Forbidden, discord.NotFound):
                # The bot cannot post there itself (not a member, or no Send Messages permission);
                # a public follow-up to the interaction needs no channel permission.
                log.info("discord_share_fallback", extra={
                    "interaction_id": interaction.id, "channel_id": interaction.channel_id,
                })
        await turn.defer()
        await interaction.followup.send(
            content=reply.content or discord.utils.MISSING,
            embeds=reply.embeds,
            ephemeral=False,
            allowed_mentions=NO_MENTIONS,
        )


async def answer_stale_click(interaction: discord.Interaction[Any], registry: ViewRegistry) -> None:
    """Answer a click on one of our buttons whose view no longer exists (a restart, or timed out).

    Clicks on live views are theirs to answer, and other bots' buttons are not ours.
    """
    if interaction.type is not discord.InteractionType.component:
        return
    data: Any = interaction.data if isinstance(interaction.data, dict) else {}
    ref = parse_custom_id(data.get("custom_id"))
    if ref is not None and ref.key in registry:
        return
    # Every view this process shows is in the registry, so nothing else will answer this click: an
    # older version's id, a malformed one, or a foreign one. Silence would show "This interaction
    # failed"; a polite note is better.
    lang = interaction_lang(interaction)
    turn = Turn(interaction, lang=lang, update=True)
    async with turn.guard("expired button"):
        custom_id = data.get("custom_id")
        log.info("discord_expired_click", extra={
            "interaction_id": interaction.id, "custom_id": str(custom_id)[:100] if custom_id is not None else None,
        })
        # One private note in the interaction's own response: nothing else to wait for or fail.
        await turn.tell(i18n.t("expired", lang))
