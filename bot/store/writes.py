"""Writes: one transaction per ingest run, its statements run in batches on the writer's thread."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import aiosqlite

from bot.models import Episode
from bot.store.bulk import BulkLoad
from bot.store.rows import SegmentRow
from bot.store.threads import on_connection_thread, raw_connection

log = logging.getLogger(__name__)

T = TypeVar("T")

# Formats whose words are an episode's own: their metadata describes the episode, a note's only refers to it.
TRANSCRIPT_FORMATS: tuple[str, ...] = ("transcript", "vtt", "srt", "youtube")


def _disagreements(row: Sequence[Any], episode: Episode) -> list[str]:
    """Where a note names an episode differently from its transcript (show or number: which episode it is).

    A note's speakers are never added to a transcribed episode, but naming people the transcript does not
    is common (an unlabelled transcript names nobody) and is not reported; a date may be the note's own.
    """
    out = []
    for label, theirs, ours in (("show", row[1], episode.show), ("episode", row[2], episode.number)):
        if ours is not None and theirs is not None and ours != theirs:
            out.append(f"{label} {ours!r} (the transcript says {theirs!r})")
    return out


class Writer:
    """The write side of one transaction (see `Store.transaction`), from the event loop."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._sync = SyncWriter(raw_connection(conn))

    async def batch(self, fn: Callable[[SyncWriter], T]) -> T:
        """Run `fn` on the connection's thread: a whole batch of writes for one hop between threads."""
        return await on_connection_thread(self._conn, fn, self._sync)

    async def set_meta(self, key: str, value: str) -> None:
        await self.batch(lambda w: w.set_meta(key, value))

    async def remove_source(self, source_id: int) -> None:
        await self.batch(lambda w: w.remove_source(source_id))

    async def prune_episodes(self) -> None:
        await self.batch(lambda w: w.prune_episodes())

    async def finish(self) -> None:
        """Undo the bulk-load settings before the commit."""
        await self.batch(lambda w: w.finish())


class SyncWriter:
    """The write statements themselves, run on the writer connection's thread (see `Writer.batch`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._speakers: dict[str, int] = {}
        self._bulk = BulkLoad()
        # What the last upsert_episode found wrong with a note's metadata (empty when nothing).
        self.conflicts: list[str] = []

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def remove_source(self, source_id: int) -> None:
        conn = self.conn
        conn.execute(
            "INSERT INTO segments_fts(segments_fts, rowid, terms, context) "
            "SELECT 'delete', id, terms, context FROM segments WHERE source_id = ?",
            (source_id,),
        )
        conn.execute("DELETE FROM segments WHERE source_id = ?", (source_id,))
        conn.execute("DELETE FROM topics WHERE source_id = ?", (source_id,))
        conn.execute("DELETE FROM term_aliases WHERE source_id = ?", (source_id,))
        conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))

    def add_source(
        self, *, path: str, sha256: str, size: int, mtime: float, lang: str, fmt: str, group_key: str,
        title: str | None,
    ) -> int:
        cursor = self.conn.execute(
            "INSERT INTO sources(path, sha256, size, mtime, lang, format, group_key, title, ingested_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (path, sha256, size, mtime, lang, fmt, group_key, title, datetime.now(UTC).isoformat()),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def save_remote(
        self, *, url: str, origin: str, etag: str | None, last_modified: str | None, status: str,
        reason: str | None,
    ) -> None:
        """Record a fetch's outcome; a failure keeps the validators and the time of the last success."""
        now = datetime.now(UTC).isoformat()
        ok_at = now if status == "ok" else None
        self.conn.execute(
            "INSERT INTO remote_sources(url, origin, etag, last_modified, status, reason, fetched_at, ok_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET origin = excluded.origin, "
            "etag = CASE WHEN excluded.status = 'ok' THEN excluded.etag ELSE etag END, "
            "last_modified = CASE WHEN excluded.status = 'ok' THEN excluded.last_modified ELSE last_modified END, "
            "status = excluded.status, reason = excluded.reason, fetched_at = excluded.fetched_at, "
            "ok_at = COALESCE(excluded.ok_at, ok_at)",
            (url, origin, etag, last_modified, status, reason, now, ok_at),
        )

    def forget_remote(self, url: str) -> None:
        self.conn.execute("DELETE FROM remote_sources WHERE url = ?", (url,))

    def touch_source(self, source_id: int, mtime: float) -> None:
        self.conn.execute("UPDATE sources SET mtime = ? WHERE id = ?", (mtime, source_id))

    def speaker_id(self, name: str) -> int:
        found = self._speakers.get(name)
        if found is not None:
            return found
        self.conn.execute("INSERT OR IGNORE INTO speakers(name) VALUES (?)", (name,))
        row = self.conn.execute("SELECT id FROM speakers WHERE name = ?", (name,)).fetchone()
        assert row is not None
        self._speakers[name] = int(row[0])
        return self._speakers[name]

    def upsert_episode(self, episode: Episode, *, authoritative: bool = True) -> int:
        """Find the episode by video id, transcript URL, show+number or title, and fill in what it lacks.

        A transcript is `authoritative` for its episode: its metadata replaces what notes said. A note
        only links to an episode a transcript already holds; it never renames it or adds its speakers
        (a note with another episode's video id once labelled that transcript's words with its own
        speaker). Metadata of a note that disagrees is listed in `conflicts`, for the run to report.
        """
        self.conflicts = []
        probes: list[tuple[str, tuple[Any, ...]]] = []
        if episode.video_id:
            probes.append(("video_id = ?", (episode.video_id,)))
        if episode.transcript_url:
            probes.append(("transcript_url = ?", (episode.transcript_url,)))
        if episode.audio_url:
            probes.append(("audio_url = ?", (episode.audio_url,)))
        if episode.show and episode.number is not None:
            probes.append(("show = ? AND number = ?", (episode.show, episode.number)))
        if episode.title and not (episode.video_id or episode.transcript_url):
            probes.append(("title = ? AND video_id IS NULL AND transcript_url IS NULL", (episode.title,)))
        for where, params in probes:
            sql = (
                "SELECT id, show, number, title, date, video_id, transcript_url, speakers, audio_url "
                f"FROM episodes WHERE {where}"
            )
            row = self.conn.execute(sql, params).fetchone()
            if row is None:
                continue
            episode_id = int(row[0])
            speakers = json.loads(row[7] or "[]")
            transcribed = self._has_transcript(episode_id)
            if not authoritative and transcribed:
                self.conflicts = _disagreements(row, episode)
                return episode_id
            if authoritative and not transcribed:
                # What notes said about this episode gives way to the transcript's own metadata.
                merged = (
                    episode.show or row[1], episode.number if episode.number is not None else row[2],
                    episode.title or row[3], episode.date or row[4],
                    episode.video_id or row[5], episode.transcript_url or row[6], episode.audio_url or row[8],
                )
                self._update_episode(episode_id, merged, list(episode.speakers))
                return episode_id
            speakers += [s for s in episode.speakers if s not in speakers]
            merged = (
                row[1] or episode.show, row[2] if row[2] is not None else episode.number,
                row[3] or episode.title, row[4] or episode.date,
                row[5] or episode.video_id, row[6] or episode.transcript_url, row[8] or episode.audio_url,
            )
            self._update_episode(episode_id, merged, speakers)
            return episode_id
        cursor = self.conn.execute(
            "INSERT INTO episodes(show, number, title, date, video_id, transcript_url, audio_url, speakers) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (episode.show, episode.number, episode.title, episode.date, episode.video_id,
             episode.transcript_url, episode.audio_url, json.dumps(episode.speakers, ensure_ascii=False)),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _has_transcript(self, episode_id: int) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM segments s JOIN sources src ON src.id = s.source_id "
            f"WHERE s.episode_id = ? AND src.format IN ({','.join('?' * len(TRANSCRIPT_FORMATS))}) LIMIT 1",
            (episode_id, *TRANSCRIPT_FORMATS),
        ).fetchone()
        return row is not None

    def _update_episode(self, episode_id: int, fields: tuple[Any, ...], speakers: list[str]) -> None:
        try:
            self.conn.execute(
                "UPDATE episodes SET show = ?, number = ?, title = ?, date = ?, video_id = ?, transcript_url = ?, "
                "audio_url = ?, speakers = ? WHERE id = ?",
                (*fields, json.dumps(speakers, ensure_ascii=False), episode_id),
            )
        except sqlite3.IntegrityError:
            # Another episode already owns that video id or URL; keep both rather than merge wrongly.
            log.warning("episode_metadata_conflict", extra={"episode_id": episode_id})

    def add_segments(self, rows: Sequence[SegmentRow]) -> int:
        if not rows:
            return 0
        conn = self.conn
        self._bulk.added(conn, len(rows))
        row = conn.execute("SELECT COALESCE(MAX(id), 0) FROM segments").fetchone()
        first = int(row[0]) + 1 if row else 1
        columns = ", ".join(SegmentRow._fields)
        marks = ", ".join("?" * (len(SegmentRow._fields) + 1))
        numbered = [(first + i, *r) for i, r in enumerate(rows)]
        conn.executemany(f"INSERT INTO segments(id, {columns}) VALUES ({marks})", numbered)
        # One row per statement: a multi-row statement (INSERT ... SELECT) makes FTS5 write out what it
        # holds in memory first, which undoes the bulk hash size.
        conn.executemany(
            "INSERT INTO segments_fts(rowid, terms, context) VALUES (?, ?, ?)",
            [(first + i, r.terms, r.context) for i, r in enumerate(rows)],
        )
        return len(rows)

    def add_topics(self, source_id: int, topics: Iterable[str], lang: str) -> None:
        self.conn.executemany(
            "INSERT INTO topics(source_id, topic, lang) VALUES (?, ?, ?)",
            [(source_id, t, lang) for t in dict.fromkeys(topics) if t],
        )

    def add_aliases(self, source_id: int, pairs: Iterable[tuple[str, str]]) -> None:
        self.conn.executemany(
            "INSERT INTO term_aliases(source_id, a, b) VALUES (?, ?, ?)", [(source_id, a, b) for a, b in pairs]
        )

    def prune_episodes(self) -> None:
        self.conn.execute(
            "DELETE FROM episodes WHERE NOT EXISTS (SELECT 1 FROM segments s WHERE s.episode_id = episodes.id)"
        )

    def finish(self) -> None:
        self._bulk.finish(self.conn)
