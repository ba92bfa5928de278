"""Slack handlers on a Bolt AsyncApp: mentions and DMs answer in a thread; /ask answers privately
with a Share button. The same app serves the Events API over HTTP and Socket Mode.

Handlers only translate: Slack's input becomes a question for the core, the core's Answer
becomes Block Kit (format.py). Every Web API call goes through one AsyncWebClient whose base URL
is SLACK_API_URL.
"""

from __future__ import annotations

import logging
import time
import weakref
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import format as fmt
from adapters.slack import parse
from adapters.slack.dedupe import Seen
from adapters.slack.inflight import InFlight
from adapters.slack.locales import UserLocales
from bot import i18n
from bot.models import AnswerStatus
from bot.port import Core
from bot.settings import Settings

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


def _elapsed_ms(began: float) -> float:
    return round((time.perf_counter() - began) * 1000, 1)


class _Replies:
    """State shared by the handlers of one app: the core, retry memory, locales, work in flight."""

    def __init__(self, service: Core) -> None:
        self.service = service
        self.seen = Seen()
        self.locales = UserLocales()
        self.inflight = InFlight()

    async def in_thread(self, event: dict[str, Any], client: AsyncWebClient, bot_user_id: str | None,
                        kind: str, event_id: str | None) -> None:
        """Answer a mention or a DM in the message's thread (or start one under the message)."""
        channel = str(event.get("channel") or "")
        thread = event.get("thread_ts") or event.get("ts")
        began = time.perf_counter()
        lang = await self.locales.lang(client, event.get("user"))
        question = parse.question_text(str(event.get("text") or ""), bot_user_id)
        outcome = "help"
        try:
            if parse.is_help(question):
                blocks, text = fmt.help_blocks(lang), fmt.help_text(lang)
            else:
                answer = await self.service.ask(question, lang=lang)
                blocks, text, outcome = fmt.answer_blocks(answer), fmt.fallback_text(answer), answer.status.value
            await client.chat_postMessage(channel=channel, thread_ts=thread, text=text, blocks=blocks,
                                          unfurl_links=False, unfurl_media=False)
        except Exception:
            outcome = "error"
            log.exception("answering a Slack message failed", extra={"kind": kind, "event_id": event_id,
                                                                      "channel": channel})
            await self._apologize_in_thread(client, channel, thread, lang)
        log.info("slack reply", extra={"kind": kind, "event_id": event_id, "channel": channel, "lang": lang,
                                       "outcome": outcome, "ms": _elapsed_ms(began)})

    async def _apologize_in_thread(self, client: AsyncWebClient, channel: str, thread: str | None,
                                   lang: str) -> None:
        try:
            await client.chat_postMessage(channel=channel, thread_ts=thread, text=fmt.escape(i18n.t("error", lang)))
        except Exception:
            log.warning("could not post the apology", extra={"channel": channel}, exc_info=True)

    async def slash(self, command: dict[str, Any], respond: Any, client: AsyncWebClient,
                    bot_user_id: str | None) -> None:
        """/ask: an ephemeral answer through the command's response_url, with a Share button."""
        began = time.perf_counter()
        lang = await self.locales.lang(client, command.get("user_id"))
        question = parse.question_text(str(command.get("text") or ""), bot_user_id)
        outcome = "help"
        try:
            if parse.is_help(question):
                await _respond(respond, response_type="ephemeral", text=fmt.help_text(lang),
                               blocks=fmt.help_blocks(lang))
            else:
                answer = await self.service.ask(question, lang=lang)
                outcome = answer.status.value
                actions = [fmt.share_button(question, lang)] if answer.status is AnswerStatus.OK else None
                if not await _respond(respond, response_type="ephemeral", text=fmt.fallback_text(answer),
                                      blocks=fmt.answer_blocks(answer, question=question, actions=actions)):
                    raise RuntimeError("the response_url refused the answer")
        except Exception:
            outcome = "error"
            log.exception("answering /ask failed", extra={"channel": command.get("channel_id")})
            await _respond(respond, response_type="ephemeral", text=fmt.escape(i18n.t("error", lang)))
        log.info("slack reply", extra={"kind": "command", "channel": command.get("channel_id"), "lang": lang,
                                       "outcome": outcome, "ms": _elapsed_ms(began)})

    async def share(self, body: dict[str, Any], action: dict[str, Any], respond: Any,
                    client: AsyncWebClient) -> None:
        """Share in channel: post the answer publicly, then remove the private copy."""
        began = time.perf_counter()
        container = body.get("container") or {}
        channel = str((body.get("channel") or {}).get("id") or container.get("channel_id") or "")
        carried = fmt.read_share_value(action.get("value"))
        user = body.get("user") or {}
        if carried is None:
            # Not a value this version wrote (an old message, a forged click): ask again, politely.
            lang = await self.locales.lang(client, user.get("id"))
            await _respond(respond, response_type="ephemeral", replace_original=False,
                           text=fmt.escape(i18n.t("expired", lang)))
            return
        question, lang = carried
        # A double click arrives as two actions on the same private message; share it once.
        message_ts = container.get("message_ts")
        if message_ts and not self.seen.first_time(f"share:{channel}:{message_ts}"):
            return
        who = str(user.get("name") or user.get("username") or "")
        outcome = "shared"
        try:
            answer = await self.service.ask(question, lang=lang)
            text = fmt.fallback_text(answer)
            blocks = fmt.answer_blocks(answer, question=question, shared_by=who or None)
            try:
                await client.chat_postMessage(channel=channel, text=text, blocks=blocks,
                                              unfurl_links=False, unfurl_media=False)
            except SlackApiError as exc:
                if exc.response.get("error") not in _NOT_A_MEMBER:
                    raise
                outcome = "shared_via_response_url"
                if not await _respond(respond, response_type="in_channel", replace_original=False, text=text,
                                      blocks=blocks):
                    raise
            await _respond(respond, delete_original=True)
        except Exception:
            outcome = "error"
            log.exception("sharing an answer failed", extra={"channel": channel})
            await _respond(respond, response_type="ephemeral", replace_original=False,
                           text=fmt.escape(i18n.t("error", lang)))
        log.info("slack reply", extra={"kind": "share", "channel": channel, "lang": lang, "outcome": outcome,
                                       "ms": _elapsed_ms(began)})


async def _respond(respond: Any, **message: Any) -> bool:
    """Post to the response_url; False (and a log line) when that failed, never an exception."""
    try:
        result = await respond(**message)
    except Exception:
        log.warning("posting to response_url failed", exc_info=True)
        return False
    status = getattr(result, "status_code", 200)
    if status != 200:
        # Slack answers e.g. 400 "invalid_blocks" or 404 "expired_url" here instead of raising.
        log.warning("response_url refused the message", extra={"status": status, "body": getattr(result, "body", "")})
        return False
    return True


def create_slack_app(service: Core, settings: Settings) -> AsyncApp:
    """The Bolt app with saidbot's handlers; no network call happens until the first request."""
    token = settings.slack.bot_token.get_secret_value() if settings.slack.bot_token else None
    secret = settings.slack.signing_secret.get_secret_value() if settings.slack.signing_secret else None
    client = AsyncWebClient(token=token, base_url=settings.slack.api_url)
    # Without a signing secret (Socket Mode) nothing arrives over HTTP, so there is nothing to verify.
    app = AsyncApp(client=client, signing_secret=secret or "", request_verification_enabled=secret is not None,
                   logger=_BOLT_LOG)
    replies = _Replies(service)
    _IN_FLIGHT[app] = replies.inflight

    async def answer_once(
        event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any], kind: str
    ) -> None:
        """Reply in the thread, once per event however often Slack delivers it."""
        async with replies.inflight:
            event_id = body.get("event_id")
            if not replies.seen.first_time(event_id, _message_key(event)):
                log.info("duplicate event ignored", extra={"event_id": event_id})
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
        # Whatever escaped a handler; the user already got an acknowledgement and, where
        # possible, an apology from the handler itself.
        log.error("slack handler error", exc_info=error, extra={"type": body.get("type")})

    return app


async def drain(app: AsyncApp, grace: float) -> bool:
    """Wait (at most `grace` seconds) for replies the app is still working on."""
    inflight = _IN_FLIGHT.get(app)
    return True if inflight is None else await inflight.drain(grace)
