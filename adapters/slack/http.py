"""Slack over HTTP: the Events API, slash commands and button clicks on one route of a web app.

The web process decides whether Slack is configured and calls `mount`; everything about how
Slack's requests are served (the route, Bolt's signature check, letting replies finish when the
server stops) lives here.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from adapters.slack.app import create_slack_app, drain, slack_section
from adapters.slack.inflight import DRAIN_SECONDS
from bot.port import Core
from bot.settings import Settings, SlackSettings

EVENTS_PATH: Final = "/slack/events"


def mount(app: web.Application, core: Core, settings: Settings | SlackSettings) -> AsyncApp:
    """Serve Slack on POST /slack/events of `app`. Needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET:
    without the secret, requests could not be verified, so mounting is refused."""
    readiness = slack_section(settings).readiness
    if not readiness.configured:
        raise ValueError(f"Slack over HTTP needs {' and '.join(readiness.missing)}; see docs/slack.md")
    bolt = create_slack_app(core, settings)

    async def slack_events(request: web.Request) -> web.Response:
        # Bolt checks the v0 signature and the timestamp's age (401 otherwise), answers Slack's
        # url_verification, acknowledges, and runs the handler after the response is sent.
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def finish_replies(_: web.Application) -> None:
        # Runs after the server stopped taking requests (aiohttp's cleanup comes after shutdown).
        await drain(bolt, DRAIN_SECONDS)

    app.router.add_post(EVENTS_PATH, slack_events)
    app.on_cleanup.append(finish_replies)
    return bolt
