"""Socket Mode: the same handlers over a WebSocket that saidbot opens, for workspaces without a
public URL. Needs SLACK_APP_TOKEN (xapp-…, scope connections:write) and SLACK_BOT_TOKEN.
"""

from __future__ import annotations

import asyncio
import logging

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError

from adapters.slack.app import create_slack_app, drain
from adapters.slack.inflight import DRAIN_SECONDS
from bot.port import Core
from bot.settings import Settings

log = logging.getLogger(__name__)


async def run_socket_mode(service: Core, settings: Settings) -> None:
    """Answer over Socket Mode until cancelled; raises at once when Slack refuses a token."""
    if settings.slack.app_token is None or settings.slack.bot_token is None:
        raise ValueError("Socket Mode needs SLACK_APP_TOKEN and SLACK_BOT_TOKEN; see docs/slack.md")
    app = create_slack_app(service, settings)
    try:
        identity = await app.client.auth_test()
    except SlackApiError as exc:
        log.error("Slack rejected SLACK_BOT_TOKEN", extra={"error": exc.response.get("error")})
        raise
    # Bolt's handler talks to apps.connections.open through app.client, i.e. SLACK_API_URL.
    handler = AsyncSocketModeHandler(app, settings.slack.app_token.get_secret_value())
    try:
        # The SDK retries a failed connection forever; asking for the first URL ourselves turns a
        # bad app token into an error at startup instead of an endless retry loop.
        handler.client.wss_uri = await handler.client.issue_new_wss_url()
    except SlackApiError as exc:
        log.error("Slack rejected SLACK_APP_TOKEN", extra={"error": exc.response.get("error")})
        raise
    await handler.connect_async()  # type: ignore[no-untyped-call]
    log.info("slack socket mode connected", extra={"bot_user": identity.get("user_id"),
                                                   "team": identity.get("team_id")})
    try:
        await asyncio.Event().wait()
    finally:
        # Stop taking events first, then let replies already being worked on finish.
        await handler.close_async()  # type: ignore[no-untyped-call]
        await drain(app, DRAIN_SECONDS)
        log.info("slack socket mode closed")
