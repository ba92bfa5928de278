"""Slack handlers on a Bolt AsyncApp: mentions and DMs answer in a thread; /ask answers privately
with a Share button. The same app serves the Events API over HTTP and Socket Mode.

Handlers only translate: Slack's input becomes a question for the core (help included: the core
answers "help" itself), the core's Answer becomes Block Kit through the presenter (format.py).
Every handler runs inside one guard (guard.py). Every Web API call goes through one
AsyncWebClient whose base URL is SLACK_API_URL.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, Final

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.gate import AnswerGate, Busy
from adapters.slack import add as add_command
from adapters.slack import deliveries, parse
from adapters.slack import format as fmt
from adapters.slack.guard import Turn
from adapters.slack.inflight import InFlight
from adapters.slack.installations import Stores, authorize, oauth_settings
from adapters.slack.locales import UserLocales
from bot import i18n
from bot.models import Answer
from bot.port import Core
from bot.present import present_answer
from bot.ratelimit import RateLimiter, limited_text, rate_key
from bot.settings import CoreSettings, Settings, SlackSettings
from bot.shared_state import SharedState
from bot.text import detect_language

log = logging.getLogger(__name__)

# Posting in a channel the bot has not joined fails with these; the click's response_url still can.
_NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})
# Message subtypes a person's question may carry (None: a plain message).
_ANSWERED_SUBTYPES: Final = frozenset({None, "file_share", "thread_broadcast"})

# One 429 (Retry-After) or one 500/503 or a dropped connection is retried, a bounded number of
# times; after that the call raises and the guard apologises.
RETRIES: Final = 2


def retry_handlers() -> list[AsyncRetryHandler]:
    return [AsyncRateLimitErrorRetryHandler(max_retry_count=RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=RETRIES),
            AsyncConnectionErrorRetryHandler(max_retry_count=RETRIES)]


_IN_FLIGHT: weakref.WeakKeyDictionary[Any, InFlight] = weakref.WeakKeyDictionary()
_STORES: weakref.WeakKeyDictionary[Any, Stores] = weakref.WeakKeyDictionary()


class _TokenFromClientIsIntended(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself and then warns on every start
    that it will use our client (built with SLACK_API_URL) instead, which is exactly the intent."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Also: an event type or action we do not subscribe to is not worth a multi-line warning
        # with sample code each time (anyone holding the URL can send them, signed or replayed).
        return not str(record.msg).startswith(("As you gave `client` as well", "Unhandled request"))


_BOLT_LOG = logging.getLogger("slack_bolt")
_BOLT_LOG.addFilter(_TokenFromClientIsIntended())


def _text(value: object) -> str:
    """A field that should be text; hostile or broken payloads may carry anything there."""
    return value if isinstance(value, str) else ""


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class ResponseRefused(Exception):
    """A response_url answered something other than 200 (e.g. 400 invalid_blocks, 404 expired_url)."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"response_url answered {status}: {body}")
        self.status = status
        self.body = body


async def _respond(respond: Any, **message: Any) -> None:
    """Post to the response_url; Slack answers a refusal with an HTTP status instead of raising."""
    result = await respond(**message)
    status = getattr(result, "status_code", 200)
    if status != 200:
        raise ResponseRefused(status, str(getattr(result, "body", "")))


def _url_is_dead(exc: Exception) -> bool:
    """The response_url itself cannot take a message (expired, used up, unreachable), as opposed to
    refusing this message's content (400 invalid_blocks), which another route would refuse too."""
    return not (isinstance(exc, ResponseRefused) and exc.status == 400)


def _lang(looked_up: str | None, question: str) -> str:
    """The language to speak: the user's Slack locale, else the question's own language."""
    return looked_up or i18n.normalize_lang(detect_language(question))


class _Replies:
    """State shared by the handlers of one app: the core, the shared state, locales, work in flight.

    Each handler turns Slack's input into a question for the core and the core's answer into a
    message (`bot.present` decides what it says, format.py lays it out), inside one `Turn.guard`.
    """

    def __init__(self, core: Core, limits: RateLimiter, state: SharedState) -> None:
        self.core = core
        self.state = state
        self.locales = UserLocales()
        self.inflight = InFlight()
        self.limits = limits
        self.gate = AnswerGate(name="slack")

    async def _ask(self, turn: Turn, client: AsyncWebClient, user: str, question: str,
                   notify: Callable[[str], Awaitable[object]], team: str | None = None) -> Answer | None:
        """The core's answer in the asker's language, or None when they were told they are over the
        limit or we are busy. Sets the turn's language (for apologies) and outcome."""
        looked_up = await self.locales.lang(client, user)
        turn.lang = _lang(looked_up, question)
        answer = await self._answer(turn, user, question, looked_up, notify, team)
        if answer is not None:
            # Without the user's locale the core read the language off the question.
            turn.lang = answer.language if looked_up is None else turn.lang
            turn.outcome = answer.status.value
        return answer

    async def _answer(self, turn: Turn, user: str, question: str, lang: str | None,
                      notify: Callable[[str], Awaitable[object]], team: str | None = None) -> Answer | None:
        if user and not await self.limits.allow(rate_key("slack", team, user)):
            turn.outcome = "rate_limited"
            await notify(fmt.escape(limited_text(turn.lang)))
            return None
        try:
            async with self.gate.slot():
                return await self.core.ask(question, lang=lang)
        except Busy:
            turn.outcome = "busy"
            await notify(fmt.escape(i18n.t("busy", turn.lang)))
            return None

    async def in_thread(self, event: dict[str, Any], client: AsyncWebClient, bot_user_id: str | None,
                        kind: str, event_id: str | None, team: str | None = None) -> None:
        """Answer a mention or a DM in the message's thread (or start one under the message)."""
        channel = _text(event.get("channel"))
        thread = _text(event.get("thread_ts")) or _text(event.get("ts")) or None
        user = _text(event.get("user"))

        async def apologize(text: str) -> None:
            await client.chat_postMessage(channel=channel, thread_ts=thread, text=text)

        async def notify(text: str) -> None:
            # A note for the asker alone: ephemeral in a channel; a DM is private already.
            if kind == "mention" and user:
                await client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread, text=text)
            else:
                await apologize(text)

        if not channel:
            # Nowhere to answer: not a delivery Slack would make.
            log.info("slack_invalid_delivery", extra={"kind": kind, "event_id": event_id})
            return
        turn = Turn(kind, apologize, warming_up=not self.core.ready, event_id=event_id, channel=channel)
        async with turn.guard():
            question = parse.question_text(_text(event.get("text")), bot_user_id)
            answer = await self._ask(turn, client, user, question, notify, team)
            if answer is None:
                return
            reply = fmt.message(present_answer(answer, question=question))
            async with turn.delivering():
                await client.chat_postMessage(channel=channel, thread_ts=thread, text=reply.text,
                                              blocks=reply.blocks, unfurl_links=False, unfurl_media=False)

    async def _private(self, respond: Any, client: AsyncWebClient, channel: str, user: str,
                       **message: Any) -> None:
        """A message only the asker sees: through the response_url, else chat.postEphemeral."""
        try:
            await _respond(respond, response_type="ephemeral", **message)
            return
        except Exception as exc:
            if not _url_is_dead(exc) or not (channel and user):
                raise
            log.warning("slack_response_url_failed", extra={
                "channel": channel, "error_type": type(exc).__name__,
                "status": getattr(exc, "status", None), "fallback": "chat.postEphemeral",
            })
        await client.chat_postEphemeral(channel=channel, user=user, text=message.get("text") or "…",
                                        blocks=message.get("blocks"))

    async def slash(self, command: dict[str, Any], respond: Any, client: AsyncWebClient,
                    bot_user_id: str | None, team: str | None = None) -> None:
        """/ask: an ephemeral answer through the command's response_url, with a Share button."""
        channel, user = _text(command.get("channel_id")), _text(command.get("user_id"))
        if not (channel and user and _text(command.get("response_url"))):
            # Nobody to answer privately: not a command Slack would send.
            log.info("slack_invalid_delivery", extra={"kind": "command"})
            return

        async def apologize(text: str) -> None:
            await self._private(respond, client, channel, user, text=text)

        turn = Turn("command", apologize, warming_up=not self.core.ready, channel=channel)
        async with turn.guard():
            question = parse.question_text(_text(command.get("text")), bot_user_id)
            answer = await self._ask(turn, client, user, question, apologize, team)
            if answer is None:
                return
            view = present_answer(answer, question=question)
            actions = [fmt.share_button(question, view.language)] if view.found else None
            reply = fmt.message(view, show_question=True, actions=actions)
            async with turn.delivering():
                await self._private(respond, client, channel, user, text=reply.text, blocks=reply.blocks)

    async def share(self, body: dict[str, Any], action: dict[str, Any], respond: Any,
                    client: AsyncWebClient) -> None:
        """Share in channel: post the answer publicly, then remove the private copy."""
        container = _mapping(body.get("container"))
        channel_field = _mapping(body.get("channel"))
        user = _mapping(body.get("user"))
        channel = _text(channel_field.get("id")) or _text(container.get("channel_id"))

        async def apologize(text: str) -> None:
            await _respond(respond, response_type="ephemeral", replace_original=False, text=text)

        if not (channel and _text(body.get("response_url"))):
            log.info("slack_invalid_delivery", extra={"kind": "share"})
            return
        turn = Turn("share", apologize, warming_up=not self.core.ready, channel=channel)
        async with turn.guard():
            carried = fmt.read_share_value(_text(action.get("value")))
            if carried is None:
                # Not a value this version wrote (an old message, a forged click): ask again, politely.
                turn.lang = await self.locales.lang(client, _text(user.get("id"))) or "en"
                turn.outcome = "expired"
                await _respond(respond, response_type="ephemeral", replace_original=False,
                               text=fmt.escape(i18n.t("expired", turn.lang)))
                return
            question, turn.lang = carried
            answer = await self.core.ask(question, lang=turn.lang)
            who = _text(user.get("name")) or _text(user.get("username"))
            reply = fmt.message(present_answer(answer, question=question), show_question=True, shared_by=who or None)
            async with turn.delivering():
                turn.outcome = await _post_shared(client, respond, channel, reply)
            try:
                await _respond(respond, delete_original=True)
            except Exception as exc:
                # The answer is public already; a private copy left behind is not worth an apology.
                log.warning("slack_private_copy_kept", extra={"channel": channel, "error_type": type(exc).__name__})


class _Shortcuts:
    """The "Find the source" message shortcut: the message's words checked by the core, answered privately."""

    CALLBACK_ID: Final = "find_source"

    def __init__(self, replies: _Replies) -> None:
        self.replies = replies

    async def find_source(self, body: dict[str, Any], respond: Any, client: AsyncWebClient,
                          bot_user_id: str | None, team: str | None = None) -> None:
        replies = self.replies
        channel = _text(_mapping(body.get("channel")).get("id"))
        user = _text(_mapping(body.get("user")).get("id"))
        if not (channel and user and _text(body.get("response_url"))):
            log.info("slack_invalid_delivery", extra={"kind": "shortcut"})
            return

        async def apologize(text: str) -> None:
            await replies._private(respond, client, channel, user, text=text)

        turn = Turn("shortcut", apologize, warming_up=not replies.core.ready, channel=channel)
        async with turn.guard():
            words = parse.question_text(_text(_mapping(body.get("message")).get("text")), bot_user_id)
            looked_up = await replies.locales.lang(client, user)
            turn.lang = _lang(looked_up, words)
            if not await replies.limits.allow(rate_key("slack", team, user)):
                turn.outcome = "rate_limited"
                await apologize(fmt.escape(limited_text(turn.lang)))
                return
            try:
                async with replies.gate.slot():
                    found = await replies.core.verify(words, lang=turn.lang, from_message=True)
            except Busy:
                turn.outcome = "busy"
                await apologize(fmt.escape(i18n.t("busy", turn.lang)))
                return
            turn.outcome = found.verdict
            reply = fmt.verification_message(found, turn.lang)
            await replies._private(respond, client, channel, user, text=reply.text, blocks=reply.blocks)


async def _post_shared(client: AsyncWebClient, respond: Any, channel: str, reply: fmt.Message) -> str:
    """Post in the channel, or through the click's response_url where the bot is not a member."""
    try:
        await client.chat_postMessage(channel=channel, text=reply.text, blocks=reply.blocks,
                                      unfurl_links=False, unfurl_media=False)
    except SlackApiError as exc:
        if exc.response.get("error") not in _NOT_A_MEMBER:
            raise
        await _respond(respond, response_type="in_channel", replace_original=False, text=reply.text,
                       blocks=reply.blocks)
        return "shared_via_response_url"
    return "shared"


def _share_key(body: dict[str, Any], action: dict[str, Any], team: str | None) -> str:
    """A double click is two actions on the same private message: one claim for both."""
    container = _mapping(body.get("container"))
    channel = _text(_mapping(body.get("channel")).get("id")) or _text(container.get("channel_id"))
    message_ts = _text(container.get("message_ts"))
    if channel and message_ts:
        return deliveries.share_key(team, channel, message_ts, _text(action.get("action_id")))
    return deliveries.body_key("action", body)


def _workspaces(slack: SlackSettings, stores: Stores | None) -> dict[str, Any]:
    """Bolt's OAuth settings and authorize in multi-workspace mode; nothing (one token) otherwise."""
    if stores is None:
        return {}

    async def tables_first(next: Callable[[], Awaitable[Any]]) -> Any:
        # The stores' tables exist before Bolt looks an installation up (created once per process).
        await stores.ready()
        return await next()

    return {"oauth_settings": oauth_settings(slack, stores), "authorize": authorize(slack, stores),
            "before_authorize": tables_first}


async def prepare(app: AsyncApp) -> None:
    """Create the installation stores' tables now (multi-workspace mode), so the first install or
    event does not pay for it; a database that is down is only logged (requests try again)."""
    stores = _STORES.get(app)
    if stores is None:
        return
    try:
        await stores.ready()
    except Exception as exc:
        log.error("slack_stores_unavailable", extra={"error_type": type(exc).__name__})


def slack_section(settings: Settings | SlackSettings) -> SlackSettings:
    """Entry points take the whole configuration or just its Slack section."""
    return settings.slack if isinstance(settings, Settings) else settings


def create_slack_app(core: Core, settings: Settings | SlackSettings, *, state: SharedState) -> AsyncApp:
    """The Bolt app with saidbot's handlers; no network call happens until the first request.

    `state` is what every instance shares: deliveries claimed, rate limits, and (multi-workspace
    mode, SLACK_CLIENT_ID + SLACK_CLIENT_SECRET) the installations each workspace is answered from.
    """
    slack = slack_section(settings)
    core_settings = settings.core if isinstance(settings, Settings) else CoreSettings()
    multi = slack.multi_workspace
    stores = Stores(slack, state) if multi else None
    # Multi-workspace: no fixed token; each request's comes from the installation store.
    token = slack.bot_token.get_secret_value() if slack.bot_token and not multi else None
    secret = slack.signing_secret.get_secret_value() if slack.signing_secret else None
    client = AsyncWebClient(token=token, base_url=slack.api_url, retry_handlers=retry_handlers())
    # Without a signing secret (Socket Mode) nothing arrives over HTTP, so there is nothing to verify.
    app = AsyncApp(client=client, signing_secret=secret or "", request_verification_enabled=secret is not None,
                   logger=_BOLT_LOG, **_workspaces(slack, stores))
    replies = _Replies(core, RateLimiter(core_settings.rate_limit_per_minute, state=state, exempt=slack.admin_ids),
                       state)
    _IN_FLIGHT[app] = replies.inflight
    if stores is not None:
        _STORES[app] = stores
        app.enable_token_revocation_listeners()

    async def answer_once(
        event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any], kind: str
    ) -> None:
        """Reply in the thread, once per message however often (and wherever) Slack delivers it."""
        async with replies.inflight:
            event_id = _text(body.get("event_id")) or None
            team = context.get("team_id")
            if not await deliveries.first_time(state, deliveries.event_key(team, event, event_id), kind):
                return
            await replies.in_thread(event, client, context.get("bot_user_id"), kind, event_id, team)

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient,
                         context: dict[str, Any]) -> None:
        await answer_once(event, body, client, context, "mention")

    @app.event("message")
    async def on_message(event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient,
                         context: dict[str, Any]) -> None:
        # Only people's direct messages: edits, joins and bot posts (our own replies included)
        # carry another subtype or a bot_id; channel messages reach us as app_mention instead. A
        # file attached to the question, or a thread reply also sent to the DM, is still a question.
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype") not in _ANSWERED_SUBTYPES:
            return
        if event.get("user") == context.get("bot_user_id"):
            return
        await answer_once(event, body, client, context, "dm")

    @app.command("/ask")
    async def on_ask(ack: Any, command: dict[str, Any], body: dict[str, Any], respond: Any,
                     client: AsyncWebClient, context: dict[str, Any]) -> None:
        # Acknowledge first: Slack shows the user an error unless this lands within 3 seconds.
        await ack()
        if not await deliveries.first_time(state, deliveries.body_key("command", body), "command"):
            return
        async with replies.inflight:
            await replies.slash(command, respond, client, context.get("bot_user_id"), context.get("team_id"))

    @app.command(add_command.COMMAND)
    async def on_add(ack: Any, command: dict[str, Any], body: dict[str, Any], respond: Any,
                     client: AsyncWebClient) -> None:
        await ack()
        if not await deliveries.first_time(state, deliveries.body_key("command", body), "add"):
            return
        channel, user = _text(command.get("channel_id")), _text(command.get("user_id"))
        if not (channel and user and _text(command.get("response_url"))):
            log.info("slack_invalid_delivery", extra={"kind": "add"})
            return

        async def private(**message: Any) -> None:
            await replies._private(respond, client, channel, user, **message)

        async with replies.inflight:
            await add_command.add(core, frozenset(slack.admin_ids), replies.locales, command, client, private)

    @app.action(fmt.SHARE_ACTION)
    async def on_share(ack: Any, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient,
                       respond: Any, context: dict[str, Any]) -> None:
        await ack()
        if not await deliveries.first_time(state, _share_key(body, action, context.get("team_id")), "share"):
            return
        async with replies.inflight:
            await replies.share(body, action, respond, client)

    shortcuts = _Shortcuts(replies)

    @app.shortcut(_Shortcuts.CALLBACK_ID)
    async def on_find_source(ack: Any, body: dict[str, Any], respond: Any, client: AsyncWebClient,
                             context: dict[str, Any]) -> None:
        await ack()
        if not await deliveries.first_time(state, deliveries.body_key("shortcut", body), "shortcut"):
            return
        async with replies.inflight:
            await shortcuts.find_source(body, respond, client, context.get("bot_user_id"), context.get("team_id"))

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        # Handlers run inside Turn.guard, so only a failure in Bolt itself (before or around a
        # handler) lands here; the user already got Slack's acknowledgement.
        log.error("slack_unhandled_error", exc_info=error, extra={"type": body.get("type")})

    return app


async def drain(app: AsyncApp, grace: float) -> int:
    """Wait (at most `grace` seconds) for replies the app is still working on; how many were dropped."""
    inflight = _IN_FLIGHT.get(app)
    return 0 if inflight is None else await inflight.drain(grace)
