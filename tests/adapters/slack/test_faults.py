"""Slack under faults and hostile input (issue #16): junk at /slack/events, a rate-limited or
failing Web API, dead response_urls, a failing users.info, DM subtypes, replayed commands and
per-user limits, all over the real web app, real v0 signatures and the fake Slack on loopback."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest

from adapters.slack.locales import UserLocales
from bot.service import SaidService
from bot.settings import Settings
from tests.adapters.slack.conftest import (
    SECRET,
    Web,
    dm,
    dumped,
    logged,
    mention,
    share_button,
    sign,
    slack_settings,
    start_web,
)
from tests.fakes.core import FakeCore, as_core
from tests.fakes.slack_api import TEAM, FakeSlack

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def _unsigned(ts: str) -> dict[str, str]:
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + "0" * 64}


def _deep(n: int) -> str:
    return "[" * n + "]" * n


# (name, body bytes, content type, headers or None to sign it properly, expected status)
JUNK: list[tuple[str, bytes, str, dict[str, str] | None, int]] = [
    ("ts abc", b"{}", JSON, _unsigned("abc"), 401),
    ("ts empty", b"{}", JSON, _unsigned(""), 401),
    ("ts float", b"{}", JSON, _unsigned("1.7e9"), 401),
    ("ts 5000 digits", b"{}", JSON, _unsigned("9" * 5000), 401),
    ("no headers", b"{}", JSON, {}, 401),
    ("bad json unsigned", b"{bad", JSON, _unsigned(str(int(time.time()))), 401),
    ("array unsigned", b"[1, 2]", JSON, _unsigned(str(int(time.time()))), 401),
    ("deep unsigned", _deep(50_000).encode(), JSON, _unsigned(str(int(time.time()))), 401),
    ("bad utf-8 unsigned", b"\xff\xfe{\x80}", JSON, _unsigned(str(int(time.time()))), 401),
    ("payload unsigned", b"payload={bad", FORM, _unsigned(str(int(time.time()))), 401),
    ("bad json signed", b"{bad", JSON, None, 400),
    ("array signed", b"[1, 2]", JSON, None, 400),
    ("deep signed", _deep(50_000).encode(), JSON, None, 400),
    ("bad utf-8 signed", b"\xff\xfe{\x80}", JSON, None, 400),
    ("payload signed", b"payload={bad", FORM, None, 400),
    ("payload array signed", urlencode({"payload": "[1]"}).encode(), FORM, None, 400),
]


def _sign_bytes(body: bytes) -> dict[str, str]:
    import hashlib
    import hmac

    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


async def _post_bytes(web: Web, body: bytes, content_type: str, headers: dict[str, str]) -> int:
    from aiohttp import ClientSession

    async with ClientSession() as session, session.post(
        f"{web.url}/slack/events", data=body, headers={"Content-Type": content_type, **headers}
    ) as resp:
        await resp.read()
        return resp.status


@pytest.mark.parametrize(("name", "body", "content_type", "headers", "expected"), JUNK, ids=[j[0] for j in JUNK])
async def test_junk_gets_401_or_400_and_at_most_one_short_log_line(
    web: Web, slack: FakeSlack, caplog: pytest.LogCaptureFixture, name: str, body: bytes, content_type: str,
    headers: dict[str, str] | None, expected: int,
) -> None:
    caplog.set_level(logging.INFO)
    status = await _post_bytes(web, body, content_type, headers if headers is not None else _sign_bytes(body))
    assert status == expected
    # Besides the access line ("request", with the status), at most one line of our own.
    mine = [r for r in caplog.records if r.name.startswith(("adapters", "slack_bolt", "aiohttp"))
            and r.getMessage() != "request" and r.name != "aiohttp.access"]
    assert len(mine) <= 1, [r.getMessage() for r in mine]
    assert all(len(r.getMessage()) < 100 for r in mine)
    assert all(r.exc_info is None for r in caplog.records)
    assert not slack.calls


async def test_one_429_or_one_5xx_from_chat_post_message_is_retried(web: Web, slack: FakeSlack) -> None:
    slack.faults["chat.postMessage"] = [429]
    assert await web.event(mention("scaling")) == 200
    posts = await slack.wait_for("chat.postMessage", 2, timeout=6)
    assert "scaling" in dumped(posts[-1]).lower()
    slack.faults["chat.postMessage"] = [503]
    assert await web.event(dm("scaling"), event_id="Ev02") == 200
    posts = await slack.wait_for("chat.postMessage", 4, timeout=6)
    assert posts[-1]["channel"] == "D1"


async def test_when_slack_keeps_failing_the_retries_are_bounded_and_end_in_an_apology(
    web: Web, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.slack")
    slack.faults["chat.postMessage"] = [500, 500, 500]
    await web.event(mention("scaling"))
    [record] = await logged(caplog, "slack_reply", timeout=8)
    assert record.__dict__["outcome"] == "error" and record.__dict__["apologized"] is True
    assert len(slack.of("chat.postMessage")) == 4  # one try, two retries, then the apology


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("dead", ["404", "410", "refused"])
async def test_a_dead_response_url_falls_back_to_chat_post_ephemeral(
    web: Web, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch, dead: str
) -> None:
    if dead == "refused":
        port = _closed_port()
        monkeypatch.setattr(FakeSlack, "response_url", lambda self, name="r1": f"http://127.0.0.1:{port}/x")
    else:
        slack.dead_responses["r1"] = int(dead)
    assert await web.command("scaling", channel="C7", user="UEN") == 200
    [posted] = await slack.wait_for("chat.postEphemeral", timeout=6)
    assert (posted["channel"], posted["user"]) == ("C7", "UEN")
    assert "scaling" in dumped(posted).lower() and posted.get("blocks")
    assert not slack.of("chat.postMessage")


async def test_users_info_failing_answers_in_the_questions_language_and_retries_soon(
    web: Web, slack: FakeSlack
) -> None:
    slack.users_info_errors["UJA2"] = "ratelimited"
    await web.event(mention("スケーリングについて", user="UJA2"))
    [post] = await slack.wait_for("chat.postMessage")
    assert any("\u3040" <= ch <= "\u30ff" for ch in post["text"]), post["text"]


async def test_a_transient_users_info_failure_is_cached_briefly_a_permanent_one_longer(slack: FakeSlack) -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    now = [0.0]
    locales = UserLocales(clock=lambda: now[0])
    client = AsyncWebClient(token="xoxb-test-token-123456", base_url=slack.api_url)
    slack.users_info_errors.update({"UT": "ratelimited", "UP": "missing_scope"})
    assert await locales.lang(client, "UT") is None and await locales.lang(client, "UP") is None
    del slack.users_info_errors["UT"], slack.users_info_errors["UP"]
    now[0] = 31.0
    assert await locales.lang(client, "UT") == "en"  # asked again after 30 s
    assert await locales.lang(client, "UP") is None  # missing_scope stays remembered for 5 minutes
    now[0] = 301.0
    assert await locales.lang(client, "UP") == "en"


@pytest.mark.parametrize("extra", [
    {"subtype": "file_share", "files": [{"id": "F1", "name": "notes.pdf"}]},
    {"subtype": "thread_broadcast", "thread_ts": "1700000000.000100"},
])
async def test_a_dm_with_a_file_or_a_thread_broadcast_is_answered(
    web: Web, slack: FakeSlack, extra: dict[str, Any]
) -> None:
    await web.event(dm("scaling", **extra))
    [post] = await slack.wait_for("chat.postMessage")
    assert post["channel"] == "D1" and "scaling" in dumped(post).lower()


@pytest.mark.parametrize("extra", [
    {"subtype": "message_changed"}, {"subtype": "channel_join"}, {"bot_id": "B2"}, {"user": "UBOT0001"},
])
async def test_edits_joins_and_bot_posts_in_a_dm_are_still_ignored(
    web: Web, slack: FakeSlack, extra: dict[str, Any]
) -> None:
    assert await web.event(dm("scaling", **extra)) == 200
    await asyncio.sleep(0.3)
    assert not slack.of("chat.postMessage")


async def test_a_replayed_signed_command_and_click_are_answered_once(web: Web, slack: FakeSlack) -> None:
    form = urlencode({
        "token": "unused", "team_id": TEAM, "channel_id": "C1", "user_id": "UEN", "command": "/ask",
        "text": "scaling", "response_url": slack.response_url("r1"), "trigger_id": "1.2.3",
    })
    headers = sign(form)
    for _ in range(3):
        assert (await web.post(form, FORM, headers))[0] == 200
    [reply] = await slack.wait_responses()
    click = {
        "type": "block_actions", "team": {"id": TEAM}, "user": {"id": "UEN", "name": "uen"},
        "channel": {"id": "C1"}, "trigger_id": "9.9", "response_url": slack.response_url("r2"),
        "container": {"type": "message", "channel_id": "C1"},
        "actions": [{**share_button(reply), "block_id": "b1", "action_ts": "1.0"}],
    }
    body = urlencode({"payload": json.dumps(click)})
    headers = sign(body)
    for _ in range(3):
        assert (await web.post(body, FORM, headers))[0] == 200
    await slack.wait_for("chat.postMessage")
    await asyncio.sleep(0.3)
    assert len(slack.of("chat.postMessage")) == 1 and len(slack.responses) == 2  # answer + delete_original


@pytest.fixture
async def limited(loaded: SaidService, settings: Settings, slack: FakeSlack) -> AsyncIterator[Web]:
    tight = slack_settings(settings, slack, admin_ids=["UADMIN"]).updated(core={"rate_limit_per_minute": 2})
    started = await start_web(loaded, tight, slack)
    yield started
    await started.server.close()


async def test_a_flood_from_one_user_is_limited_privately_in_their_language(
    limited: Web, slack: FakeSlack
) -> None:
    for n in range(3):
        await limited.event(mention("scaling", user="UJA", ts=f"1700000000.00030{n}"), event_id=f"Ev{n}")
    [note] = await slack.wait_for("chat.postEphemeral", timeout=6)
    await slack.wait_for("chat.postMessage", 2)
    assert note["user"] == "UJA" and "1分" in note["text"]
    for n in range(3):
        await limited.event(mention("scaling", user="UADMIN", ts=f"1700000001.00030{n}"), event_id=f"Ea{n}")
    await slack.wait_for("chat.postMessage", 5)
    assert len(slack.of("chat.postEphemeral")) == 1


async def test_a_full_backlog_is_told_busy(settings: Settings, slack: FakeSlack,
                                            monkeypatch: pytest.MonkeyPatch,
                                            caplog: pytest.LogCaptureFixture) -> None:
    from adapters import gate

    # One worker and one waiting place: of four questions at once, two are told "busy".
    monkeypatch.setattr(gate.AnswerGate.__init__, "__defaults__", (1, 1))
    caplog.set_level(logging.INFO)
    started = await start_web(as_core(FakeCore(delay=1.0)), slack_settings(settings, slack), slack)
    try:
        for n in range(4):
            await started.event(mention("scaling", user=f"U{n}", ts=f"1700000002.00030{n}"), event_id=f"Eb{n}")
        notes = await slack.wait_for("chat.postEphemeral", 2, timeout=4)
        assert all("busy" in note["text"] for note in notes)
        await slack.wait_for("chat.postMessage", 2, timeout=6)
        assert len([r for r in caplog.records if r.getMessage() == "answer_backlog_full"]) == 1
    finally:
        await started.server.close()
