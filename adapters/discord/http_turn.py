"""The HTTP twin of `respond.Turn`: one interaction's answer, as the HTTP response or through its webhook.

The core gets until `DEFER_AFTER` seconds after the interaction was created; done by then, the answer
is the HTTP response itself (type 4, or 7 for a click); otherwise the response defers (5, or 6 for a
click) and the answer is edited in through the interaction's webhook, as the gateway bot does it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any, Final, TypeVar

from bot import i18n

from .buttons import AskState, answer_buttons
from .format import Reply
from .interaction_request import Incoming
from .respond import DEFER_AFTER, UNKNOWN_INTERACTION
from .webhook import Webhook, WebhookError

log = logging.getLogger(__name__)

T = TypeVar("T")
Json = dict[str, Any]

# How long a webhook call waits for our HTTP answer to be on its way (Discord creates the message from it).
SENT_WAIT: Final = 3.0
# Callback types (Discord API reference).
CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
EPHEMERAL: Final = 1 << 6
# Interaction gone (expired, or answered elsewhere) or its webhook unknown.
_GONE: Final = frozenset({UNKNOWN_INTERACTION, 10015})


def message_body(reply: Reply | None, components: list[Json] | None = None) -> Json:
    """A message as Discord's JSON: what discord.py sends for the same `Reply` and buttons."""
    body: Json = {"allowed_mentions": {"parse": []}}
    if reply is not None:
        body["content"] = reply.content
        body["embeds"] = [embed.to_dict() for embed in reply.embeds]
    if components is not None:
        body["components"] = components
    return body


def button_rows(key: str, state: AskState, *, shared: bool = False) -> list[Json]:
    return [{"type": 1, "components": [dict(b.to_component_dict()) for b in answer_buttons(key, state, shared=shared)]}]


class Exchange:
    """One interaction's first answer (the HTTP response) and the webhook calls after it."""

    def __init__(self, incoming: Incoming, webhook: Webhook) -> None:
        self.incoming = incoming
        self.webhook = webhook
        self.first: asyncio.Future[Json] = asyncio.get_running_loop().create_future()
        self.sent = asyncio.Event()
        # None until answered; then "message", "update", "deferred_message" or "deferred_update".
        self.acked: str | None = None
        self.deferred_ephemeral = False
        # The first turn made for this interaction: how a deferral on its behalf must look.
        self.pending: HttpTurn | None = None

    def answer(self, callback: Json, acked: str) -> None:
        self.acked = acked
        self.first.set_result(callback)

    async def _after_sent(self) -> None:
        # Discord creates the message our webhook calls refer to from the HTTP answer.
        try:
            async with asyncio.timeout(SENT_WAIT):
                await self.sent.wait()
        except TimeoutError:
            log.warning("discord_http_answer_not_sent", extra={"interaction_id": self.incoming.id})

    async def edit(self, body: Json) -> None:
        await self._after_sent()
        await self.webhook.edit_original(self.incoming.token, body)

    async def delete(self) -> None:
        await self._after_sent()
        await self.webhook.delete_original(self.incoming.token)

    async def followup(self, body: Json) -> None:
        await self._after_sent()
        await self.webhook.followup(self.incoming.token, body)


class HttpTurn:
    """The HTTP twin of `respond.Turn`: compute within the deadline, then show, tell or apologize.

    `update=True` is for clicks: the reply replaces the clicked message instead of posting a new one.
    """

    def __init__(
        self, exchange: Exchange, *, lang: str, ephemeral: bool = False, update: bool = False,
        defer_after: float = DEFER_AFTER,
    ) -> None:
        self.exchange = exchange
        self.lang = lang
        self.ephemeral = ephemeral
        self.update = update
        self.defer_after = defer_after
        if exchange.pending is None:
            exchange.pending = self

    @property
    def deferred(self) -> bool:
        return self.exchange.acked in ("deferred_message", "deferred_update")

    async def compute(self, work: Awaitable[T]) -> T:
        task: asyncio.Future[T] = asyncio.ensure_future(work)
        try:
            budget = max(0.0, self.defer_after - self.exchange.incoming.age)
            done, _ = await asyncio.wait({task}, timeout=budget)
            if not done:
                self.defer()
            return await task
        finally:
            if not task.done():
                task.cancel()

    def defer(self) -> None:
        exchange = self.exchange
        if exchange.acked is not None:
            return
        if self.update:
            exchange.answer({"type": DEFERRED_UPDATE}, "deferred_update")
        else:
            exchange.deferred_ephemeral = self.ephemeral
            exchange.answer({"type": DEFERRED_MESSAGE, "data": {"flags": EPHEMERAL if self.ephemeral else 0}},
                            "deferred_message")
        log.info("discord_deferred", extra={"interaction_id": exchange.incoming.id, "after_s": self.defer_after})

    async def show(self, reply: Reply | None, components: list[Json] | None = None) -> None:
        """Send (or, once acknowledged, edit in) the reply; `reply=None` changes only the buttons.

        `components=None` removes any buttons.
        """
        exchange = self.exchange
        body = message_body(reply, components if components is not None else [])
        if exchange.acked is None:
            if self.update:
                exchange.answer({"type": UPDATE_MESSAGE, "data": body}, "update")
            else:
                if self.ephemeral:
                    body["flags"] = EPHEMERAL
                exchange.answer({"type": CHANNEL_MESSAGE, "data": body}, "message")
        elif (exchange.acked == "deferred_update") == self.update and self.deferred:
            await exchange.edit(body)
        else:
            if self.ephemeral:
                body["flags"] = EPHEMERAL
            await exchange.followup(body)

    async def tell(self, text: str) -> None:
        """A short note only the user sees, whatever state the response is in."""
        exchange = self.exchange
        note = {"content": text, "flags": EPHEMERAL}
        if exchange.acked is None:
            exchange.answer({"type": CHANNEL_MESSAGE, "data": {"allowed_mentions": {"parse": []}, **note}}, "message")
        elif exchange.acked == "deferred_message" and exchange.deferred_ephemeral:
            # The "thinking…" placeholder is already private: put the note there.
            await exchange.edit({"content": text, "embeds": [], "components": []})
        else:
            if exchange.acked == "deferred_message":
                # A public "thinking…" placeholder must not linger; the note goes privately.
                await exchange.delete()
            await exchange.followup(note)

    async def post_public(self, reply: Reply) -> None:
        """A public follow-up message (Share): needs the interaction acknowledged first."""
        self.defer()
        await self.exchange.followup(message_body(reply))

    async def apologize(self) -> None:
        try:
            await self.tell(i18n.t("error", self.lang))
        except WebhookError as exc:
            log.warning("discord_apology_failed", extra={"interaction_id": self.exchange.incoming.id,
                                                         "code": exc.code, "status": exc.status})

    @asynccontextmanager
    async def guard(self, what: str) -> AsyncIterator[HttpTurn]:
        """Log any failure in the block and give the user a short apology; one line per interaction."""
        began = time.perf_counter()
        outcome = "ok"
        interaction_id = self.exchange.incoming.id
        try:
            yield self
        except WebhookError as exc:
            if exc.code in _GONE:
                outcome = "expired"
                log.warning("discord_interaction_gone", extra={
                    "interaction_id": interaction_id, "what": what, "code": exc.code,
                })
            else:
                outcome = "error"
                log.exception("discord_handler_failed", extra={"interaction_id": interaction_id, "what": what})
                await self.apologize()
        except Exception:
            outcome = "error"
            log.exception("discord_handler_failed", extra={"interaction_id": interaction_id, "what": what})
            await self.apologize()
        finally:
            log.info("discord_interaction", extra={
                "interaction_id": interaction_id, "what": what, "outcome": outcome, "deferred": self.deferred,
                "ms": round((time.perf_counter() - began) * 1000, 1), "locale": self.lang, "over": "http",
            })


