"""The web process: Slack's Events API on POST /slack/events and GET /healthz for the platform."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

from bot.service import SaidService
from bot.settings import Settings

log = logging.getLogger(__name__)

SERVICE: web.AppKey[SaidService] = web.AppKey("service", SaidService)

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
    service = request.app[SERVICE]
    ready = service.ready
    body: dict[str, object] = {"status": "ready" if ready else "warming_up", "index_age_seconds": None}
    if ready:
        stats = await service.stats()
        body["segments"] = stats.segments
        age = service.index_age_seconds()
        body["index_age_seconds"] = round(age, 1) if age is not None else None
    else:
        body["segments"] = None
    return web.json_response(body, status=200 if ready else 503)


def create_web_app(service: SaidService, settings: Settings) -> web.Application:
    app = web.Application(middlewares=[access_log], client_max_size=1024**2)
    app[SERVICE] = service
    app.router.add_get("/healthz", healthz)
    if settings.slack_bot_token is not None and settings.slack_signing_secret is not None:
        from adapters.slack import create_slack_app

        bolt = create_slack_app(service, settings)

        async def slack_events(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

        app.router.add_post("/slack/events", slack_events)
    else:
        log.info("Slack is not configured; serving /healthz only")
    return app
