"""Typed rows: what a stored segment is, going in and coming out.

Columns are named once, here: the SELECT list of a hit is generated from `HitRow`'s fields, and a
segment is written from `SegmentRow`'s fields, so no caller counts positions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

from bot.models import Episode


class SourceState(NamedTuple):
    """What the store knows of an ingested file, to tell whether it changed."""

    id: int
    path: str
    sha256: str
    size: int
    mtime: float


# A feed's items are stored as sources keyed `FEED_URL#item=ITEM_KEY`: the feed owns every key so marked.
ITEM_MARK: Final = "#item="


def owned_by(path: str, url: str) -> bool:
    """Whether the stored source `path` is the remote source `url`'s document (itself or one of its items)."""
    return path == url or path.startswith(url + ITEM_MARK)


class RemoteState(NamedTuple):
    """What the store knows of a remote source: the validators for a conditional request, the last outcome."""

    url: str
    origin: str
    etag: str | None
    last_modified: str | None
    status: str  # "ok" or "failed"
    reason: str | None
    fetched_at: str
    ok_at: str | None
    documents: int = 0
    segments: int = 0


class SegmentRow(NamedTuple):
    """One segment as the `segments` table takes it."""

    source_id: int
    episode_id: int | None
    speaker_id: int | None
    speaker_verified: int
    start: float | None
    end: float | None
    text: str
    terms: str
    context: str
    lang: str
    kind: str
    passage_key: str | None
    heading: str | None


@dataclass(frozen=True)
class Hit:
    """A stored segment with what answering needs to know about it."""

    id: int
    bm25: float
    text: str
    terms: str
    lang: str
    kind: str
    start: float | None
    end: float | None
    speaker: str | None
    speaker_verified: bool
    passage_key: str | None
    heading: str | None
    source_path: str
    source_format: str
    group_key: str
    episode_id: int | None
    episode: Episode | None
    # Index tokens of what the passage sits under: its heading and the question it answers.
    context: str = ""


class HitRow(NamedTuple):
    """The columns a hit is read from, in SELECT order."""

    id: int
    text: str
    terms: str
    lang: str
    kind: str
    start: float | None
    end: float | None
    speaker: str | None
    speaker_verified: int
    passage_key: str | None
    heading: str | None
    source_path: str
    source_format: str
    group_key: str
    episode_id: int | None
    show: str | None
    number: int | None
    title: str | None
    date: str | None
    video_id: str | None
    transcript_url: str | None
    speakers: str | None
    context: str | None
    audio_url: str | None


_HIT_SQL: Final = {
    "id": "s.id", "text": "s.text", "terms": "s.terms", "lang": "s.lang", "kind": "s.kind", "start": "s.start",
    "end": "s.end", "speaker": "sp.name", "speaker_verified": "s.speaker_verified", "passage_key": "s.passage_key",
    "heading": "s.heading", "source_path": "src.path", "source_format": "src.format", "group_key": "src.group_key",
    "episode_id": "s.episode_id", "show": "e.show", "number": "e.number", "title": "e.title", "date": "e.date",
    "video_id": "e.video_id", "transcript_url": "e.transcript_url", "speakers": "e.speakers", "context": "s.context",
    "audio_url": "e.audio_url",
}
HIT_COLUMNS: Final = ", ".join(_HIT_SQL[name] for name in HitRow._fields)
HIT_JOINS: Final = """
    JOIN sources src ON src.id = s.source_id
    LEFT JOIN speakers sp ON sp.id = s.speaker_id
    LEFT JOIN episodes e ON e.id = s.episode_id
"""

EPISODE_COLUMNS: Final = (
    "e.id, e.show, e.number, e.title, e.date, e.video_id, e.transcript_url, e.speakers, e.audio_url"
)


def episode_from(
    episode_id: int | None, show: str | None, number: int | None, title: str | None, date: str | None,
    video_id: str | None, transcript_url: str | None, speakers: str | None, audio_url: str | None = None,
) -> Episode:
    return Episode(
        id=episode_id, show=show, number=number, title=title, date=date, video_id=video_id,
        transcript_url=transcript_url, speakers=json.loads(speakers or "[]"), audio_url=audio_url,
    )


_episode_cache: dict[tuple[Any, ...], Episode] = {}


def _episode(row: HitRow) -> Episode:
    # Hits share a handful of episodes; building one model per hit costs more than the query.
    key = (
        row.episode_id, row.show, row.number, row.title, row.date, row.video_id, row.transcript_url, row.speakers,
        row.audio_url,
    )
    found = _episode_cache.get(key)
    if found is None:
        if len(_episode_cache) > 10_000:
            _episode_cache.clear()
        found = _episode_cache[key] = episode_from(*key)
    return found


def hit_from(raw: Sequence[Any], bm25: float = 0.0) -> Hit:
    """A hit from a row selected with HIT_COLUMNS."""
    row = HitRow._make(raw)
    return Hit(
        id=row.id, bm25=bm25, text=row.text, terms=row.terms, lang=row.lang, kind=row.kind, start=row.start,
        end=row.end, speaker=row.speaker, speaker_verified=bool(row.speaker_verified), passage_key=row.passage_key,
        heading=row.heading, source_path=row.source_path, source_format=row.source_format, group_key=row.group_key,
        episode_id=row.episode_id, episode=_episode(row) if row.episode_id is not None else None,
        context=row.context or "",
    )
