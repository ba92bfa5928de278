"""Slack end to end: signed requests to the real web app, a fake Slack Web API on loopback."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from adapters.web import create_web_app
from bot.service import SaidService
from bot.settings import Settings
from tests.fakes.slack_api import BOT_USER, FakeSlack

SECRET = "0123456789abcdef0123456789abcdef"
FORBIDDEN = ("<!channel>", "<!here>", "<!everyone>", "<@", "<!subteam")


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(locales={"UJA": "ja-JP"})
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def web_url(loaded: SaidService, settings: Settings, slack: FakeSlack) -> AsyncIterator[str]:
    configured = settings.model_copy(update={
        "slack_bot_token": SecretStr("xoxb-test-token-123456"),
        "slack_signing_secret": SecretStr(SECRET),
        "slack_api_url": slack.api_url,
    })
    server = TestServer(create_web_app(loaded, configured), host="127.0.0.1", port=0)
    await server.start_server()
    yield str(server.make_url(""))
    await server.close()


def _sign(body: str, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


async def _post(url: str, body: str, content_type: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    async with ClientSession() as session, session.post(
        f"{url}/slack/events", data=body.encode(),
        headers={"Content-Type": content_type, **(headers if headers is not None else _sign(body))},
    ) as resp:
        return resp.status, await resp.text()


def _event(event: dict[str, Any], event_id: str = "Ev1") -> str:
    return json.dumps({
        "token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": event_id,
        "event_time": int(time.time()), "authorizations": [{"user_id": BOT_USER, "is_bot": True, "team_id": "T1"}],
        "event": event,
    })


def _mention(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "app_mention", "user": "UEN", "text": f"<@{BOT_USER}> {text}", "ts": "100.000200",
            "channel": "C1", "event_ts": "100.000200", **extra}


def _all_text(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False)


async def test_mention_in_channel_replies_in_thread_with_link(web_url: str, slack: FakeSlack) -> None:
    status, _ = await _post(web_url, _event(_mention("what did Amodei say about talent density?")), "application/json")
    assert status == 200
    [post] = await slack.wait_for("chat.postMessage")
    assert post["channel"] == "C1" and post["thread_ts"] == "100.000200"
    text = _all_text(post)
    assert "<https://www.youtube.com/watch?v=AbCdEfGhIjK&t=602s|00:10:05>" in text
    assert "Dario Amodei" in post["text"]


async def test_mention_inside_a_thread_stays_in_that_thread(web_url: str, slack: FakeSlack) -> None:
    await _post(web_url, _event(_mention("talent density", thread_ts="99.000001")), "application/json")
    [post] = await slack.wait_for("chat.postMessage")
    assert post["thread_ts"] == "99.000001"


async def test_direct_message(web_url: str, slack: FakeSlack) -> None:
    dm = {"type": "message", "channel_type": "im", "user": "UEN", "text": "Amodei on trust", "ts": "5.1",
          "channel": "D1"}
    await _post(web_url, _event(dm), "application/json")
    [post] = await slack.wait_for("chat.postMessage")
    assert post["channel"] == "D1" and "Dario Amodei" in post["text"]


async def test_japanese_user_gets_japanese(web_url: str, slack: FakeSlack) -> None:
    await _post(web_url, _event(_mention("タレント密度について", user="UJA")), "application/json")
    [post] = await slack.wait_for("chat.postMessage")
    assert "についての発言" in _all_text(post) or "について" in post["text"]
    assert any(c.get("include_locale") in (True, "true", "1") for c in slack.of("users.info"))


async def test_nothing_can_ping_a_channel(web_url: str, slack: FakeSlack) -> None:
    await _post(web_url, _event(_mention("<!channel> &lt;!here&gt; talent density <@U999> <!subteam^S1>")),
                "application/json")
    [post] = await slack.wait_for("chat.postMessage")
    text = _all_text(post)
    for forbidden in FORBIDDEN:
        assert forbidden not in text, forbidden


async def test_retried_event_gets_one_reply(web_url: str, slack: FakeSlack) -> None:
    body = _event(_mention("talent density"), event_id="EvRetry")
    await _post(web_url, body, "application/json")
    await slack.wait_for("chat.postMessage")
    status, _ = await _post(web_url, body, "application/json", {**_sign(body), "X-Slack-Retry-Num": "1",
                                                                  "X-Slack-Retry-Reason": "http_timeout"})
    assert status == 200
    with pytest.raises(TimeoutError):
        await slack.wait_for("chat.postMessage", count=2, timeout=1.0)


async def test_forged_signature_and_stale_timestamp_are_refused(web_url: str, slack: FakeSlack) -> None:
    body = _event(_mention("talent density"))
    forged = await _post(web_url, body, "application/json", _sign(body, secret="f" * 32))
    stale = await _post(web_url, body, "application/json", _sign(body, timestamp=int(time.time()) - 600))
    assert forged[0] == 401 and stale[0] == 401
    assert not slack.of("chat.postMessage")


async def test_slash_command_is_private_with_share_button(web_url: str, slack: FakeSlack) -> None:
    form = urlencode({"command": "/ask", "text": "talent density", "user_id": "UEN", "user_name": "erin",
                      "channel_id": "C1", "response_url": slack.response_url(), "trigger_id": "t1", "team_id": "T1"})
    started = time.perf_counter()
    status, _ = await _post(web_url, form, "application/x-www-form-urlencoded")
    assert status == 200 and time.perf_counter() - started < 3
    [reply] = await slack.wait_responses()
    assert reply["response_type"] == "ephemeral"
    button = next(el for b in reply["blocks"] if b["type"] == "actions" for el in b["elements"])
    click = {"type": "block_actions", "user": {"id": "UEN", "name": "erin"}, "channel": {"id": "C1"},
             "team": {"id": "T1"}, "response_url": slack.response_url("r2"), "trigger_id": "t2",
             "actions": [{"action_id": button["action_id"], "value": button["value"], "type": "button",
                          "block_id": "b1", "action_ts": "1.2"}],
             "container": {"type": "message", "channel_id": "C1"}, "api_app_id": "A1", "token": "x"}
    status, _ = await _post(web_url, urlencode({"payload": json.dumps(click)}), "application/x-www-form-urlencoded")
    assert status == 200
    [shared] = await slack.wait_for("chat.postMessage")
    assert shared["channel"] == "C1" and "Shared by erin" in _all_text(shared)
    assert "<@" not in _all_text(shared)


async def test_slash_help(web_url: str, slack: FakeSlack) -> None:
    form = urlencode({"command": "/ask", "text": "help", "user_id": "UEN", "channel_id": "C1",
                      "response_url": slack.response_url(), "trigger_id": "t1", "team_id": "T1"})
    await _post(web_url, form, "application/x-www-form-urlencoded")
    [reply] = await slack.wait_responses()
    assert "/ask" in reply["text"] and reply["response_type"] == "ephemeral"


async def test_healthz_ready_and_warming(web_url: str, settings: Settings, tmp_path: Path) -> None:
    async with ClientSession() as session, session.get(f"{web_url}/healthz") as resp:
        assert resp.status == 200
        data = await resp.json()
    assert data["status"] == "ready" and data["segments"] > 0
    cold = await SaidService.open(settings.model_copy(update={"db": tmp_path / "cold.db"}))
    server = TestServer(create_web_app(cold, settings), host="127.0.0.1", port=0)
    await server.start_server()
    try:
        async with ClientSession() as session, session.get(str(server.make_url("/healthz"))) as resp:
            assert resp.status == 503 and (await resp.json())["status"] == "warming_up"
    finally:
        await server.close()
        await cold.close()
