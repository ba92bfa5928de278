"""What each kind of citation is called on Slack, and help, both as the core decides them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from tests.adapters.slack.conftest import Web, dm, dumped, mention, slack_settings, start_web
from tests.fakes.core import FakeCore
from tests.fakes.slack_api import FakeSlack

# A transcript that names nobody, and a note's own summary with no speaker.
TRANSCRIPT = """\
[00:01:05] Folding paper cranes teaches patience, and origami rewards precision more than speed.
[00:01:20] Every crease you make should be deliberate.
[00:01:40] We will look at a few models after the break.
"""
SIDECAR = "title: Paper craft hour\nshow: Craft Talk\nepisode: 3\nvideo_id: OrIgAmI0003\n"
GARDEN = """\
---
title: Garden notes
lang: en
show: Garden Show
episode: 2
youtube: GaRdEn00002
---

# Garden notes

- Composting at the 0:05:00 mark: the episode argues compost beats fertiliser for soil health.
"""
HELP_EN = "Ask what someone said about a topic: "
HELP_JA = "誰かが話題について何と言ったかを聞いてください"


@pytest.fixture
def notes_dir(notes_dir: Path, write: Callable[[Path, str], Path]) -> Path:
    write(notes_dir / "origami.txt", TRANSCRIPT)
    write(notes_dir / "origami.meta.yaml", SIDECAR)
    write(notes_dir / "garden.md", GARDEN)
    return notes_dir


def _sections(post: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in post["blocks"] if b["type"] == "section"]


def _contexts(post: dict[str, Any]) -> list[str]:
    return [e["text"] for b in post["blocks"] if b["type"] == "context" for e in b["elements"]]


async def test_an_unlabelled_transcript_passage_is_verbatim_and_not_from_a_note(web: Web, slack: FakeSlack) -> None:
    await web.event(mention("origami"))
    [post] = await slack.wait_for("chat.postMessage")
    citation = _sections(post)[1]
    assert citation.startswith("*Unknown speaker* · Paper craft hour · <https://www.youtube.com/watch?v=OrIgAmI0003")
    assert "|00:01:05>\n>Folding paper cranes" in citation
    assert _contexts(post) == ["1–1 of 1", "verbatim transcript · speaker not labelled in the transcript"]
    assert "from a note" not in dumped(post)
    assert "Unknown speaker (00:01:05): Folding paper cranes" in post["text"]


async def test_a_note_summary_says_it_is_from_a_note(web: Web, slack: FakeSlack) -> None:
    await web.event(mention("compost"))
    [post] = await slack.wait_for("chat.postMessage")
    assert _sections(post)[1].startswith("*Note summary* · Garden Show #2 · <https://")
    assert _contexts(post) == ["1–1 of 1", "from a note"]
    assert "verbatim transcript" not in dumped(post)


async def test_a_notes_labelled_quotation_is_from_a_note_never_a_verbatim_transcript(
    web: Web, slack: FakeSlack
) -> None:
    await web.event(mention("what did Amodei say about trust?"))
    [post] = await slack.wait_for("chat.postMessage")
    assert _sections(post)[0] == "*What Dario Amodei said about “trust”*"
    unchecked = "from a note · no transcript to check against"
    assert _contexts(post) == ["1–2 of 2", unchecked, unchecked]
    assert all(s.startswith("*Dario Amodei* · Example Podcast #7 · <https://") for s in _sections(post)[1:])


@pytest.mark.parametrize(("typed", "user", "expected"), [
    ("help", "UEN", HELP_EN), ("ヘルプ", "UJA", HELP_JA), ("使い方", "UJA", HELP_JA), ("", "UEN", HELP_EN),
    ("Help?", "UJA", HELP_JA),
])
async def test_help_comes_from_the_core(web: Web, slack: FakeSlack, typed: str, user: str, expected: str) -> None:
    await web.event(mention(typed, user=user))
    [post] = await slack.wait_for("chat.postMessage")
    assert post["text"].startswith(expected) and post["thread_ts"] == "1700000000.000200"
    [section] = post["blocks"]
    assert section["text"]["text"].startswith(expected)


async def test_the_adapter_asks_the_core_even_for_help(settings: Settings, slack: FakeSlack) -> None:
    core = FakeCore()
    started = await start_web(core, slack_settings(settings, slack), slack)
    try:
        await started.event(mention(""), event_id="Ev1")
        await started.event(dm("help"), event_id="Ev2")
        await started.command("ヘルプ", user="UJA")
        await slack.wait_for("chat.postMessage", count=2)
        await slack.wait_responses()
        assert sorted(core.asked) == [("", "en"), ("help", "en"), ("ヘルプ", "ja")]
    finally:
        await started.server.close()

