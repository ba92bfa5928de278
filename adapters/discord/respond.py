"""Answering one interaction within Discord's deadline, and failing politely.

Discord drops an interaction that is not acknowledged within 3 seconds of its creation. A `Turn`
runs the core's work as a task and waits for it only until `DEFER_AFTER` seconds after the
interaction was created; if the work is not done by then, it acknowledges with a deferral and
later completes the reply by editing the original response.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any, Final, Protocol, TypeVar

import discord

from bot import i18n

from .format import Reply

log = logging.getLogger(__name__)

# Defer well before the 3-second deadline: the deferral is itself a round trip, and Discord (or
# its rate limiter) may take a second or more to answer it. 1.2 s leaves 1.8 s for that trip.
DEFER_AFTER: Final = 1.2

# Discord's codes for an interaction that can no longer be answered: its token expired (or the
# 3 seconds passed), or someone (another process, a retried request) acknowledged it already.
UNKNOWN_INTERACTION: Final = 10062
ALREADY_ACKNOWLEDGED: Final = 40060
_GONE: Final = frozenset({UNKNOWN_INTERACTION, ALREADY_ACKNOWLEDGED})

NO_MENTIONS: Final = discord.AllowedMentions.none()

T = TypeVar("T")


class Computes(Protocol):
    """A turn of either front end (gateway `Turn`, HTTP `HttpTurn`): runs work within Discord's deadline."""

    async def compute(self, work: Awaitable[T]) -> T: ...


def is_gone(error: BaseException) -> bool:
    """Discord says the interaction is expired or already answered: nothing more can be sent to it."""
    return isinstance(error, discord.HTTPException) and error.code in _GONE


def interaction_lang(interaction: discord.Interaction[Any]) -> str:
    """The user's Discord client language, narrowed to a language the bot speaks."""
    return i18n.normalize_lang(interaction.locale.value)


def interaction_age(interaction: discord.Interaction[Any]) -> float:
    """Seconds since Discord created the interaction (from its snowflake id), never negative.

    A local clock that runs ahead only makes us defer sooner, which is always safe.
    """
    return max(0.0, (discord.utils.utcnow() - interaction.created_at).total_seconds())


class Turn:
    """The response to one interaction: compute within the deadline, then show or apologize.

    `update=True` is for button clicks: the reply replaces the clicked message instead of
    posting a new one.
    """

    def __init__(
        self,
        interaction: discord.Interaction[Any],
        *,
        lang: str,
        ephemeral: bool = False,
        update: bool = False,
        defer_after: float = DEFER_AFTER,
    ) -> None:
        self.interaction = interaction
        self.lang = lang
        self.ephemeral = ephemeral
        self.update = update
        self.defer_after = defer_after
        self.deferred = False
        # compute() and the work it waits for may both decide to defer; only one may acknowledge.
        self._defer_lock = asyncio.Lock()

    async def compute(self, work: Awaitable[T]) -> T:
        """Await `work`; if it is not done in time, defer first so Discord keeps the interaction."""
        task: asyncio.Future[T] = asyncio.ensure_future(work)
        try:
            budget = max(0.0, self.defer_after - interaction_age(self.interaction))
            done, _ = await asyncio.wait({task}, timeout=budget)
            if not done:
                await self.defer()
            return await task
        finally:
            # Only reached with the task pending when we were cancelled (e.g. the client closes).
            if not task.done():
                task.cancel()

    async def defer(self) -> None:
        response = self.interaction.response
        async with self._defer_lock:
            if response.is_done():
                return
            if self.update:
                # The clicked message stays as it is until we edit it.
                await self._acknowledge(response.defer())
            else:
                await self._acknowledge(response.defer(ephemeral=self.ephemeral, thinking=True))
            self.deferred = True
        log.info("discord_deferred", extra={"interaction_id": self.interaction.id, "after_s": self.defer_after})

    async def show(self, reply: Reply | None, view: discord.ui.View | None = None) -> None:
        """Send (or, once acknowledged, edit in) the reply; `reply=None` changes only the buttons.

        `view=None` removes any buttons.
        """
        fields: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
        if reply is not None:
            fields["content"] = reply.content or None
            fields["embeds"] = reply.embeds
        response = self.interaction.response
        if response.is_done():
            await self.interaction.edit_original_response(view=view, **fields)
            return
        if self.update:
            complete = await self._acknowledge(response.edit_message(view=view, **fields))
        else:
            if view is not None:
                fields["view"] = view
            complete = await self._acknowledge(response.send_message(ephemeral=self.ephemeral, **fields))
        if not complete and view is not None:
            # discord.py keeps a view only once it knows the message id; an edit tells it.
            await self.interaction.edit_original_response(view=view, allowed_mentions=NO_MENTIONS)

    async def _acknowledge(self, callback: Awaitable[object]) -> bool:
        """Send an interaction callback. False when Discord accepted it but its reply body was not
        the documented shape (discord.py asks for `with_response`; a server that answers 204, as the
        API does without it, makes discord.py fail after the fact). The user saw the reply anyway."""
        try:
            await callback
        except (TypeError, KeyError, AttributeError):
            if not self.interaction.response.is_done():
                raise
            log.warning("discord_callback_without_body", extra={"interaction_id": self.interaction.id})
            return False
        return True

    async def tell(self, text: str) -> None:
        """A short note only the user sees, whatever state the response is in."""
        response = self.interaction.response
        if not response.is_done():
            await response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        elif self.deferred and not self.update and self.ephemeral:
            # The "thinking…" placeholder is already private: put the note there.
            await self.interaction.edit_original_response(
                content=text, embeds=[], view=None, allowed_mentions=NO_MENTIONS
            )
        else:
            if self.deferred and not self.update:
                # A public "thinking…" placeholder must not linger; the note goes privately.
                await self.interaction.delete_original_response()
            await self.interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def apologize(self) -> None:
        try:
            await self.tell(i18n.t("error", self.lang))
        except discord.HTTPException as exc:
            log.warning("discord_apology_failed", extra={"interaction_id": self.interaction.id, "code": exc.code,
                                                         "status": exc.status})

    @asynccontextmanager
    async def guard(self, what: str) -> AsyncIterator[Turn]:
        """Log any failure in the block with its traceback and give the user a short apology.

        Every interaction also leaves one line with its id and how long answering it took.
        """
        began = time.perf_counter()
        outcome = "ok"
        try:
            yield self
        except discord.HTTPException as exc:
            if not is_gone(exc):
                outcome = "error"
                log.exception("discord_handler_failed", extra={"interaction_id": self.interaction.id, "what": what})
                await self.apologize()
            else:
                # Nobody is waiting on this interaction any more; an apology would fail the same way.
                outcome = "expired"
                log.warning("discord_interaction_gone", extra={
                    "interaction_id": self.interaction.id, "what": what, "code": exc.code,
                })
        except Exception:
            outcome = "error"
            log.exception("discord_handler_failed", extra={"interaction_id": self.interaction.id, "what": what})
            await self.apologize()
        finally:
            log.info("discord_interaction", extra={
                "interaction_id": self.interaction.id, "what": what, "outcome": outcome, "deferred": self.deferred,
                "ms": round((time.perf_counter() - began) * 1000, 1), "locale": str(self.interaction.locale),
            })

