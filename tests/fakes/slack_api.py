"""A fake Slack on loopback: the Web API (records every call, answers like Slack), response_url
receivers, and a Socket Mode WebSocket that delivers envelopes and records the acks.

Point SLACK_API_URL at `api_url`. Like Slack, Web API errors are HTTP 200 with `ok: false`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

BOT_USER = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM = "T1"


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    token: str | None


@dataclass(frozen=True)
class Workspace:
    """A workspace that installs the app: the OAuth code its admin brings back, and what Slack mints."""

    team: str
    token: str
    bot_user: str = BOT_USER
    bot_id: str = BOT_ID
    name: str = "Another"


@dataclass
class FakeSlack:
    # users.info answers: user id -> Slack locale (en-US when absent).
    locales: dict[str, str] = field(default_factory=dict)
    # When set, a call with any other bot token gets invalid_auth (as Slack answers a revoked token).
    bot_token: str | None = None
    app_token: str | None = None
    # chat.postMessage into these channels fails with the given Slack error (e.g. not_in_channel).
    channel_errors: dict[str, str] = field(default_factory=dict)
    # ... and a post *with blocks* into these channels fails (Slack's invalid_blocks); text alone works.
    blocks_errors: dict[str, str] = field(default_factory=dict)
    # response_url names that refuse a message with blocks (HTTP 400 and the error, as Slack does).
    response_errors: dict[str, str] = field(default_factory=dict)
    # Seconds a Web API method takes before answering, to stand in for a slow Slack.
    delays: dict[str, float] = field(default_factory=dict)
    # HTTP statuses a Web API method answers first, one per call, before it works again: 429 comes
    # with `Retry-After: 1` and `ratelimited`, as Slack rate-limits; 5xx with a plain error page.
    faults: dict[str, list[int]] = field(default_factory=dict)
    # users.info for these users fails with the given Slack error (e.g. missing_scope, ratelimited).
    users_info_errors: dict[str, str] = field(default_factory=dict)
    # response_url names that are dead: every post gets this HTTP status (404 expired_url, 410 used_url).
    dead_responses: dict[str, int] = field(default_factory=dict)
    # chat.postMessage into these channels never answers (a Slack that hangs); such calls are kept in
    # `stalled`, not `calls`, since nothing was delivered.
    stall_channels: set[str] = field(default_factory=set)
    stalled: list[dict[str, Any]] = field(default_factory=list)
    # Multi-workspace: OAuth codes oauth.v2.access exchanges (code -> workspace); each workspace's
    # bot token is then accepted too, and auth.test answers with that workspace's identity.
    installs: dict[str, Workspace] = field(default_factory=dict)
    # The app's credentials oauth.v2.access checks (None: any).
    client_id: str | None = None
    client_secret: str | None = None
    calls: list[Call] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    response_names: list[str] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    server: TestServer | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    # ------------------------------------------------------------------ for tests

    @property
    def api_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api/"))

    def response_url(self, name: str = "r1") -> str:
        assert self.server is not None
        return str(self.server.make_url(f"/response/{name}"))

    def of(self, method: str) -> list[dict[str, Any]]:
        return [c.body for c in self.calls if c.method == method]

    def tokens_of(self, method: str) -> list[str | None]:
        return [c.token for c in self.calls if c.method == method]

    async def _until(self, ready: Callable[[], bool], timeout: float) -> None:
        async def wait() -> None:
            while not ready():
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(wait(), timeout)

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        await self._until(lambda: len(self.of(method)) >= count, timeout)
        return self.of(method)

    async def wait_responses(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        await self._until(lambda: len(self.responses) >= count, timeout)
        return self.responses

    async def wait_socket(self, timeout: float = 5.0) -> web.WebSocketResponse:
        await self._until(lambda: bool(self.sockets), timeout)
        return self.sockets[-1]

    async def send_envelope(self, envelope: dict[str, Any]) -> None:
        """Deliver one Socket Mode envelope to the newest connection."""
        ws = await self.wait_socket()
        await ws.send_json(envelope)

    async def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        await self._until(lambda: any(a.get("envelope_id") == envelope_id for a in self.acks), timeout)
        return next(a for a in self.acks if a.get("envelope_id") == envelope_id)

    # ------------------------------------------------------------------ Web API

    async def _body(self, request: web.Request) -> dict[str, Any]:
        if request.method == "GET":
            return dict(request.query)
        if request.content_type == "application/json":
            return dict(await request.json())
        out: dict[str, Any] = {}
        for key, value in (await request.post()).items():
            text = str(value)
            try:
                out[key] = json.loads(text) if key in ("blocks", "attachments") else text
            except ValueError:
                out[key] = text
        return out

    def _token(self, request: web.Request, body: dict[str, Any]) -> str | None:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return header.removeprefix("Bearer ")
        token = body.get("token")
        return str(token) if token else None

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._body(request)
        body.update({k: v for k, v in request.query.items() if k not in body})
        token = self._token(request, body)
        if method == "chat.postMessage" and str(body.get("channel")) in self.stall_channels:
            self.stalled.append(body)
            self.changed.set()
            await asyncio.sleep(3600)
        self.calls.append(Call(method, body, token))
        self.changed.set()
        if method in self.delays:
            await asyncio.sleep(self.delays[method])
        pending = self.faults.get(method)
        if pending:
            status = pending.pop(0)
            if status == 429:
                return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                         headers={"Retry-After": "1"})
            return web.Response(status=status, text="upstream trouble")
        if method == "oauth.v2.access":
            return web.json_response(self._exchange(request, body))
        if method == "apps.connections.open":
            if self.app_token is not None and token != self.app_token:
                return web.json_response({"ok": False, "error": "invalid_auth"})
        elif not self._valid_bot_token(token):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response(self._answer(method, body, token))

    def _workspace_of(self, token: str | None) -> Workspace | None:
        return next((w for w in self.installs.values() if w.token == token), None)

    def _valid_bot_token(self, token: str | None) -> bool:
        if self.bot_token is None and not self.installs:
            return True
        return token == self.bot_token or self._workspace_of(token) is not None

    def _exchange(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        """oauth.v2.access: the app's credentials (HTTP Basic, as the SDK sends them) and a code."""
        credentials = request.headers.get("Authorization", "")
        if credentials.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(credentials[6:]).decode().partition(":")
        else:
            client_id, client_secret = str(body.get("client_id", "")), str(body.get("client_secret", ""))
        if (self.client_id, self.client_secret) != (None, None) and (client_id, client_secret) != (
                self.client_id, self.client_secret):
            return {"ok": False, "error": "invalid_client_id"}
        workspace = self.installs.get(str(body.get("code")))
        if workspace is None:
            return {"ok": False, "error": "invalid_code"}
        return {"ok": True, "app_id": "A1", "access_token": workspace.token, "token_type": "bot",
                "scope": "app_mentions:read,chat:write,commands,im:history,users:read",
                "bot_user_id": workspace.bot_user, "team": {"id": workspace.team, "name": workspace.name},
                "enterprise": None, "is_enterprise_install": False, "authed_user": {"id": "UINSTALLER"}}

    def _answer(self, method: str, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        workspace = self._workspace_of(token)
        if method == "auth.test" and workspace is not None:
            return {"ok": True, "user_id": workspace.bot_user, "bot_id": workspace.bot_id, "team_id": workspace.team,
                    "user": "saidbot", "team": workspace.name, "url": "https://another.slack.com/"}
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": BOT_ID, "team_id": TEAM, "user": "saidbot",
                    "team": "Example", "url": "https://example.slack.com/"}
        if method == "users.info":
            user = str(body.get("user"))
            if user in self.users_info_errors:
                return {"ok": False, "error": self.users_info_errors[user]}
            return {"ok": True, "user": {"id": user, "name": user.lower(), "locale": self.locales.get(user, "en-US")}}
        if method in ("chat.postMessage", "chat.postEphemeral"):
            channel = str(body.get("channel"))
            if channel in self.channel_errors:
                return {"ok": False, "error": self.channel_errors[channel]}
            if channel in self.blocks_errors and body.get("blocks"):
                return {"ok": False, "error": self.blocks_errors[channel]}
            if not body.get("text") and not body.get("blocks"):
                return {"ok": False, "error": "no_text"}
            return {"ok": True, "channel": channel, "ts": f"{len(self.calls)}.000100"}
        if method == "apps.connections.open":
            assert self.server is not None
            return {"ok": True, "url": str(self.server.make_url("/socket")).replace("http://", "ws://")}
        return {"ok": False, "error": "unknown_method"}

    async def response(self, request: web.Request) -> web.Response:
        """A response_url: records every post, including the ones it refuses."""
        body = dict(await request.json())
        name = request.match_info["name"]
        self.responses.append(body)
        self.response_names.append(name)
        self.changed.set()
        if name in self.dead_responses:
            return web.Response(status=self.dead_responses[name], text="expired_url")
        if name in self.response_errors and body.get("blocks"):
            return web.Response(status=400, text=self.response_errors[name])
        return web.Response(text="ok")

    # ------------------------------------------------------------------ Socket Mode

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()  # answers the SDK's pings by itself
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"},
                            "debug_info": {"host": "fake-slack", "approximate_connection_time": 3600}})
        self.sockets.append(ws)
        self.changed.set()
        async for message in ws:
            if message.type is WSMsgType.TEXT:
                self.acks.append(json.loads(message.data))
                self.changed.set()
        return ws

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.api)
        app.router.add_post("/response/{name:.+}", self.response)
        app.router.add_get("/socket", self.socket)
        self.server = TestServer(app, host="127.0.0.1", port=0)
        await self.server.start_server()

    async def close(self) -> None:
        for ws in self.sockets:
            await ws.close()
        if self.server is not None:
            await self.server.close()


SIGNING_SECRET = "0123456789abcdef0123456789abcdef"


def signed_headers(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None, content_type: str | None = None
) -> dict[str, str]:
    """Slack's v0 scheme: hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the signing secret."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return headers
