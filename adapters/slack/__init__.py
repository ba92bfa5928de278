"""Slack adapter: mentions, DMs and /ask over the Events API (HTTP) or Socket Mode.

See docs/slack.md for creating the app from config/slack-manifest.yml.
"""

from __future__ import annotations

import asyncio
import logging

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

from adapters.slack.app import create_slack_app
from bot.service import SaidService
from bot.settings import Settings

__all__ = ["create_slack_app", "run_socket_mode"]

log = logging.getLogger(__name__)


async def run_socket_mode(service: SaidService, settings: Settings) -> None:
    """Answer over Socket Mode until cancelled; for workspaces without a public URL."""
    if settings.slack_app_token is None:
        raise ValueError("SLACK_APP_TOKEN is not set; see docs/slack.md")
    handler = AsyncSocketModeHandler(create_slack_app(service, settings), settings.slack_app_token.get_secret_value())
    await handler.connect_async()  # type: ignore[no-untyped-call]
    log.info("slack socket mode connected")
    try:
        await asyncio.Event().wait()
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
