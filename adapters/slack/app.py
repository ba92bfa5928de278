"""Slack handlers: mentions and DMs answer in a thread; /ask answers privately with a Share button."""

from __future__ import annotations

import json
import logging
import re
import time
from collections import OrderedDict
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import format as fmt
from bot import i18n
from bot.models import AnswerStatus
from bot.service import SaidService
from bot.settings import Settings

log = logging.getLogger(__name__)

SHARE_ACTION = "saidbot_share"
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
# Slack caps a button value at 2000 characters; a question is cut to fit.
_MAX_VALUE_QUESTION = 1500


class Seen:
    """Event ids already handled, so a retried delivery never produces a second reply."""

    def __init__(self, size: int = 5000, ttl: float = 3600.0) -> None:
        self._ids: OrderedDict[str, float] = OrderedDict()
        self.size = size
        self.ttl = ttl

    def first_time(self, event_id: str | None) -> bool:
        if not event_id:
            return True
        now = time.monotonic()
        while self._ids and (len(self._ids) >= self.size or next(iter(self._ids.values())) < now - self.ttl):
            self._ids.popitem(last=False)
        if event_id in self._ids:
            return False
        self._ids[event_id] = now
        return True


class Locales:
    """The asker's Slack locale picks English or Japanese; looked up once per user."""

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}

    async def lang(self, client: AsyncWebClient, user: str | None) -> str:
        if not user:
            return "en"
        if user not in self._cache:
            try:
                info = await client.users_info(user=user, include_locale=True)
                self._cache[user] = i18n.normalize_lang(str((info.get("user") or {}).get("locale") or "en"))
            except Exception:  # a lookup failure must not cost the user an answer
                log.warning("users.info failed; answering in English", extra={"user": user})
                return "en"
        return self._cache[user]


def question_from_mention(text: str) -> str:
    return fmt.unescape(_MENTION.sub(" ", text)).strip()


def _share_button(question: str, lang: str) -> dict[str, Any]:
    value = json.dumps({"q": question[:_MAX_VALUE_QUESTION], "l": lang}, ensure_ascii=False)
    return {
        "type": "actions",
        "elements": [{
            "type": "button",
            "action_id": SHARE_ACTION,
            "text": {"type": "plain_text", "text": i18n.t("share_in_channel", lang)},
            "value": value,
        }],
    }


def create_slack_app(service: SaidService, settings: Settings) -> AsyncApp:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    client = AsyncWebClient(token=token, base_url=settings.slack_api_url)
    app = AsyncApp(client=client, signing_secret=secret, logger=logging.getLogger("slack_bolt"),
                   request_verification_enabled=secret is not None)
    seen = Seen()
    locales = Locales()

    async def reply_in_thread(event: dict[str, Any], client: AsyncWebClient, question: str) -> None:
        lang = await locales.lang(client, event.get("user"))
        thread = event.get("thread_ts") or event.get("ts")
        began = time.perf_counter()
        try:
            if not question:
                blocks, text = [{"type": "section", "text": {"type": "mrkdwn", "text": fmt.help_text(lang)}}], \
                    fmt.help_text(lang)
            else:
                answer = await service.ask(question, lang=lang)
                blocks, text = fmt.answer_blocks(answer), fmt.fallback_text(answer)
            await client.chat_postMessage(channel=event["channel"], thread_ts=thread, blocks=blocks, text=text,
                                          unfurl_links=False, unfurl_media=False)
        except Exception:
            log.exception("answering a Slack message failed", extra={"channel": event.get("channel")})
            await client.chat_postMessage(channel=event["channel"], thread_ts=thread, text=i18n.t("error", lang))
        log.info("slack answer", extra={"channel": event.get("channel"),
                                         "ms": round((time.perf_counter() - began) * 1000, 1)})

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        if not seen.first_time(body.get("event_id")):
            log.info("duplicate event ignored", extra={"event_id": body.get("event_id")})
            return
        await reply_in_thread(event, client, question_from_mention(event.get("text", "")))

    @app.event("message")
    async def on_message(event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        # Only direct messages from people; channel messages arrive as app_mention instead.
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        if not seen.first_time(body.get("event_id")):
            return
        await reply_in_thread(event, client, question_from_mention(event.get("text", "")))

    @app.command("/ask")
    async def on_ask(ack: Any, command: dict[str, Any], respond: Any, client: AsyncWebClient) -> None:
        await ack()
        lang = await locales.lang(client, command.get("user_id"))
        question = fmt.unescape(command.get("text") or "").strip()
        try:
            if not question or question.lower() in ("help", "ヘルプ"):
                await respond(response_type="ephemeral", text=fmt.help_text(lang))
                return
            answer = await service.ask(question, lang=lang)
            actions = [_share_button(question, lang)] if answer.status is AnswerStatus.OK else None
            await respond(response_type="ephemeral", text=fmt.fallback_text(answer),
                          blocks=fmt.answer_blocks(answer, actions=actions))
        except Exception:
            log.exception("answering /ask failed")
            await respond(response_type="ephemeral", text=i18n.t("error", lang))

    @app.action(SHARE_ACTION)
    async def on_share(ack: Any, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient,
                       respond: Any) -> None:
        await ack()
        try:
            value = json.loads(action.get("value") or "{}")
            question, lang = str(value.get("q", "")), i18n.normalize_lang(value.get("l"))
        except (ValueError, AttributeError):
            await respond(response_type="ephemeral", replace_original=False, text=i18n.t("expired", "en"))
            return
        channel = str((body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or "")
        user = body.get("user") or {}
        who = str(user.get("name") or user.get("username") or user.get("id") or "")
        try:
            answer = await service.ask(question, lang=lang)
            await client.chat_postMessage(channel=channel, text=fmt.fallback_text(answer),
                                          blocks=fmt.answer_blocks(answer, asked_by=who),
                                          unfurl_links=False, unfurl_media=False)
            await respond(delete_original=True)
        except Exception:
            log.exception("sharing an answer failed", extra={"channel": channel})
            await respond(response_type="ephemeral", replace_original=False, text=i18n.t("error", lang))

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("slack handler error", extra={"error": repr(error), "type": body.get("type")})

    return app
