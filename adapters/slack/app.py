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
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import format as fmt
from adapters.slack import parse
from adapters.slack.dedupe import Seen
from adapters.slack.guard import Turn
from adapters.slack.inflight import InFlight
from adapters.slack.locales import UserLocales
from bot import i18n
from bot.port import Core
from bot.present import present_answer
from bot.settings import Settings, SlackSettings

log = logging.getLogger(__name__)

# Posting in a channel the bot has not joined fails with these; the click's response_url still can.
_NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})

_IN_FLIGHT: weakref.WeakKeyDictionary[Any, InFlight] = weakref.WeakKeyDictionary()


class _TokenFromClientIsIntended(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself and then warns on every start
    that it will use our client (built with SLACK_API_URL) instead, which is exactly the intent."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("As you gave `client` as well")


_BOLT_LOG = logging.getLogger("slack_bolt")
_BOLT_LOG.addFilter(_TokenFromClientIsIntended())


def _message_key(event: dict[str, Any]) -> str | None:
    """The message an event is about, so a retry under a fresh event id is still recognised."""
    channel, ts = event.get("channel"), event.get("ts")
    return f"msg:{channel}:{ts}" if channel and ts else None


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


class _Replies:
    """State shared by the handlers of one app: the core, retry memory, locales, work in flight.

    Each handler turns Slack's input into a question for the core and the core's answer into a
    message (`bot.present` decides what it says, format.py lays it out), inside one `Turn.guard`.
    """

    def __init__(self, core: Core) -> None:
        self.core = core
        self.seen = Seen()
        self.locales = UserLocales()
        self.inflight = InFlight()

    async def in_thread(self, event: dict[str, Any], client: AsyncWebClient, bot_user_id: str | None,
                        kind: str, event_id: str | None) -> None:
        """Answer a mention or a DM in the message's thread (or start one under the message)."""
        channel = str(event.get("channel") or "")
        thread = event.get("thread_ts") or event.get("ts")

        async def apologize(text: str) -> None:
            await client.chat_postMessage(channel=channel, thread_ts=thread, text=text)

        turn = Turn(kind, apologize, warming_up=not self.core.ready, event_id=event_id, channel=channel)
        async with turn.guard():
            turn.lang = await self.locales.lang(client, event.get("user"))
            question = parse.question_text(str(event.get("text") or ""), bot_user_id)
            answer = await self.core.ask(question, lang=turn.lang)
            turn.outcome = answer.status.value
            reply = fmt.message(present_answer(answer, question=question))
            await client.chat_postMessage(channel=channel, thread_ts=thread, text=reply.text, blocks=reply.blocks,
                                          unfurl_links=False, unfurl_media=False)

    async def slash(self, command: dict[str, Any], respond: Any, client: AsyncWebClient,
                    bot_user_id: str | None) -> None:
        """/ask: an ephemeral answer through the command's response_url, with a Share button."""

        async def apologize(text: str) -> None:
            await _respond(respond, response_type="ephemeral", text=text)

        turn = Turn("command", apologize, warming_up=not self.core.ready, channel=command.get("channel_id"))
        async with turn.guard():
            turn.lang = await self.locales.lang(client, command.get("user_id"))
            question = parse.question_text(str(command.get("text") or ""), bot_user_id)
            answer = await self.core.ask(question, lang=turn.lang)
            turn.outcome = answer.status.value
            view = present_answer(answer, question=question)
            actions = [fmt.share_button(question, view.language)] if view.found else None
            reply = fmt.message(view, show_question=True, actions=actions)
            await _respond(respond, response_type="ephemeral", text=reply.text, blocks=reply.blocks)

    async def share(self, body: dict[str, Any], action: dict[str, Any], respond: Any,
                    client: AsyncWebClient) -> None:
        """Share in channel: post the answer publicly, then remove the private copy."""
        container = body.get("container") or {}
        channel = str((body.get("channel") or {}).get("id") or container.get("channel_id") or "")
        user = body.get("user") or {}

        async def apologize(text: str) -> None:
            await _respond(respond, response_type="ephemeral", replace_original=False, text=text)

        turn = Turn("share", apologize, warming_up=not self.core.ready, channel=channel)
        async with turn.guard():
            carried = fmt.read_share_value(action.get("value"))
            if carried is None:
                # Not a value this version wrote (an old message, a forged click): ask again, politely.
                turn.lang, turn.outcome = await self.locales.lang(client, user.get("id")), "expired"
                await _respond(respond, response_type="ephemeral", replace_original=False,
                               text=fmt.escape(i18n.t("expired", turn.lang)))
                return
            question, turn.lang = carried
            # A double click arrives as two actions on the same private message; share it once.
            message_ts = container.get("message_ts")
            if message_ts and not self.seen.first_time(f"share:{channel}:{message_ts}"):
                turn.outcome = "duplicate"
                return
            answer = await self.core.ask(question, lang=turn.lang)
            who = str(user.get("name") or user.get("username") or "")
            reply = fmt.message(present_answer(answer, question=question), show_question=True, shared_by=who or None)
            turn.outcome = await _post_shared(client, respond, channel, reply)
            try:
                await _respond(respond, delete_original=True)
            except Exception as exc:
                # The answer is public already; a private copy left behind is not worth an apology.
                log.warning("slack_private_copy_kept", extra={"channel": channel, "error_type": type(exc).__name__})


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


def slack_section(settings: Settings | SlackSettings) -> SlackSettings:
    """Entry points take the whole configuration or just its Slack section."""
    return settings.slack if isinstance(settings, Settings) else settings


def create_slack_app(core: Core, settings: Settings | SlackSettings) -> AsyncApp:
    """The Bolt app with saidbot's handlers; no network call happens until the first request."""
    slack = slack_section(settings)
    token = slack.bot_token.get_secret_value() if slack.bot_token else None
    secret = slack.signing_secret.get_secret_value() if slack.signing_secret else None
    client = AsyncWebClient(token=token, base_url=slack.api_url)
    # Without a signing secret (Socket Mode) nothing arrives over HTTP, so there is nothing to verify.
    app = AsyncApp(client=client, signing_secret=secret or "", request_verification_enabled=secret is not None,
                   logger=_BOLT_LOG)
    replies = _Replies(core)
    _IN_FLIGHT[app] = replies.inflight

    async def answer_once(
        event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any], kind: str
    ) -> None:
        """Reply in the thread, once per event however often Slack delivers it."""
        async with replies.inflight:
            event_id = body.get("event_id")
            if not replies.seen.first_time(event_id, _message_key(event)):
                log.info("slack_duplicate_event", extra={"kind": kind, "event_id": event_id})
                return
            await replies.in_thread(event, client, context.get("bot_user_id"), kind, event_id)

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient,
                         context: dict[str, Any]) -> None:
        await answer_once(event, body, client, context, "mention")

    @app.event("message")
    async def on_message(event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient,
                         context: dict[str, Any]) -> None:
        # Only people's direct messages: edits, joins and bot posts (our own replies included)
        # carry a subtype or a bot_id; channel messages reach us as app_mention instead.
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        await answer_once(event, body, client, context, "dm")

    @app.command("/ask")
    async def on_ask(ack: Any, command: dict[str, Any], respond: Any, client: AsyncWebClient,
                     context: dict[str, Any]) -> None:
        # Acknowledge first: Slack shows the user an error unless this lands within 3 seconds.
        await ack()
        async with replies.inflight:
            await replies.slash(command, respond, client, context.get("bot_user_id"))

    @app.action(fmt.SHARE_ACTION)
    async def on_share(ack: Any, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient,
                       respond: Any) -> None:
        await ack()
        async with replies.inflight:
            await replies.share(body, action, respond, client)

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        # Handlers run inside Turn.guard, so only a failure in Bolt itself (before or around a
        # handler) lands here; the user already got Slack's acknowledgement.
        log.error("slack_unhandled_error", exc_info=error, extra={"type": body.get("type")})

    return app


async def drain(app: AsyncApp, grace: float) -> bool:
    """Wait (at most `grace` seconds) for replies the app is still working on."""
    inflight = _IN_FLIGHT.get(app)
    return True if inflight is None else await inflight.drain(grace)
