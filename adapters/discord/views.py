"""The "More" and "Share" buttons under an answer, as the gateway bot serves them.

A button's custom_id is `saidbot:<action>:<key>` (adapters/discord/buttons.py). A live `AnswerView`
in this process answers clicks on the messages it drew; its state is also kept in the shared state,
so a click that reaches a process without that view (another shard, the bot after a restart, a web
instance) is answered from there by a view rebuilt for the click (`answer_click`). Only when the state
is gone too (expired, or never ours) does the click get the polite "expired" note.

A view is given the core, the registry and the shared state it needs when it is made; it never
reaches them through the Discord client.
"""

from __future__ import annotations

import logging
from typing import Any, Final

import discord

from bot import i18n
from bot.models import AnswerStatus
from bot.port import Core
from bot.shared_state import SharedState

from .buttons import (
    VIEW_TIMEOUT,
    AskState,
    ButtonRef,
    answer_buttons,
    new_key,
    next_page,
    parse_custom_id,
    recall,
    remember,
    share_claim,
    shown_page,
)
from .format import Reply, render_answer
from .respond import NO_MENTIONS, Turn, interaction_lang

__all__ = ["VIEW_TIMEOUT", "AnswerView", "AskState", "ButtonRef", "ViewRegistry", "answer_click",
           "parse_custom_id"]

log = logging.getLogger(__name__)

_TIMEOUT: Final = VIEW_TIMEOUT


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
    def __init__(self, action: str, template: discord.ui.Button[Any]) -> None:
        super().__init__(label=template.label, style=template.style, custom_id=template.custom_id,
                         disabled=template.disabled)
        self.action = action

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        assert self.view is not None
        await self.view.handle(self.action, interaction)


class AnswerView(discord.ui.View):
    def __init__(
        self, state: AskState, *, core: Core, registry: ViewRegistry, store: SharedState,
        timeout: float = _TIMEOUT, key: str | None = None,
    ) -> None:
        super().__init__(timeout=timeout)
        self.core = core
        self.registry = registry
        self.store = store
        self.state = state
        self.key = key or new_key()
        self.ttl = timeout
        # The latest interaction whose original response is the message these buttons sit on.
        self.editor: discord.Interaction[Any] | None = None
        templates = answer_buttons(self.key, state)
        self.more = _ActionButton("more", templates[0])
        self.add_item(self.more)
        # Set before the first await of a Share click, so a second click cannot post a second copy.
        self.shared = False
        self.share: _ActionButton | None = None
        if len(templates) > 1:
            self.share = _ActionButton("share", templates[1])
            self.add_item(self.share)
        self.refresh()
        registry.add(self)

    def refresh(self) -> None:
        self.more.disabled = not self.state.more

    async def remember(self) -> None:
        """Keep the state where any instance finds it (again after every page)."""
        await remember(self.store, self.key, self.state, self.ttl)

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
            answer = await turn.compute(next_page(self.core, self.state, lang))
            if answer.status is not AnswerStatus.OK or not answer.citations:
                await turn.tell(i18n.t("no_more", lang))
                return
            await turn.show(render_answer(answer, lang, question=self.state.question))

    async def _more(self, turn: Turn) -> None:
        state = self.state
        answer = await turn.compute(next_page(self.core, state, state.lang))
        self.editor = turn.interaction
        if answer.status is not AnswerStatus.OK or not answer.citations:
            # The notes changed since the first page; keep what is shown and say so.
            self.more.disabled = True
            await turn.show(None, view=self)
            await turn.tell(i18n.t("no_more", state.lang))
            return
        state.showing(answer)
        self.refresh()
        if self.share is not None:
            self.share.disabled = False  # a new page is something new to share
            self.shared = False
        await turn.compute(self.remember())
        await turn.show(render_answer(answer, state.lang, question=state.question), view=self)

    async def _share(self, turn: Turn) -> None:
        interaction = turn.interaction
        message_id = interaction.message.id if interaction.message is not None else self.key
        if not await turn.compute(self.store.claim(share_claim(message_id, self.state))):
            # The same page was shared already, from this process or another one.
            log.info("discord_share_duplicate", extra={"interaction_id": interaction.id, "message_id": message_id})
            await turn.show(None, view=self)
            return
        answer = await turn.compute(shown_page(self.core, self.state))
        reply = render_answer(answer, self.state.lang, question=self.state.question,
                              shared_by=interaction.user.mention)
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


async def answer_click(
    interaction: discord.Interaction[Any], registry: ViewRegistry, *, core: Core, store: SharedState,
    view_timeout: float = _TIMEOUT,
) -> None:
    """Answer a click on one of our buttons that no live view of this process serves.

    Clicks on live views are theirs to answer. Otherwise the button's state is looked up in the
    shared state (another shard or instance drew it, or this bot before a restart) and a view
    rebuilt from it answers; without state, a polite "expired" note does.
    """
    if interaction.type is not discord.InteractionType.component:
        return
    data: Any = interaction.data if isinstance(interaction.data, dict) else {}
    ref = parse_custom_id(data.get("custom_id"))
    if ref is not None and ref.key in registry:
        return
    lang = interaction_lang(interaction)
    turn = Turn(interaction, lang=lang, update=True)
    state: AskState | None = None
    async with turn.guard("button state"):
        state = await turn.compute(recall(store, ref.key)) if ref is not None else None
        if state is None:
            await _expired(turn, data.get("custom_id"))
    if state is None or ref is None:
        return
    view = AnswerView(state, core=core, registry=registry, store=store, timeout=view_timeout, key=ref.key)
    log.info("discord_click_from_shared_state", extra={"interaction_id": interaction.id, "action": ref.action})
    try:
        await view.handle(ref.action, interaction)
    finally:
        if not view.is_dispatching():
            # The message was not redrawn with this view (a private page for another member, a
            # failure): nothing will dispatch to it, so it must not hold the key.
            view.stop()


async def _expired(turn: Turn, custom_id: object) -> None:
    # Every view this process shows is in the registry and every state it drew is shared, so
    # nothing else will answer this click: an expired one, an older version's id, a malformed or a
    # foreign one. Silence would show "This interaction failed"; a polite note is better.
    log.info("discord_expired_click", extra={
        "interaction_id": turn.interaction.id,
        "custom_id": str(custom_id)[:100] if custom_id is not None else None,
    })
    # One private note in the interaction's own response: nothing else to wait for or fail.
    await turn.tell(i18n.t("expired", turn.lang))
