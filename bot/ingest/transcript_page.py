"""Transcript web pages (lexfridman.com style): `div.ts-segment` blocks of a name, a timestamp link to the
video at that second, and the words; `h2` chapter headings between them.

Read with BeautifulSoup on the standard library's HTML parser: it is lenient with real-world markup
(unclosed tags, stray entities), needs no compiled extension, and its CSS selectors say what is read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, Tag

from bot.ingest.captions import Cue
from bot.ingest.document import ParsedDocument, ParseError
from bot.ingest.frontmatter import as_text, episode_from_fields
from bot.ingest.links import youtube_id
from bot.models import Segment
from bot.text import detect_language
from bot.timecodes import parse_timestamp

_SECONDS: Final = re.compile(r"^(\d+)s?$")


def looks_like_transcript_page(text: str) -> bool:
    return "ts-segment" in text and "<" in text


def _seconds(href: str | None, label: str) -> tuple[float | None, str | None]:
    """(second, video id) from `…watch?v=ID&t=SECONDS` (or the `(00:01:02)` label when the link has none)."""
    video = youtube_id(href) if href else None
    if href:
        query = parse_qs(urlsplit(href).query)
        t = (query.get("t") or [""])[0]
        match = _SECONDS.match(t)
        if match:
            return float(match.group(1)), video
    clock = label.strip().strip("()[] ")
    seconds = parse_timestamp(clock) if clock else None
    return (float(seconds) if seconds is not None else None), video


def _span(block: Tag, name: str) -> Tag | None:
    found = block.find("span", class_=name)
    return found if isinstance(found, Tag) else None


def _text(tag: Tag | None) -> str:
    return " ".join(tag.get_text(" ").split()) if tag is not None else ""


def parse_transcript_page(
    path: str, html: str, fields: Mapping[str, Any], lang: str | None
) -> ParsedDocument:
    soup = BeautifulSoup(html, "html.parser")
    blocks = soup.select("div.ts-segment, h2")
    cues: list[tuple[Cue, str | None]] = []
    videos: list[str] = []
    heading: str | None = None
    speaker: str | None = None
    for block in blocks:
        if block.name == "h2":
            heading = _text(block) or heading
            continue
        # find() rather than CSS selectors inside a block: a third of the time on a three-hour page.
        name = _text(_span(block, "ts-name"))
        # An empty name continues the previous speaker's turn.
        speaker = name or speaker
        stamp = _span(block, "ts-timestamp")
        link = stamp.find("a", href=True) if stamp is not None else None
        href = link.get("href") if link is not None else None
        start, video = _seconds(href if isinstance(href, str) else None, _text(stamp))
        if video and video not in videos:
            videos.append(video)
        words = _text(_span(block, "ts-text"))
        if words and start is not None:
            cues.append((Cue(start, None, words, speaker), heading))
    if not cues:
        raise ParseError("no transcript segments found (expected div.ts-segment with a timestamp and span.ts-text)")
    title = as_text(fields.get("title")) or (_text(soup.title) or None)
    page_fields = {"title": title, **{k: v for k, v in fields.items() if v not in (None, "")}}
    if videos and not page_fields.get("video_id"):
        page_fields["video_id"] = videos[0]
    lang = as_text(fields.get("lang")) or lang or _page_lang(soup) or detect_language(
        " ".join(c.text for c, _ in cues[:200])
    )
    # Only headings with words under them are chapters (not a page's "Table of contents").
    headings = [h for h in dict.fromkeys(chapter for _, chapter in cues) if h]
    doc = ParsedDocument(format="transcript", lang=lang, title=title, topics=headings)
    episode = doc.add_episode(episode_from_fields(page_fields, title_is_episode=True))
    for index, (cue, chapter) in enumerate(cues):
        following = cues[index + 1][0].start if index + 1 < len(cues) else None
        if cue.speaker and cue.speaker not in doc.episodes[episode].speakers:
            doc.episodes[episode].speakers.append(cue.speaker)
        doc.add(Segment(speaker=cue.speaker, speaker_verified=cue.speaker is not None, start=cue.start,
                        end=following, text=cue.text, lang=lang, kind="quote", heading=chapter), episode)
    return doc


def _page_lang(soup: BeautifulSoup) -> str | None:
    html = soup.find("html")
    value = html.get("lang") if isinstance(html, Tag) else None
    return value.split("-")[0].lower() if isinstance(value, str) and value.strip() else None
