"""Loopback stand-ins for the load benchmark (`bench.scale`): Discord's interaction webhooks, and
the signed deliveries Slack and Discord send.

Slack's side is the tests' fake Web API (`tests.fakes.slack_api.FakeSlack`), which already records
every call. Discord's full fake (`tests.fakes.discord_server`) checks every message body against
Discord's rules, which costs more CPU per call than the instances it is measuring; over HTTP the
instances only edit and follow up on interactions, so this records those calls and answers them as
Discord does, and nothing else.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.fakes.slack_api import BOT_USER, signed_headers

Json = dict[str, Any]
DISCORD_EPOCH_MS = 1_420_070_400_000
EPHEMERAL = 1 << 6


# ---------------------------------------------------------------------------------------------- Slack

# What an instance says when its answer backlog is full (i18n key `busy`, English).
BUSY_WORDS = "busy answering other questions"


class TimedCalls(list[Any]):
    """FakeSlack's call list, also noting when each call arrived (`times[i]` for `self[i]`)."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def append(self, item: Any) -> None:
        self.times.append(time.monotonic())
        super().append(item)

    def clear(self) -> None:
        self.times.clear()
        super().clear()



def slack_mention(i: int, question: str) -> str:
    """Logical question `i` as Slack's `app_mention` event callback (its ts names the answer's thread)."""
    return json.dumps({
        "type": "event_callback", "event_id": f"EvScale{i}", "team_id": "T1", "api_app_id": "A1",
        "event_time": int(time.time()),
        "authorizations": [{"user_id": BOT_USER, "is_bot": True, "team_id": "T1"}],
        "event": {"type": "app_mention", "user": f"U{i % 500}", "channel": slack_channel(i), "ts": slack_ts(i),
                  "text": f"<@{BOT_USER}> {question}"},
    })


def slack_channel(i: int) -> str:
    return f"C{i % 10}"


def slack_ts(i: int) -> str:
    return f"{1_700_000_000 + i}.000100"


def slack_headers(body: str, secret: str, *, retry: bool) -> dict[str, str]:
    headers = signed_headers(body, secret=secret, content_type="application/json")
    if retry:
        # What Slack adds when it re-delivers an event it thinks was not acknowledged in 3 s.
        headers.update({"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    return headers


# ---------------------------------------------------------------------------------------------- Discord


class DiscordSigner:
    """The application's Ed25519 key pair: the instances get the public half, deliveries are signed."""

    def __init__(self) -> None:
        self._key = Ed25519PrivateKey.generate()
        self.public_key_hex = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()

    def headers(self, body: bytes) -> dict[str, str]:
        timestamp = str(int(time.time()))
        signature = self._key.sign(timestamp.encode() + body).hex()
        return {"X-Signature-Ed25519": signature, "X-Signature-Timestamp": timestamp,
                "Content-Type": "application/json"}


@dataclass
class Snowflakes:
    """Interaction and message ids as Discord makes them (time in the high bits), never repeated."""

    _counter: itertools.count[int] = field(default_factory=itertools.count)

    def next(self) -> int:
        return ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (next(self._counter) % (1 << 22))


APP_ID = 880000000000000001
GUILD_ID = 880000000000000002
CHANNEL_ID = 880000000000000003


def _interaction(kind: int, iid: int, token: str, user_id: int, data: Json, **extra: Any) -> Json:
    return {
        "id": str(iid), "application_id": str(APP_ID), "type": kind, "token": token, "version": 1,
        "guild_id": str(GUILD_ID), "channel_id": str(CHANNEL_ID), "locale": "en-US", "guild_locale": "en-US",
        "member": {"user": {"id": str(user_id), "username": f"user{user_id % 1000}", "discriminator": "0",
                            "global_name": None, "avatar": None},
                   "roles": [], "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": False, "mute": False,
                   "flags": 0, "permissions": "0"},
        "app_permissions": "0", "entitlements": [], "context": 0, "data": data, **extra,
    }


def discord_ask(iid: int, token: str, user_id: int, question: str, *, private: bool = False) -> Json:
    """`/ask`; a private answer is the one that carries a Share button."""
    options: list[Json] = [{"name": "question", "type": 3, "value": question}]
    if private:
        options.append({"name": "private", "type": 5, "value": True})
    return _interaction(2, iid, token, user_id, {"id": str(APP_ID + 10), "name": "ask", "type": 1,
                                                 "options": options})


def discord_click(iid: int, token: str, user_id: int, custom_id: str, message_id: int, components: Any) -> Json:
    message = {"id": str(message_id), "channel_id": str(CHANNEL_ID), "type": 20, "content": "",
               "author": {"id": str(APP_ID), "username": "saidbot", "discriminator": "0", "bot": True},
               "components": components, "embeds": [], "attachments": [], "flags": 0,
               "timestamp": "2026-01-01T00:00:00.000000+00:00"}
    return _interaction(3, iid, token, user_id, {"custom_id": custom_id, "component_type": 2}, message=message)


@dataclass
class WebhookCall:
    method: str
    token: str
    body: Json
    at: float


@dataclass
class FakeDiscordWebhooks:
    """`{api}/webhooks/{application}/{token}…`: records edits and follow-ups, answers with a message."""

    calls: list[WebhookCall] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    _ids: Snowflakes = field(default_factory=Snowflakes)
    _runner: web.AppRunner | None = None
    port: int = 0

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    async def start(self, port: int) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/v10/webhooks/{app}/{token}", self._followup)
        app.router.add_route("*", "/api/v10/webhooks/{app}/{token}/messages/{message}", self._message)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.port = port

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _json(self, request: web.Request) -> Json:
        try:
            body = await request.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    def _message_json(self, body: Json) -> Json:
        return {"id": str(self._ids.next()), "channel_id": str(CHANNEL_ID), "type": 20,
                "content": body.get("content", ""), "embeds": body.get("embeds", []),
                "components": body.get("components", []), "flags": body.get("flags", 0)}

    async def _followup(self, request: web.Request) -> web.Response:
        if request.method != "POST":
            return await self._unknown(request)
        body = await self._json(request)
        self.calls.append(WebhookCall("POST", request.match_info["token"], body, time.monotonic()))
        return web.json_response(self._message_json(body))

    async def _message(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if request.method == "DELETE":
            self.calls.append(WebhookCall("DELETE", token, {}, time.monotonic()))
            return web.Response(status=204)
        if request.method not in ("PATCH", "GET"):
            return await self._unknown(request)
        body = await self._json(request) if request.method == "PATCH" else {}
        self.calls.append(WebhookCall(request.method, token, body, time.monotonic()))
        return web.json_response(self._message_json(body))

    async def _unknown(self, request: web.Request) -> web.Response:
        self.other.append(f"{request.method} {request.path}")
        return web.json_response({"code": 0, "message": "404: Not Found"}, status=404)
