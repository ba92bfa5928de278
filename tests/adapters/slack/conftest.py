"""Slack end to end: the project's real web app on a free loopback port, requests signed with the
real v0 HMAC-SHA256 scheme, a real SaidService over notes written here (or a fake core that fails
on demand, fake_core.py), and a fake Slack (Web API, response_url receivers, Socket Mode) on
loopback that SLACK_API_URL points at."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from adapters.web import create_web_app
from bot.port import Core
from bot.service import SaidService
from bot.settings import Settings
from tests.fakes.slack_api import BOT_USER, SIGNING_SECRET, TEAM, FakeSlack, signed_headers

SECRET = SIGNING_SECRET
BOT_TOKEN = "xoxb-test-token-123456"
APP_TOKEN = "xapp-test-app-token-7890"
VIDEO = "ScAlInG0452"
TRICKY_VIDEO = "ZyXwVuTsRqP"

# Anything that would notify people if it reached Slack unescaped.
FORBIDDEN = ("<!channel", "<!here", "<!everyone", "<@", "<!subteam", "<#")

NOTE_SCALING = f"""\
---
title: Scaling on the long interview
lang: en
show: Long Interview
episode: 452
youtube: https://www.youtube.com/watch?v={VIDEO}
speakers: [Lex Host, Dario Amodei]
---

# Scaling

**Lex Host (01:38:20):**
"Do the scaling laws still hold?"

**Dario Amodei (01:38:37):**
"The scaling hypothesis keeps holding up. Every time we thought a wall was coming, the curves kept going."
"""

# Note text trying to ping everyone; the core keeps `&` and the literal entity text.
NOTE_TRICKY = f"""\
---
title: Tricky notes
lang: en
show: Example Podcast
episode: 8
youtube: {TRICKY_VIDEO}
speakers: [Dario Amodei]
---

# Tricky

## Hype

**Dario Amodei (00:20:00):**
"Tell <!channel> and <@U0HOSTILE> that R&D beats hype, <!subteam^S1|@team> &lt;!here&gt; &amp; more."
"""


@pytest.fixture
def notes_dir(notes_dir: Path, write: Callable[[Path, str], Path]) -> Path:
    write(notes_dir / "scaling.md", NOTE_SCALING)
    write(notes_dir / "tricky.md", NOTE_TRICKY)
    return notes_dir


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(locales={"UJA": "ja-JP"}, bot_token=BOT_TOKEN, app_token=APP_TOKEN,
                     channel_errors={"CNOTIN": "not_in_channel"}, blocks_errors={"CBROKEN": "invalid_blocks"},
                     response_errors={"rbroken": "invalid_blocks"})
    await fake.start()
    yield fake
    await fake.close()


def slack_settings(settings: Settings, slack: FakeSlack, **extra: Any) -> Settings:
    return settings.updated(slack={
        "bot_token": SecretStr(BOT_TOKEN), "signing_secret": SecretStr(SECRET),
        "app_token": SecretStr(APP_TOKEN), "api_url": slack.api_url, **extra,
    })


def sign(body: str, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    return signed_headers(body, secret=secret, timestamp=timestamp)


def event_body(event: dict[str, Any], event_id: str = "Ev01") -> str:
    return json.dumps({
        "token": "unused", "team_id": TEAM, "api_app_id": "A1", "type": "event_callback", "event_id": event_id,
        "event_time": int(time.time()), "event": event,
        "authorizations": [{"user_id": BOT_USER, "is_bot": True, "team_id": TEAM, "enterprise_id": None}],
    })


def mention(text: str, *, user: str = "UEN", channel: str = "C1", ts: str = "1700000000.000200",
            **extra: Any) -> dict[str, Any]:
    return {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts, "channel": channel,
            "event_ts": ts, **extra}


def dm(text: str, *, user: str = "UEN", ts: str = "1700000001.000300", **extra: Any) -> dict[str, Any]:
    return {"type": "message", "channel_type": "im", "user": user, "text": text, "ts": ts, "channel": "D1",
            "event_ts": ts, **extra}


def dumped(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False)


def assert_no_pings(payload: Any) -> None:
    """Nothing posted may notify anyone: the only `<…>` allowed are the adapter's own https links."""
    text = dumped(payload)
    for forbidden in FORBIDDEN:
        assert forbidden not in text, (forbidden, text)
    for start in range(len(text)):
        if text[start] == "<":
            assert text.startswith("<https://", start), text[start:start + 60]


@dataclass
class Web:
    """The project's web app on a free loopback port, and a signed Slack sender."""

    url: str
    slack: FakeSlack
    server: TestServer

    async def post(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        async with ClientSession() as session, session.post(
            f"{self.url}/slack/events", data=body.encode(),
            headers={"Content-Type": content_type, **(headers if headers is not None else sign(body))},
        ) as resp:
            return resp.status, await resp.text()

    async def event(self, event: dict[str, Any], event_id: str = "Ev01",
                    headers: dict[str, str] | None = None) -> int:
        status, _ = await self.post(event_body(event, event_id), "application/json", headers)
        return status

    async def command(self, text: str, *, user: str = "UEN", channel: str = "C1",
                      response: str = "r1") -> int:
        form = urlencode({
            "token": "unused", "team_id": TEAM, "team_domain": "example", "channel_id": channel,
            "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": "/ask",
            "text": text, "api_app_id": "A1", "response_url": self.slack.response_url(response),
            "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        })
        status, _ = await self.post(form, "application/x-www-form-urlencoded")
        return status

    async def click(self, button: dict[str, Any], *, user: str = "UEN", channel: str = "C1",
                    response: str = "r2", message_ts: str = "1700000005.000100") -> int:
        payload = {
            "type": "block_actions", "team": {"id": TEAM, "domain": "example"}, "api_app_id": "A1",
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
            "channel": {"id": channel, "name": "general"}, "token": "unused", "trigger_id": "t2",
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": True},
            "response_url": self.slack.response_url(response),
            "actions": [{"action_id": button["action_id"], "block_id": "b1", "value": button["value"],
                         "type": "button", "action_ts": str(time.time()), "text": button["text"]}],
        }
        status, _ = await self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
        return status


async def start_web(core: Core, settings: Settings, slack: FakeSlack) -> Web:
    server = TestServer(create_web_app(core, settings), host="127.0.0.1", port=0)
    await server.start_server()
    return Web(str(server.make_url("")).rstrip("/"), slack, server)


@pytest.fixture
async def web(loaded: SaidService, settings: Settings, slack: FakeSlack) -> AsyncIterator[Web]:
    started = await start_web(loaded, slack_settings(settings, slack), slack)
    yield started
    await started.server.close()


async def logged(caplog: pytest.LogCaptureFixture, event: str, count: int = 1,
                 timeout: float = 5.0) -> list[logging.LogRecord]:
    """The records of one log event, once `count` of them exist: a reply logs after it was posted."""
    for _ in range(int(timeout / 0.01)):
        found = [r for r in caplog.records if r.getMessage() == event]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.01)
    raise AssertionError(f"fewer than {count} {event!r} log events in {timeout}s")


def share_button(reply: dict[str, Any]) -> dict[str, Any]:
    return next(el for block in reply["blocks"] if block["type"] == "actions" for el in block["elements"])
