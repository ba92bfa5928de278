"""/add on Slack: a configured admin adds a remote source (fetched from a loopback server, answered from,
kept in the shared state); anyone else is refused and nothing is fetched."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlencode

import pytest

from bot.service import SaidService
from bot.settings import Settings
from tests.adapters.slack.conftest import Web, slack_settings, start_web
from tests.fakes.slack_api import TEAM, FakeSlack
from tests.fakes.state import MemoryState
from tests.support.remote_server import RemoteServer, serving

NOTE = """\
---
title: Loom notes
lang: en
show: Remote Show
episode: 9
youtube: AbCdEfGhIjK
speakers: [Charles Babbage]
---

**Charles Babbage (00:02:00):**
"Punched cards can carry the whole pattern of a calculation."
"""


async def send_add(web: Web, text: str, *, user: str, response: str = "r1") -> int:
    form = urlencode({
        "token": "unused", "team_id": TEAM, "team_domain": "example", "channel_id": "C1", "channel_name": "general",
        "user_id": user, "user_name": user.lower(), "command": "/add", "text": text, "api_app_id": "A1",
        "response_url": web.slack.response_url(response), "trigger_id": "13345224609.738474920.8088930838d88f",
    })
    status, _ = await web.post(form, "application/x-www-form-urlencoded")
    return status


@pytest.fixture
async def remote() -> AsyncIterator[RemoteServer]:
    async with serving() as server:
        yield server


@pytest.fixture
def state() -> MemoryState:
    return MemoryState()


@pytest.fixture
async def web_with_state(settings: Settings, slack: FakeSlack, state: MemoryState) -> AsyncIterator[Web]:
    settings = slack_settings(settings, slack, admin_ids=["UADMIN"]).updated(
        core={"allow_private_urls": True, "fetch_timeout_seconds": 2.0}
    )
    service = await SaidService.open(settings, shared_state=state)
    started = await start_web(service, settings, slack)
    try:
        yield started
    finally:
        await started.server.close()
        await service.close()


async def test_an_admin_adds_a_source_and_it_is_answered(
    web_with_state: Web, slack: FakeSlack, remote: RemoteServer, state: MemoryState
) -> None:
    url = remote.put("/loom.md", NOTE)
    # Slack sends a pasted link wrapped as <url>.
    assert await send_add(web_with_state, f"<{url}>", user="UADMIN") == 200
    [reply] = await slack.wait_responses()
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == f"Added {url} (1 document(s), 1 passage(s)); it is fetched again on every refresh."
    assert [(s.url, s.added_by) for s in await state.sources()] == [(url, "slack:UADMIN")]
    assert await web_with_state.command("what did Babbage say about punched cards?", response="r2") == 200
    [_, answer] = await slack.wait_responses(count=2)
    assert "Punched cards can carry" in answer["text"]


async def test_a_failure_says_why_and_keeps_nothing(
    web_with_state: Web, slack: FakeSlack, remote: RemoteServer, state: MemoryState
) -> None:
    url = remote.url("/gone.xml")
    await send_add(web_with_state, url, user="UADMIN")
    [reply] = await slack.wait_responses()
    assert reply["text"] == f"Could not add {url}: HTTP 404. Nothing was kept."
    assert await state.sources() == []


async def test_others_are_refused_and_nothing_is_fetched(
    web_with_state: Web, slack: FakeSlack, remote: RemoteServer, state: MemoryState
) -> None:
    url = remote.put("/loom.md", NOTE)
    await send_add(web_with_state, url, user="UEN")
    [reply] = await slack.wait_responses()
    assert reply["text"] == "Sorry, only the bot's admins can do that."
    assert remote.seen == [] and await state.sources() == []
