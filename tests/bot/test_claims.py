"""Note quotations checked against the transcript at ingest: the verdicts stored, recomputed when a
transcript or note of the episode changes, shown as badges on every platform, the transcript's own words
first, and `saidbot doctor --notes`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.console import format_answer
from adapters.discord.format import render_answer
from adapters.slack.format import message
from bot.claims import CHECK_WINDOW_SECONDS, Verdict, check_quotation
from bot.models import Answer, Citation
from bot.present import present_answer
from bot.service import SaidService
from bot.store.checks import Passage, Quotation, check_counts
from saidbot.cli import main

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
Dario Amodei (00:10:05) Um, a hundred excellent people will beat a thousand average ones, every single time. And when everyone around you is excellent, trust comes for free.
Hannah Host (00:12:00) What about large teams?
Dario Amodei (00:12:10) Large teams need process and guardrails, because people stop trusting each other.
Hannah Host (00:20:00) Thanks for coming on.
"""

NOTE_EN = """\
---
title: Team notes
lang: en
show: Example Podcast
episode: 7
youtube: AbCdEfGhIjK
---

## Talent density

**Dario Amodei (00:10:05):**
"A hundred excellent people will beat a thousand average ones every single time."

**Dario Amodei (00:12:10):**
"Small teams always win because big companies are lazy."

**Dario Amodei (00:09:52):**
"Why do you keep saying that talent density beats talent mass?"

**Dario Amodei (00:16:00):**
"We never once talked about compute budgets."
"""

NOTE_JA = """\
---
title: チームのノート
lang: ja
show: Example Podcast
episode: 7
youtube: AbCdEfGhIjK
---

## タレント密度（talent density）

**Dario Amodei (00:10:05):**
「優秀な100人は平凡な1,000人に毎回勝ちます。」
"""

# Another episode, of which the store holds no transcript.
NOTE_OTHER = """\
---
title: Other notes
lang: en
show: Example Podcast
episode: 8
youtube: ZyXwVuTsRqP
---

**Dario Amodei (00:01:00):**
"Interpretability is how we will see inside the networks we build."
"""


@pytest.fixture
def folder(tmp_path: Path, write: Callable[[Path, str], Path]) -> Path:
    root = tmp_path / "checked"
    write(root / "notes" / "team-en.md", NOTE_EN)
    write(root / "notes" / "team-ja.md", NOTE_JA)
    write(root / "notes" / "other.md", NOTE_OTHER)
    write(root / "transcripts" / "episode-7.txt", TRANSCRIPT)
    return root


@pytest.fixture
async def checked(service: SaidService, folder: Path) -> SaidService:
    report = await service.ingest([folder])
    assert report.failed == 0, report.problems
    # Three English quotations compared word for word with the transcript, two of them contradicted (one
    # the host's words given as Dario's); the Japanese one is a translation; the other episode has none.
    assert (report.notes_checked, report.notes_contradicted, report.notes_translated) == (3, 2, 1)
    return service


def _note(answer: Answer, words: str) -> Citation:
    found = [c for c in answer.citations if c.kind == "quote" and c.source.endswith(".md") and words in c.text]
    assert found, [(c.source, c.text) for c in answer.citations]
    return found[0]


async def test_each_note_quotation_gets_its_verdict(checked: SaidService) -> None:
    assert await check_counts(checked.store) == {"matches": 1, "differs": 2, "translation": 1, "unchecked": 2}
    differs = _note(await checked.ask("what did Amodei say about big companies being lazy?"), "lazy")
    assert differs.note_check == "differs"
    # The transcript's own words it was checked against: the passage playing at that time.
    assert differs.transcript_text == "Large teams need process and guardrails, because people stop trusting each other."
    assert differs.transcript_timestamp == "00:12:10"
    host = _note(await checked.ask("what did Amodei say about talent mass?"), "Why do you keep")
    # The host's question is in the transcript, but as the host's: as Dario's words the transcript differs.
    assert host.note_check == "differs" and "Um, a hundred" in (host.transcript_text or "")
    other = _note(await checked.ask("what did Amodei say about interpretability?"), "Interpretability")
    assert other.note_check == "unchecked" and other.transcript_text is None
    # The transcript has nothing of Dario's within 90 s of 00:16:00, and his last turn (00:12:10) began
    # more than three minutes before: no transcript of that moment, not a contradiction.
    later = _note(await checked.ask("what did Amodei say about compute budgets?"), "compute budgets")
    assert later.note_check == "unchecked"


async def test_a_japanese_quotation_of_an_english_transcript_is_a_translation_never_a_match(
    checked: SaidService,
) -> None:
    answer = await checked.ask("アモデイはタレント密度について何と言った？")
    note = _note(answer, "優秀な100人")
    assert note.note_check == "translation"
    assert (note.transcript_text or "").startswith("Um, a hundred excellent people")
    view = present_answer(answer)
    [shown] = [c for c in view.citations if c.citation is note]
    assert shown.badge_texts == ("ノートより", "ノートの翻訳（文字起こしとの文言照合はできません）")
    assert shown.transcript_line is not None and shown.transcript_line.startswith("文字起こし（00:10:05）:「Um, a hundred")


async def test_the_transcripts_own_words_come_first_where_a_note_quotes_the_same_moment(
    checked: SaidService,
) -> None:
    answer = await checked.ask("what did Amodei say about a hundred excellent people?")
    first = answer.citations[0]
    assert first.source.endswith("episode-7.txt") and first.note_check is None
    assert present_answer(answer).citations[0].badge_texts == ("verbatim transcript",)
    # The note's (matching) rendering of the same moment is not shown again beside it.
    assert not any(c.source.endswith("team-en.md") and "hundred excellent" in c.text for c in answer.citations)


async def test_badges_and_the_transcripts_words_on_every_platform(checked: SaidService) -> None:
    answer = await checked.ask("what did Amodei say about big companies being lazy?")
    view = present_answer(answer)
    [note] = [c for c in view.citations if c.citation.note_check == "differs" and "lazy" in c.text]
    line = "Transcript (00:12:10): “Large teams need process and guardrails, because people stop trusting each other.”"
    assert note.badge_texts == ("from a note", "the transcript differs") and note.transcript_line == line
    console = format_answer(answer)
    assert "[from a note, the transcript differs]" in console and f"   · {line}" in console
    slack = str(message(view).blocks)
    assert "from a note · the transcript differs" in slack and "Transcript (00:12:10)" in slack
    discord = render_answer(answer, "en")
    descriptions = "\n".join(e.description or "" for e in discord.embeds)
    footers = "\n".join(e.footer.text or "" for e in discord.embeds)
    assert "the transcript differs" in footers and "Transcript (00:12:10): “Large teams" in descriptions
    unchecked = format_answer(await checked.ask("what did Amodei say about interpretability?"))
    assert "[from a note, no transcript to check against]" in unchecked


async def test_verdicts_follow_the_transcript_when_it_comes_goes_or_changes(
    service: SaidService, folder: Path, write: Callable[[Path, str], Path]
) -> None:
    transcript = folder / "transcripts" / "episode-7.txt"
    transcript.unlink()
    report = await service.ingest([folder])
    assert report.notes_checked == 0
    assert await check_counts(service.store) == {"unchecked": 6}

    write(transcript, TRANSCRIPT)  # the transcript arrives: the notes, unchanged, are checked now
    report = await service.ingest([folder])
    assert (report.added, report.skipped, report.notes_checked, report.notes_contradicted) == (1, 3, 3, 2)

    # The transcript is corrected to say what the note quoted: that quotation now matches.
    write(transcript, TRANSCRIPT.replace(
        "Large teams need process and guardrails, because people stop trusting each other.",
        "Small teams always win, because big companies are lazy.",
    ))
    report = await service.ingest([folder])
    assert report.changed == 1 and (report.notes_checked, report.notes_contradicted) == (3, 1)
    assert await check_counts(service.store) == {"matches": 2, "differs": 1, "translation": 1, "unchecked": 2}
    # A quotation that matches is the transcript's passage: its words are the ones shown.
    [first, *_] = (await service.ask("what did Amodei say about big companies being lazy?")).citations
    assert first.source.endswith("episode-7.txt") and first.note_check is None

    transcript.unlink()  # gone again: nothing to check against
    report = await service.ingest([folder])
    assert report.removed == 1 and await check_counts(service.store) == {"unchecked": 6}


def test_only_the_notes_speaker_or_unlabelled_words_are_checked_against() -> None:
    quote = Quotation(1, 7, 2, "Dario Amodei", 600.0, "We will slow down hiring.", "en", None, "n.md")
    host = Passage(10, 3, 598.0, "We will slow down hiring.", "", "en")
    assert check_quotation(quote, [host], []).verdict == Verdict.UNCHECKED
    unlabelled = Passage(11, None, 590.0, "Honestly, we will slow down hiring.", "", "en")
    row = check_quotation(quote, [host, unlabelled], [])
    assert row.verdict == Verdict.MATCHES and row.transcript_id == 11
    assert CHECK_WINDOW_SECONDS == 90


async def test_doctor_notes_lists_what_the_transcripts_contradict(
    checked: SaidService, capsys: pytest.CaptureFixture[str]
) -> None:
    db = checked.store.path
    await checked.close()
    # The command runs its own event loop, as from a terminal.
    assert await asyncio.to_thread(main, ["doctor", "--notes", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("note quotations: 3 checked against transcripts (1 match, 2 differ), 1 translations")
    assert "The transcript contradicts 2:" in out
    # File and line of the quotation's header, speaker, time, the note's words and the transcript's.
    en = next(line for line in out.splitlines() if "lazy" in line)
    assert "note:       “Small teams always win because big companies are lazy.”" in en
    assert "team-en.md:14: Dario Amodei @ 00:12:10" in out
    assert "transcript (00:12:10): “Large teams need process and guardrails" in out
    assert "team-en.md:17: Dario Amodei @ 00:09:52" in out
