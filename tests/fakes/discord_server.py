"""A small Discord on loopback: REST under /api/v10 and the websocket gateway, enough for a bot that
answers slash commands, autocomplete and buttons.

It speaks the real wire protocol so the real discord.py client can connect to it, and it is strict
where Discord is strict: message limits, the 3-second interaction deadline, acknowledging an
interaction twice, disallowed privileged intents. Every violation is recorded in `problems` (and
answered the way Discord answers it), so a test can assert that none happened even when the bot
swallowed the error. Every request is recorded in `requests` with its parsed JSON body.

Point discord.py at it (tests only) by patching `discord.http.Route.BASE` to `api_base` and
`discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY` to `gateway_url`.

With `interactions_url` set (or `via=` on one call), interactions are delivered the way an
Interactions Endpoint gets them instead: POSTed to that URL, signed with the fake application's
Ed25519 key (`public_key_hex` is what the bot is configured with), and the HTTP response is taken
as the interaction's callback, under the same rules as a callback sent to the REST API.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import WSMsgType, web
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def _json_response(data: Any, *, status: int = 200) -> web.Response:
    # Discord answers `application/json` with no charset, and discord.py compares the header
    # exactly (anything else is read as text).
    return web.Response(body=json.dumps(data).encode(), status=status, content_type="application/json")


API_PREFIX = "/api/v10"
JSON_BODY: web.RequestKey[Any] = web.RequestKey("json_body", object)
DISCORD_EPOCH_MS = 1420070400000
INTERACTION_DEADLINE = 3.0

EPHEMERAL = 1 << 6
LOADING = 1 << 7
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content

# Interaction types and callback types, from the Discord API reference.
APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE = 2, 3, 4
CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE = 4, 5, 6
UPDATE_MESSAGE, AUTOCOMPLETE_RESULT = 7, 8

MANAGE_GUILD = 1 << 5
DEFAULT_MEMBER_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 31)  # view, send, embed, use app cmds

Json = dict[str, Any]


@dataclass
class RecordedRequest:
    method: str
    path: str  # relative to /api/v10
    query: dict[str, str]
    body: Any
    at: float


@dataclass
class FakeInteraction:
    """One interaction the fake dispatched, and everything the bot did with it."""

    id: int
    token: str
    payload: Json
    dispatched_at: float
    callbacks: list[Json] = field(default_factory=list)
    callback_delays: list[float] = field(default_factory=list)
    original_id: int | None = None
    edits: list[Json] = field(default_factory=list)
    followup_ids: list[int] = field(default_factory=list)
    choices: list[Json] | None = None
    # Delivered over HTTP: the status the bot's endpoint answered with (None: over the gateway).
    http_status: int | None = None

    @property
    def callback_type(self) -> int | None:
        return self.callbacks[0]["type"] if self.callbacks else None

    @property
    def deferred(self) -> bool:
        return self.callback_type in (DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE)

    @property
    def answered(self) -> bool:
        """The user sees a final answer: a message, an update, choices, or a deferral completed by an edit."""
        if not self.callbacks:
            return False
        if self.deferred:
            return bool(self.edits) or bool(self.followup_ids)
        return True


class FakeDiscord:
    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        app_id: int = 900000000000000001,
        guild_id: int = 900000000000000002,
        channel_id: int = 900000000000000003,
    ) -> None:
        self.token = token
        self.app_id = app_id
        self.bot_user_id = app_id  # Discord gives a bot user the application's id
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.requests: list[RecordedRequest] = []
        self.problems: list[str] = []
        self.pings: list[str] = []
        # True: interactions carry only the fields older API versions and other Discord-compatible
        # servers send (no attachment_size_limit, member flags, user avatar, ...).
        self.lean_payloads = False
        # False: callbacks are answered 204 No Content, as Discord does without `with_response`.
        self.callback_bodies = True
        # False: the bot lacks Send Messages in the channel (posting there answers 403).
        self.bot_can_post = True
        # The next N interaction callbacks are answered 429 with `retry_after` seconds (Discord's
        # rate limiter); the client must wait and send again, and the deadline keeps running.
        self.callback_rate_limits = 0
        self.callback_retry_after = 1.0
        # The next N webhook calls (edits and follow-ups of interactions) are answered with this status
        # (429 with a short `retry_after`, or a 5xx), before they do anything.
        self.webhook_failures = 0
        self.webhook_failure_status = 429
        # True: every callback is answered 10062 Unknown interaction, as for an interaction Discord
        # already expired (a client that was paused, a clock far behind).
        self.interactions_expired = False
        # Another member of the server, for clicks on someone else's answer.
        self.second_member_id = 700000000000000002
        # (where, body) of every message the bot sent or edited, in order.
        self.message_bodies: list[tuple[str, Json]] = []
        self.commands: dict[int | None, list[Json]] = {}
        self.command_puts: list[int | None] = []
        self.messages: dict[int, Json] = {}
        self.interactions: dict[int, FakeInteraction] = {}
        self.identifies: list[Json] = []
        self.sessions_ready = 0
        # HTTP delivery: the application's signing key and the bot's Interactions Endpoint.
        self.signing_key = Ed25519PrivateKey.generate()
        self.interactions_url: str | None = None
        self._client: aiohttp.ClientSession | None = None
        self._by_token: dict[str, FakeInteraction] = {}
        self._sockets: list[_GatewaySocket] = []
        self._changed = asyncio.Event()
        self._snowflake_counter = 0
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        app = web.Application(middlewares=[self._record])
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server: Any = site._server  # an asyncio.Server; aiohttp exposes no public port for port 0
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
        for sock in list(self._sockets):
            await sock.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def public_key_hex(self) -> str:
        """The application's public key, as the Developer Portal shows it (DISCORD_PUBLIC_KEY)."""
        return self.signing_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()

    def signed_headers(self, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
        """The headers Discord sends with an interaction: an Ed25519 signature over timestamp + body."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = self.signing_key.sign(stamp.encode() + body).hex()
        return {"X-Signature-Ed25519": signature, "X-Signature-Timestamp": stamp, "Content-Type": "application/json"}

    # ------------------------------------------------------------------ waiting

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                await self._changed.wait()

    async def wait_ready(self, sessions: int = 1, timeout: float = 10.0) -> None:
        """Wait until `sessions` gateway sessions in all have been sent READY."""
        await self.wait_for(lambda: self.sessions_ready >= sessions, timeout)

    async def answered(self, it: FakeInteraction, timeout: float = 8.0) -> FakeInteraction:
        await self.wait_for(lambda: it.answered, timeout)
        return it

    # ------------------------------------------------------------------ ids and shapes

    def snowflake(self) -> int:
        self._snowflake_counter = (self._snowflake_counter + 1) % 4096
        return ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | self._snowflake_counter

    def user(self, user_id: int, name: str = "tester") -> Json:
        return {
            "id": str(user_id),
            "username": name,
            "discriminator": "0",
            "global_name": name.title(),
            "avatar": None,
            "bot": False,
            "public_flags": 0,
        }

    def bot_user(self) -> Json:
        return {**self.user(self.bot_user_id, "saidbot"), "bot": True, "verified": True, "flags": 0}

    def _member(self, user_id: int, permissions: int) -> Json:
        return {
            "user": self.user(user_id),
            "roles": [],
            "joined_at": "2024-01-01T00:00:00.000000+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "nick": None,
            "avatar": None,
            "permissions": str(permissions),
        }

    def _channel(self) -> Json:
        return {
            "id": str(self.channel_id),
            "type": 0,
            "guild_id": str(self.guild_id),
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
            "permissions": str(DEFAULT_MEMBER_PERMISSIONS),
        }

    def _guild(self) -> Json:
        everyone = {
            "id": str(self.guild_id),
            "name": "@everyone",
            "permissions": str(DEFAULT_MEMBER_PERMISSIONS),
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        return {
            "id": str(self.guild_id),
            "name": "Fake Guild",
            "icon": None,
            "owner_id": "1",
            "roles": [everyone],
            "emojis": [],
            "stickers": [],
            "features": [],
            "channels": [self._channel()],
            "threads": [],
            "members": [],
            "voice_states": [],
            "presences": [],
            "member_count": 2,
            "large": False,
            "unavailable": False,
            "preferred_locale": "en-US",
            "joined_at": "2024-01-01T00:00:00.000000+00:00",
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "system_channel_flags": 0,
        }

    def _make_message(
        self, body: Json, *, flags: int = 0, interaction: FakeInteraction | None = None
    ) -> Json:
        now = datetime.now(UTC).isoformat()
        message: Json = {
            "id": str(self.snowflake()),
            "channel_id": str(self.channel_id),
            "guild_id": str(self.guild_id),
            "author": self.bot_user(),
            "type": 0 if interaction is None else 20,
            "content": body.get("content") or "",
            "embeds": [{"type": "rich", **e} for e in body.get("embeds") or []],
            "components": body.get("components") or [],
            "attachments": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": now,
            "edited_timestamp": None,
            "flags": flags | (int(body.get("flags") or 0) & EPHEMERAL),
        }
        if interaction is not None:
            message["webhook_id"] = str(self.app_id)
            message["application_id"] = str(self.app_id)
            message["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.payload["type"],
                "user": interaction.payload["member"]["user"],
                "authorizing_integration_owners": {},
            }
        self.messages[int(message["id"])] = message
        return message

    def _edit_message(self, message: Json, body: Json) -> Json:
        for key in ("content", "embeds", "components"):
            if key in body and body[key] is not None:
                value = body[key]
                message[key] = [{"type": "rich", **e} for e in value] if key == "embeds" else value
        if "flags" in body and body["flags"] is not None:
            # Only SUPPRESS_EMBEDS may change; the loading flag goes once the message has content.
            message["flags"] = (message["flags"] & ~(1 << 2)) | (int(body["flags"]) & (1 << 2))
        message["flags"] &= ~LOADING
        message["edited_timestamp"] = datetime.now(UTC).isoformat()
        return message

    # ------------------------------------------------------------------ rules Discord enforces

    def _check_message(self, body: Json, where: str, *, creating: bool) -> list[str]:
        self.message_bodies.append((where, body))
        errors: list[str] = []
        content = body.get("content") or ""
        embeds = body.get("embeds") or []
        components = body.get("components") or []
        if len(content) > 2000:
            errors.append(f"content is {len(content)} > 2000 characters")
        if len(embeds) > 10:
            errors.append(f"{len(embeds)} > 10 embeds")
        total = 0
        for n, embed in enumerate(embeds):
            for key, limit in (("title", 256), ("description", 4096)):
                text = embed.get(key) or ""
                total += len(text)
                if len(text) > limit:
                    errors.append(f"embeds[{n}].{key} is {len(text)} > {limit}")
            for key, limit in (("author", 256), ("footer", 2048)):
                part = embed.get(key) or {}
                text = part.get("name" if key == "author" else "text") or ""
                total += len(text)
                if len(text) > limit:
                    errors.append(f"embeds[{n}].{key} is {len(text)} > {limit}")
            fields = embed.get("fields") or []
            if len(fields) > 25:
                errors.append(f"embeds[{n}] has {len(fields)} > 25 fields")
            for m, fld in enumerate(fields):
                name, value = fld.get("name") or "", fld.get("value") or ""
                total += len(name) + len(value)
                if not name or not value:
                    errors.append(f"embeds[{n}].fields[{m}] has an empty name or value")
                if len(name) > 256 or len(value) > 1024:
                    errors.append(f"embeds[{n}].fields[{m}] is over 256/1024")
            url = embed.get("url")
            if url is not None and not re.match(r"https?://", url):
                errors.append(f"embeds[{n}].url is not a URL: {url!r}")
        if total > 6000:
            errors.append(f"embeds hold {total} > 6000 characters")
        custom_ids: list[str] = []
        if len(components) > 5:
            errors.append(f"{len(components)} > 5 action rows")
        for row in components:
            buttons = row.get("components") or []
            if row.get("type") != 1 or not 1 <= len(buttons) <= 5:
                errors.append("an action row must hold 1 to 5 components")
            for button in buttons:
                if len(button.get("label") or "") > 80:
                    errors.append("button label > 80")
                if "custom_id" in button:
                    custom_ids.append(button["custom_id"])
                    if not 1 <= len(button["custom_id"]) <= 100:
                        errors.append(f"custom_id length {len(button['custom_id'])} not in 1..100")
        if len(custom_ids) != len(set(custom_ids)):
            errors.append("duplicate custom_id in one message")
        if creating and not (content or embeds or components):
            errors.append("cannot send an empty message")
        for problem in errors:
            self.problems.append(f"{where}: {problem}")
        self._check_pings(body, where)
        return errors

    def _check_pings(self, body: Json, where: str) -> None:
        content = body.get("content") or ""
        allowed = body.get("allowed_mentions")
        # Without allowed_mentions Discord parses every mention in a bot's message.
        parse = set(allowed.get("parse", [])) if allowed is not None else {"everyone", "users", "roles"}
        users = allowed.get("users", []) if allowed is not None else []
        roles = allowed.get("roles", []) if allowed is not None else []
        if "everyone" in parse and re.search(r"@(everyone|here)", content):
            self.pings.append(f"{where}: @everyone/@here")
        for uid in re.findall(r"<@!?(\d+)>", content):
            if "users" in parse or uid in users:
                self.pings.append(f"{where}: user {uid}")
        for rid in re.findall(r"<@&(\d+)>", content):
            if "roles" in parse or rid in roles:
                self.pings.append(f"{where}: role {rid}")

    @staticmethod
    def _invalid(errors: list[str]) -> web.Response:
        return _json_response(
            {"code": 50035, "message": "Invalid Form Body", "errors": {"_errors": errors}}, status=400
        )

    @staticmethod
    def _error(status: int, code: int, message: str) -> web.Response:
        return _json_response({"code": code, "message": message}, status=status)

    # ------------------------------------------------------------------ REST

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith(API_PREFIX):
            body: Any = None
            if request.can_read_body:
                if request.content_type == "multipart/form-data":
                    form = await request.post()
                    raw = form.get("payload_json")
                    body = json.loads(raw) if isinstance(raw, str) else None
                else:
                    text = await request.text()
                    body = json.loads(text) if text else None
            request[JSON_BODY] = body
            self.requests.append(
                RecordedRequest(
                    request.method,
                    request.path[len(API_PREFIX) :],
                    dict(request.query),
                    body,
                    time.monotonic(),
                )
            )
        try:
            response: web.StreamResponse = await handler(request)
        finally:
            self._notify()
        return response

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = request.path[len(API_PREFIX) :]
        method = request.method
        body: Any = request.get(JSON_BODY)
        if path.startswith("/webhooks/") and self.webhook_failures > 0:
            self.webhook_failures -= 1
            if self.webhook_failure_status == 429:
                return _json_response({"message": "You are being rate limited.", "retry_after": 0.05,
                                       "global": False}, status=429)
            return self._error(self.webhook_failure_status, 0, "Internal Server Error")
        for pattern, verb, handler, needs_auth in self._routes():
            match = re.fullmatch(pattern, path)
            if match and verb == method:
                if needs_auth and request.headers.get("Authorization") != f"Bot {self.token}":
                    self.problems.append(f"{method} {path}: missing or wrong bot token")
                    return self._error(401, 0, "401: Unauthorized")
                result: web.StreamResponse = await handler(match, body, request)
                return result
        self.problems.append(f"unhandled route {method} {path}")
        return self._error(404, 0, "404: Not Found")

    def _routes(self) -> Iterator[tuple[str, str, Any, bool]]:
        app = str(self.app_id)
        message = rf"/webhooks/{app}/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)"
        yield r"/users/@me", "GET", self._get_me, True
        yield r"/oauth2/applications/@me", "GET", self._get_application, True
        yield r"/gateway/bot", "GET", self._get_gateway_bot, True
        yield r"/gateway", "GET", self._get_gateway_bot, False
        yield rf"/applications/{app}/commands", "GET", self._get_commands, True
        yield rf"/applications/{app}/commands", "PUT", self._put_commands, True
        yield rf"/applications/{app}/guilds/(?P<guild>\d+)/commands", "GET", self._get_commands, True
        yield rf"/applications/{app}/guilds/(?P<guild>\d+)/commands", "PUT", self._put_commands, True
        yield r"/interactions/(?P<id>\d+)/(?P<token>[^/]+)/callback", "POST", self._callback, False
        yield message, "GET", self._get_wh, False
        yield message, "PATCH", self._edit_wh, False
        yield message, "DELETE", self._del_wh, False
        yield rf"/webhooks/{app}/(?P<token>[^/]+)", "POST", self._followup, False
        yield r"/channels/(?P<channel>\d+)/messages", "POST", self._channel_message, True

    async def _get_me(self, match: re.Match[str], body: Any, request: web.Request) -> web.Response:
        return _json_response(self.bot_user())

    async def _get_application(self, match: re.Match[str], body: Any, request: web.Request) -> web.Response:
        return _json_response(
            {
                "id": str(self.app_id),
                "name": "saidbot",
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.user(1, "owner"),
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
                "summary": "",
            }
        )

    async def _get_gateway_bot(self, match: re.Match[str], body: Any, request: web.Request) -> web.Response:
        limits = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return _json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": limits})

    def _scope(self, match: re.Match[str]) -> int | None:
        guild = match.groupdict().get("guild")
        return int(guild) if guild else None

    async def _get_commands(self, match: re.Match[str], body: Any, request: web.Request) -> web.Response:
        return _json_response(self.commands.get(self._scope(match), []))

    async def _put_commands(self, match: re.Match[str], body: Any, request: web.Request) -> web.Response:
        scope = self._scope(match)
        errors = []
        for cmd in body:
            # Slash command names are lower-case words; user and message commands may hold spaces and capitals.
            slash_name = re.fullmatch(r"[-_\w]{1,32}", cmd.get("name", "")) and cmd["name"] == cmd["name"].lower()
            menu_name = cmd.get("type", 1) in (2, 3) and 1 <= len(cmd.get("name", "")) <= 32
            if not (slash_name or menu_name):
                errors.append(f"bad command name {cmd.get('name')!r}")
            if cmd.get("type", 1) == 1 and not 1 <= len(cmd.get("description", "")) <= 100:
                errors.append(f"{cmd['name']}: description must be 1..100 characters")
            for opt in cmd.get("options", []):
                if not re.fullmatch(r"[-_\w]{1,32}", opt["name"]) or not 1 <= len(opt["description"]) <= 100:
                    errors.append(f"{cmd['name']}.{opt['name']}: bad option")
        if errors:
            self.problems.extend(errors)
            return self._invalid(errors)
        stored = []
        for cmd in body:
            existing = {c["name"]: c for c in self.commands.get(scope, [])}
            cid = existing[cmd["name"]]["id"] if cmd["name"] in existing else str(self.snowflake())
            record = {
                "id": cid,
                "application_id": str(self.app_id),
                "version": str(self.snowflake()),
                "type": cmd.get("type", 1),
                "options": [],
                "default_member_permissions": None,
                # Discord answers user and message commands with an empty description.
                "description": "",
                **cmd,
            }
            if scope is not None:
                record["guild_id"] = str(scope)
            stored.append(record)
        self.commands[scope] = stored
        self.command_puts.append(scope)
        return _json_response(stored)

    async def _callback(self, match: re.Match[str], body: Any, request: web.Request) -> web.Response:
        it = self.interactions.get(int(match["id"]))
        if it is None or it.token != match["token"] or self.interactions_expired:
            return self._error(404, 10062, "Unknown interaction")
        if self.callback_rate_limits > 0:
            self.callback_rate_limits -= 1
            retry = self.callback_retry_after
            return web.Response(
                body=json.dumps({"message": "You are being rate limited.", "retry_after": retry, "global": False,
                                 "code": 0}).encode(),
                status=429, content_type="application/json",
                # Discord's answers come through its proxy (`Via`); discord.py retries only those.
                headers={"Via": "1.1 google", "Retry-After": str(retry), "X-RateLimit-Limit": "1", "X-RateLimit-Remaining": "0",
                         "X-RateLimit-Reset-After": str(retry), "X-RateLimit-Bucket": "interactions",
                         "X-RateLimit-Scope": "user"},
            )
        return self._acknowledge(it, body)

    def _acknowledge(self, it: FakeInteraction, body: Json) -> web.Response:
        """A callback (over REST, or an HTTP interaction's response), under Discord's rules."""
        if not isinstance(body, dict) or not isinstance(body.get("type"), int):
            self.problems.append(f"interaction {it.id}: a callback that is not an interaction response: {body!r}")
            return self._invalid(["not an interaction response"])
        delay = time.monotonic() - it.dispatched_at
        where = f"callback for interaction {it.id}"
        if delay > INTERACTION_DEADLINE:
            self.problems.append(f"{where}: answered after {delay:.2f}s > {INTERACTION_DEADLINE}s")
            return self._error(404, 10062, "Unknown interaction")
        if it.callbacks:
            self.problems.append(f"{where}: acknowledged twice")
            return self._error(400, 40060, "Interaction has already been acknowledged.")
        kind = body["type"]
        data = body.get("data") or {}
        message: Json | None = None
        if kind in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
            errors = self._check_message(data, where, creating=kind == CHANNEL_MESSAGE)
            if errors:
                return self._invalid(errors)
        if kind == AUTOCOMPLETE_RESULT:
            choices = data.get("choices", [])
            if len(choices) > 25 or any(not 1 <= len(c["name"]) <= 100 for c in choices):
                self.problems.append(f"{where}: bad autocomplete choices {choices!r}")
                return self._invalid(["bad choices"])
            it.choices = choices
        elif kind == CHANNEL_MESSAGE:
            message = self._make_message(data, interaction=it)
        elif kind == DEFERRED_CHANNEL_MESSAGE:
            message = self._make_message({"flags": data.get("flags", 0)}, flags=LOADING, interaction=it)
        elif kind in (DEFERRED_UPDATE, UPDATE_MESSAGE):
            if it.payload["type"] != MESSAGE_COMPONENT:
                self.problems.append(f"{where}: callback type {kind} is only for components")
                return self._invalid([f"callback type {kind} is only for components"])
            message = self.messages[int(it.payload["message"]["id"])]
            if kind == UPDATE_MESSAGE:
                self._edit_message(message, data)
        else:
            self.problems.append(f"{where}: unexpected callback type {kind}")
            return self._invalid([f"unexpected callback type {kind}"])
        it.callbacks.append(body)
        it.callback_delays.append(delay)
        if message is not None:
            it.original_id = int(message["id"])
        reply: Json = {
            "interaction": {
                "id": str(it.id),
                "type": it.payload["type"],
                "response_message_loading": kind == DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": bool(message and message["flags"] & EPHEMERAL),
            }
        }
        if message is not None:
            reply["interaction"]["response_message_id"] = message["id"]
            reply["resource"] = {"type": kind, "message": message}
        if not self.callback_bodies:
            return web.Response(status=204)
        return _json_response(reply)

    def _interaction_for(self, token: str) -> FakeInteraction | None:
        return self._by_token.get(token)

    async def _acknowledged(self, it: FakeInteraction) -> None:
        # Over HTTP, the bot's answer and its first webhook call may race on the wire; Discord has
        # the answer by the time the call is handled.
        if it.http_status is None and self.interactions_url is not None and not it.callbacks:
            with contextlib.suppress(TimeoutError):
                await self.wait_for(lambda: bool(it.callbacks), 2.0)

    async def _webhook_message(self, match: re.Match[str]) -> tuple[FakeInteraction | None, Json | None]:
        it = self._interaction_for(match["token"])
        if it is None:
            return None, None
        await self._acknowledged(it)
        mid = it.original_id if match["mid"] == "@original" else int(match["mid"])
        if mid is None or (mid != it.original_id and mid not in it.followup_ids):
            return it, None
        return it, self.messages.get(mid)

    async def _get_wh(self, match: re.Match[str], body: Any, request: web.Request) -> web.Response:
        _, message = await self._webhook_message(match)
        if message is None:
            return self._error(404, 10008, "Unknown Message")
        return _json_response(message)

    async def _edit_wh(self, match: re.Match[str], body: Any, request: web.Request) -> web.Response:
        it, message = await self._webhook_message(match)
        if it is None or message is None:
            self.problems.append(f"edit of unknown message {match['mid']}")
            return self._error(404, 10008, "Unknown Message")
        errors = self._check_message(body, f"edit of message {message['id']}", creating=False)
        if errors:
            return self._invalid(errors)
        if match["mid"] == "@original":
            it.edits.append(body)
        self._edit_message(message, body)
        return _json_response(message)

    async def _del_wh(self, match: re.Match[str], body: Any, request: web.Request) -> web.Response:
        _, message = await self._webhook_message(match)
        if message is None:
            return self._error(404, 10008, "Unknown Message")
        self.messages.pop(int(message["id"]), None)
        return web.Response(status=204)

    async def _followup(self, match: re.Match[str], body: Any, request: web.Request) -> web.Response:
        it = self._interaction_for(match["token"])
        if it is None:
            return self._error(404, 10015, "Unknown Webhook")
        await self._acknowledged(it)
        if not it.callbacks:
            self.problems.append(f"followup to interaction {it.id} before it was acknowledged")
            return self._error(404, 10015, "Unknown Webhook")
        errors = self._check_message(body, f"followup to interaction {it.id}", creating=True)
        if errors:
            return self._invalid(errors)
        message = self._make_message(body, interaction=it)
        it.followup_ids.append(int(message["id"]))
        return _json_response(message)

    async def _channel_message(self, match: re.Match[str], body: Any, request: web.Request) -> web.Response:
        if int(match["channel"]) != self.channel_id:
            return self._error(404, 10003, "Unknown Channel")
        if not self.bot_can_post:
            return self._error(403, 50013, "Missing Permissions")
        errors = self._check_message(body, f"message in channel {match['channel']}", creating=True)
        if errors:
            return self._invalid(errors)
        if int(body.get("flags") or 0) & EPHEMERAL:
            self.problems.append("channel messages cannot be ephemeral")
        return _json_response(self._make_message(body))

    def channel_messages(self) -> list[Json]:
        """Messages the bot posted with its own token (not interaction responses)."""
        return [m for m in self.messages.values() if "webhook_id" not in m]

    def requests_to(self, method: str, pattern: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and re.fullmatch(pattern, r.path)]

    # ------------------------------------------------------------------ gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        sock = _GatewaySocket(ws, zlib_stream=request.query.get("compress") == "zlib-stream")
        self._sockets.append(sock)
        try:
            await sock.send({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                await self._gateway_op(sock, json.loads(msg.data))
        finally:
            self._sockets.remove(sock)
            self._notify()
        return ws

    async def _gateway_op(self, sock: _GatewaySocket, msg: Json) -> None:
        op = msg.get("op")
        data: Json = msg.get("d") or {}
        if op == 1:  # heartbeat
            await sock.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:  # identify
            self.identifies.append(data)
            if data.get("token") != self.token:
                await sock.ws.close(code=4004, message=b"Authentication failed.")
                return
            if int(data.get("intents", 0)) & PRIVILEGED_INTENTS:
                self.problems.append(f"identify asked for privileged intents {data['intents']}")
                await sock.ws.close(code=4014, message=b"Disallowed intent(s).")
                return
            sock.session_id = secrets.token_hex(16)
            await sock.dispatch(
                "READY",
                {
                    "v": 10,
                    "user": self.bot_user(),
                    "guilds": [{"id": str(self.guild_id), "unavailable": True}],
                    "session_id": sock.session_id,
                    "resume_gateway_url": self.gateway_url,
                    "shard": data.get("shard") or [0, 1],
                    "application": {"id": str(self.app_id), "flags": 0},
                },
            )
            if int(data.get("intents", 0)) & 1:  # GUILDS: the guild follows READY
                await sock.dispatch("GUILD_CREATE", self._guild())
            self.sessions_ready += 1
            self._notify()
        elif op == 6:  # resume
            sock.session_id = data.get("session_id")
            await sock.dispatch("RESUMED", {})
        else:
            self.problems.append(f"unexpected gateway op {op}")

    def _live_socket(self) -> _GatewaySocket:
        live = [s for s in self._sockets if s.session_id and not s.ws.closed]
        assert live, "no bot is connected to the fake gateway"
        return live[-1]

    # ------------------------------------------------------------------ interactions

    async def _dispatch_interaction(self, kind: int, data: Json | None, **extra: Any) -> FakeInteraction:
        user_id: int = extra.pop("user_id")
        permissions: int = extra.pop("permissions")
        locale: str = extra.pop("locale")
        via: str | None = extra.pop("via", None) or self.interactions_url
        iid = self.snowflake()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        payload: Json = {
            "id": str(iid),
            "application_id": str(self.app_id),
            "type": kind,
            "token": token,
            "version": 1,
            "guild_id": str(self.guild_id),
            "guild": {"id": str(self.guild_id), "locale": "en-US", "features": []},
            "guild_locale": "en-US",
            "channel_id": str(self.channel_id),
            "channel": self._channel(),
            "member": self._member(user_id, permissions),
            "locale": locale,
            "app_permissions": str(DEFAULT_MEMBER_PERMISSIONS),
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.guild_id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
            **extra,
        }
        if data is not None:
            payload["data"] = data
        sent = _lean(payload) if self.lean_payloads else payload
        it = FakeInteraction(iid, token, payload, time.monotonic())
        self.interactions[iid] = it
        self._by_token[token] = it
        if via is not None:
            await self._post_interaction(it, via, sent)
            return it
        await self._live_socket().dispatch("INTERACTION_CREATE", sent)
        return it

    async def _post_interaction(self, it: FakeInteraction, url: str, payload: Json) -> None:
        """Deliver over HTTP and take the response as the callback; a 401 is what a forged one gets."""
        if self._client is None:
            self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        body = json.dumps(payload).encode()
        async with self._client.post(url, data=body, headers=self.signed_headers(body)) as response:
            it.http_status = response.status
            text = await response.text()
        if response.status != 200:
            return
        try:
            answer = json.loads(text)
        except ValueError:
            self.problems.append(f"interaction {it.id}: the endpoint answered 200 with no JSON: {text[:200]!r}")
            return
        self._acknowledge(it, answer)
        self._notify()

    async def deliver(self, url: str, payload: Json) -> FakeInteraction:
        """Deliver `payload` (e.g. one built by another call, delivered again) to `url` as a new delivery."""
        it = self.interactions[int(payload["id"])]
        await self._post_interaction(it, url, payload)
        return it

    async def dispatch_raw(self, event: str, data: Json) -> None:
        """Send any dispatch event as is (e.g. a malformed one)."""
        await self._live_socket().dispatch(event, data)

    def _command(self, name: str) -> Json:
        for scope in (self.guild_id, None):
            for cmd in self.commands.get(scope, []):
                if cmd["name"] == name:
                    return cmd
        raise AssertionError(f"command /{name} was never registered; registered: {self.commands}")

    def _options(self, cmd: Json, values: dict[str, Any], focused: str | None = None) -> list[Json]:
        by_name = {o["name"]: o for o in cmd.get("options", [])}
        options = []
        for name, value in values.items():
            if name not in by_name:
                raise AssertionError(f"/{cmd['name']} has no option {name!r}; it has {sorted(by_name)}")
            option: Json = {"name": name, "type": by_name[name]["type"], "value": value}
            if name == focused:
                option["focused"] = True
            options.append(option)
        return options

    async def slash(
        self,
        name: str,
        *,
        locale: str = "en-US",
        user_id: int = 700000000000000001,
        permissions: int = DEFAULT_MEMBER_PERMISSIONS,
        via: str | None = None,
        **options: Any,
    ) -> FakeInteraction:
        """A member runs /name with the given option values (`via`: to that Interactions Endpoint)."""
        cmd = self._command(name)
        data = {"id": cmd["id"], "name": name, "type": 1, "options": self._options(cmd, options)}
        if "guild_id" in cmd:
            data["guild_id"] = cmd["guild_id"]
        return await self._dispatch_interaction(
            APPLICATION_COMMAND, data, user_id=user_id, permissions=permissions, locale=locale, via=via
        )

    async def autocomplete(
        self,
        name: str,
        focused: str,
        *,
        locale: str = "en-US",
        user_id: int = 700000000000000001,
        via: str | None = None,
        **options: Any,
    ) -> FakeInteraction:
        """A member is typing option `focused` of /name; `options` holds what is typed so far."""
        cmd = self._command(name)
        data = {"id": cmd["id"], "name": name, "type": 1, "options": self._options(cmd, options, focused)}
        return await self._dispatch_interaction(
            AUTOCOMPLETE, data, user_id=user_id, permissions=DEFAULT_MEMBER_PERMISSIONS, locale=locale, via=via
        )

    async def click(
        self,
        message: Json,
        custom_id: str,
        *,
        locale: str = "en-US",
        user_id: int = 700000000000000001,
        via: str | None = None,
    ) -> FakeInteraction:
        """A member clicks the button `custom_id` on `message`."""
        ids = [c.get("custom_id") for row in message.get("components", []) for c in row.get("components", [])]
        if custom_id not in ids:
            raise AssertionError(f"message has no button {custom_id!r}; it has {ids}")
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._dispatch_interaction(
            MESSAGE_COMPONENT,
            data,
            user_id=user_id,
            permissions=DEFAULT_MEMBER_PERMISSIONS,
            locale=locale,
            message=message,
            via=via,
        )

    async def message_command(
        self,
        name: str,
        content: str,
        *,
        locale: str = "en-US",
        user_id: int = 700000000000000001,
        author_id: int = 700000000000000002,
        via: str | None = None,
    ) -> FakeInteraction:
        """A member picks Apps → `name` on a message (by `author_id`) that says `content`."""
        cmd = self._command(name)
        assert cmd.get("type") == 3, f"{name!r} is not a message command: {cmd}"
        target = self._make_message({"content": content})
        target["author"] = self.user(author_id, "someone")
        data = {
            "id": cmd["id"], "name": name, "type": 3, "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
        }
        if "guild_id" in cmd:
            data["guild_id"] = cmd["guild_id"]
        return await self._dispatch_interaction(
            APPLICATION_COMMAND, data, user_id=user_id, permissions=DEFAULT_MEMBER_PERMISSIONS, locale=locale,
            via=via,
        )

    def reply_message(self, it: FakeInteraction) -> Json:
        """The message the user sees as the interaction's response."""
        assert it.original_id is not None, f"interaction {it.id} has no response message"
        return self.messages[it.original_id]


@dataclass
class _GatewaySocket:
    ws: web.WebSocketResponse
    zlib_stream: bool
    session_id: str | None = None
    sequence: int = 0
    _compressor: Any = field(default_factory=zlib.compressobj)

    async def send(self, payload: Json) -> None:
        text = json.dumps(payload)
        if self.zlib_stream:
            # zlib-stream: one deflate stream per connection, each message ends with a sync flush.
            data = self._compressor.compress(text.encode()) + self._compressor.flush(zlib.Z_SYNC_FLUSH)
            await self.ws.send_bytes(data)
        else:
            await self.ws.send_str(text)

    async def dispatch(self, event: str, data: Json) -> None:
        self.sequence += 1
        await self.send({"op": 0, "t": event, "s": self.sequence, "d": data})


def _lean(payload: Json) -> Json:
    lean = {k: v for k, v in payload.items() if k in ("id", "application_id", "type", "token", "data", "guild_id",
                                                     "channel_id", "member", "locale", "message")}
    lean["application_id"] = payload["application_id"]
    member = payload["member"]
    lean["member"] = {
        "user": {"id": member["user"]["id"], "username": member["user"]["username"]},
        "permissions": member["permissions"],
    }
    if "message" in payload:
        message = payload["message"]
        lean["message"] = {k: message[k] for k in ("id", "channel_id", "content", "components", "embeds", "flags")}
    return lean


def buttons(message: Json) -> list[Json]:
    """The buttons of a message, in order."""
    return [c for row in message.get("components", []) for c in row.get("components", [])]
