"""Read queries, each on a connection from the reader pool (see `Store.reader`)."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite
from rapidfuzz import fuzz

from bot.models import Episode, StoreStats
from bot.store.fts import Unit, match_near, quote
from bot.store.rows import (
    EPISODE_COLUMNS,
    HIT_COLUMNS,
    HIT_JOINS,
    ITEM_MARK,
    Hit,
    RemoteState,
    SourceState,
    episode_from,
    hit_from,
)

# A note's time is "the last passage to start by then", give or take the note's rounding.
QUOTE_AT_SLACK_SECONDS = 2


# A stored stem this long that a term begins with is the same word, misspelt past the stem.
PREFIX_STEM = 6


class Reads(ABC):
    """The store's read side, over whatever connection `reader()` lends."""

    @abstractmethod
    def reader(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        """A read-only connection, for the length of the `async with`."""

    async def source_states(self) -> dict[str, SourceState]:
        async with self.reader() as conn, conn.execute("SELECT id, path, sha256, size, mtime FROM sources") as cur:
            return {row[1]: SourceState(*row) async for row in cur}

    async def remote_states(self, *, counts: bool = False) -> dict[str, RemoteState]:
        """Every remote source the store has fetched; with `counts`, the documents and segments it holds now."""
        owned = "(s.path = r.url OR substr(s.path, 1, length(r.url) + ?) = r.url || ?)"
        extra = (
            f", (SELECT count(*) FROM sources s WHERE {owned}), "
            f"(SELECT count(*) FROM segments g JOIN sources s ON s.id = g.source_id WHERE {owned})"
            if counts else ""
        )
        params = (len(ITEM_MARK), ITEM_MARK) * 2 if counts else ()
        sql = (
            "SELECT r.url, r.origin, r.etag, r.last_modified, r.status, r.reason, r.fetched_at, r.ok_at"
            f"{extra} FROM remote_sources r ORDER BY r.url"
        )
        async with self.reader() as conn, conn.execute(sql, params) as cur:
            return {row[0]: RemoteState(*row) async for row in cur}

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
                match = quote(term)
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

    async def holds_together(self, units: Sequence[Unit], *, gap: int) -> bool:
        """Whether any segment holds one spelling of every unit within `gap` tokens of each other."""
        async with self.reader() as conn, conn.execute(
            "SELECT rowid FROM segments_fts WHERE segments_fts MATCH ? LIMIT 1", (match_near(units, gap),)
        ) as cur:
            return await cur.fetchone() is not None

    async def similar_terms(self, term: str, *, min_ratio: float) -> list[str]:
        """Indexed terms spelt like `term`, best first: a rapidfuzz ratio of at least `min_ratio`, or a
        stored stem of six letters or more that `term` begins with (the stemmer keeps a misspelt ending:
        "interpretabilty" stays long where "interpretability" became "interpret").

        Only terms with the same first letter are read: a misspelling rarely changes it, and fts5vocab
        answers a term range from the index.
        """
        if not term:
            return []
        first = term[0]
        async with self.reader() as conn, conn.execute(
            "SELECT term FROM segments_vocab WHERE term >= ? AND term < ? AND length(term) BETWEEN ? AND ?",
            (first, chr(ord(first) + 1), min(len(term) - 2, max(PREFIX_STEM, len(term) - 8)), len(term) + 2),
        ) as cur:
            candidates = [str(row[0]) async for row in cur]
        scored = [(fuzz.ratio(term, c), c) for c in candidates if c != term]
        return [c for ratio, c in sorted(scored, reverse=True)
                if ratio >= min_ratio or (len(c) >= PREFIX_STEM and term.startswith(c))]

    async def segment_count(self) -> int:
        async with self.reader() as conn, conn.execute("SELECT COUNT(*) FROM segments") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def hits(self, scored: Sequence[tuple[int, float]]) -> list[Hit]:
        """The hits for (segment id, bm25) pairs, in the order given."""
        if not scored:
            return []
        scores = dict(scored)
        marks = ",".join("?" * len(scores))
        sql = f"SELECT {HIT_COLUMNS} FROM segments s {HIT_JOINS} WHERE s.id IN ({marks})"
        async with self.reader() as conn, conn.execute(sql, list(scores)) as cur:
            rows = await cur.fetchall()
        found = {row[0]: hit_from(row, scores[row[0]]) for row in rows}
        return [found[i] for i, _ in scored if i in found]

    async def quotes_at(self, moments: Sequence[tuple[int, float]]) -> dict[tuple[int, float], Hit]:
        """For each (episode id, seconds): the verbatim passage playing then (the last to start by then).

        One query for all of them: a timestamped note is looked up for every note among an answer's
        best candidates.
        """
        return await self._quote_per_moment(
            moments, f"q.start <= wanted.at + {QUOTE_AT_SLACK_SECONDS} ORDER BY q.start DESC, q.id DESC"
        )

    async def quotes_after(self, moments: Sequence[tuple[int, float]]) -> dict[tuple[int, float], Hit]:
        """For each (episode id, seconds): the first verbatim passage to start after then (the answer
        after a question), in one query."""
        return await self._quote_per_moment(moments, "q.start > wanted.at ORDER BY q.start, q.id")

    async def _quote_per_moment(
        self, moments: Sequence[tuple[int, float]], choose: str
    ) -> dict[tuple[int, float], Hit]:
        """One verbatim passage of each moment's episode, the first by `choose` (a condition on `q.start`
        against `wanted.at` and an ORDER BY), for all the moments in one query."""
        wanted = list(dict.fromkeys(moments))
        if not wanted:
            return {}
        values = ",".join("(?, ?)" for _ in wanted)
        sql = (
            f"WITH wanted(n, episode, at) AS (SELECT row_number() OVER (), column1, column2 FROM (VALUES {values})) "
            f"SELECT wanted.n, {HIT_COLUMNS} FROM wanted JOIN segments s ON s.id = ("
            "  SELECT q.id FROM segments q WHERE q.episode_id = wanted.episode AND q.kind = 'quote' "
            f"  AND {choose} LIMIT 1"
            f") {HIT_JOINS}"
        )
        params = [v for moment in wanted for v in moment]
        async with self.reader() as conn, conn.execute(sql, params) as cur:
            rows = await cur.fetchall()
        return {wanted[int(row[0]) - 1]: hit_from(row[1:]) for row in rows}

    async def translations(self, keys: Sequence[str], lang: str) -> dict[str, Hit]:
        """The segment in `lang` for each passage key that has one."""
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        sql = f"SELECT {HIT_COLUMNS} FROM segments s {HIT_JOINS} WHERE s.passage_key IN ({marks}) AND s.lang = ?"
        async with self.reader() as conn, conn.execute(sql, [*keys, lang]) as cur:
            rows = await cur.fetchall()
        hits = [hit_from(row) for row in rows]
        return {hit.passage_key: hit for hit in hits if hit.passage_key}

    async def all_hits(self) -> AsyncIterator[Hit]:
        sql = f"SELECT {HIT_COLUMNS} FROM segments s {HIT_JOINS} ORDER BY s.id"
        async with self.reader() as conn, conn.execute(sql) as cur:
            async for row in cur:
                yield hit_from(row)

    async def speaker_table(self) -> dict[str, int]:
        async with self.reader() as conn, conn.execute("SELECT name, id FROM speakers") as cur:
            return {row[0]: int(row[1]) async for row in cur}

    async def episodes(self) -> list[Episode]:
        """Episodes that still have segments, newest first."""
        sql = (
            f"SELECT {EPISODE_COLUMNS} FROM episodes e "
            "WHERE EXISTS (SELECT 1 FROM segments s WHERE s.episode_id = e.id) ORDER BY e.date DESC, e.id"
        )
        async with self.reader() as conn, conn.execute(sql) as cur:
            return [episode_from(*row) async for row in cur]

    async def topics(self) -> list[tuple[str, str]]:
        async with self.reader() as conn, conn.execute("SELECT DISTINCT topic, lang FROM topics") as cur:
            return [(r[0], r[1]) async for r in cur]

    async def term_aliases(self) -> list[tuple[str, str]]:
        async with self.reader() as conn, conn.execute("SELECT DISTINCT a, b FROM term_aliases") as cur:
            return [(r[0], r[1]) async for r in cur]

    async def stats(self, root: Path | None = None) -> StoreStats:
        """What the store holds; with `root` (the configured notes), also how many sources lie outside it."""
        outside = 0
        async with self.reader() as conn:
            if root is not None:
                # Paths are stored as the ingest walk resolved them (resolving touches the disk: off the loop).
                folder = str(await asyncio.to_thread(lambda: root.expanduser().resolve()))
                prefix = folder.rstrip("/") + "/"
                async with conn.execute(
                    # Remote sources (keyed by URL) are neither inside nor outside a folder.
                    "SELECT COUNT(*) FROM sources WHERE path != ? AND substr(path, 1, ?) != ? "
                    "AND instr(path, '://') = 0",
                    (folder, len(prefix), prefix),
                ) as cur:
                    counted = await cur.fetchone()
                outside = int(counted[0]) if counted else 0
            async with conn.execute(
                "SELECT COUNT(*), MAX(ingested_at), SUM(format = 'note'), SUM(format != 'note') FROM sources"
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
            outside_root=outside,
        )

    async def meta(self, key: str) -> str | None:
        async with self.reader() as conn, conn.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else None

    # ------------------------------------------------------------- quote verification

    async def speaker_coverage(self, speaker_id: int | None) -> tuple[int, list[Episode]]:
        """How many verbatim passages the store labels as a speaker's, and their episodes, newest first;
        with None, every verbatim passage and every episode."""
        own = "s.kind = 'quote'" + (" AND s.speaker_id = ?" if speaker_id is not None else "")
        params = [speaker_id] if speaker_id is not None else []
        sql = (
            f"SELECT {EPISODE_COLUMNS} FROM episodes e WHERE EXISTS "
            f"(SELECT 1 FROM segments s WHERE s.episode_id = e.id AND {own}) ORDER BY e.date DESC, e.id"
        )
        async with self.reader() as conn:
            async with conn.execute(f"SELECT COUNT(*) FROM segments s WHERE {own}", params) as cur:
                row = await cur.fetchone()
            async with conn.execute(sql, params) as cur:
                episodes = [episode_from(*r) async for r in cur]
        return (int(row[0]) if row else 0), episodes

    async def following(self, ids: Sequence[int]) -> dict[int, Hit]:
        """For each segment id, the next segment of the same source: a quote may run across two."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        values = ",".join("(?)" for _ in wanted)
        sql = (
            f"WITH wanted(id) AS (VALUES {values}) "
            f"SELECT wanted.id, {HIT_COLUMNS} FROM wanted JOIN segments s ON s.id = ("
            "  SELECT n.id FROM segments n"
            "  WHERE n.source_id = (SELECT w.source_id FROM segments w WHERE w.id = wanted.id)"
            "  AND n.id > wanted.id ORDER BY n.id LIMIT 1"
            f") {HIT_JOINS}"
        )
        async with self.reader() as conn, conn.execute(sql, wanted) as cur:
            rows = await cur.fetchall()
        return {int(row[0]): hit_from(row[1:]) for row in rows}
