"""The web process: Slack's Events API on POST /slack/events and GET /healthz for the platform."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

from bot.port import Core
from bot.settings import Settings

log = logging.getLogger(__name__)

SERVICE: web.AppKey[Core] = web.AppKey("service")

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
    service = request.app[SERVICE]
    body: dict[str, object] = {"status": "warming_up", "segments": None, "index_age_seconds": None}
    if not service.ready:
        return web.json_response(body, status=503)
    try:
        stats = await service.stats()
    except Exception:
        # A platform probe gets a plain 503; the reason goes to the log.
        log.exception("health check could not read the store")
        return web.json_response({**body, "status": "error"}, status=503)
    age = service.index_age_seconds()
    body.update(status="ready", segments=stats.segments,
                index_age_seconds=round(age, 1) if age is not None else None)
    return web.json_response(body)


def _add_slack(app: web.Application, service: Core, settings: Settings) -> None:
    from adapters.slack import create_slack_app, drain
    from adapters.slack.inflight import DRAIN_SECONDS

    bolt = create_slack_app(service, settings)

    async def slack_events(request: web.Request) -> web.Response:
        # Bolt checks the v0 signature and the timestamp's age (401 otherwise), answers Slack's
        # url_verification, acknowledges, and runs the handler after the response is sent.
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def finish_replies(_: web.Application) -> None:
        # Runs after the server stopped taking requests (aiohttp's cleanup comes after shutdown).
        await drain(bolt, DRAIN_SECONDS)

    app.router.add_post("/slack/events", slack_events)
    app.on_cleanup.append(finish_replies)


def create_web_app(service: Core, settings: Settings) -> web.Application:
    """/healthz always; POST /slack/events when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are both set."""
    app = web.Application(middlewares=[access_log], client_max_size=1024**2)
    app[SERVICE] = service
    app.router.add_get("/healthz", healthz)
    token, secret = settings.slack.bot_token, settings.slack.signing_secret
    if token is not None and secret is not None:
        _add_slack(app, service, settings)
    elif token is not None or secret is not None:
        missing = "SLACK_SIGNING_SECRET" if secret is None else "SLACK_BOT_TOKEN"
        log.warning("Slack is half configured; serving /healthz only", extra={"missing": missing})
    else:
        log.info("Slack is not configured; serving /healthz only")
    return app
