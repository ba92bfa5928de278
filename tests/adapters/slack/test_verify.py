"""Quote verification on Slack through the real Bolt app over signed HTTP: the "Find the source" message
shortcut answers privately, and "@saidbot did Dario say '…'?" answers in the thread."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import yaml

from adapters.slack.app import _Shortcuts
from bot.settings import PACKAGED_CONFIG_DIR
from tests.adapters.slack.conftest import TEAM, Web, assert_no_pings, dumped, mention
from tests.fakes.slack_api import BOT_USER, FakeSlack

SAID = "The scaling hypothesis keeps holding up."


async def shortcut(web: Web, text: str, *, callback_id: str = "find_source", user: str = "UEN",
                   channel: str = "C1", response: str = "r1") -> int:
    """A member picks "Find the source" from a message's ⋯ menu (a message_action payload)."""
    payload = {
        "type": "message_action", "token": "unused", "action_ts": "1700000100.000100", "callback_id": callback_id,
        "trigger_id": "t9", "team": {"id": TEAM, "domain": "example"}, "api_app_id": "A1",
        "user": {"id": user, "name": user.lower(), "team_id": TEAM},
        "channel": {"id": channel, "name": "general"}, "message_ts": "1700000050.000500",
        "message": {"type": "message", "user": "UOTHER", "ts": "1700000050.000500", "text": text},
        "response_url": web.slack.response_url(response),
    }
    status, _ = await web.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
    return status


async def test_find_the_source_answers_privately_with_the_passage(web: Web, slack: FakeSlack) -> None:
    assert await shortcut(web, f"<@UOTHER> Amodei said “{SAID.lower()}” &amp; I doubt it") == 200
    [reply] = await slack.wait_responses()
    assert reply["response_type"] == "ephemeral"
    sections = [b["text"]["text"] for b in reply["blocks"] if b["type"] == "section"]
    assert sections[0] == "*A note quotes Dario Amodei with these words; no transcript in the store holds them*"
    contexts = [b["elements"][0]["text"] for b in reply["blocks"] if b["type"] == "context"]
    assert f"Quote: “{SAID.lower()}”" in contexts[0]
    assert any("% match" in c for c in contexts)
    assert "|01:38:37>" in dumped(reply)
    assert not slack.of("chat.postMessage")
    assert_no_pings(reply)


async def test_find_the_source_of_a_made_up_line_says_what_the_store_covers(web: Web, slack: FakeSlack) -> None:
    await shortcut(web, "Dario said \"robots will bake all our bread\"")
    [reply] = await slack.wait_responses()
    assert reply["response_type"] == "ephemeral"
    assert "I found nothing close to that quote by Dario Amodei." in reply["text"]
    assert "passages of Dario Amodei's own words" in reply["text"]


async def test_a_mention_asking_did_dario_say_gets_the_verification(web: Web, slack: FakeSlack) -> None:
    assert await web.event(mention("did Dario say 'the scaling hypothesis keeps holding up'?")) == 200
    [post] = await slack.wait_for("chat.postMessage")
    assert post["thread_ts"] == "1700000000.000200"
    sections = [b["text"]["text"] for b in post["blocks"] if b["type"] == "section"]
    assert sections[0] == "*A note quotes Dario Amodei with these words; no transcript in the store holds them*"
    assert "|01:38:37>" in dumped(post)
    assert f"<@{BOT_USER}>" not in dumped(post)


async def test_a_paraphrase_shows_the_words_that_differ(web: Web, slack: FakeSlack) -> None:
    await web.event(mention("did Amodei really say \"the scaling hypothesis keeps standing up\""))
    [post] = await slack.wait_for("chat.postMessage")
    text = dumped(post)
    assert "Not in those words" in text
    assert "quoted: “standing” — said: “holding”" in text


def test_the_manifest_declares_the_shortcut_the_app_handles() -> None:
    manifest = yaml.safe_load((PACKAGED_CONFIG_DIR / "slack-manifest.yml").read_text(encoding="utf-8"))
    [found] = [s for s in manifest["features"]["shortcuts"] if s["type"] == "message"]
    assert found["callback_id"] == _Shortcuts.CALLBACK_ID == "find_source"
    assert found["name"] == "Find the source" and len(found["description"]) <= 80


async def test_a_shortcut_of_another_callback_is_not_answered(web: Web, slack: FakeSlack) -> None:
    assert await shortcut(web, "anything", callback_id="someone_elses") in (200, 404)
    assert await shortcut(web, "talent density beats talent mass", response="r2") == 200
    # Answers go out in order of arrival: once the second is in, the first would have been too.
    [reply] = await slack.wait_responses()
    assert slack.response_names == ["r2"] and reply["response_type"] == "ephemeral"
