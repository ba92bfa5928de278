"""Deliveries claimed in the shared state: two web apps in this process on one SQLite state file stand
for two instances (each its own engine); a retry, the same message as mention and DM, a replayed /ask
and a double Share land on different ones and get one answer. A database that is down answers nothing
and logs why (fails closed)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from adapters.web import create_web_app
from bot.service import SaidService
from bot.settings import Settings
from bot.state_db import DatabaseState, open_shared_state
from tests.adapters.slack.conftest import Web, dm, event_body, logged, mention, share_button, sign, slack_settings
from tests.fakes.slack_api import FakeSlack
from tests.support.net import free_port


async def _web(core: SaidService, settings: Settings, slack: FakeSlack, state: DatabaseState) -> Web:
    from aiohttp.test_utils import TestServer

    server = TestServer(create_web_app(core, settings, state=state), host="127.0.0.1", port=0)
    await server.start_server()
    return Web(str(server.make_url("")).rstrip("/"), slack, server)


@pytest.fixture
async def pair(loaded: SaidService, settings: Settings, slack: FakeSlack) -> AsyncIterator[tuple[Web, Web]]:
    configured = slack_settings(settings, slack)
    states = [open_shared_state(configured.core), open_shared_state(configured.core)]
    a, b = [await _web(loaded, configured, slack, state) for state in states]
    yield a, b
    for web in (a, b):
        await web.server.close()
    for state in states:
        await state.close()


async def test_a_retry_on_the_other_instance_and_the_same_message_as_a_dm_get_one_reply(
    pair: tuple[Web, Web], slack: FakeSlack
) -> None:
    a, b = pair
    body = event_body(mention("talent density", client_msg_id="5f1c2b3a-0001"), event_id="EvA")
    retry = {**sign(body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    statuses = await asyncio.gather(a.post(body, "application/json"), b.post(body, "application/json", retry))
    assert [status for status, _ in statuses] == [200, 200]
    # The same message once more, as Slack's message.im under another event id, on the other instance.
    assert await b.event(dm("talent density", client_msg_id="5f1c2b3a-0001"), event_id="EvB") == 200
    await slack.wait_for("chat.postMessage")
    await asyncio.sleep(0.3)
    assert len(slack.of("chat.postMessage")) == 1


async def test_a_double_share_on_two_instances_posts_once_and_a_replayed_ask_answers_once(
    pair: tuple[Web, Web], slack: FakeSlack
) -> None:
    a, b = pair
    assert await a.command("what did Amodei say about talent density?", response="r1") == 200
    [reply] = await slack.wait_responses()
    button = share_button(reply)
    clicks = await asyncio.gather(a.click(button, response="r2"), b.click(button, response="r3"))
    assert clicks == [200, 200]
    await slack.wait_for("chat.postMessage")
    await asyncio.sleep(0.3)
    assert len(slack.of("chat.postMessage")) == 1
    # Private answer + one delete_original; the other click posted nothing anywhere.
    assert len(slack.responses) == 2
    # The /ask body replayed byte for byte to the other instance: not answered again.
    assert await b.command("what did Amodei say about talent density?", response="r1") == 200
    await asyncio.sleep(0.3)
    assert len(slack.responses) == 2


async def test_when_the_database_is_down_nothing_is_answered_and_the_log_says_why(
    loaded: SaidService, settings: Settings, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # A real PostgreSQL client against a port where nothing listens: every claim fails to connect.
    down = settings.updated(core={"database_url": SecretStr(f"postgresql://saidbot:pw@127.0.0.1:{free_port()}/none")})
    state = open_shared_state(down.core)
    web = await _web(loaded, slack_settings(down, slack), slack, state)
    try:
        assert await web.event(mention("talent density"), event_id="EvDown") == 200
        [failed] = await logged(caplog, "slack_claim_failed")
        assert failed.__dict__["kind"] == "mention" and failed.__dict__["answered"] is False
        await asyncio.sleep(0.1)
        assert slack.of("chat.postMessage") == [] and slack.of("chat.postEphemeral") == []
    finally:
        await web.server.close()
        await state.close()
