"""The two plain baselines saidbot is measured against, built from the very segments saidbot stored.

Both get the raw question text, with no stop-word removal, stemming, alias expansion or speaker handling:
they show what off-the-shelf BM25 does with the same data, so any gain is saidbot's own.

Query construction (identical for both, so they differ only in tokenizer and BM25 implementation):
the question is split on whitespace, each token becomes a quoted phrase (FTS5: `"tok"` with `"` doubled;
tantivy: `"tok"` with `\\` and `"` backslash-escaped), and the phrases are OR-joined. Quoting makes every
character literal, so `AND`, `NEAR(`, `*`, `title:x` or a stray quote in a question can never be read as
query syntax or raise a parse error. OR (not the implicit AND) is used because an AND of every word of
"what did Dario say about …" almost never matches anything; OR is also tantivy's default conjunction.
A token that the tokenizer reduces to nothing (e.g. "?") simply matches nothing.

"Nothing found" for a baseline means no segment matched any token; with OR that is rare, which is the
honest behaviour of plain BM25 on should-find-nothing questions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import tantivy

from bench.eval.metrics import Retrieved


@dataclass(frozen=True)
class SegmentRow:
    """A stored segment as the core exports it, detached from the core's own types."""

    id: int
    text: str
    start_seconds: int | None
    video_id: str | None
    transcript_url: str | None
    speaker: str | None
    lang: str | None
    kind: str | None
    source: str | None

    def retrieved(self) -> Retrieved:
        return Retrieved(video_id=self.video_id, transcript_url=self.transcript_url,
                         start_seconds=self.start_seconds, speaker=self.speaker, text=self.text,
                         kind=self.kind, source=self.source)


class Baseline(Protocol):
    name: str

    def search(self, question: str, limit: int) -> list[Retrieved]: ...

    def close(self) -> None: ...


def fts5_query(question: str) -> str:
    """Each whitespace token as an FTS5 string (inner quotes doubled), OR-joined; "" for a blank question."""
    return " OR ".join('"' + token.replace('"', '""') + '"' for token in question.split())


def tantivy_query(question: str) -> str:
    """Each whitespace token as a tantivy phrase with `\\` and `"` escaped; the parser ORs them by default.

    A token without a letter or digit (an emoji, "？") tokenizes to nothing, and a query of nothing but
    such phrases is refused by tantivy's parser, so those are left out.
    """
    return " ".join(
        '"' + token.replace("\\", "\\\\").replace('"', '\\"') + '"'
        for token in question.split() if any(c.isalnum() for c in token)
    )


class Fts5Baseline:
    """SQLite FTS5 with its default tokenizer (unicode61) and the built-in bm25() ranking."""

    name = "fts5-bm25"

    def __init__(self, segments: Sequence[SegmentRow]) -> None:
        self._segments = list(segments)
        # Its own in-memory database: the baseline must not see saidbot's tables, triggers or tokenizers.
        self._db = sqlite3.connect(":memory:")
        self._db.execute("CREATE VIRTUAL TABLE seg USING fts5(text)")
        self._db.executemany(
            "INSERT INTO seg(rowid, text) VALUES (?, ?)",
            ((index, segment.text) for index, segment in enumerate(self._segments)),
        )
        self._db.commit()

    def search(self, question: str, limit: int) -> list[Retrieved]:
        query = fts5_query(question)
        if not query:
            return []
        rows = self._db.execute(
            # bm25() is smaller for better matches.
            "SELECT rowid FROM seg WHERE seg MATCH ? ORDER BY bm25(seg) LIMIT ?", (query, limit)
        ).fetchall()
        return [self._segments[rowid].retrieved() for (rowid,) in rows]

    def close(self) -> None:
        self._db.close()


class TantivyBaseline:
    """tantivy in RAM with its default text tokenizer and default BM25 scoring."""

    name = "tantivy-bm25"

    def __init__(self, segments: Sequence[SegmentRow]) -> None:
        self._segments = list(segments)
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("text", stored=False)
        builder.add_unsigned_field("row", stored=True)
        self._index = tantivy.Index(builder.build())
        writer = self._index.writer(heap_size=50_000_000, num_threads=1)
        for index, segment in enumerate(self._segments):
            writer.add_document(tantivy.Document(text=segment.text, row=index))
        writer.commit()
        writer.wait_merging_threads()
        self._index.reload()
        self._searcher = self._index.searcher()

    def search(self, question: str, limit: int) -> list[Retrieved]:
        query_text = tantivy_query(question)
        if not query_text:
            return []
        query = self._index.parse_query(query_text, ["text"])
        hits = self._searcher.search(query, limit).hits
        results: list[Retrieved] = []
        for _score, address in hits:
            row = self._searcher.doc(address)["row"][0]
            results.append(self._segments[int(row)].retrieved())
        return results

    def close(self) -> None:
        # Nothing to release: the index lives in RAM and goes with the object.
        pass


def build_baselines(segments: Sequence[SegmentRow]) -> list[Baseline]:
    return [Fts5Baseline(segments), TantivyBaseline(segments)]
