"""The note store: one SQLite file (WAL), FTS5 over pre-tokenized text, versioned schema.

Writes go through one connection inside one transaction per ingest run, so readers on their
own connections keep seeing the previous index until the run commits; a failure rolls back
and leaves that index serving.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite

from bot.models import Episode, Segment, StoreStats

log = logging.getLogger(__name__)

T = TypeVar("T")

SCHEMA_VERSION = 5

# Each entry migrates from version i to i+1; a new database runs them all.
_MIGRATIONS: list[str] = [
    """
    CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE episodes(
        id INTEGER PRIMARY KEY,
        show TEXT, number INTEGER, title TEXT, date TEXT,
        video_id TEXT UNIQUE, transcript_url TEXT UNIQUE,
        speakers TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE sources(
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        sha256 TEXT NOT NULL, size INTEGER NOT NULL, mtime REAL NOT NULL,
        lang TEXT NOT NULL, format TEXT NOT NULL, group_key TEXT NOT NULL, title TEXT,
        ingested_at TEXT NOT NULL
    );
    CREATE TABLE speakers(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE segments(
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id),
        episode_id INTEGER REFERENCES episodes(id),
        speaker_id INTEGER REFERENCES speakers(id),
        speaker_verified INTEGER NOT NULL,
        start REAL, end REAL,
        text TEXT NOT NULL, terms TEXT NOT NULL, context TEXT NOT NULL DEFAULT '',
        lang TEXT NOT NULL, kind TEXT NOT NULL,
        passage_key TEXT, heading TEXT
    );
    CREATE INDEX segments_source ON segments(source_id);
    CREATE INDEX segments_speaker ON segments(speaker_id);
    CREATE INDEX segments_episode ON segments(episode_id);
    CREATE VIRTUAL TABLE segments_fts USING fts5(
        terms, context, content='segments', content_rowid='id', tokenize='unicode61 remove_diacritics 0'
    );
    CREATE TABLE topics(source_id INTEGER NOT NULL, topic TEXT NOT NULL, lang TEXT NOT NULL);
    CREATE INDEX topics_source ON topics(source_id);
    """,
    """
    CREATE TABLE term_aliases(source_id INTEGER, a TEXT NOT NULL, b TEXT NOT NULL);
    CREATE INDEX term_aliases_source ON term_aliases(source_id);
    """,
    """
    CREATE VIRTUAL TABLE segments_vocab USING fts5vocab(segments_fts, row);
    """,
    """
    CREATE INDEX segments_episode_start ON segments(episode_id, kind, start);
    """,
    """
    CREATE INDEX episodes_show_number ON episodes(show, number);
    CREATE INDEX episodes_title ON episodes(title);
    """,
]


@dataclass(frozen=True)
class SourceState:
    id: int
    path: str
    sha256: str
    size: int
    mtime: float


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


_HIT_COLUMNS = """
    s.id, s.text, s.terms, s.lang, s.kind, s.start, s.end, sp.name, s.speaker_verified,
    s.passage_key, s.heading, src.path, src.format, src.group_key, s.episode_id,
    e.show, e.number, e.title, e.date, e.video_id, e.transcript_url, e.speakers, s.context
"""
_HIT_JOINS = """
    JOIN sources src ON src.id = s.source_id
    LEFT JOIN speakers sp ON sp.id = s.speaker_id
    LEFT JOIN episodes e ON e.id = s.episode_id
"""


_episode_cache: dict[tuple[Any, ...], Episode] = {}


def _episode(row: Sequence[Any]) -> Episode:
    # Hits share a handful of episodes; building one model per hit costs more than the query.
    key = tuple(row[14:22])
    found = _episode_cache.get(key)
    if found is None:
        if len(_episode_cache) > 10_000:
            _episode_cache.clear()
        found = _episode_cache[key] = Episode(
            id=row[14], show=row[15], number=row[16], title=row[17], date=row[18], video_id=row[19],
            video_url=f"https://www.youtube.com/watch?v={row[19]}" if row[19] else None,
            transcript_url=row[20], speakers=json.loads(row[21] or "[]"),
        )
    return found


def _hit(row: Sequence[Any], bm25: float) -> Hit:
    episode = _episode(row) if row[14] is not None else None
    return Hit(
        id=row[0], bm25=bm25, text=row[1], terms=row[2], lang=row[3], kind=row[4], start=row[5], end=row[6],
        speaker=row[7], speaker_verified=bool(row[8]), passage_key=row[9], heading=row[10],
        source_path=row[11], source_format=row[12], group_key=row[13], episode_id=row[14], episode=episode,
        context=row[22] or "",
    )


async def _connect(path: Path, *, readonly: bool = False) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    await conn.execute("PRAGMA busy_timeout = 10000")
    await conn.execute("PRAGMA foreign_keys = ON")
    if readonly:
        await conn.execute("PRAGMA query_only = ON")
    await conn.execute("PRAGMA cache_size = -16000")
    return conn


class Store:
    """A SQLite note store. One writer connection, a small pool of readers."""

    def __init__(self, path: Path, writer: aiosqlite.Connection, readers: list[aiosqlite.Connection]) -> None:
        self.path = path
        self._writer = writer
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all_readers = readers
        for reader in readers:
            self._readers.put_nowait(reader)
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path, *, readers: int = 4) -> Store:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = await _connect(path)
        try:
            await writer.execute("PRAGMA journal_mode = WAL")
            await writer.execute("PRAGMA synchronous = NORMAL")
            await cls._migrate(writer)
        except BaseException:
            await writer.close()
            raise
        pool = [await _connect(path, readonly=True) for _ in range(readers)]
        return cls(path, writer, pool)

    @staticmethod
    async def _migrate(conn: aiosqlite.Connection) -> None:
        async with conn.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"the database was written by a newer saidbot (schema {version}, this one knows {SCHEMA_VERSION})"
            )
        for target in range(version, SCHEMA_VERSION):
            log.info("migrating schema", extra={"from_version": target, "to_version": target + 1})
            await conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _MIGRATIONS[target].split(";"):
                    if statement.strip():
                        await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version = {target + 1}")
                await conn.execute("COMMIT")
            except BaseException:
                await conn.execute("ROLLBACK")
                raise

    async def close(self) -> None:
        for reader in self._all_readers:
            await reader.close()
        await self._writer.close()

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[aiosqlite.Connection]:
        conn = await self._readers.get()
        try:
            yield conn
        finally:
            self._readers.put_nowait(conn)

    # ----------------------------------------------------------------- writing

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Writer]:
        """All of one ingest run: committed together or not at all."""
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                writer = Writer(self._writer)
                yield writer
                await writer.finish()
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            await self._writer.execute("COMMIT")
        # Keep the WAL from growing without bound after big runs; readers are not blocked by this.
        await self._writer.execute("PRAGMA wal_checkpoint(PASSIVE)")

    # ----------------------------------------------------------------- reading

    async def source_states(self) -> dict[str, SourceState]:
        async with self.reader() as conn, conn.execute("SELECT id, path, sha256, size, mtime FROM sources") as cur:
            return {row[1]: SourceState(*row) async for row in cur}

    async def search(
        self, match: str, *, limit: int, speaker_ids: Sequence[int] | None = None,
        episode_ids: Sequence[int] | None = None, exact: bool = True,
    ) -> list[tuple[int, float]]:
        """(segment id, bm25) for an FTS5 MATCH expression (bm25 is lower-is-better).

        `exact` ranks every match by bm25, which costs time in proportion to the matches. Without it
        the newest `limit` matches are taken as they stream out of the index (FTS5 stops early when
        not asked to sort by rank), for terms so common that ranking all of them would be slow.
        """
        # The heading a passage sits under says what it is about, but weighs less than its words.
        # A sample is re-ranked in Python; scoring it with bm25() would read each term's whole doclist.
        score = "bm25(segments_fts, 1.0, 0.4)" if exact else "0.0"
        sql = f"SELECT f.rowid, {score} AS score FROM segments_fts f"
        params: list[Any] = [match]
        where = ["segments_fts MATCH ?"]
        if speaker_ids is not None or episode_ids is not None:
            sql += " JOIN segments s ON s.id = f.rowid"
            ors = []
            if speaker_ids:
                ors.append(f"s.speaker_id IN ({','.join('?' * len(speaker_ids))})")
                params.extend(speaker_ids)
            if episode_ids:
                ors.append(f"(s.speaker_id IS NULL AND s.episode_id IN ({','.join('?' * len(episode_ids))}))")
                params.extend(episode_ids)
            # Notes carry no speaker; whether one is about the asked speaker is decided when ranking.
            ors.append("(s.speaker_id IS NULL AND s.kind = 'note')")
            where.append("(" + " OR ".join(ors) + ")")
        order = "score" if exact else "f.rowid DESC"
        sql += " WHERE " + " AND ".join(where) + f" ORDER BY {order} LIMIT ?"
        params.append(limit)
        async with self.reader() as conn, conn.execute(sql, params) as cur:
            return [(int(r[0]), float(r[1])) async for r in cur]

    async def doc_freqs(self, terms: Sequence[str], *, exact_up_to: int = 4000) -> dict[str, int]:
        """How many segments hold each term (for IDF).

        Counting a term that half the store holds means reading its whole doclist (about 10 ms at a
        million segments), so past `exact_up_to` matches the count is estimated from how far back in
        rowid order the index had to go to find that many: the newest matches stream out first.
        """
        out: dict[str, int] = {}
        async with self.reader() as conn:
            # Two subqueries: SQLite answers a lone MIN or MAX from the index, but not both at once.
            async with conn.execute("SELECT (SELECT MIN(id) FROM segments), (SELECT MAX(id) FROM segments)") as cur:
                bounds = await cur.fetchone()
            low, high = (int(bounds[0] or 0), int(bounds[1] or 0)) if bounds else (0, 0)
            for term in terms:
                match = '"' + term.replace('"', '""') + '"'
                async with conn.execute(
                    "SELECT rowid FROM segments_fts WHERE segments_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
                    (match, exact_up_to - 1),
                ) as cur:
                    row = await cur.fetchone()
                if row is None:
                    async with conn.execute(
                        "SELECT COUNT(*) FROM segments_fts WHERE segments_fts MATCH ?", (match,)
                    ) as cur:
                        counted = await cur.fetchone()
                    out[term] = int(counted[0]) if counted else 0
                else:
                    span = max(1, high - int(row[0]) + 1)
                    out[term] = min(high - low + 1, round(exact_up_to * (high - low + 1) / span))
        return out

    async def segment_count(self) -> int:
        async with self.reader() as conn, conn.execute("SELECT COUNT(*) FROM segments") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def hits(self, scored: Sequence[tuple[int, float]]) -> list[Hit]:
        if not scored:
            return []
        scores = dict(scored)
        marks = ",".join("?" * len(scores))
        sql = f"SELECT {_HIT_COLUMNS} FROM segments s {_HIT_JOINS} WHERE s.id IN ({marks})"
        async with self.reader() as conn, conn.execute(sql, list(scores)) as cur:
            rows = await cur.fetchall()
        found = {row[0]: _hit(row, scores[row[0]]) for row in rows}
        return [found[i] for i, _ in scored if i in found]

    async def quote_at(self, episode_id: int, seconds: float) -> Hit | None:
        """The verbatim passage of an episode that is playing at `seconds` (the last one to start by then)."""
        sql = (
            f"SELECT {_HIT_COLUMNS} FROM segments s {_HIT_JOINS} "
            "WHERE s.episode_id = ? AND s.kind = 'quote' AND s.start <= ? ORDER BY s.start DESC LIMIT 1"
        )
        async with self.reader() as conn, conn.execute(sql, (episode_id, seconds + 2)) as cur:
            row = await cur.fetchone()
        return _hit(row, 0.0) if row else None

    async def translations(self, keys: Sequence[str], lang: str) -> dict[str, Hit]:
        """The segment in `lang` for each passage key that has one."""
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        sql = f"SELECT {_HIT_COLUMNS} FROM segments s {_HIT_JOINS} WHERE s.passage_key IN ({marks}) AND s.lang = ?"
        async with self.reader() as conn, conn.execute(sql, [*keys, lang]) as cur:
            rows = await cur.fetchall()
        return {row[9]: _hit(row, 0.0) for row in rows}

    async def all_hits(self) -> AsyncIterator[Hit]:
        sql = f"SELECT {_HIT_COLUMNS} FROM segments s {_HIT_JOINS} ORDER BY s.id"
        async with self.reader() as conn, conn.execute(sql) as cur:
            async for row in cur:
                yield _hit(row, 0.0)

    async def speaker_table(self) -> dict[str, int]:
        async with self.reader() as conn, conn.execute("SELECT name, id FROM speakers") as cur:
            return {row[0]: int(row[1]) async for row in cur}

    async def episodes(self) -> list[Episode]:
        sql = (
            "SELECT e.id, e.show, e.number, e.title, e.date, e.video_id, e.transcript_url, e.speakers "
            "FROM episodes e WHERE EXISTS (SELECT 1 FROM segments s WHERE s.episode_id = e.id) "
            "ORDER BY e.date DESC, e.id"
        )
        async with self.reader() as conn, conn.execute(sql) as cur:
            return [
                Episode(
                    id=r[0], show=r[1], number=r[2], title=r[3], date=r[4], video_id=r[5],
                    video_url=f"https://www.youtube.com/watch?v={r[5]}" if r[5] else None,
                    transcript_url=r[6], speakers=json.loads(r[7] or "[]"),
                )
                async for r in cur
            ]

    async def topics(self) -> list[tuple[str, str]]:
        async with self.reader() as conn, conn.execute("SELECT DISTINCT topic, lang FROM topics") as cur:
            return [(r[0], r[1]) async for r in cur]

    async def term_aliases(self) -> list[tuple[str, str]]:
        async with self.reader() as conn, conn.execute("SELECT DISTINCT a, b FROM term_aliases") as cur:
            return [(r[0], r[1]) async for r in cur]

    async def stats(self) -> StoreStats:
        async with self.reader() as conn:
            async with conn.execute(
                "SELECT COUNT(*), MAX(ingested_at), "
                "SUM(format = 'note'), SUM(format != 'note') FROM sources"
            ) as cur:
                row = await cur.fetchone()
            async with conn.execute("SELECT COUNT(*) FROM segments") as cur:
                seg = await cur.fetchone()
            async with conn.execute("SELECT DISTINCT lang FROM sources ORDER BY lang") as cur:
                langs = [r[0] async for r in cur]
            async with conn.execute(
                "SELECT sp.name FROM speakers sp WHERE EXISTS (SELECT 1 FROM segments s WHERE s.speaker_id = sp.id) "
                "ORDER BY sp.name"
            ) as cur:
                speakers = [r[0] async for r in cur]
        assert row is not None and seg is not None
        last = datetime.fromisoformat(row[1]) if row[1] else None
        return StoreStats(
            segments=int(seg[0]), sources=int(row[0]), notes=int(row[2] or 0), transcripts=int(row[3] or 0),
            episodes=await self.episodes(), speakers=speakers, last_ingest=last, languages=langs,
        )

    async def meta(self, key: str) -> str | None:
        async with self.reader() as conn, conn.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else None


class Writer:
    """Write operations, only inside Store.transaction()."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self._sync = SyncWriter(conn)
        # aiosqlite runs every call on the connection's own thread; this queues one function there.
        self._run: Callable[..., Awaitable[Any]] = conn._execute

    async def batch(self, fn: Callable[[SyncWriter], T]) -> T:
        """Run `fn` on the connection's thread: a whole batch of writes for one hop between threads."""
        return cast(T, await self._run(fn, self._sync))

    async def set_meta(self, key: str, value: str) -> None:
        await self.batch(lambda w: w.set_meta(key, value))

    async def remove_source(self, source_id: int) -> None:
        await self.batch(lambda w: w.remove_source(source_id))

    async def add_source(
        self, *, path: str, sha256: str, size: int, mtime: float, lang: str, fmt: str, group_key: str,
        title: str | None,
    ) -> int:
        return await self.batch(
            lambda w: w.add_source(
                path=path, sha256=sha256, size=size, mtime=mtime, lang=lang, fmt=fmt, group_key=group_key, title=title
            )
        )

    async def touch_source(self, source_id: int, mtime: float) -> None:
        await self.batch(lambda w: w.touch_source(source_id, mtime))

    async def speaker_id(self, name: str) -> int:
        return await self.batch(lambda w: w.speaker_id(name))

    async def upsert_episode(self, episode: Episode) -> int:
        """Find the episode by video id, transcript URL, show+number or title, and fill in what it lacks."""
        return await self.batch(lambda w: w.upsert_episode(episode))

    async def add_segments(self, rows: Iterable[tuple[Any, ...]]) -> int:
        """rows: (source_id, episode_id, speaker_id, verified, start, end, text, terms, context, lang, kind, key,
        heading)."""
        batch = list(rows)
        return await self.batch(lambda w: w.add_segments(batch))

    async def add_topics(self, source_id: int, topics: Iterable[str], lang: str) -> None:
        listed = list(topics)
        await self.batch(lambda w: w.add_topics(source_id, listed, lang))

    async def add_aliases(self, source_id: int, pairs: Iterable[tuple[str, str]]) -> None:
        listed = list(pairs)
        await self.batch(lambda w: w.add_aliases(source_id, listed))

    async def prune_episodes(self) -> None:
        await self.batch(lambda w: w.prune_episodes())

    async def finish(self) -> None:
        """Undo the bulk-load settings before the commit."""
        await self.batch(lambda w: w.finish())


# FTS5 gathers new postings in memory and writes them out as a new index segment (to be merged into
# the others later) each time they exceed its hash size, 1 MB by default. A bulk load with 8 MB writes
# fewer, larger segments and so merges less: about a third less FTS time at 100k segments.
FTS_BULK_HASHSIZE = 8 * 1024 * 1024
FTS_DEFAULT_HASHSIZE = 1024 * 1024
# Segments one transaction adds before the bulk settings are switched on.
BULK_AFTER_SEGMENTS = 2000


class SyncWriter:
    """The write operations themselves, on the writer connection's thread (see Writer.batch)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._aconn = conn
        self._speakers: dict[str, int] = {}
        self._added = 0
        self._hashsize: int | None = None  # the value to restore once bulk settings are on

    @property
    def conn(self) -> sqlite3.Connection:
        return self._aconn._conn

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

    def upsert_episode(self, episode: Episode) -> int:
        """Find the episode by video id, transcript URL, show+number or title, and fill in what it lacks."""
        probes: list[tuple[str, tuple[Any, ...]]] = []
        if episode.video_id:
            probes.append(("video_id = ?", (episode.video_id,)))
        if episode.transcript_url:
            probes.append(("transcript_url = ?", (episode.transcript_url,)))
        if episode.show and episode.number is not None:
            probes.append(("show = ? AND number = ?", (episode.show, episode.number)))
        if episode.title and not (episode.video_id or episode.transcript_url):
            probes.append(("title = ? AND video_id IS NULL AND transcript_url IS NULL", (episode.title,)))
        for where, params in probes:
            sql = (
                "SELECT id, show, number, title, date, video_id, transcript_url, speakers "
                f"FROM episodes WHERE {where}"
            )
            row = self.conn.execute(sql, params).fetchone()
            if row is not None:
                speakers = json.loads(row[7] or "[]")
                speakers += [s for s in episode.speakers if s not in speakers]
                merged = (
                    row[1] or episode.show, row[2] if row[2] is not None else episode.number,
                    row[3] or episode.title, row[4] or episode.date,
                    row[5] or episode.video_id, row[6] or episode.transcript_url,
                )
                self._update_episode(int(row[0]), merged, speakers)
                return int(row[0])
        cursor = self.conn.execute(
            "INSERT INTO episodes(show, number, title, date, video_id, transcript_url, speakers) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (episode.show, episode.number, episode.title, episode.date, episode.video_id,
             episode.transcript_url, json.dumps(episode.speakers, ensure_ascii=False)),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _update_episode(self, episode_id: int, fields: tuple[Any, ...], speakers: list[str]) -> None:
        try:
            self.conn.execute(
                "UPDATE episodes SET show = ?, number = ?, title = ?, date = ?, video_id = ?, transcript_url = ?, "
                "speakers = ? WHERE id = ?",
                (*fields, json.dumps(speakers, ensure_ascii=False), episode_id),
            )
        except sqlite3.IntegrityError:
            # Another episode already owns that video id or URL; keep both rather than merge wrongly.
            log.warning("episode metadata conflicts with another episode", extra={"episode_id": episode_id})

    def add_segments(self, rows: Sequence[tuple[Any, ...]]) -> int:
        """rows: (source_id, episode_id, speaker_id, verified, start, end, text, terms, context, lang, kind, key,
        heading)."""
        if not rows:
            return 0
        conn = self.conn
        self._added += len(rows)
        if self._hashsize is None and self._added >= BULK_AFTER_SEGMENTS:
            self._bulk_settings()
        row = conn.execute("SELECT COALESCE(MAX(id), 0) FROM segments").fetchone()
        first = int(row[0]) + 1 if row else 1
        numbered = [(first + i, *r) for i, r in enumerate(rows)]
        conn.executemany(
            "INSERT INTO segments(id, source_id, episode_id, speaker_id, speaker_verified, start, end, text, terms, "
            "context, lang, kind, passage_key, heading) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            numbered,
        )
        # One row per statement: a multi-row statement (INSERT ... SELECT) makes FTS5 write out what it
        # holds in memory first, which undoes the bulk hash size.
        conn.executemany(
            "INSERT INTO segments_fts(rowid, terms, context) VALUES (?, ?, ?)", [(r[0], r[8], r[9]) for r in numbered]
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

    def _bulk_settings(self) -> None:
        row = self.conn.execute("SELECT v FROM segments_fts_config WHERE k = 'hashsize'").fetchone()
        previous = int(row[0]) if row else FTS_DEFAULT_HASHSIZE
        try:
            self._fts_config("hashsize", max(previous, FTS_BULK_HASHSIZE))
        except sqlite3.OperationalError:
            # An SQLite whose FTS5 lacks the option: the load is slower, nothing else changes.
            self._hashsize = -1
            return
        self._hashsize = previous

    def finish(self) -> None:
        if self._hashsize is not None and self._hashsize >= 0:
            self._fts_config("hashsize", self._hashsize)
        self._hashsize = None

    def _fts_config(self, key: str, value: int) -> None:
        self.conn.execute("INSERT INTO segments_fts(segments_fts, rank) VALUES (?, ?)", (key, value))


def segment_row(
    source_id: int, episode_id: int | None, speaker_id: int | None, segment: Segment, terms: str, context: str
) -> tuple[Any, ...]:
    return segment_values(
        source_id, episode_id, speaker_id, segment.speaker_verified, segment.start, segment.end, segment.text, terms,
        context, segment.lang, segment.kind, segment.passage_key, segment.heading,
    )


def segment_values(
    source_id: int, episode_id: int | None, speaker_id: int | None, verified: bool, start: float | None,
    end: float | None, text: str, terms: str, context: str, lang: str, kind: str, key: str | None,
    heading: str | None,
) -> tuple[Any, ...]:
    if key and key.startswith("p|") and episode_id is not None:
        # Passages are identified within an episode, so a note and a quote file agree.
        key = f"e{episode_id}|{key}"
    return (
        source_id, episode_id, speaker_id, int(verified and speaker_id is not None),
        start, end, text, terms, context, lang, kind, key, heading,
    )
