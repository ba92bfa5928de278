"""Slack adapter: mentions, DMs and /ask over the Events API (HTTP) or Socket Mode.

See docs/slack.md for creating the app from config/slack-manifest.yml. Modules: app (Bolt app
and handlers), guard (one error guard and log event per reply), format (Block Kit from the
presenter's text, escaping, limits), parse (Slack markup to plain words), deliveries (retries
and double clicks claimed once across instances), installations (multi-workspace OAuth stores),
locales (users.info language), inflight (replies at shutdown), http (the /slack/events route a
web app mounts, and the install routes), socket_mode (the WebSocket runner).
"""

from __future__ import annotations

from adapters.slack.app import create_slack_app, drain
from adapters.slack.http import EVENTS_PATH, mount
from adapters.slack.socket_mode import run_socket_mode

__all__ = ["EVENTS_PATH", "create_slack_app", "drain", "mount", "run_socket_mode"]
