"""Slack gets the core's timeline and note checks as every platform does: a timeline question by
mention or /ask, each entry dated; a note quotation with its transcript's verdict and words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.slack.conftest import Web, mention
from tests.fakes.slack_api import FakeSlack
from tests.support.timeline import EPISODES

# A transcript of the conftest notes' Example Podcast #7 that says something else at 00:10:05.
TRANSCRIPT = """\
---
title: Example Podcast #7
show: Example Podcast
episode: 7
youtube: AbCdEfGhIjK
speakers: [Hannah Host, Dario Amodei]
lang: en
---
Hannah Host (00:09:50) Why do you keep saying that talent density beats talent mass?
Dario Amodei (00:10:05) Honestly I think a big team with good process beats a small one.
Hannah Host (00:12:00) Thanks for coming on.
"""


@pytest.fixture
def notes_dir(notes_dir: Path, write: Callable[[Path, str], Path]) -> Path:
    for name, text in EPISODES.items():
        write(notes_dir / "timeline" / name, text)
    write(notes_dir / "transcripts" / "example-7.txt", TRANSCRIPT)
    return notes_dir


def _lines(post: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in post["blocks"] if b["type"] == "section"]


@pytest.mark.parametrize("question", [
    "how has Dario's view on scaling changed?", "アモデイのスケーリングについての考えの変化",
])
async def test_a_timeline_question_by_mention_is_dated_oldest_first(web: Web, slack: FakeSlack, question: str) -> None:
    await web.event(mention(f"<@UBOT> {question}"))
    [post] = await slack.wait_for("chat.postMessage")
    header, *entries = _lines(post)
    # The conftest's notes add an undated episode of their own: five in all. The bot's own words follow
    # the asker's Slack language (English here), the topic the question's.
    assert header.startswith("*How Dario Amodei's view on ") and header.endswith(" changed — 5 episodes, 2023–2025*")
    dates = [entry.split(" · ", 1)[0] for entry in entries]
    assert dates == ["*2023-03-01*", "*2024-09-15*", "*2025-06-01*", "*undated (listed last)*",
                     "*undated (listed last)*"]


async def test_a_timeline_by_slash_command(web: Web, slack: FakeSlack) -> None:
    assert await web.command("Amodei on scaling over time") == 200
    [reply] = await slack.wait_responses()
    assert "How Dario Amodei's view on “scaling” changed — 5 episodes, 2023–2025" in reply["text"]


async def test_a_note_quotation_the_transcript_contradicts_shows_the_transcripts_words(
    web: Web, slack: FakeSlack
) -> None:
    await web.event(mention("<@UBOT> what did Amodei say about a hundred excellent people?"))
    [post] = await slack.wait_for("chat.postMessage")
    blocks = post["blocks"]
    note = next(i for i, b in enumerate(blocks) if "A hundred excellent people will beat" in b.get("text", {}).get(
        "text", ""))
    # Right under the note's words: its badges, then the transcript's words.
    under = [e["text"] for b in blocks[note + 1 : note + 3] for e in b.get("elements", [])]
    assert under == ["from a note · the transcript differs",
                     "Transcript (00:10:05): “Honestly I think a big team with good process beats a small one.”"]
