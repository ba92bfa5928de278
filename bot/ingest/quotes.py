"""Quote collections: `## Speaker on Topic`, a `> source URL` line, then `(hh:mm:ss)` paragraphs."""

from __future__ import annotations

import re
from typing import Any, Final

from bot.ingest.document import ParsedDocument
from bot.ingest.frontmatter import as_text
from bot.ingest.links import normalize_url, plain_text, urls, youtube_id
from bot.models import Episode, Segment
from bot.passages import speaker_passage
from bot.text import detect_language
from bot.timecodes import parse_timestamp

_HEADING: Final = re.compile(r"^##\s+(?P<speaker>.+?)\s+(?:on|about|:)\s+(?P<topic>.+?)\s*$")
_TIMED: Final = re.compile(r"^[(\[](?P<time>\d{1,2}:\d{2}(?::\d{2})?)[)\]]\s*(?P<text>.*)$")
# A line that is only a person's name switches the speaker inside a section (an interviewer's aside).
_NAME_LINE: Final = re.compile(r"^[A-Z][a-zA-Z'’.-]+(?: [A-Z][a-zA-Z'’.-]+){1,3}$")


def looks_like_quote_collection(body: str) -> bool:
    headings = [m for m in re.finditer(r"^##[ \t]+\S.*?[ \t]on[ \t]+\S", body, re.M)]
    timed = re.findall(r"^\(\d{1,2}:\d{2}(?::\d{2})?\)\s", body, re.M)
    return len(headings) >= 2 and len(timed) >= 2


def parse_quote_collection(
    path: str, fields: dict[str, Any], body: str, first_line: int, lang: str | None
) -> ParsedDocument:
    lang = as_text(fields.get("lang")) or lang or detect_language(body[:4000])
    doc = ParsedDocument(format="quotes", lang=lang, title=as_text(fields.get("title")))
    episodes: dict[str, int] = {}
    section_speaker: str | None = None
    speaker: str | None = None
    topic: str | None = None
    episode: int | None = None
    paragraph: list[str] = []
    start: int | None = None
    part = 0

    def flush() -> None:
        nonlocal paragraph, part
        if paragraph and speaker:
            doc.add(
                Segment(
                    speaker=speaker,
                    start=start,
                    text=plain_text(" ".join(paragraph)),
                    lang=lang,
                    kind="quote",
                    passage_key=speaker_passage(speaker, start, part) if start is not None else None,
                    heading=topic,
                ),
                episode,
            )
            part += 1
        paragraph = []

    for offset, raw in enumerate(body.split("\n")):
        line = raw.strip()
        number = first_line + offset
        if line.startswith("#"):
            flush()
            # One space between words: `\s+` in the heading pattern retried a run of blanks at each blank.
            heading = _HEADING.match(" ".join(line.split()))
            if heading:
                section_speaker = speaker = heading.group("speaker").strip()
                topic = heading.group("topic").strip()
                doc.topics.append(topic)
                episode, start, part = None, None, 0
            else:
                section_speaker = speaker = None
            continue
        if section_speaker is None:
            continue
        if line.startswith(">"):
            source = line.lstrip("> ").strip()
            if source:
                episode = _episode_for(doc, episodes, source)
            continue
        if not line:
            flush()
            continue
        if _NAME_LINE.match(line) and not paragraph:
            speaker = line
            continue
        timed = _TIMED.match(line)
        if timed:
            flush()
            parsed = parse_timestamp(timed.group("time"))
            if parsed is None:
                doc.warn(path, number, f"cannot read the time {timed.group('time')!r}")
            elif parsed != start:
                part = 0
            start = parsed
            paragraph = [timed.group("text")]
        else:
            paragraph.append(line)
    flush()
    return doc


def _episode_for(doc: ParsedDocument, episodes: dict[str, int], source: str) -> int:
    if source in episodes:
        return episodes[source]
    found = urls(source)
    if found:
        url = found[0]
        video = youtube_id(url)
        episode = Episode(
            video_id=video,
            transcript_url=None if video else normalize_url(url),
        )
    else:
        # A citation without a link ("Chengfeng 2025, translated from Chinese") names the source.
        episode = Episode(title=source)
    episodes[source] = doc.add_episode(episode)
    return episodes[source]
