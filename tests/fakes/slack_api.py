"""A fake Slack Web API on loopback: records every call, answers like Slack, receives response_url posts."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

BOT_USER = "UBOT0001"


@dataclass
class Call:
    method: str
    body: dict[str, Any]


@dataclass
class FakeSlack:
    locales: dict[str, str] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    server: TestServer | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def api_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api/"))

    def response_url(self, name: str = "r1") -> str:
        assert self.server is not None
        return str(self.server.make_url(f"/response/{name}"))

    def of(self, method: str) -> list[dict[str, Any]]:
        return [c.body for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        async def enough() -> list[dict[str, Any]]:
            while len(self.of(method)) < count:
                self.changed.clear()
                await self.changed.wait()
            return self.of(method)

        return await asyncio.wait_for(enough(), timeout)

    async def wait_responses(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        async def enough() -> list[dict[str, Any]]:
            while len(self.responses) < count:
                self.changed.clear()
                await self.changed.wait()
            return self.responses

        return await asyncio.wait_for(enough(), timeout)

    async def _body(self, request: web.Request) -> dict[str, Any]:
        if request.method == "GET":
            return dict(request.query)
        if request.content_type == "application/json":
            return dict(await request.json())
        form = await request.post()
        out: dict[str, Any] = {}
        for key, value in form.items():
            text = str(value)
            try:
                out[key] = json.loads(text) if key in ("blocks", "attachments") else text
            except ValueError:
                out[key] = text
        return out

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._body(request)
        body.update({k: v for k, v in request.query.items() if k not in body})
        self.calls.append(Call(method, body))
        self.changed.set()
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": BOT_USER, "bot_id": "BBOT0001", "team_id": "T1",
                                      "user": "saidbot", "url": "https://example.slack.com/"})
        if method == "users.info":
            user = str(body.get("user"))
            return web.json_response({"ok": True, "user": {"id": user, "locale": self.locales.get(user, "en-US")}})
        if method in ("chat.postMessage", "chat.postEphemeral"):
            return web.json_response({"ok": True, "channel": body.get("channel"), "ts": f"{len(self.calls)}.000100"})
        return web.json_response({"ok": False, "error": "unknown_method"})

    async def response(self, request: web.Request) -> web.Response:
        self.responses.append(dict(await request.json()))
        self.changed.set()
        return web.Response(text="ok")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.api)
        app.router.add_post("/response/{name}", self.response)
        self.server = TestServer(app, host="127.0.0.1", port=0)
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()
