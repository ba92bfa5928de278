"""The same answer shows the same facts on Discord, Slack and the console.

Each adapter only escapes and lays out what `bot.present` decided; this renders one answer of
each kind through all three and looks for every fact (header, page, who-label, badges, status
sentence, link) in what each platform would show.
"""

from __future__ import annotations

import re

import pytest

from adapters.console import format_answer
from adapters.discord.format import render_answer
from adapters.slack.format import message, unescape
from bot.models import Answer, AnswerStatus, Citation
from bot.present import AnswerView, present_answer

URL = "https://www.youtube.com/watch?v=AbCdEfGhIjK&t=602s"
# A transcript or article page: it opens at its top, whatever second the passage was said at.
PAGE = "https://www.lennysnewsletter.com/p/how-to-hire"


def _citation(**fields: object) -> Citation:
    base: dict[str, object] = {
        "text": "A hundred excellent people will beat a thousand average ones.", "speaker": "Dario Amodei",
        "speaker_verified": True, "episode": "Example Podcast #7", "show": "Example Podcast", "start_seconds": 605,
        "timestamp": "00:10:05", "url": URL, "source": "talk.md", "kind": "quote", "language": "en",
    }
    return Citation(**(base | fields))


def _answer(lang: str = "en", **fields: object) -> Answer:
    base: dict[str, object] = {"question": "what did Amodei say about talent density?", "speaker": "Dario Amodei",
                               "topic": "talent density", "language": lang}
    return Answer(**(base | fields))


KINDS = {
    "verbatim, labelled": _citation(),
    "verbatim, speaker inferred": _citation(speaker_verified=False),
    "verbatim, nobody labelled": _citation(speaker=None, speaker_verified=False),
    "note with a speaker": _citation(kind="note"),
    "note summary": _citation(kind="note", speaker=None, speaker_verified=False),
    "verbatim, on a transcript page": _citation(url=PAGE, timestamp="00:14:36", start_seconds=876),
    # A note's quotation, checked against the episode's transcript at ingest.
    "note quotation, matches the transcript": _citation(note_check="matches"),
    "note quotation, the transcript differs": _citation(
        note_check="differs", transcript_text="A hundred great people beat a thousand.", transcript_timestamp="00:10:02"
    ),
    "note quotation, a translation": _citation(
        text="優秀な100人は平凡な1,000人に勝ちます。", language="ja", note_check="translation",
        transcript_text="A hundred great people beat a thousand.", transcript_timestamp="00:10:02",
    ),
    "note quotation, no transcript": _citation(note_check="unchecked"),
}

TIMELINE = [
    _citation(date="2023-03-01", episode="Early days", text="Back then I thought scaling would keep working."),
    _citation(date="2025-06-01", episode="Compute and energy", text="Now the bottleneck is energy and chips.",
              note_check="differs", transcript_text="Energy is the bottleneck now.", transcript_timestamp="00:00:12"),
    _citation(date=None, episode="A conversation", text="Scaling is the one idea I keep coming back to."),
]

ANSWERS = {
    **{f"found: {name}": _answer(citations=[c], total=4) for name, c in KINDS.items()},
    "found, every kind, ja": _answer("ja", citations=list(KINDS.values()), total=9, offset=3),
    "not found": _answer(status=AnswerStatus.NOT_FOUND, message="I found nothing about “sourdough” in the notes."),
    "unknown speaker": _answer(status=AnswerStatus.UNKNOWN_SPEAKER, speaker=None,
                               message="I don't know anyone called “Zed”. I have notes on: Dario Amodei."),
    "help": _answer(status=AnswerStatus.HELP, message="Ask what someone said about a topic."),
    "warming up": _answer(status=AnswerStatus.WARMING_UP, message="I'm still reading the notes."),
    "past the last page": _answer(total=3, offset=3),
    "timeline": _answer(topic="scaling", timeline=True, years=(2023, 2025), citations=TIMELINE, total=3),
    "timeline, ja": _answer("ja", topic="スケーリング", timeline=True, years=(2023, 2025), citations=TIMELINE, total=3),
    "timeline, nobody asked, one year": _answer(speaker=None, topic="scaling", timeline=True, years=(2024, 2024),
                                                citations=TIMELINE[:1], total=1),
}


def _facts(view: AnswerView) -> list[str]:
    if not view.found:
        return [view.message or ""]
    facts = [view.header or "", view.page or ""]
    for citation in view.citations:
        facts += [citation.who, *citation.badge_texts, citation.episode, citation.timestamp or "", citation.url or ""]
        facts += [citation.date_label or "", citation.transcript_line or ""]
    return facts


def _discord_text(answer: Answer) -> str:
    reply = render_answer(answer, answer.language)
    parts = [reply.content]
    for embed in reply.embeds:
        parts += [embed.title or "", embed.url or "", embed.description or "", embed.author.name or "",
                  embed.footer.text or ""]
    # Markdown escapes are for Discord's renderer; a reader sees the characters themselves.
    return re.sub(r"\\(.)", r"\1", "\n".join(parts))


def _slack_text(answer: Answer) -> str:
    shown = message(present_answer(answer))
    texts = [shown.text]
    for block in shown.blocks:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts += [element.get("text", "") for element in block.get("elements", [])]
    # A link is <url|label>: both parts are shown facts.
    return unescape(re.sub(r"<([^|>]+)\|([^>]+)>", r"\1 \2", "\n".join(texts)))


RENDERERS = {
    "discord": _discord_text,
    "slack": _slack_text,
    "console": format_answer,
}


@pytest.mark.parametrize("kind", list(ANSWERS))
@pytest.mark.parametrize("platform", list(RENDERERS))
def test_every_fact_the_presenter_decided_is_shown(kind: str, platform: str) -> None:
    answer = ANSWERS[kind]
    shown = RENDERERS[platform](answer)
    for fact in _facts(present_answer(answer)):
        assert fact in shown, f"{platform} leaves out {fact!r} for {kind}:\n{shown}"


@pytest.mark.parametrize("kind", list(KINDS))
def test_no_platform_shows_a_label_the_presenter_did_not_choose(kind: str) -> None:
    """The old disagreements: a transcript passage called "from a note", a note summary "Unknown speaker"."""
    answer = ANSWERS[f"found: {kind}"]
    [citation] = present_answer(answer).citations
    labels = {"from a note", "Unknown speaker", "Note summary", "speaker not labelled in the transcript",
              "verbatim transcript", "matches the transcript", "the transcript differs",
              "no transcript to check against", "a note's translation: wording not checked against the transcript"}
    chosen = {citation.who, *citation.badge_texts}
    for platform, render in RENDERERS.items():
        shown = render(answer)
        assert {label for label in labels if label in shown} == chosen & labels, platform


@pytest.mark.parametrize("platform", list(RENDERERS))
def test_a_time_is_shown_only_where_the_link_can_seek(platform: str) -> None:
    """A transcript page cannot jump to 00:14:36, so no platform labels its link with that time."""
    answer = ANSWERS["found: verbatim, on a transcript page"]
    [citation] = present_answer(answer).citations
    assert citation.timestamp is None and citation.url == PAGE
    shown = RENDERERS[platform](answer)
    assert PAGE in shown and "00:14:36" not in shown, shown
    video = RENDERERS[platform](ANSWERS["found: verbatim, labelled"])
    assert "00:10:05" in video and URL in video



def test_the_presenter_decides_the_timeline_and_note_check_facts() -> None:
    """What the platforms are held to above: each entry dated, the undated said so, and the transcript's
    own words under a note quotation it contradicts."""
    view = present_answer(ANSWERS["timeline"])
    assert view.header == "How Dario Amodei's view on “scaling” changed — 3 episodes, 2023–2025"
    assert [c.date_label for c in view.citations] == ["2023-03-01", "2025-06-01", "undated (listed last)"]
    assert view.citations[1].badge_texts == ("from a note", "the transcript differs")
    assert view.citations[1].transcript_line == "Transcript (00:00:12): “Energy is the bottleneck now.”"
    japanese = present_answer(ANSWERS["timeline, ja"])
    assert japanese.header == "Dario Amodeiの「スケーリング」についての考えの変化 — 3件のエピソード、2023〜2025年"
    assert japanese.citations[2].date_label == "日付不明（最後に表示）"
    assert present_answer(ANSWERS["timeline, nobody asked, one year"]).header == (
        "How views on “scaling” changed — 1 episode, 2024"
    )
    [translated] = present_answer(ANSWERS["found: note quotation, a translation"]).citations
    assert "matches the transcript" not in translated.badge_texts
    assert translated.badge_texts[1] == "a note's translation: wording not checked against the transcript"
