"""Failures over the real Bolt paths: a core that raises or hangs gets the user an apology where
they asked, in their language, and the log one structured `slack_reply` error event."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from adapters.slack import format as fmt
from adapters.slack import guard
from bot.settings import Settings
from tests.adapters.slack.conftest import Web, dm, dumped, logged, mention, slack_settings, start_web
from tests.fakes.core import FakeCore, as_core
from tests.fakes.slack_api import FakeSlack

SORRY_EN = "Sorry, something went wrong while answering. The error has been logged."
SORRY_JA = "申し訳ありません。回答中にエラーが発生しました（ログに記録しました）。"


@pytest.fixture
def core() -> FakeCore:
    return FakeCore(failures={"ask"}, error=RuntimeError("the store is on fire"))


@pytest.fixture
async def failing(core: FakeCore, settings: Settings, slack: FakeSlack) -> AsyncIterator[Web]:
    started = await start_web(as_core(core), slack_settings(settings, slack), slack)
    yield started
    await started.server.close()


async def _mention(web: Web, slack: FakeSlack, user: str) -> tuple[str, dict[str, Any]]:
    await web.event(mention("talent density", user=user))
    [post] = await slack.wait_for("chat.postMessage")
    assert post["channel"] == "C1" and post["thread_ts"] == "1700000000.000200"
    return "mention", post


async def _dm(web: Web, slack: FakeSlack, user: str) -> tuple[str, dict[str, Any]]:
    await web.event(dm("talent density", user=user))
    [post] = await slack.wait_for("chat.postMessage")
    assert post["channel"] == "D1" and post["thread_ts"] == "1700000001.000300"
    return "dm", post


async def _command(web: Web, slack: FakeSlack, user: str) -> tuple[str, dict[str, Any]]:
    await web.command("talent density", user=user)
    [reply] = await slack.wait_responses()
    assert slack.response_names == ["r1"] and reply["response_type"] == "ephemeral"
    assert not slack.of("chat.postMessage")
    return "command", reply


async def _share(web: Web, slack: FakeSlack, user: str) -> tuple[str, dict[str, Any]]:
    lang = "ja" if user == "UJA" else "en"
    [button] = fmt.share_button("talent density", lang)["elements"]
    await web.click(button, user=user, response="r2")
    [reply] = await slack.wait_responses()
    assert slack.response_names == ["r2"]
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert not slack.of("chat.postMessage")
    return "share", reply


Asker = Callable[[Web, FakeSlack, str], Awaitable[tuple[str, dict[str, Any]]]]
ASKERS = pytest.mark.parametrize("ask", [_mention, _dm, _command, _share], ids=["mention", "dm", "command", "share"])


@ASKERS
@pytest.mark.parametrize(("user", "sorry"), [("UEN", SORRY_EN), ("UJA", SORRY_JA)])
async def test_a_failing_core_gets_an_apology_where_the_user_asked_and_one_error_event(
    failing: Web, slack: FakeSlack, core: FakeCore, caplog: pytest.LogCaptureFixture, ask: Asker, user: str,
    sorry: str,
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.slack")
    kind, apology = await ask(failing, slack, user)
    assert apology["text"] == sorry
    assert not apology.get("blocks") and "Traceback" not in dumped(apology) and "fire" not in dumped(apology)
    assert [question for question, _ in core.asked] == ["talent density"]
    [record] = await logged(caplog, "slack_reply")
    await asyncio.sleep(0.1)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == ["slack_reply"]
    assert record.levelno == logging.ERROR
    fields = record.__dict__
    assert (fields["kind"], fields["outcome"], fields["apologized"]) == (kind, "error", True)
    assert fields["error_type"] == "RuntimeError" and isinstance(fields["ms"], float)
    assert record.exc_info is not None and str(record.exc_info[1]) == "the store is on fire"


@ASKERS
async def test_a_core_that_hangs_gets_an_apology_after_the_deadline(
    settings: Settings, slack: FakeSlack, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
    ask: Asker,
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.slack")
    monkeypatch.setattr(guard, "ANSWER_SECONDS", 0.3)
    started = await start_web(as_core(FakeCore(delay=60)), slack_settings(settings, slack), slack)
    try:
        began = time.perf_counter()
        kind, apology = await ask(started, slack, "UEN")
        assert apology["text"] == SORRY_EN and time.perf_counter() - began < 3
        [record] = await logged(caplog, "slack_reply")
        assert record.levelno == logging.ERROR
        assert (record.__dict__["kind"], record.__dict__["outcome"]) == (kind, "timeout")
    finally:
        await started.server.close()


async def test_a_slow_core_does_not_delay_the_acknowledgement(settings: Settings, slack: FakeSlack) -> None:
    slow = FakeCore(delay=1.0)
    started = await start_web(as_core(slow), slack_settings(settings, slack), slack)
    try:
        began = time.perf_counter()
        assert await started.command("talent density") == 200
        assert await started.event(mention("talent density")) == 200
        assert time.perf_counter() - began < 0.9
        [reply] = await slack.wait_responses()
        assert reply["text"] == "nothing about talent density"
        [post] = await slack.wait_for("chat.postMessage")
        assert post["text"] == "nothing about talent density"
    finally:
        await started.server.close()


async def test_when_even_the_apology_fails_the_log_says_so(
    failing: Web, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.slack")
    # The bot was removed from the channel: the answer and the apology are both refused.
    await failing.event(mention("talent density", channel="CNOTIN"))
    [record] = await logged(caplog, "slack_reply")
    assert record.__dict__["apologized"] is False and record.__dict__["outcome"] == "error"
    [warning] = await logged(caplog, "slack_apology_failed")
    assert warning.__dict__["error_type"] == "SlackApiError"
