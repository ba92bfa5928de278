"""A browser going through Slack's install flow against a saidbot web process, and events from any team.

`install` GETs /slack/install on one instance (a fresh OAuth state, and its cookie), skips Slack's
consent page (the fake Slack knows the code), and brings the code back to /slack/oauth_redirect on
any instance, with the cookie, as the admin's browser would.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiohttp import ClientSession
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from sqlalchemy.ext.asyncio import create_async_engine

from bot.state_db import async_url
from tests.fakes.slack_api import SIGNING_SECRET, signed_headers


async def install(start_url: str, finish_url: str, code: str) -> tuple[int, str]:
    """The redirect page's status and text after installing with `code` (started on one instance,
    finished on the one at `finish_url`)."""
    async with ClientSession() as browser:
        async with browser.get(f"{start_url}/slack/install", allow_redirects=False) as resp:
            assert resp.status == 302, await resp.text()
            consent = urlsplit(resp.headers["Location"])
            cookie = resp.headers["Set-Cookie"].split(";", 1)[0]
        [state] = parse_qs(consent.query)["state"]
        async with browser.get(f"{finish_url}/slack/oauth_redirect", params={"code": code, "state": state},
                               headers={"Cookie": cookie}, allow_redirects=False) as resp:
            return resp.status, await resp.text()


def team_event(team: str, event: dict[str, Any], event_id: str, bot_user: str) -> str:
    return json.dumps({
        "token": "unused", "team_id": team, "api_app_id": "A1", "type": "event_callback", "event_id": event_id,
        "event_time": int(time.time()), "event": event,
        "authorizations": [{"user_id": bot_user, "is_bot": True, "team_id": team, "enterprise_id": None}],
    })


async def deliver(url: str, body: str, *, retry: int | None = None, secret: str = SIGNING_SECRET) -> int:
    """POST a signed event to /slack/events (as retry number `retry` when given); the HTTP status."""
    headers = signed_headers(body, secret=secret, content_type="application/json")
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    async with ClientSession() as session, session.post(f"{url}/slack/events", data=body.encode(),
                                                        headers=headers) as resp:
        return resp.status


async def wait_uninstalled(database_url: str, client_id: str, team: str, timeout: float = 5.0) -> None:
    """Until the installation store (read as slack_sdk reads it) no longer has `team`'s bot.

    Bolt deletes it after acknowledging app_uninstalled, so an event sent right after may still
    find it; Slack sends nothing to a workspace that removed the app.
    """
    engine = create_async_engine(async_url(database_url))
    store = AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=engine)
    try:
        deadline = time.monotonic() + timeout
        while await store.async_find_bot(enterprise_id=None, team_id=team) is not None:
            assert time.monotonic() < deadline, f"{team} still installed after {timeout} s"
            await asyncio.sleep(0.02)
    finally:
        await engine.dispose()
