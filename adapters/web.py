"""The web process: GET /healthz for the platform, and whatever chat adapter is configured to
serve over HTTP (Slack's /slack/events, mounted by the Slack adapter itself)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.port import Core
from bot.settings import Settings

log = logging.getLogger(__name__)

CORE: web.AppKey[Core] = web.AppKey("core")

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

        mount(app, core, settings)
        log.info("slack_mounted", extra={"path": EVENTS_PATH})
    elif readiness.partly:
        log.warning("slack_partly_configured", extra={"missing": list(readiness.missing), "serving": "/healthz"})
    else:
        log.info("slack_not_configured", extra={"serving": "/healthz"})


def create_web_app(core: Core, settings: Settings) -> web.Application:
    """/healthz always; Slack's /slack/events when `settings.slack` is configured for HTTP."""
    app = web.Application(middlewares=[access_log], client_max_size=1024**2)
    app[CORE] = core
    app[HEALTH] = HealthCache()
    app.router.add_get("/healthz", healthz)
    _mount_slack(app, core, settings)
    return app
