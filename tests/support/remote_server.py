"""A loopback web server for remote-source tests: files served with ETag / Last-Modified and 304s,
hostile routes (endless bodies, drips, redirect loops, errors), and a record of every request."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web

from tests.support.net import free_port

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Seen:
    path: str
    if_none_match: str | None
    if_modified_since: str | None
    user_agent: str | None
    status: int = 0


@dataclass
class RemoteServer:
    """Serve `files` (path → (bytes, content type)); `routes` override paths with handlers."""

    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    routes: dict[str, Handler] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    port: int = 0
    # Bytes the hostile routes managed to send before the client hung up.
    sent: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def put(self, path: str, data: bytes | str, content_type: str = "text/markdown") -> str:
        self.files[path] = (data.encode() if isinstance(data, str) else data, content_type)
        return self.url(path)

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        seen = Seen(request.path, request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since"),
                    request.headers.get("User-Agent"))
        self.seen.append(seen)
        route = self.routes.get(request.path)
        if route is not None:
            response = await route(request)
        elif request.path in self.files:
            data, content_type = self.files[request.path]
            etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
            if request.headers.get("If-None-Match") == etag:
                response = web.Response(status=304, headers={"ETag": etag})
            else:
                response = web.Response(body=data, content_type=content_type.split(";")[0],
                                        headers={"ETag": etag, "Last-Modified": "Tue, 01 Dec 2026 10:00:00 GMT"})
        else:
            response = web.Response(status=404, text="not here")
        seen.status = response.status
        return response

    async def endless(self, request: web.Request, *, claim: int | None = 2 * 1024**3) -> web.StreamResponse:
        """A body that claims (or, with claim=None, just streams) gigabytes until the client hangs up."""
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        if claim is not None:
            response.content_length = claim
        await response.prepare(request)
        chunk = b"x" * 65536
        sent = 0
        try:
            while sent < 2 * 1024**3:
                await response.write(chunk)
                sent += len(chunk)
                self.sent[request.path] = sent
        except (ConnectionError, asyncio.CancelledError):
            pass
        return response

    async def drip(self, request: web.Request) -> web.StreamResponse:
        """One byte every 50 ms, for ever."""
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        try:
            for _ in range(100_000):
                await response.write(b"x")
                await asyncio.sleep(0.05)
        except (ConnectionError, asyncio.CancelledError):
            pass
        return response


@asynccontextmanager
async def serving(server: RemoteServer | None = None) -> AsyncIterator[RemoteServer]:
    server = server or RemoteServer()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server._handle)
    runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
    await runner.setup()
    server.port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", server.port)
    await site.start()
    try:
        yield server
    finally:
        await runner.cleanup()
