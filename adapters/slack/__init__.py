"""Slack adapter: mentions, DMs and /ask over the Events API (HTTP) or Socket Mode.

See docs/slack.md for creating the app from config/slack-manifest.yml. Modules: app (Bolt app
and handlers), format (Block Kit, escaping, limits), parse (Slack markup to plain words),
dedupe (retried events), locales (users.info language), inflight (replies at shutdown),
socket_mode (the WebSocket runner). The HTTP side lives in adapters/web.py.
"""

from __future__ import annotations

from adapters.slack.app import create_slack_app, drain
from adapters.slack.socket_mode import run_socket_mode

__all__ = ["create_slack_app", "drain", "run_socket_mode"]
