"""The console adapter: the presenter's labels as terminal lines, and `saidbot chat` paging."""

from __future__ import annotations

import io

import pytest

from adapters.console import chat, format_answer
from bot.models import Answer, AnswerStatus, Citation
from bot.service import SaidService
from tests.fakes.core import FakeCore


def _citation(**extra: object) -> Citation:
    fields: dict[str, object] = {
        "text": "Words.", "speaker": "Dario Amodei", "episode": "Lex Fridman Podcast #452", "start_seconds": 5917,
        "timestamp": "01:38:37", "url": "https://www.youtube.com/watch?v=ugvHCXCOmm4&t=5914s",
        "source": "notes/x.md", "kind": "quote", "language": "en",
    }
    fields.update(extra)
    return Citation.model_validate(fields)


def _answer(citations: list[Citation], **extra: object) -> Answer:
    fields: dict[str, object] = {"question": "q", "speaker": "Dario Amodei", "topic": "talent density",
                                 "language": "en", "citations": citations, "total": len(citations)}
    fields.update(extra)
    return Answer.model_validate(fields)


@pytest.mark.parametrize(("extra", "line"), [
    ({}, "1. Dario Amodei — Lex Fridman Podcast #452 @ 01:38:37 [verbatim transcript]"),
    ({"speaker_verified": False},
     "1. Dario Amodei — Lex Fridman Podcast #452 @ 01:38:37 [verbatim transcript, speaker not labelled in the transcript]"),
    ({"speaker": None, "speaker_verified": False},
     "1. Unknown speaker — Lex Fridman Podcast #452 @ 01:38:37 [verbatim transcript, speaker not labelled in the transcript]"),
    ({"kind": "note"}, "1. Dario Amodei — Lex Fridman Podcast #452 @ 01:38:37 [from a note]"),
    ({"kind": "note", "speaker": None}, "1. Note summary — Lex Fridman Podcast #452 @ 01:38:37 [from a note]"),
])
def test_each_kind_of_citation_is_labelled_as_the_presenter_says(extra: dict[str, object], line: str) -> None:
    text = format_answer(_answer([_citation(**extra)]))
    assert text.splitlines() == [
        "What Dario Amodei said about “talent density” · 1–1 of 1", "", line, "   “Words.”",
        "   https://www.youtube.com/watch?v=ugvHCXCOmm4&t=5914s",
    ]
    if extra.get("kind") != "note":
        assert "from a note" not in text


def test_a_page_shows_its_label_and_what_is_left_in_the_askers_language() -> None:
    answer = _answer([_citation(), _citation()], total=7, offset=2, language="ja")
    lines = format_answer(answer).splitlines()
    assert lines[0] == "Dario Amodeiの「talent density」についての発言 · 7 件中 3–4 件目"
    assert lines[2].startswith("3. Dario Amodei — ") and lines[2].endswith("[文字起こしの原文]")
    assert lines[-1] == "ほかに3件あります。"


def test_statuses_print_their_message() -> None:
    assert format_answer(_answer([], status=AnswerStatus.NOT_FOUND, message="Nothing.")) == "Nothing."
    assert format_answer(_answer([], total=2, offset=2)) == "That's everything I found."


async def test_chat_asks_the_core_for_help_and_stops_at_quit() -> None:
    core = FakeCore()
    out = io.StringIO()
    await chat(core, lang="ja", stdin=io.StringIO("help\n\n使い方\nquit\nnever asked\n"), stdout=out)
    assert core.asked == [("help", "ja"), ("使い方", "ja")]
    assert out.getvalue() == "nothing about help\n\nnothing about 使い方\n\n"


async def test_chat_pages_through_a_real_answer_with_more(loaded: SaidService) -> None:
    out = io.StringIO()
    await chat(loaded, stdin=io.StringIO("Amodei on trust\nmore\nquit\n"), stdout=out)
    text = out.getvalue()
    assert text.startswith("What Dario Amodei said about “trust” · 1–2 of 2\n\n1. Dario Amodei — Example Podcast #7")
    assert "[from a note, no transcript to check against]" in text and "\n\n2. Dario Amodei" in text
    # The second page is past the last citation.
    assert text.endswith("&t=602s\n\nThat's everything I found.\n\n")
