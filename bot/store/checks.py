"""What the store keeps of note quotations checked against transcripts (`note_checks`), and the rows
the check reads.

The check itself (`bot.claims`) runs on the writer's thread inside the ingest transaction, so these
write-side functions take the writer's `sqlite3.Connection`; the read side (`checks_for`,
`contradicted`) runs on the reader pool like every other query.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from bot.store.reads import Reads
from bot.store.writes import TRANSCRIPT_FORMATS

# Sources whose words are an episode's verbatim record: transcripts, captions and quote collections.
VERBATIM_SOURCES: Final = (*TRANSCRIPT_FORMATS, "quotes")
_VERBATIM_IN: Final = ",".join(f"'{f}'" for f in VERBATIM_SOURCES)


@dataclass(frozen=True, slots=True)
class Quotation:
    """A note's words in quotation marks under a speaker and a time."""

    id: int
    episode_id: int
    speaker_id: int
    speaker: str
    start: float
    text: str
    lang: str
    passage_key: str | None
    source_path: str


@dataclass(frozen=True, slots=True)
class Passage:
    """A verbatim transcript passage near a quotation's time."""

    id: int
    speaker_id: int | None
    start: float
    text: str
    terms: str
    lang: str


@dataclass(frozen=True, slots=True)
class CheckRow:
    """One stored verdict on a note quotation."""

    segment_id: int
    episode_id: int
    verdict: str
    score: float | None
    transcript_id: int | None


@dataclass(frozen=True, slots=True)
class StoredCheck:
    """A verdict with the transcript's words it was reached against, as answers and doctor show it."""

    segment_id: int
    verdict: str
    score: float | None
    transcript_text: str | None
    transcript_start: float | None


@dataclass(frozen=True, slots=True)
class Contradiction:
    """A note quotation the transcript contradicts, for `saidbot doctor --notes`."""

    path: str
    speaker: str
    start: float
    passage_key: str | None
    note_text: str
    transcript_text: str
    transcript_start: float | None
    score: float | None


def episodes_of_source(conn: sqlite3.Connection, source_id: int) -> set[int]:
    """The episodes a source's segments belong to (read before the source is removed or replaced)."""
    rows = conn.execute(
        "SELECT DISTINCT episode_id FROM segments WHERE source_id = ? AND episode_id IS NOT NULL", (source_id,)
    ).fetchall()
    return {int(r[0]) for r in rows}


def episodes_of_path(conn: sqlite3.Connection, path: str) -> set[int]:
    """The episodes the segments of the source at `path` belong to."""
    rows = conn.execute(
        "SELECT DISTINCT s.episode_id FROM segments s JOIN sources src ON src.id = s.source_id "
        "WHERE src.path = ? AND s.episode_id IS NOT NULL", (path,)
    ).fetchall()
    return {int(r[0]) for r in rows}


def episodes_with_quotations(conn: sqlite3.Connection) -> set[int]:
    rows = conn.execute(
        "SELECT DISTINCT s.episode_id FROM segments s JOIN sources src ON src.id = s.source_id "
        "WHERE src.format = 'note' AND s.kind = 'quote' AND s.episode_id IS NOT NULL"
    ).fetchall()
    return {int(r[0]) for r in rows}


def quotations(conn: sqlite3.Connection, episode_id: int) -> list[Quotation]:
    rows = conn.execute(
        "SELECT s.id, s.episode_id, s.speaker_id, sp.name, s.start, s.text, s.lang, s.passage_key, src.path "
        "FROM segments s JOIN sources src ON src.id = s.source_id JOIN speakers sp ON sp.id = s.speaker_id "
        "WHERE s.episode_id = ? AND src.format = 'note' AND s.kind = 'quote' AND s.start IS NOT NULL "
        "ORDER BY s.start, s.id",
        (episode_id,),
    ).fetchall()
    return [Quotation(*row) for row in rows]


def has_verbatim(conn: sqlite3.Connection, episode_id: int) -> bool:
    row = conn.execute(
        "SELECT 1 FROM segments s JOIN sources src ON src.id = s.source_id "
        f"WHERE s.episode_id = ? AND s.kind = 'quote' AND src.format IN ({_VERBATIM_IN}) LIMIT 1",
        (episode_id,),
    ).fetchone()
    return row is not None


def passages_near(
    conn: sqlite3.Connection, episode_id: int, at: float, window: float, reach: float
) -> list[Passage]:
    """The episode's verbatim passages starting within `window` seconds of `at`, and the one playing at
    `at` (the last to start by then, up to `reach` seconds before: a quote collection's excerpt an hour
    earlier is not what was said then), in time order."""
    columns = "s.id, s.speaker_id, s.start, s.text, s.terms, s.lang"
    base = (
        f"FROM segments s JOIN sources src ON src.id = s.source_id WHERE s.episode_id = ? AND s.kind = 'quote' "
        f"AND src.format IN ({_VERBATIM_IN}) AND s.start IS NOT NULL"
    )
    near = conn.execute(
        f"SELECT {columns} {base} AND s.start BETWEEN ? AND ? ORDER BY s.start, s.id", (episode_id, at - window,
                                                                                       at + window),
    ).fetchall()
    playing = conn.execute(
        f"SELECT {columns} {base} AND s.start <= ? AND s.start >= ? ORDER BY s.start DESC, s.id DESC LIMIT 1",
        (episode_id, at, at - reach),
    ).fetchall()
    found = {int(r[0]): Passage(*r) for r in [*playing, *near]}
    return sorted(found.values(), key=lambda p: (p.start, p.id))


def replace_checks(conn: sqlite3.Connection, episode_ids: Iterable[int], rows: Sequence[CheckRow]) -> None:
    """The episodes' verdicts replaced by `rows`; verdicts on segments that are gone are dropped."""
    ids = list(episode_ids)
    conn.executemany("DELETE FROM note_checks WHERE episode_id = ?", [(i,) for i in ids])
    conn.execute(
        "DELETE FROM note_checks WHERE NOT EXISTS (SELECT 1 FROM segments s WHERE s.id = note_checks.segment_id)"
    )
    conn.executemany(
        "INSERT OR REPLACE INTO note_checks(segment_id, episode_id, verdict, score, transcript_id) "
        "VALUES (?, ?, ?, ?, ?)",
        [(r.segment_id, r.episode_id, r.verdict, r.score, r.transcript_id) for r in rows],
    )


async def checks_for(store: Reads, segment_ids: Sequence[int]) -> dict[int, StoredCheck]:
    """The stored verdict for each of these note quotations that has one."""
    wanted = list(dict.fromkeys(segment_ids))
    if not wanted:
        return {}
    marks = ",".join("?" * len(wanted))
    sql = (
        "SELECT c.segment_id, c.verdict, c.score, t.text, t.start FROM note_checks c "
        f"LEFT JOIN segments t ON t.id = c.transcript_id WHERE c.segment_id IN ({marks})"
    )
    async with store.reader() as conn, conn.execute(sql, wanted) as cur:
        return {int(r[0]): StoredCheck(int(r[0]), r[1], r[2], r[3], r[4]) async for r in cur}


async def contradicted(store: Reads) -> list[Contradiction]:
    """Every note quotation whose transcript says otherwise, by file and time."""
    sql = (
        "SELECT src.path, sp.name, s.start, s.passage_key, s.text, t.text, t.start, c.score FROM note_checks c "
        "JOIN segments s ON s.id = c.segment_id JOIN sources src ON src.id = s.source_id "
        "JOIN speakers sp ON sp.id = s.speaker_id JOIN segments t ON t.id = c.transcript_id "
        "WHERE c.verdict = 'differs' ORDER BY src.path, s.start, s.id"
    )
    async with store.reader() as conn, conn.execute(sql) as cur:
        return [Contradiction(*row) async for row in cur]


async def check_counts(store: Reads) -> dict[str, int]:
    """How many note quotations have each verdict."""
    async with store.reader() as conn, conn.execute(
        "SELECT verdict, COUNT(*) FROM note_checks GROUP BY verdict"
    ) as cur:
        return {str(r[0]): int(r[1]) async for r in cur}
