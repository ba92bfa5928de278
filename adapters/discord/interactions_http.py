"""Discord over HTTP: the Interactions Endpoint (`POST /discord/interactions`) on the web process.

With an Interactions Endpoint URL set in the Developer Portal, Discord posts every interaction here
instead of sending it over a gateway connection, so the bot needs no worker and scales with the web
instances. The same commands, the same core calls and the same replies as the gateway bot:
`commands.answer_ask`, `commands.speaker_choices`, the renderers of `format`, the buttons and button
state of `buttons`.

The signature is checked before anything reads the body (`interaction_request`): a missing or bad one
is a 401, a body that is not an interaction a 400, too large a 413, never a 5xx. Answers go through an
`HttpTurn` (`http_turn`): inline within `DEFER_AFTER`, else deferred and edited in through the webhook.
An interaction id is claimed in the shared state, so a delivery repeated to any instance is answered once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeGuard

from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from bot import i18n
from bot.models import AnswerStatus, StoreStats
from bot.port import Core
from bot.settings import Settings
from bot.shared_state import SharedState

from .add import URL_MAX, added_reply
from .buttons import (
    QUESTION_MAX,
    AskState,
    ButtonRef,
    interaction_claim,
    new_key,
    next_page,
    parse_custom_id,
    recall,
    remember,
    share_claim,
    shown_page,
)
from .commands import (
    CHOICE_MAX_LEN,
    QUOTE_MAX,
    Refused,
    answer_ask,
    answer_timeline,
    answer_verify,
    may_reload_as,
    speaker_choices,
)
from .deps import Deps, build_deps
from .format import Reply, render_about, render_answer, render_episodes, render_reload
from .http_turn import Exchange, HttpTurn, button_rows
from .interaction_request import PING, Incoming, Unreadable, public_key, read_interaction, signed
from .webhook import Webhook

log = logging.getLogger(__name__)

Json = dict[str, Any]
INTERACTIONS_PATH: Final = "/discord/interactions"
# Interactions are a few KB (a click carries the clicked message, at most ~20 KB of embeds).
MAX_BODY: Final = 128 * 1024
BODY_SECONDS: Final = 10.0
# If nothing answered by then (a slow shared state before the core was even asked), defer anyway.
RESPOND_BY: Final = 2.5
# At most this long for the claim that answers an interaction once (it counts against the 3 seconds).
CLAIM_SECONDS: Final = 1.0
# Interaction and callback types (Discord API reference).
MESSAGE_COMPONENT, AUTOCOMPLETE = 3, 4
PONG, AUTOCOMPLETE_RESULT = 1, 8


class InteractionHandlers:
    """The commands and clicks of one web process, answering from `deps` (the gateway bot's too)."""

    def __init__(self, deps: Deps, webhook: Webhook) -> None:
        self.deps = deps
        self.webhook = webhook

    def routes(self) -> dict[str, Callable[[Exchange, dict[str, Any]], Awaitable[None]]]:
        """Every command of the gateway bot's tree, by the name Discord sends (a test holds them equal)."""
        return {
            "ask": self.ask, "about": self.about, "episodes": self.episodes, "reload": self.reload,
            "add": self.add, "timeline": self.timeline, "verify": self.verify,
            i18n.t("ctx_find_who", "en"): self.find_who_said,
        }

    async def command(self, exchange: Exchange) -> None:
        it = exchange.incoming
        name = it.data.get("name")
        route = self.routes().get(name) if isinstance(name, str) else None
        if route is None:
            # A command Discord still lists but this version no longer has.
            log.warning("discord_command_rejected", extra={"interaction_id": it.id, "command": str(name)[:32]})
            await HttpTurn(exchange, lang=it.lang, ephemeral=True).apologize()
            return
        await route(exchange, it.options())

    async def about(self, exchange: Exchange, options: dict[str, Any]) -> None:
        await self._stats(exchange, "/about", render_about)

    async def episodes(self, exchange: Exchange, options: dict[str, Any]) -> None:
        await self._stats(exchange, "/episodes", render_episodes)

    async def _stats(self, exchange: Exchange, what: str, render: Callable[[StoreStats, str], Reply]) -> None:
        """A private reply drawn from what the store holds."""
        lang = exchange.incoming.lang
        turn = HttpTurn(exchange, lang=lang, ephemeral=True)
        async with turn.guard(what):
            stats = await turn.compute(self.deps.core.stats())
            await turn.show(render(stats, lang))

    async def ask(self, exchange: Exchange, options: dict[str, Any]) -> None:
        it = exchange.incoming
        question, speaker, private = options.get("question"), options.get("speaker"), options.get("private")
        private = private is True
        turn = HttpTurn(exchange, lang=it.lang, ephemeral=private)
        async with turn.guard("/ask"):
            if not _text(question, QUESTION_MAX) or not _speaker(speaker):
                await self._rejected(turn, "ask")
                return
            asked = await answer_ask(self.deps, turn, user_id=it.user_id, interaction_id=it.id, lang=it.lang,
                                     question=question, speaker=speaker, private=private)
            if asked.reply is None:
                await turn.tell(asked.note or "")
                return
            components = None
            if asked.state is not None:
                key = new_key()
                await turn.compute(remember(self.deps.state, key, asked.state, self.deps.view_timeout))
                components = button_rows(key, asked.state)
            await turn.show(asked.reply, components)

    async def timeline(self, exchange: Exchange, options: dict[str, Any]) -> None:
        it = exchange.incoming
        topic, speaker, private = options.get("topic"), options.get("speaker"), options.get("private") is True
        turn = HttpTurn(exchange, lang=it.lang, ephemeral=private)
        async with turn.guard("/timeline"):
            if not _text(topic, QUESTION_MAX) or not _speaker(speaker):
                await self._rejected(turn, "timeline")
                return
            reply = await answer_timeline(self.deps, turn, user_id=it.user_id, interaction_id=it.id, lang=it.lang,
                                          topic=topic, speaker=speaker)
            await (turn.tell(reply.note) if isinstance(reply, Refused) else turn.show(reply))

    async def verify(self, exchange: Exchange, options: dict[str, Any]) -> None:
        it = exchange.incoming
        quote, speaker = options.get("quote"), options.get("speaker")
        turn = HttpTurn(exchange, lang=it.lang)
        async with turn.guard("/verify"):
            if not _text(quote, QUOTE_MAX) or not _speaker(speaker):
                await self._rejected(turn, "verify")
                return
            reply = await answer_verify(self.deps, turn, user_id=it.user_id, interaction_id=it.id, lang=it.lang,
                                        quote=quote, speaker=speaker, from_message=False)
            await (turn.tell(reply.note) if isinstance(reply, Refused) else turn.show(reply))

    async def find_who_said(self, exchange: Exchange, options: dict[str, Any]) -> None:
        """The "Find who said this" message command: someone's message checked, privately, for the one who asked."""
        it = exchange.incoming
        turn = HttpTurn(exchange, lang=it.lang, ephemeral=True)
        async with turn.guard("find_who_said"):
            resolved = it.data.get("resolved")
            messages = resolved.get("messages") if isinstance(resolved, dict) else None
            target = messages.get(str(it.data.get("target_id"))) if isinstance(messages, dict) else None
            content = target.get("content") if isinstance(target, dict) else None
            if not isinstance(content, str):
                await self._rejected(turn, "find_who_said")
                return
            reply = await answer_verify(self.deps, turn, user_id=it.user_id, interaction_id=it.id, lang=it.lang,
                                        quote=content, speaker=None, from_message=True)
            await (turn.tell(reply.note) if isinstance(reply, Refused) else turn.show(reply))

    async def add(self, exchange: Exchange, options: dict[str, Any]) -> None:
        """/add url:…: gated like /reload; the core checks, fetches and keeps the source."""
        it = exchange.incoming
        url = options.get("url")
        turn = HttpTurn(exchange, lang=it.lang, ephemeral=True)
        async with turn.guard("/add"):
            if not _text(url, URL_MAX):
                await self._rejected(turn, "add")
                return
            if not may_reload_as(it.user_id, self.deps.admin_ids, in_server=it.in_server,
                                 manages_server=it.manages_server):
                log.info("discord_add_refused", extra={"interaction_id": it.id, "user_id": it.user_id})
                await turn.tell(i18n.t("not_allowed", it.lang))
                return
            log.info("discord_add", extra={"interaction_id": it.id, "user_id": it.user_id})
            await turn.show(await added_reply(self.deps, turn, url, user_id=it.user_id, lang=it.lang))

    async def _rejected(self, turn: HttpTurn, command: str) -> None:
        # Discord enforces the command's option types and lengths; this is not Discord's.
        log.warning("discord_command_rejected", extra={"interaction_id": turn.exchange.incoming.id,
                                                       "command": command})
        await turn.apologize()

    async def reload(self, exchange: Exchange, options: dict[str, Any]) -> None:
        it = exchange.incoming
        turn = HttpTurn(exchange, lang=it.lang, ephemeral=True)
        async with turn.guard("/reload"):
            if not may_reload_as(it.user_id, self.deps.admin_ids, in_server=it.in_server,
                                 manages_server=it.manages_server):
                log.info("discord_reload_refused", extra={"interaction_id": it.id, "user_id": it.user_id})
                await turn.tell(i18n.t("not_allowed", it.lang))
                return
            log.info("discord_reload", extra={"interaction_id": it.id, "user_id": it.user_id})
            result = await turn.compute(self.deps.core.reload())
            await turn.show(render_reload(result, it.lang))

    def choices(self, incoming: Incoming) -> Json:
        focused = next((o for o in incoming.data.get("options") or []
                        if isinstance(o, dict) and o.get("focused")), None)
        current = focused.get("value") if focused is not None else ""
        found = speaker_choices(self.deps, current if isinstance(current, str) else "")
        return {"type": AUTOCOMPLETE_RESULT, "data": {"choices": [c.to_dict() for c in found]}}

    async def click(self, exchange: Exchange) -> None:
        it = exchange.incoming
        ref = parse_custom_id(it.data.get("custom_id"))
        turn = HttpTurn(exchange, lang=it.lang, update=True)
        state: AskState | None = None
        async with turn.guard("button state"):
            state = await turn.compute(recall(self.deps.state, ref.key)) if ref is not None else None
            if state is None:
                log.info("discord_expired_click", extra={
                    "interaction_id": it.id, "custom_id": str(it.data.get("custom_id"))[:100],
                })
                await turn.tell(i18n.t("expired", it.lang))
        if state is None or ref is None:
            return
        if ref.action == "more" and state.asker_id is not None and it.user_id != state.asker_id:
            await self._more_for_someone_else(exchange, state)
            return
        turn = HttpTurn(exchange, lang=state.lang, update=True)
        async with turn.guard(f"button {ref.action}"):
            if ref.action == "more":
                await self._more(turn, ref, state)
            else:
                await self._share(turn, ref, state)

    async def _more_for_someone_else(self, exchange: Exchange, state: AskState) -> None:
        """The next page, privately, in the clicker's language; the asker's message stays as it is."""
        lang = exchange.incoming.lang
        turn = HttpTurn(exchange, lang=lang, ephemeral=True)
        async with turn.guard("button more (other member)"):
            answer = await turn.compute(next_page(self.deps.core, state, lang))
            if answer.status is not AnswerStatus.OK or not answer.citations:
                await turn.tell(i18n.t("no_more", lang))
                return
            await turn.show(render_answer(answer, lang, question=state.question))

    async def _more(self, turn: HttpTurn, ref: ButtonRef, state: AskState) -> None:
        answer = await turn.compute(next_page(self.deps.core, state, state.lang))
        if answer.status is not AnswerStatus.OK or not answer.citations:
            # The notes changed since the first page; keep what is shown and say so.
            state.more = False
            await turn.show(None, button_rows(ref.key, state))
            await turn.tell(i18n.t("no_more", state.lang))
            return
        state.showing(answer)
        await turn.compute(remember(self.deps.state, ref.key, state, self.deps.view_timeout))
        await turn.show(render_answer(answer, state.lang, question=state.question), button_rows(ref.key, state))

    async def _share(self, turn: HttpTurn, ref: ButtonRef, state: AskState) -> None:
        it = turn.exchange.incoming
        message_id = it.message_id if it.message_id is not None else ref.key
        if not await turn.compute(self.deps.state.claim(share_claim(message_id, state))):
            # The same page was shared already, by a click on this instance or another one.
            log.info("discord_share_duplicate", extra={"interaction_id": it.id, "message_id": message_id})
            await turn.show(None, button_rows(ref.key, state, shared=True))
            return
        answer = await turn.compute(shown_page(self.deps.core, state))
        reply = render_answer(answer, state.lang, question=state.question, shared_by=f"<@{it.user_id}>")
        await turn.compute(turn.post_public(reply))
        await turn.show(None, button_rows(ref.key, state, shared=True))


def _text(value: object, most: int) -> TypeGuard[str]:
    return isinstance(value, str) and 0 < len(value) <= most


def _speaker(value: object) -> TypeGuard[str | None]:
    return value is None or _text(value, CHOICE_MAX_LEN)


class InteractionsEndpoint:
    """The aiohttp handler: check, parse, claim, and answer within Discord's deadline."""

    def __init__(self, key: Ed25519PublicKey, handlers: InteractionHandlers, state: SharedState) -> None:
        self.key = key
        self.handlers = handlers
        self.state = state
        self._background: set[asyncio.Task[None]] = set()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.json_response({"error": "body too large"}, status=413)
        try:
            async with asyncio.timeout(BODY_SECONDS):
                body = await request.content.read(MAX_BODY + 1)
        except TimeoutError:
            return web.json_response({"error": "request body too slow"}, status=408, headers={"Connection": "close"})
        if len(body) > MAX_BODY:
            return web.json_response({"error": "body too large"}, status=413, headers={"Connection": "close"})
        headers = request.headers
        if not signed(self.key, body, headers.get("X-Signature-Timestamp"), headers.get("X-Signature-Ed25519"),
                      time.time()):
            log.debug("discord_unsigned_request", extra={"bytes": len(body)})
            return web.json_response({"error": "invalid request signature"}, status=401)
        try:
            payload = read_interaction(body)
        except Unreadable as exc:
            log.warning("discord_unreadable_interaction", extra={"reason": str(exc), "bytes": len(body)})
            return web.json_response({"error": "unreadable interaction"}, status=400)
        if payload["type"] == PING:
            return web.json_response({"type": PONG})
        incoming = Incoming.of(payload)
        if incoming.kind == AUTOCOMPLETE:
            # Cheap and read-only, and a repeat is harmless: no claim.
            return web.json_response(self.handlers.choices(incoming))
        try:
            async with asyncio.timeout(CLAIM_SECONDS):
                first_time = await self.state.claim(interaction_claim(incoming.id))
        except Exception:
            # A slow or failing database must not cost Discord's 3 seconds: answering twice (only if
            # it really was delivered twice) beats not answering at all.
            log.exception("discord_claim_failed", extra={"interaction_id": incoming.id})
            first_time = True
        if not first_time:
            log.info("discord_interaction_duplicate", extra={"interaction_id": incoming.id})
            return web.json_response({"error": "already answered"}, status=409)
        return await self._answer(request, incoming)

    async def _answer(self, request: web.Request, incoming: Incoming) -> web.StreamResponse:
        exchange = Exchange(incoming, self.handlers.webhook)
        work = self.handlers.click(exchange) if incoming.kind == MESSAGE_COMPONENT else self.handlers.command(exchange)
        task = asyncio.create_task(work, name=f"discord-interaction-{incoming.id}")
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        budget = max(0.1, RESPOND_BY - incoming.age)
        either: set[asyncio.Future[Any]] = {exchange.first, task}
        await asyncio.wait(either, timeout=budget, return_when=asyncio.FIRST_COMPLETED)
        if not exchange.first.done():
            # Nothing answered in time (the guard always answers, so the work is still running): defer
            # as the handler's own turn would (a public answer stays public).
            pending = exchange.pending or HttpTurn(exchange, lang=incoming.lang, ephemeral=True,
                                                   update=incoming.kind == MESSAGE_COMPONENT)
            pending.defer()
        response = web.json_response(exchange.first.result())
        try:
            await response.prepare(request)
            await response.write_eof()
        except ConnectionError:
            # Discord gave up on this request (its 3 seconds ran out); the webhook calls will say so.
            log.warning("discord_http_answer_lost", extra={"interaction_id": incoming.id})
        finally:
            exchange.sent.set()
        return response

    async def drain(self, seconds: float) -> None:
        """Let answers being edited in finish (the server has stopped taking requests)."""
        if self._background:
            await asyncio.wait(set(self._background), timeout=seconds)
        for task in list(self._background):
            task.cancel()


WEBHOOK: web.AppKey[Webhook] = web.AppKey("discord_webhook", Webhook)
DRAIN_SECONDS: Final = 10.0


def mount(app: web.Application, core: Core, settings: Settings, *, state: SharedState) -> InteractionsEndpoint:
    """Serve Discord on POST /discord/interactions of `app`. Needs DISCORD_PUBLIC_KEY (64 hex characters)
    and DISCORD_APPLICATION_ID; without them requests could not be verified or completed."""
    discord_settings = settings.discord
    readiness = discord_settings.http_readiness
    if not readiness.configured or discord_settings.public_key is None or discord_settings.application_id is None:
        raise ValueError(f"Discord over HTTP needs {' and '.join(readiness.missing)}; see docs/discord.md")
    try:
        key = public_key(discord_settings.public_key)
    except ValueError as exc:
        raise ValueError("DISCORD_PUBLIC_KEY is not 64 hex characters (Developer Portal → General Information "
                         "→ Public Key)") from exc
    webhook = Webhook(discord_settings.api_base, discord_settings.application_id)
    endpoint = InteractionsEndpoint(key, InteractionHandlers(build_deps(core, settings, state=state), webhook), state)
    app[WEBHOOK] = webhook

    async def finish(_: web.Application) -> None:
        await endpoint.drain(DRAIN_SECONDS)
        await webhook.close()

    app.router.add_post(INTERACTIONS_PATH, endpoint.handle)
    app.on_cleanup.append(finish)
    return endpoint
