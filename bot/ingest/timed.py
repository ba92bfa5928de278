"""A transcript given as bytes and a media type (a feed's `<podcast:transcript>`, a fetched page), read by
the parser for that type; and a document fitted to the episode a feed describes."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from typing import Any, Final

from bs4 import BeautifulSoup

from bot.ingest.document import ParsedDocument, ParseError
from bot.ingest.frontmatter import as_text, episode_from_fields
from bot.ingest.stt import looks_like_otter, parse_json_transcript, parse_otter
from bot.ingest.transcript_page import looks_like_transcript_page, parse_transcript_page
from bot.ingest.transcripts import LABEL, looks_like_transcript, parse_subtitles, parse_text_transcript
from bot.models import Episode, Segment
from bot.text import detect_language

_BLOCKS: Final = "p, li, h1, h2, h3, blockquote, dd, dt"
_PARAGRAPH: Final = re.compile(r"\n\s*\n")


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError("not UTF-8 text", data[: exc.start].count(b"\n") + 1) from exc


def parse_timed(
    name: str, data: bytes, kind: str, fields: Mapping[str, Any], lang: str | None, people: Sequence[str] = ()
) -> ParsedDocument:
    """`kind` is a media type of podcast.TRANSCRIPT_TYPES."""
    text = decode(data)
    fields = dict(fields)
    if kind == "application/json":
        return parse_json_transcript(name, text, fields, lang)
    if kind in ("text/vtt", "application/x-subrip"):
        return parse_subtitles(name, text, fields, lang, vtt=kind == "text/vtt")
    if kind == "text/html":
        return parse_html_transcript(name, text, fields, lang)
    if kind == "text/plain":
        return parse_plain_transcript(name, text, fields, lang)
    raise ParseError(f"cannot read a transcript of type {kind!r}")


def parse_html_transcript(name: str, html: str, fields: dict[str, Any], lang: str | None) -> ParsedDocument:
    """A transcript page; other HTML only when its paragraphs are timestamped lines (nothing is guessed)."""
    if looks_like_transcript_page(html):
        return parse_transcript_page(name, html, fields, lang)
    soup = BeautifulSoup(html, "html.parser")
    lines = "\n".join(" ".join(tag.get_text(" ").split()) for tag in soup.select(_BLOCKS))
    if looks_like_transcript(lines):
        return parse_text_transcript(name, fields, lines, 1, lang)
    raise ParseError("no transcript segments found (no div.ts-segment blocks and no timestamped paragraphs)")


def parse_plain_transcript(name: str, text: str, fields: dict[str, Any], lang: str | None) -> ParsedDocument:
    if looks_like_otter(text):
        return parse_otter(name, text, fields, 1, lang)
    if looks_like_transcript(text):
        return parse_text_transcript(name, fields, text, 1, lang)
    # Paragraphs without times: `Name: words` gives the speaker; the passage links to the episode's start.
    doc = ParsedDocument(format="transcript", lang=as_text(fields.get("lang")) or lang or detect_language(text[:4000]),
                         title=as_text(fields.get("title")))
    episode = doc.add_episode(episode_from_fields(fields, title_is_episode=True))
    for paragraph in _PARAGRAPH.split(text):
        words = " ".join(paragraph.split())
        label = LABEL.match(words)
        speaker = label.group("speaker") if label else None
        body = label.group("text") if label else words
        doc.add(Segment(speaker=speaker, speaker_verified=speaker is not None, text=body, lang=doc.lang,
                        kind="quote"), episode)
    if not doc.segments:
        raise ParseError("the transcript is empty")
    return doc


def finish_document(
    doc: ParsedDocument, episode: Episode, people: Sequence[str], chapters: Sequence[tuple[float, str]]
) -> ParsedDocument:
    """The document as the feed describes it: the feed's episode, its people as the only verified
    speakers (a name in the transcript alone stays unverified), and chapters as headings and topics."""
    known = {p.casefold() for p in people}
    parsed_video = next((e.video_id for e in doc.episodes if e.video_id), None)
    if episode.video_id is None and parsed_video is not None:
        # A transcript page's links name the video the feed did not.
        episode = episode.model_copy(update={"video_id": parsed_video})
    doc.episodes = [episode]
    prefixes = [(f"{name}:", name) for name in people] + [(f"{name}：", name) for name in people]
    for parsed in doc.segments:
        segment = parsed.segment
        parsed.episode = 0
        if segment.speaker is None:
            # `name: words` with a name of the feed's people that does not look like one (`danah boyd:`).
            for prefix, name in prefixes:
                if segment.text.startswith(prefix) and segment.text[len(prefix):].strip():
                    segment.speaker, segment.text = name, segment.text[len(prefix):].strip()
                    break
        segment.speaker_verified = segment.speaker is not None and segment.speaker.casefold() in known
    return apply_chapters(doc, chapters)


def apply_chapters(doc: ParsedDocument, chapters: Sequence[tuple[float, str]]) -> ParsedDocument:
    """Each timed passage under the chapter it falls in (a heading), and the chapters as topics."""
    if not chapters:
        return doc
    chapters = sorted(chapters)
    starts = [start for start, _ in chapters]
    for parsed in doc.segments:
        segment = parsed.segment
        if segment.start is not None:
            at = bisect_right(starts, segment.start) - 1
            if at >= 0:
                segment.heading = chapters[at][1]
    doc.topics = list(dict.fromkeys([*doc.topics, *(title for _, title in chapters)]))
    return doc
