"""The two reference engines, built from the very segments saidbot stored.

- FTS5: its own SQLite file with one FTS5 table (`unicode61`), queried exactly as plain FTS5 is:
  `SELECT rowid FROM t WHERE t MATCH ? ORDER BY rank LIMIT 3`, `rank` being the built-in bm25.
- tantivy (PyPI): an on-disk index, default tokenizer, default BM25, top-3 without a hit count
  (`count=False`: counting every match would defeat tantivy's top-k pruning).

Both index the segment text with Japanese runs pre-split into overlapping bigrams, the same split
saidbot itself uses: `unicode61` (and tantivy's default tokenizer) see an unspaced Japanese
sentence as one token, so without it a Japanese query would match nothing and its "latency"
would measure an empty posting list. English text goes in untouched (no stemming: planted terms
are stem-invariant, so match sets are identical to saidbot's).

The speaker lives in a second field, so "with speaker filter" is a plain conjunction in each
engine's own query language, with the speaker clause not scored.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import tantivy

_CJK_RUN: Final = re.compile(r"[\u3005\u3041-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _bigrams(match: re.Match[str]) -> str:
    run = match.group()
    if len(run) == 1:
        return f" {run} "
    return " " + " ".join(run[i : i + 2] for i in range(len(run) - 1)) + " "


def pretokenize(text: str) -> str:
    """Japanese runs → space-separated bigrams; everything else unchanged."""
    return _CJK_RUN.sub(_bigrams, text)


@dataclass(frozen=True)
class Row:
    id: int
    text: str
    speaker: str | None


@dataclass(frozen=True)
class BuildStats:
    seconds: float
    segments: int
    index_bytes: int

    @property
    def segments_per_s(self) -> float:
        return self.segments / self.seconds if self.seconds > 0 else 0.0


def dir_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _fts5_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


class Fts5Baseline:
    name: Final = "fts5"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = sqlite3.connect(path, check_same_thread=False)

    @classmethod
    def build(cls, path: Path, rows: Iterable[Row]) -> tuple[Fts5Baseline, BuildStats]:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        started = time.perf_counter()
        conn = sqlite3.connect(path)
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(text, speaker, tokenize='unicode61')")
        # bm25 over the text column only: the speaker column filters, it must not rank.
        conn.execute("INSERT INTO t(t, rank) VALUES('rank', 'bm25(1.0, 0.0)')")
        count = 0

        def gen() -> Iterable[tuple[int, str, str]]:
            nonlocal count
            for row in rows:
                count += 1
                yield row.id, pretokenize(row.text), row.speaker or ""

        with conn:
            conn.executemany("INSERT INTO t(rowid, text, speaker) VALUES (?, ?, ?)", gen())
        # Merge the index b-trees once, as anyone serving a static FTS5 index would: its best case.
        with conn:
            conn.execute("INSERT INTO t(t) VALUES('optimize')")
        conn.close()
        seconds = time.perf_counter() - started
        return cls(path), BuildStats(seconds, count, dir_bytes(path))

    @staticmethod
    def match(term: str, speaker: str | None) -> str:
        expr = f"text : {_fts5_phrase(pretokenize(term).strip())}"
        if speaker:
            expr += f" AND speaker : {_fts5_phrase(speaker)}"
        return expr

    def search(self, match: str) -> list[int]:
        rows = self._conn.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY rank LIMIT 3", (match,))
        return [r[0] for r in rows.fetchall()]

    def close(self) -> None:
        self._conn.close()


class TantivyBaseline:
    name: Final = "tantivy"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.index = tantivy.Index.open(str(path))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    @classmethod
    def build(cls, path: Path, rows: Iterable[Row]) -> tuple[TantivyBaseline, BuildStats]:
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        started = time.perf_counter()
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("text", stored=False)
        builder.add_text_field("speaker", stored=False, tokenizer_name="raw")
        builder.add_integer_field("id", stored=True, indexed=False, fast=True)
        index = tantivy.Index(builder.build(), path=str(path))
        writer = index.writer(heap_size=256_000_000)
        count = 0
        for row in rows:
            count += 1
            writer.add_document(tantivy.Document(text=pretokenize(row.text), speaker=row.speaker or "", id=row.id))
        writer.commit()
        writer.wait_merging_threads()
        seconds = time.perf_counter() - started
        return cls(path), BuildStats(seconds, count, dir_bytes(path))

    def query(self, term: str, speaker: str | None) -> tantivy.Query:
        # The default tokenizer lowercases; a term query takes the token as indexed.
        text = tantivy.Query.term_query(self.schema, "text", pretokenize(term).strip().lower())
        if not speaker:
            return text
        only = tantivy.Query.const_score_query(tantivy.Query.term_query(self.schema, "speaker", speaker), 0.0)
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, text), (tantivy.Occur.Must, only)])

    def search(self, query: tantivy.Query) -> list[tantivy.DocAddress]:
        return [address for _, address in self.searcher.search(query, 3, count=False).hits]

    def close(self) -> None:
        # tantivy releases its files when the objects go; nothing to close explicitly.
        pass
