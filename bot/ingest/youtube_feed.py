"""YouTube transcripts with front matter whose paragraphs start with `[21:23](https://…&t=1283s)`.

Most carry no speaker labels, so transcript segments keep an unknown speaker; a highlight that
names its speaker (`-- Dario Amodei, [13:51](…)`) is kept as that speaker's quote. A paragraph
that opens with a first name and a colon (`Sebastian: My advice is…`) is that person's, when the
name is one of the episode's people (its speakers, the channel's host, or a tag that is a name).
"""

from __future__ import annotations

import re
from typing import Any, Final

from bot.ingest.document import ParsedDocument, ParseError
from bot.ingest.frontmatter import as_list, as_text, episode_from_fields
from bot.ingest.links import plain_text
from bot.models import Segment
from bot.text import detect_language, strip_quotes
from bot.timecodes import parse_timestamp

_LINKED: Final = re.compile(r"^\[(?P<label>\d{1,2}:\d{2}(?::\d{2})?)\]\((?P<url>[^)]*)\)\s*(?P<text>.*)$")
# At most six digits of seconds (11 days): longer is no time in a recording, and overflows SQLite's integers.
_T_PARAM: Final = re.compile(r"[?&#]t=(\d{1,6})s?\b")
_ATTRIBUTION: Final = re.compile(r"^>?\s*--\s*(?:(?P<speaker>[^,\[]+?),\s*)?\[(?P<label>[\d:]+)\]\((?P<url>[^)]*)\)")
_KEY_POINT: Final = re.compile(
    r"^\s*[-*]\s+\*\*(?P<title>.+?)\*\*\s*\(\[(?P<label>[\d:]+)\]\([^)]*\)\)\s*-?\s*(?P<text>.*)$"
)
_SECTION: Final = re.compile(r"^##\s+(.*)$")
_LABEL: Final = re.compile(r"^(?P<name>[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,2}):\s+(?P<text>\S.*)$")
_PERSON: Final = re.compile(r"^[A-Z][\w'’-]+(?: [A-Z][\w.'’-]+){1,2}$")


def _people(fields: dict[str, Any], speakers: list[str]) -> dict[str, str]:
    """Label -> full name for the episode's people: full names, and first names only one of them has."""
    names = list(speakers)
    host = as_text(fields.get("channel"))
    if host and _PERSON.match(host):
        names.append(host)
    names += [tag for tag in as_list(fields.get("tags")) if _PERSON.match(tag)]
    labels: dict[str, str] = {name: name for name in names}
    firsts: dict[str, set[str]] = {}
    for name in names:
        firsts.setdefault(name.split()[0], set()).add(name)
    for first, owners in firsts.items():
        if len(owners) == 1 and first not in labels:
            labels[first] = next(iter(owners))
    return labels


def _labelled(text: str, people: dict[str, str]) -> tuple[str | None, str]:
    match = _LABEL.match(text)
    if match and match.group("name") in people:
        return people[match.group("name")], match.group("text")
    return None, text


def looks_like_youtube_feed(fields: dict[str, Any], body: str) -> bool:
    return bool(fields.get("video_id")) and re.search(r"^\[\d{1,2}:\d{2}(?::\d{2})?\]\(http", body, re.M) is not None


def _start(label: str, url: str) -> int | None:
    param = _T_PARAM.search(url)
    return int(param.group(1)) if param else parse_timestamp(label)


def parse_youtube_feed(
    path: str, fields: dict[str, Any], body: str, first_line: int, lang: str | None
) -> ParsedDocument:
    lang = as_text(fields.get("lang") or fields.get("language")) or lang or detect_language(body[:4000])
    doc = ParsedDocument(format="youtube", lang=lang, title=as_text(fields.get("title")))
    episode = episode_from_fields(fields, title_is_episode=True)
    episode_index = doc.add_episode(episode)
    doc.topics.extend(tag.replace("-", " ") for tag in as_list(fields.get("tags")))
    section = ""
    quote_lines: list[str] = []
    people = _people(fields, episode.speakers)
    for offset, raw in enumerate(body.split("\n")):
        line = raw.strip()
        number = first_line + offset
        heading = _SECTION.match(line)
        if heading:
            section = heading.group(1).strip().lower()
            quote_lines = []
            continue
        if line.startswith("### ") and section in ("highlights", "key points"):
            doc.topics.append(strip_quotes(line[4:].strip()))
            continue
        if section == "transcript":
            linked = _LINKED.match(line)
            if linked:
                start = _start(linked.group("label"), linked.group("url"))
                if start is None:
                    doc.warn(path, number, f"cannot read the time {linked.group('label')!r}")
                    continue
                speaker, text = _labelled(plain_text(linked.group("text")), people)
                if speaker is not None and speaker not in episode.speakers:
                    episode.speakers.append(speaker)
                doc.add(
                    Segment(speaker=speaker, speaker_verified=speaker is not None, start=start, text=text,
                            lang=lang, kind="quote"),
                    episode_index,
                )
            elif line and doc.segments and doc.segments[-1].segment.kind == "quote":
                doc.segments[-1].segment.text += " " + plain_text(line)
        elif section == "highlights":
            if line.startswith(">"):
                attribution = _ATTRIBUTION.match(line)
                if attribution:
                    speaker = (attribution.group("speaker") or "").strip() or None
                    start = _start(attribution.group("label"), attribution.group("url"))
                    text = strip_quotes(plain_text(" ".join(quote_lines)))
                    if speaker and text:
                        if speaker not in episode.speakers:
                            episode.speakers.append(speaker)
                        doc.add(
                            Segment(speaker=speaker, start=start, text=text, lang=lang, kind="quote"),
                            episode_index,
                        )
                    quote_lines = []
                else:
                    quote_lines.append(line.lstrip("> ").strip())
        elif section == "key points":
            point = _KEY_POINT.match(line)
            if point:
                doc.topics.append(plain_text(point.group("title")))
                text = plain_text(f"{point.group('title')}: {point.group('text')}")
                doc.add(
                    Segment(start=_start(point.group("label"), ""), text=text, lang=lang, kind="note",
                            speaker=None),
                    episode_index,
                )
        elif section == "summary" and line and not line.startswith("#"):
            doc.add(Segment(text=plain_text(line), lang=lang, kind="note", speaker=None), episode_index)
    if not any(s.segment.kind == "quote" for s in doc.segments):
        raise ParseError("a YouTube transcript with no `[mm:ss](url)` paragraphs under '## Transcript'")
    return doc
