"""/ask over HTTP: acknowledged at once, answered privately via response_url, shared on a click."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from bot.service import SaidService
from bot.settings import Settings
from tests.adapters.slack.conftest import (
    BOT_TOKEN,
    Web,
    assert_no_pings,
    dumped,
    share_button,
    slack_settings,
    start_web,
)
from tests.fakes.slack_api import FakeSlack


async def test_ask_is_acknowledged_at_once_and_answered_privately(web: Web, slack: FakeSlack) -> None:
    started = time.perf_counter()
    assert await web.command("what did Amodei say about the scaling hypothesis?") == 200
    assert time.perf_counter() - started < 3
    [reply] = await slack.wait_responses()
    assert slack.response_names == ["r1"]
    assert reply["response_type"] == "ephemeral"
    assert "The scaling hypothesis keeps holding up." in reply["text"]
    kinds = [b["type"] for b in reply["blocks"]]
    assert kinds[0] == "context" and kinds[-1] == "actions"
    assert reply["blocks"][0]["elements"][0]["text"] == "Question: what did Amodei say about the scaling hypothesis?"
    assert "|01:38:37>" in dumped(reply)
    button = share_button(reply)
    assert button["text"]["text"] == "Share in channel"
    # Nothing public yet.
    assert not slack.of("chat.postMessage")


async def test_share_posts_the_answer_in_the_channel_and_removes_the_private_copy(web: Web, slack: FakeSlack) -> None:
    await web.command("talent density")
    [reply] = await slack.wait_responses()
    assert await web.click(share_button(reply), response="r2") == 200
    [shared] = await slack.wait_for("chat.postMessage")
    assert shared["channel"] == "C1" and "thread_ts" not in shared
    assert slack.tokens_of("chat.postMessage") == [BOT_TOKEN]
    contexts = [b["elements"][0]["text"] for b in shared["blocks"] if b["type"] == "context"]
    assert contexts[:2] == ["Shared by uen", "Question: talent density"]
    assert "actions" not in [b["type"] for b in shared["blocks"]]
    assert "|00:10:05>" in dumped(shared) and "A hundred excellent people" in shared["text"]
    await slack.wait_responses(count=2)
    assert slack.responses[1]["delete_original"] is True
    assert slack.response_names == ["r1", "r2"]


async def test_a_double_click_shares_once(web: Web, slack: FakeSlack) -> None:
    await web.command("talent density")
    [reply] = await slack.wait_responses()
    button = share_button(reply)
    await asyncio.gather(web.click(button, response="r2"), web.click(button, response="r3"))
    await slack.wait_for("chat.postMessage")
    await asyncio.sleep(0.2)
    assert len(slack.of("chat.postMessage")) == 1


async def test_share_where_the_bot_is_not_a_member_goes_through_the_response_url(web: Web, slack: FakeSlack) -> None:
    await web.command("talent density", channel="CNOTIN")
    [reply] = await slack.wait_responses()
    await web.click(share_button(reply), channel="CNOTIN", response="r2")
    _, public, removal = await slack.wait_responses(count=3)
    [refused] = slack.of("chat.postMessage")
    assert refused["channel"] == "CNOTIN"
    assert public["response_type"] == "in_channel" and public["replace_original"] is False
    assert "Shared by uen" in dumped(public) and "|00:10:05>" in dumped(public)
    assert removal["delete_original"] is True


async def test_a_button_value_that_is_not_ours_says_it_expired(web: Web, slack: FakeSlack) -> None:
    button = {"action_id": "saidbot_share", "value": "not json", "text": {"type": "plain_text", "text": "x"}}
    await web.click(button)
    [reply] = await slack.wait_responses()
    assert reply["text"] == "This button has expired. Ask again to get a fresh answer."
    assert not slack.of("chat.postMessage")


async def test_help_and_an_empty_command(web: Web, slack: FakeSlack) -> None:
    await web.command("help")
    await web.command("", response="r2")
    await web.command("help", user="UJA", response="r3")
    replies = await slack.wait_responses(count=3)
    by_name = dict(zip(slack.response_names, replies, strict=True))
    for name in ("r1", "r2"):
        assert by_name[name]["response_type"] == "ephemeral"
        assert by_name[name]["text"].startswith("Ask what someone said about a topic: ")
    assert by_name["r3"]["text"].startswith("誰かが話題について何と言ったかを聞いてください")


async def test_a_japanese_user_gets_japanese_and_a_japanese_button(web: Web, slack: FakeSlack) -> None:
    await web.command("タレント密度について", user="UJA")
    [reply] = await slack.wait_responses()
    assert reply["blocks"][0]["elements"][0]["text"] == "質問: タレント密度について"
    assert share_button(reply)["text"]["text"] == "チャンネルに共有"
    await web.click(share_button(reply), user="UJA", response="r2")
    [shared] = await slack.wait_for("chat.postMessage")
    assert shared["blocks"][0]["elements"][0]["text"] == "uja さんが共有"
    assert "についての発言" in shared["text"] or "について" in shared["text"]


async def test_nothing_found_has_no_share_button(web: Web, slack: FakeSlack) -> None:
    await web.command("what did Amodei say about origami?")
    [reply] = await slack.wait_responses()
    assert reply["text"].startswith("I found nothing Dario Amodei said about “origami”.")
    assert "actions" not in [b["type"] for b in reply["blocks"]]


async def test_a_hostile_question_cannot_ping_privately_or_when_shared(web: Web, slack: FakeSlack) -> None:
    # What Slack sends for: <!channel> hype & <@U1> &lt;
    await web.command("&lt;!channel&gt; hype &amp; &lt;@U1&gt; &amp;lt; <!here> <@U2|bob>")
    [reply] = await slack.wait_responses()
    assert_no_pings(reply)
    question = reply["blocks"][0]["elements"][0]["text"]
    assert question == "Question: &lt;!channel&gt; hype &amp; &lt;@U1&gt; &amp;lt; bob"
    value = json.loads(share_button(reply)["value"])
    assert value == {"q": "&lt;!channel&gt; hype &amp; &lt;@U1&gt; &amp;lt; bob", "l": "en"}
    await web.click(share_button(reply))
    [shared] = await slack.wait_for("chat.postMessage")
    assert_no_pings(shared)
    assert "R&amp;D beats hype" in dumped(shared)


async def test_a_refused_answer_becomes_a_private_apology(web: Web, slack: FakeSlack) -> None:
    await web.command("talent density", response="rbroken")
    refused, apology = await slack.wait_responses(count=2)
    assert refused["blocks"] and apology["response_type"] == "ephemeral"
    assert apology["text"] == "Sorry, something went wrong while answering. The error has been logged."
    assert "blocks" not in apology or not apology["blocks"]


async def test_while_warming_up_ask_says_so(settings: Settings, slack: FakeSlack, tmp_path: Path) -> None:
    cold = await SaidService.open(settings.updated(core={"db": tmp_path / "cold.db", "warmup_wait_seconds": 0}))
    started = await start_web(cold, slack_settings(settings, slack), slack)
    try:
        await started.command("talent density")
        [reply] = await slack.wait_responses()
        assert reply["response_type"] == "ephemeral"
        assert reply["text"] == "I'm still reading the notes; ask again in a few seconds."
        assert "actions" not in [b["type"] for b in reply["blocks"]]
    finally:
        await started.server.close()
        await cold.close()
