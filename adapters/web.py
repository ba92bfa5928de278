"""The web process: GET /healthz for the platform, and whatever chat adapter is configured to
serve over HTTP (Slack's /slack/events, mounted by the Slack adapter itself)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Final

from aiohttp import web

from bot.port import Core
from bot.settings import Settings
from bot.shared_state import SharedState
from bot.state_db import open_shared_state

log = logging.getLogger(__name__)

CORE: web.AppKey[Core] = web.AppKey("core")
# What every instance shares: the Slack and Discord mounts take it from here.
STATE: web.AppKey[SharedState] = web.AppKey("state")

# /healthz answers from the segment count it last read, refreshed in the background at most this
# often, so a probe never queues behind answers for the store's read connections.
HEALTH_REFRESH_SECONDS = 30.0
# The first probe after the index is ready waits this long for the count, at most.
HEALTH_FIRST_READ_SECONDS = 2.0


class HealthCache:
    """The segment count for /healthz, read from the store in the background."""

    def __init__(self) -> None:
        self.segments: int | None = None
        self.read_at = 0.0
        self.failed = False
        self._refresh: asyncio.Task[None] | None = None

    async def _read(self, core: Core) -> None:
        try:
            stats = await core.stats()
        except Exception:
            # A platform probe gets a plain 503; the reason goes to the log (once per refresh).
            log.exception("healthz_store_unreadable")
            self.failed = True
        else:
            self.segments, self.failed = stats.segments, False
        self.read_at = time.monotonic()

    async def current(self, core: Core) -> int | None:
        """The last count read; starts a refresh when it is old, waits only when there is none yet."""
        stale = time.monotonic() - self.read_at > HEALTH_REFRESH_SECONDS or (self.segments is None
                                                                              and not self.failed)
        if stale and (self._refresh is None or self._refresh.done()):
            self._refresh = asyncio.create_task(self._read(core), name="healthz-refresh")
        if self.segments is None and not self.failed and self._refresh is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._refresh), HEALTH_FIRST_READ_SECONDS)
        return None if self.failed else self.segments


HEALTH: web.AppKey[HealthCache] = web.AppKey("health", HealthCache)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def access_log(request: web.Request, handler: Handler) -> web.StreamResponse:
    """One structured line per request, with an id the logs of its handling can share."""
    request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex[:12]
    began = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        log.info("request", extra={
            "request_id": request_id, "method": request.method, "path": request.path, "status": status,
            "ms": round((time.perf_counter() - began) * 1000, 1),
            "slack_retry": request.headers.get("X-Slack-Retry-Num"),
        })


async def healthz(request: web.Request) -> web.Response:
    """200 with the index's size and age once answers are possible; 503 while warming up or broken."""
    core = request.app[CORE]
    body: dict[str, object] = {"status": "warming_up", "segments": None, "index_age_seconds": None}
    if not core.ready:
        return web.json_response(body, status=503)
    segments = await request.app[HEALTH].current(core)
    if segments is None:
        return web.json_response({**body, "status": "error"}, status=503)
    age = core.index_age_seconds()
    body.update(status="ready", segments=segments,
                index_age_seconds=round(age, 1) if age is not None else None)
    return web.json_response(body)


def _mount_slack(app: web.Application, core: Core, settings: Settings) -> None:
    readiness = settings.slack.readiness
    if readiness.configured:
        # Imported only when used: a web process without Slack never loads Bolt.
        from adapters.slack import EVENTS_PATH, mount

        mount(app, core, settings, state=app[STATE])
        log.info("slack_mounted", extra={"path": EVENTS_PATH})
    elif readiness.partly:
        log.warning("slack_partly_configured", extra={"missing": list(readiness.missing), "serving": "/healthz"})
    else:
        log.info("slack_not_configured", extra={"serving": "/healthz"})


def _mount_discord(app: web.Application, core: Core, settings: Settings, state: SharedState) -> None:
    readiness = settings.discord.http_readiness
    if readiness.configured:
        # Imported only when used: a web process without Discord over HTTP never loads discord.py.
        from adapters.discord.interactions_http import INTERACTIONS_PATH, mount

        mount(app, core, settings, state=state)
        log.info("discord_mounted", extra={"path": INTERACTIONS_PATH})
    elif readiness.partly:
        log.warning("discord_http_partly_configured", extra={"missing": list(readiness.missing)})


def create_web_app(core: Core, settings: Settings, *, state: SharedState | None = None) -> web.Application:
    """/healthz always; Slack's /slack/events when `settings.slack` is configured for HTTP; Discord's
    /discord/interactions when `settings.discord` has the public key and application id (HTTP mode).

    `state` is what the instances share; without one, the settings' own is opened and closed with the app.
    """
    app = web.Application(middlewares=[access_log], client_max_size=CLIENT_MAX_SIZE)
    app[CORE] = core
    shared: SharedState = state if state is not None else open_shared_state(settings.core)
    app[STATE] = shared
    app[HEALTH] = HealthCache()
    app.router.add_get("/healthz", healthz)
    _mount_slack(app, core, settings)
    _mount_discord(app, core, settings, shared)
    if state is None:

        async def close_state(_: web.Application) -> None:
            await shared.close()

        # Last: the adapters' own cleanups (replies still being sent) may use the state.
        app.on_cleanup.append(close_state)
    return app


# ----------------------------------------------------------------- the listening socket's limits

# Open connections at most: far below the process's 1,024 file descriptors, so accept() never runs out
# of them (the database, Slack's and Discord's own connections need some too).
MAX_CONNECTIONS: Final = 512
# A connection that has not sent a whole request head this long after opening (or after its last
# response) is closed: aiohttp's keep-alive timer, which also covers a peer trickling its headers.
HEADER_SECONDS: Final = 5.0
# A request body (Slack's events are a few KB) must arrive within this long.
BODY_SECONDS: Final = 10.0
# Request line and each header, at most (aiohttp's defaults, stated).
MAX_LINE: Final = 8190
MAX_FIELD: Final = 8190
# Bodies above this get 413 before a handler reads them.
CLIENT_MAX_SIZE: Final = 1024**2
# Accept errors (file descriptors exhausted) are logged at most once per this many seconds, with a count.
ACCEPT_ERROR_LOG_SECONDS: Final = 10.0


def server_limits(header_seconds: float = HEADER_SECONDS) -> dict[str, Any]:
    """aiohttp's per-connection settings for `web.AppRunner(...)`."""
    return {"keepalive_timeout": header_seconds, "max_line_size": MAX_LINE, "max_field_size": MAX_FIELD}


class _Counted(asyncio.Protocol):
    """aiohttp's protocol for one connection, counted by a `ConnectionCap` while it is open."""

    def __init__(self, cap: ConnectionCap, inner: asyncio.Protocol) -> None:
        self._cap = cap
        self.inner = inner
        self.transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self._cap.opened(self)
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cap.closed(self)
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

    @property
    def busy(self) -> bool:
        """Whether a request is being handled on it (aiohttp's flag; unknown counts as idle)."""
        return bool(getattr(self.inner, "_request_in_progress", False))


class ConnectionCap:
    """At most `limit` open connections. One more arriving closes the oldest idle one (a slow or
    silent client, not a request being answered), so a fresh probe always gets in and the file
    descriptors stay bounded however many clients hold connections open."""

    def __init__(self, limit: int = MAX_CONNECTIONS) -> None:
        self.limit = limit
        self._open: dict[_Counted, None] = {}  # insertion order: oldest first
        self.evicted = 0
        self._warned_at = -ACCEPT_ERROR_LOG_SECONDS

    @property
    def open(self) -> int:
        return len(self._open)

    def factory(self, inner: Callable[[], asyncio.Protocol]) -> Callable[[], asyncio.Protocol]:
        return lambda: _Counted(self, inner())

    def opened(self, conn: _Counted) -> None:
        self._open[conn] = None
        if len(self._open) <= self.limit:
            return
        victim = next((c for c in self._open if c is not conn and not c.busy), None)
        if victim is None:
            victim = conn  # every other connection is answering a request: refuse the newcomer
        self.evicted += 1
        now = time.monotonic()
        if now - self._warned_at >= ACCEPT_ERROR_LOG_SECONDS:
            self._warned_at = now
            log.warning("connections_at_limit", extra={"limit": self.limit, "evicted": self.evicted})
        self._open.pop(victim, None)
        if victim.transport is not None:
            victim.transport.close()

    def closed(self, conn: _Counted) -> None:
        self._open.pop(conn, None)


class CappedSite(web.TCPSite):
    """`web.TCPSite` whose connections go through a `ConnectionCap`."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, cap: ConnectionCap) -> None:
        super().__init__(runner, host, port)
        self.cap = cap

    async def start(self) -> None:
        # What TCPSite.start does, with the protocol factory wrapped.
        await web.BaseSite.start(self)  # registers the site with its runner
        server = self._runner.server
        assert server is not None
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self.cap.factory(server), self._host, self._port, backlog=self._backlog,
            reuse_address=self._reuse_address, reuse_port=self._reuse_port,
        )


class AcceptErrors:
    """A loop exception handler that turns asyncio's one log per failed accept() (thousands a second
    when file descriptors run out) into one `accept_failed` line per interval, with the count."""

    MESSAGE: Final = "socket.accept() out of system resource"

    def __init__(self, interval: float = ACCEPT_ERROR_LOG_SECONDS) -> None:
        self.interval = interval
        self.failures = 0
        self._unlogged = 0
        self._logged_at = -interval

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if context.get("message") != self.MESSAGE:
            loop.default_exception_handler(context)
            return
        self.failures += 1
        self._unlogged += 1
        now = time.monotonic()
        if now - self._logged_at >= self.interval:
            self._logged_at = now
            log.error("accept_failed", extra={"failures": self._unlogged, "error": repr(context.get("exception")),
                                              "interval_seconds": self.interval})
            self._unlogged = 0
