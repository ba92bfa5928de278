"""Events API over HTTP: mentions and DMs answer in a thread; signatures, retries, escaping, errors."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from pathlib import Path

import pytest

from bot.service import SaidService
from bot.settings import Settings
from tests.adapters.slack.conftest import (
    BOT_TOKEN,
    VIDEO,
    Web,
    assert_no_pings,
    dm,
    dumped,
    event_body,
    logged,
    mention,
    sign,
    slack_settings,
    start_web,
)
from tests.fakes.slack_api import BOT_ID, BOT_USER, FakeSlack

LINK = re.compile(rf"<https://www\.youtube\.com/watch\?v={VIDEO}&t=\d+s\|01:38:37>")


async def test_mention_in_a_channel_answers_in_a_thread_with_a_timestamp_link(web: Web, slack: FakeSlack) -> None:
    assert await web.event(mention("what did Amodei say about the scaling hypothesis?")) == 200
    [post] = await slack.wait_for("chat.postMessage")
    assert post["channel"] == "C1" and post["thread_ts"] == "1700000000.000200"
    assert post["unfurl_links"] is False and post["unfurl_media"] is False
    sections = [b["text"]["text"] for b in post["blocks"] if b["type"] == "section"]
    assert sections[0] == "*What Dario Amodei said about “scaling hypothesis”*"
    quote = next(s for s in sections if LINK.search(s))
    assert quote.startswith("*Dario Amodei* · Long Interview #452 · <https://")
    assert "\n>The scaling hypothesis keeps holding up." in quote
    assert "Dario Amodei (01:38:37): The scaling hypothesis keeps holding up." in post["text"]
    assert slack.tokens_of("chat.postMessage") == [BOT_TOKEN]
    [lookup] = slack.of("users.info")
    assert lookup["user"] == "UEN" and lookup["include_locale"] in (True, "true", "1")


async def test_mention_inside_a_thread_answers_in_that_thread(web: Web, slack: FakeSlack) -> None:
    await web.event(mention("Amodei on scaling", ts="1700000009.000900", thread_ts="1700000000.000100"))
    [post] = await slack.wait_for("chat.postMessage")
    assert post["thread_ts"] == "1700000000.000100"


async def test_a_bare_mention_gets_the_help(web: Web, slack: FakeSlack) -> None:
    await web.event(mention(""))
    [post] = await slack.wait_for("chat.postMessage")
    assert post["text"].startswith("Ask what someone said about a topic") and post["thread_ts"] == "1700000000.000200"


async def test_direct_message_answers_in_a_thread_and_ignores_bots_and_edits(web: Web, slack: FakeSlack) -> None:
    # Our own reply, another bot, and an edit all arrive as message.im events too.
    await web.event(dm("Amodei on trust", bot_id=BOT_ID, user=BOT_USER), event_id="EvOwn")
    await web.event(dm("Amodei on trust", bot_id="BOTHER"), event_id="EvBot")
    await web.event(dm("Amodei on trust", subtype="message_changed"), event_id="EvEdit")
    await web.event(dm("what did Amodei say about trust?"), event_id="EvDm")
    [post] = await slack.wait_for("chat.postMessage")
    assert post["channel"] == "D1" and post["thread_ts"] == "1700000001.000300"
    assert "Dario Amodei" in post["text"] and "trust" in post["text"]
    await asyncio.sleep(0.2)
    assert len(slack.of("chat.postMessage")) == 1


async def test_a_japanese_user_gets_japanese_and_is_looked_up_once(web: Web, slack: FakeSlack) -> None:
    await web.event(mention("アモデイはタレント密度について何と言った？", user="UJA"), event_id="EvJa1")
    [post] = await slack.wait_for("chat.postMessage")
    assert post["text"].startswith("Dario Amodeiの「タレント密度」についての発言\n")
    assert post["blocks"][0]["text"]["text"] == "*Dario Amodeiの「タレント密度」についての発言*"
    assert post["blocks"][1]["elements"][0]["text"] == "2 件中 1–2 件目"
    sections = [b["text"]["text"] for b in post["blocks"] if b["type"] == "section"]
    assert any("\n>優秀な100人は平凡な1,000人に毎回勝ちます。" in s for s in sections[1:])
    contexts = [b["elements"][0]["text"] for b in post["blocks"] if b["type"] == "context"]
    assert "ノートより · 照合できる文字起こしなし" in contexts
    await web.event(mention("talent density", user="UJA", ts="1700000002.000100"), event_id="EvJa2")
    posts = await slack.wait_for("chat.postMessage", count=2)
    assert "について" in posts[1]["text"]
    assert [c["user"] for c in slack.of("users.info")] == ["UJA"]


async def test_an_english_user_gets_english(web: Web, slack: FakeSlack) -> None:
    await web.event(mention("what did Amodei say about talent density?"))
    [post] = await slack.wait_for("chat.postMessage")
    assert post["text"].startswith("What Dario Amodei said about “talent density”")


async def test_note_text_cannot_ping_anyone(web: Web, slack: FakeSlack) -> None:
    # The note says "Tell <!channel> and <@U0HOSTILE> that R&D beats hype, … &lt;!here&gt; &amp; more."
    await web.event(mention("<!channel> what did Amodei say about hype? <@U0OTHER>"))
    [post] = await slack.wait_for("chat.postMessage")
    assert_no_pings(post)
    assert "R&amp;D beats hype" in dumped(post)
    # Shown literally as the note wrote them: "&lt;!here&gt; &amp; more."
    assert "&amp;lt;!here&amp;gt; &amp;amp; more." in dumped(post)


async def test_a_question_cannot_ping_anyone(web: Web, slack: FakeSlack) -> None:
    # What Slack sends when a user types: what did Amodei say about <!everyone> & &lt;b&gt; <@U1|bob>?
    typed = "what did Amodei say about &lt;!everyone&gt; &amp; &amp;lt;b&amp;gt; &lt;@U1|bob&gt;? <!here>"
    await web.event(mention(typed))
    [post] = await slack.wait_for("chat.postMessage")
    assert_no_pings(post)
    # Mention syntax is dropped from the question by the core; the rest is echoed escaped.
    assert "&amp;lt;b&amp;gt;" in post["text"] and "<!everyone>" not in post["text"]


async def test_a_retried_event_gets_exactly_one_reply(web: Web, slack: FakeSlack) -> None:
    body = event_body(mention("talent density"), event_id="EvRetry")
    retry = {**sign(body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    # The first delivery and its retry arrive together, then a second retry later.
    statuses = await asyncio.gather(web.post(body, "application/json"), web.post(body, "application/json", retry))
    assert [status for status, _ in statuses] == [200, 200]
    await slack.wait_for("chat.postMessage")
    again = {**sign(body), "X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"}
    assert (await web.post(body, "application/json", again))[0] == 200
    # A different message afterwards is answered, and is the only other reply.
    await web.event(mention("scaling", ts="1700000003.000100"), event_id="EvOther")
    posts = await slack.wait_for("chat.postMessage", count=2)
    await asyncio.sleep(0.2)
    assert len(slack.of("chat.postMessage")) == 2
    assert sorted(p["thread_ts"] for p in posts) == ["1700000000.000200", "1700000003.000100"]


async def test_forged_stale_and_unsigned_requests_are_refused(web: Web, slack: FakeSlack) -> None:
    body = event_body(mention("talent density"))
    now = int(time.time())
    refused = [
        await web.post(body, "application/json", sign(body, secret="f" * 32)),  # forged
        await web.post(body, "application/json", sign(body, timestamp=now - 600)),  # stale
        await web.post(body, "application/json", sign(body, timestamp=now + 600)),  # from the future
        await web.post(body, "application/json", {}),  # unsigned
        await web.post(body.replace("talent", "salary"), "application/json", sign(body)),  # altered after signing
    ]
    assert [status for status, _ in refused] == [401] * 5
    await asyncio.sleep(0.1)
    assert not slack.of("chat.postMessage") and not slack.of("users.info")


async def test_url_verification_is_answered(web: Web) -> None:
    body = json.dumps({"token": "unused", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"})
    status, text = await web.post(body, "application/json")
    assert status == 200 and "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in text


async def test_a_failure_apologizes_in_the_thread_and_logs_the_error(
    web: Web, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.slack")
    # Slack refuses the answer's blocks in this channel (invalid_blocks); plain text still posts.
    await web.event(mention("talent density", channel="CBROKEN"))
    failed, apology = await slack.wait_for("chat.postMessage", count=2)
    assert failed["blocks"] and apology["thread_ts"] == failed["thread_ts"] == "1700000000.000200"
    assert apology["text"] == "Sorry, something went wrong while answering. The error has been logged."
    assert "blocks" not in apology and "Traceback" not in dumped(apology)
    [record] = await logged(caplog, "slack_reply")
    await asyncio.sleep(0.1)
    assert len(await logged(caplog, "slack_reply")) == 1
    assert record.levelno == logging.ERROR and record.__dict__["outcome"] == "error"
    assert record.__dict__["kind"] == "mention" and record.__dict__["apologized"] is True
    assert record.exc_info is not None and "invalid_blocks" in str(record.exc_info[1])
    assert BOT_TOKEN not in caplog.text


async def test_while_warming_up_a_mention_says_so(settings: Settings, slack: FakeSlack, tmp_path: Path) -> None:
    cold = await SaidService.open(settings.updated(core={"db": tmp_path / "cold.db", "warmup_wait_seconds": 0}))
    started = await start_web(cold, slack_settings(settings, slack), slack)
    try:
        await started.event(mention("talent density"))
        [post] = await slack.wait_for("chat.postMessage")
        assert post["text"] == "I'm still reading the notes; ask again in a few seconds."
        assert post["thread_ts"] == "1700000000.000200"
    finally:
        await started.server.close()
        await cold.close()


async def test_a_mention_during_the_first_build_is_answered_when_the_index_is_ready(
    settings: Settings, slack: FakeSlack, tmp_path: Path, notes_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adapters.slack import guard

    # The build takes longer than a reply may: the reply still waits for it rather than apologize.
    monkeypatch.setattr(guard, "ANSWER_SECONDS", 0.3)
    cold = await SaidService.open(settings.updated(core={"db": tmp_path / "cold.db", "warmup_wait_seconds": 30}))
    started = await start_web(cold, slack_settings(settings, slack), slack)
    try:
        await started.event(mention("what did Amodei say about talent density?"))
        await asyncio.sleep(1.0)
        assert not slack.of("chat.postMessage")
        await cold.ingest([notes_dir])
        [post] = await slack.wait_for("chat.postMessage")
        assert "Dario Amodei" in post["text"] and "still reading" not in post["text"]
    finally:
        await started.server.close()
        await cold.close()


async def test_an_answer_already_being_posted_when_the_deadline_passes_gets_no_apology(
    web: Web, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adapters.slack import guard

    # Slack takes longer to accept the answer's post than is left of the reply deadline: the answer
    # lands, and no "something went wrong" follows it (it did, under load, before).
    monkeypatch.setattr(guard, "ANSWER_SECONDS", 0.3)
    slack.delays["chat.postMessage"] = 0.6
    await web.event(mention("what did Amodei say about talent density?"))
    [post] = await slack.wait_for("chat.postMessage")
    await asyncio.sleep(1.0)
    assert "Dario Amodei" in post["text"]
    assert len(slack.of("chat.postMessage")) == 1
