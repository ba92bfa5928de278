"""Socket Mode: the same handlers over a WebSocket that saidbot opens, for workspaces without a
public URL. Needs SLACK_APP_TOKEN (xapp-…, scope connections:write) and SLACK_BOT_TOKEN.
"""

from __future__ import annotations

import asyncio
import logging

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError

from adapters.slack.app import create_slack_app, drain, slack_section
from adapters.slack.inflight import DRAIN_SECONDS
from bot.port import Core
from bot.settings import Settings, SlackSettings
from bot.shared_state import SharedState

log = logging.getLogger(__name__)


async def run_socket_mode(core: Core, settings: Settings | SlackSettings, *, state: SharedState | None = None) -> None:
    """Answer over Socket Mode until cancelled; raises at once when a token is missing or refused."""
    slack = slack_section(settings)
    readiness = slack.socket_readiness
    if not readiness.configured or slack.app_token is None:
        raise ValueError(f"Socket Mode needs {' and '.join(readiness.missing)}; see docs/slack.md")
    app = create_slack_app(core, slack)
    try:
        identity = await app.client.auth_test()
    except SlackApiError as exc:
        log.error("slack_token_rejected", extra={"variable": "SLACK_BOT_TOKEN", "error": exc.response.get("error")})
        raise
    # Bolt's handler talks to apps.connections.open through app.client, i.e. SLACK_API_URL.
    handler = AsyncSocketModeHandler(app, slack.app_token.get_secret_value())
    try:
        # The SDK retries a failed connection forever; asking for the first URL ourselves turns a
        # bad app token into an error at startup instead of an endless retry loop.
        handler.client.wss_uri = await handler.client.issue_new_wss_url()
    except SlackApiError as exc:
        log.error("slack_token_rejected", extra={"variable": "SLACK_APP_TOKEN", "error": exc.response.get("error")})
        raise
    await handler.connect_async()  # type: ignore[no-untyped-call]
    log.info("slack_socket_connected", extra={"bot_user": identity.get("user_id"),
                                                   "team": identity.get("team_id")})
    try:
        await asyncio.Event().wait()
    finally:
        # Stop taking events first, then let replies already being worked on finish.
        await handler.close_async()  # type: ignore[no-untyped-call]
        await drain(app, DRAIN_SECONDS)
        log.info("slack_socket_closed")
