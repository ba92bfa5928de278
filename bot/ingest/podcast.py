"""Podcasting 2.0 RSS feeds: the channel and its items, and each item as a document of its transcript.

The channel and items are read by feedparser (dates, guids, enclosures, iTunes tags); the `podcast:`
namespace directly with defusedxml's ElementTree, because a feed library keeps one of several repeated
tags and an item may list several transcripts and people. defusedxml parses the bytes first and refuses
entity declarations (billion laughs, external entities), so feedparser never sees a hostile document.
"""

from __future__ import annotations

import io
import json
import re
import time
import xml.etree.ElementTree as StdET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from html.entities import name2codepoint
from typing import Any, Final
from xml.etree.ElementTree import Element

import defusedxml
import defusedxml.ElementTree as SafeET
import feedparser

from bot.ingest.document import ParsedDocument, ParseError
from bot.ingest.links import youtube_id
from bot.ingest.timed import apply_chapters, finish_document, parse_timed
from bot.models import Episode
from bot.text import detect_language

PODCAST_NS: Final = "https://podcastindex.org/namespace/1.0"
ITUNES_NS: Final = "http://www.itunes.com/dtds/podcast-1.0.dtd"
_P: Final = "{" + PODCAST_NS + "}"
_I: Final = "{" + ITUNES_NS + "}"
# Transcript types saidbot reads, best first: the ones that carry speakers and times come first.
TRANSCRIPT_TYPES: Final = ("application/json", "text/vtt", "application/x-subrip", "text/html", "text/plain")
_TYPE_ALIASES: Final = {"application/srt": "application/x-subrip", "text/srt": "application/x-subrip",
                        "text/x-subrip": "application/x-subrip", "application/x-srt": "application/x-subrip",
                        "text/webvtt": "text/vtt"}
_FEED_TYPES: Final = ("application/rss+xml", "application/xml", "text/xml", "application/atom+xml",
                      "application/x-rss+xml")
_SPEAKING_ROLES: Final = ("host", "guest", "co-host", "cohost", "guest host")
_HOST_ROLES: Final = (None, "host", "co-host", "cohost", "guest host")


@dataclass(frozen=True)
class Person:
    name: str
    role: str | None
    group: str | None

    @property
    def is_host(self) -> bool:
        # The namespace's default role is "host".
        return self.role in _HOST_ROLES


@dataclass(frozen=True)
class TranscriptRef:
    url: str
    type: str
    language: str | None
    rel: str | None


@dataclass(frozen=True)
class FeedItem:
    key: str
    title: str | None
    published: str | None
    link: str | None
    enclosure_url: str | None
    video_id: str | None
    people: tuple[Person, ...]
    transcripts: tuple[TranscriptRef, ...]
    chapters_url: str | None
    number: int | None


@dataclass(frozen=True)
class Feed:
    url: str
    title: str | None
    link: str | None
    people: tuple[Person, ...]
    items: tuple[FeedItem, ...]


def looks_like_feed(data: bytes, content_type: str | None) -> bool:
    """An RSS document: by its content type, or by its first tags when the server says nothing useful."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in ("application/rss+xml", "application/x-rss+xml", "application/atom+xml"):
        return True
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if kind and kind not in _FEED_TYPES and not kind.startswith("text/plain") and kind != "application/octet-stream":
        return False
    return (head.startswith(b"<?xml") and b"<rss" in data[:4096].lower()) or head.startswith(b"<rss")


def _safe_root(data: bytes) -> tuple[Element, bytes]:
    """The document's root, and the bytes it was read from (HTML entity names made numeric, when the
    feed used `&nbsp;` and the like that XML does not define and that feed readers accept anyway)."""
    try:
        return _defused(data), data
    except ParseError as exc:
        if "undefined entity" not in exc.reason:
            raise
        fixed = _HTML_ENTITY.sub(_numeric, data)
        if fixed == data:
            raise
        return _defused(fixed), fixed


_HTML_ENTITY: Final = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES: Final = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})


def _numeric(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    code = name2codepoint.get(name.decode("ascii"))
    if name in _XML_ENTITIES or code is None:
        return match.group(0)
    return b"&#%d;" % code


def _defused(data: bytes) -> Element:
    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.EntitiesForbidden as exc:
        if exc.sysid or exc.pubid:
            raise ParseError(f"the feed declares an external XML entity ({exc.name!r}); refused") from exc
        raise ParseError(
            f"the feed declares XML entities ({exc.name!r}); refused, they can expand without bound"
        ) from exc
    except defusedxml.DefusedXmlException as exc:
        raise ParseError(f"the feed refers to external XML resources; refused ({exc})") from exc
    except StdET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise ParseError(f"the feed is not well-formed XML: {exc}", line) from exc


def _text(element: Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return " ".join(element.text.split()) or None


def _people(element: Element) -> tuple[Person, ...]:
    found = []
    for tag in element.findall(f"{_P}person"):
        name = _text(tag)
        if name:
            role = (tag.get("role") or "").strip().lower() or None
            group = (tag.get("group") or "").strip().lower() or None
            found.append(Person(name, role, group))
    return tuple(found)


def _lang(value: str | None) -> str | None:
    return value.strip().split("-")[0].split("_")[0].lower() if value and value.strip() else None


def _transcripts(element: Element, feed_lang: str | None) -> tuple[TranscriptRef, ...]:
    refs = []
    for tag in element.findall(f"{_P}transcript"):
        url = (tag.get("url") or "").strip()
        kind = (tag.get("type") or "").split(";")[0].strip().lower()
        kind = _TYPE_ALIASES.get(kind, kind)
        if url and kind in TRANSCRIPT_TYPES:
            refs.append(TranscriptRef(url, kind, _lang(tag.get("language")), (tag.get("rel") or "").strip() or None))

    def rank(ref: TranscriptRef) -> tuple[int, int, int]:
        other_language = int(feed_lang is not None and ref.language is not None and ref.language != feed_lang)
        return other_language, TRANSCRIPT_TYPES.index(ref.type), int(ref.rel == "captions")

    return tuple(sorted(refs, key=rank))


def _video(element: Element, link: str | None) -> str | None:
    candidates: list[str | None] = [link] if link else []
    for alt in element.findall(f"{_P}alternateEnclosure"):
        candidates += [src.get("uri") for src in alt.findall(f"{_P}source")]
    candidates += [tag.get("href") for tag in element.findall("{http://www.w3.org/2005/Atom}link")]
    for url in candidates:
        if url and ("youtube.com" in url or "youtu.be" in url):
            found = youtube_id(url)
            if found:
                return found
    return None


def _number(entry: Mapping[str, Any], element: Element) -> int | None:
    tags = (_text(element.find(f"{_P}episode")), entry.get("itunes_episode"), _text(element.find(f"{_I}episode")))
    for value in tags:
        if value is not None:
            try:
                return int(float(str(value).strip()))
            except ValueError:
                continue
    return None


def _date(entry: Mapping[str, Any], element: Element) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if isinstance(parsed, time.struct_time):
        return time.strftime("%Y-%m-%d", parsed)
    raw = _text(element.find("pubDate"))
    try:
        return parsedate_to_datetime(raw).date().isoformat() if raw else None
    except (TypeError, ValueError):
        return None


def _str(value: Any) -> str | None:
    return (" ".join(value.split()) or None) if isinstance(value, str) else None


def parse_feed(url: str, data: bytes) -> Feed:
    """The feed's channel and items; ParseError on XML that is broken, hostile, or not an RSS channel."""
    root, data = _safe_root(data)
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is None:
        raise ParseError("not an RSS feed: no <rss><channel> element")
    # Only bytes defusedxml accepted reach feedparser; a stream, so the library never treats them as a URL.
    parsed = feedparser.parse(io.BytesIO(data), response_headers={"content-location": url})
    info: Mapping[str, Any] = parsed.get("feed", {})
    entries: Sequence[Mapping[str, Any]] = parsed.get("entries", [])
    elements = channel.findall("item")
    if len(entries) != len(elements):
        entries = [{} for _ in elements]  # the library saw another document shape; the tree's tags still hold
    feed_lang = _lang(_text(channel.find("language")))
    channel_people = _people(channel)
    items = []
    for entry, element in zip(entries, elements, strict=True):
        # Not the library's `link`: it makes one of a guid that is not a URL.
        link = _text(element.find("link"))
        enclosure = element.find("enclosure")
        enclosure_url = ((enclosure.get("url") or "").strip() or None) if enclosure is not None else None
        guid = _text(element.find("guid"))
        key = guid or link or enclosure_url
        if key is None:
            continue  # nothing identifies the item across refreshes
        chapters = element.find(f"{_P}chapters")
        items.append(FeedItem(
            key=key,
            title=_str(entry.get("title")) or _text(element.find("title")),
            published=_date(entry, element),
            link=link,
            enclosure_url=enclosure_url,
            video_id=_video(element, link),
            # The episode's own list replaces the channel's.
            people=_people(element) or channel_people,
            transcripts=_transcripts(element, _lang(_text(element.find(f"{_P}language"))) or feed_lang),
            chapters_url=((chapters.get("url") or "").strip() or None) if chapters is not None else None,
            number=_number(entry, element),
        ))
    return Feed(
        url=url,
        title=_str(info.get("title")) or _text(channel.find("title")),
        link=_str(info.get("link")) or _text(channel.find("link")),
        people=channel_people,
        items=tuple(items),
    )


@dataclass(frozen=True)
class Chapter:
    start: float
    title: str


def parse_chapters(data: bytes) -> list[Chapter]:
    """Podcast chapters JSON: `{"chapters": [{"startTime": 0, "title": "…"}]}`, in time order."""
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ParseError(f"chapters are not JSON: {exc}") from exc
    chapters = raw.get("chapters") if isinstance(raw, dict) else None
    if not isinstance(chapters, list):
        raise ParseError("chapters JSON must hold a `chapters` list of {startTime, title}")
    found = []
    for item in chapters:
        if not isinstance(item, dict) or item.get("toc") is False:
            continue
        start, title = item.get("startTime"), item.get("title")
        if isinstance(start, int | float) and not isinstance(start, bool) and isinstance(title, str) and title.strip():
            found.append(Chapter(float(start), " ".join(title.split())))
    return sorted(found, key=lambda c: c.start)


def speakers_of(people: Sequence[Person]) -> list[str]:
    """Hosts first, then guests: the order notes use (`speakers: [Host, Guest]`), which scoring reads."""
    speaking = [p for p in people if p.role is None or p.role in _SPEAKING_ROLES]
    ordered = [p.name for p in speaking if p.is_host] + [p.name for p in speaking if not p.is_host]
    return list(dict.fromkeys(ordered))


def item_episode(feed: Feed, item: FeedItem, transcript: TranscriptRef | None) -> Episode:
    # Only a page made for reading is the episode's transcript page. Not the item's link: many feeds give
    # every item the show's home page, and the column names one episode.
    page = transcript.url if transcript is not None and transcript.type == "text/html" else None
    return Episode(
        show=feed.title, number=item.number, title=item.title, date=item.published, video_id=item.video_id,
        transcript_url=page, audio_url=item.enclosure_url, speakers=speakers_of(item.people),
    )


def item_document(
    feed: Feed, item: FeedItem, transcript: tuple[TranscriptRef, bytes] | None, chapters: bytes | None
) -> ParsedDocument:
    """The item as a document: its episode, and its transcript's passages read by the transcript's type."""
    people = [p.name for p in item.people]
    episode = item_episode(feed, item, transcript[0] if transcript else None)
    if transcript is None:
        doc = ParsedDocument(format="transcript", lang=detect_language(item.title or ""), title=item.title)
        doc.add_episode(episode)
    else:
        ref, data = transcript
        doc = parse_timed(ref.url, data, ref.type, {"title": item.title}, ref.language, people)
        doc = finish_document(doc, episode, people, [])
    if chapters:
        # Chapters only add headings: bad ones are a warning, the transcript still goes in.
        try:
            doc = apply_chapters(doc, [(c.start, c.title) for c in parse_chapters(chapters)])
        except ParseError as exc:
            doc.warn(item.chapters_url or item.key, None, exc.reason)
    return doc
