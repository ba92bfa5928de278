"""The store's dense vectors (`passage_vectors`): which passages lack one, writing them in small
transactions of their own, and reading those of an answer's candidates.

Embedding a large store takes hours on a small machine, so it never runs inside an ingest's transaction:
each batch is committed by itself, and a passage without a vector yet is simply not re-ranked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.embedding import text_key
from bot.store import Store


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many distinct passage texts the store holds, and how many of them have a vector of the model."""

    texts: int
    embedded: int


async def missing(store: Store, model: str) -> list[str]:
    """The distinct passage texts with no vector of `model` yet, in store order."""
    async with store.reader() as conn:
        async with conn.execute("SELECT text_key FROM passage_vectors WHERE model = ?", (model,)) as cur:
            have = {str(row[0]) async for row in cur}
        async with conn.execute("SELECT text FROM segments ORDER BY id") as cur:
            texts = [str(row[0]) async for row in cur]
    out: dict[str, str] = {}
    for text in texts:
        key = text_key(text)
        if key not in have and key not in out:
            out[key] = text
    return list(out.values())


async def put(store: Store, model: str, rows: Sequence[tuple[str, bytes]]) -> None:
    """Store (text, packed vector) pairs in one short transaction."""
    items = [(model, text_key(text), blob) for text, blob in rows]
    async with store.transaction() as writer:
        await writer.batch(lambda w: w.conn.executemany(
            "INSERT OR REPLACE INTO passage_vectors(model, text_key, vector) VALUES (?, ?, ?)", items
        ))


async def prune(store: Store, model: str) -> int:
    """Drop the vectors of texts no passage holds any more (after re-ingests); how many went."""
    async with store.reader() as conn:
        async with conn.execute("SELECT text FROM segments") as cur:
            live = {text_key(str(row[0])) async for row in cur}
        async with conn.execute("SELECT text_key FROM passage_vectors WHERE model = ?", (model,)) as cur:
            stale = [(model, str(row[0])) async for row in cur if str(row[0]) not in live]
    if stale:
        async with store.transaction() as writer:
            await writer.batch(lambda w: w.conn.executemany(
                "DELETE FROM passage_vectors WHERE model = ? AND text_key = ?", stale
            ))
    return len(stale)


async def for_texts(store: Store, model: str, texts: Sequence[str]) -> dict[str, bytes]:
    """The packed vectors of `texts` that have one, by text."""
    keys = {text_key(text): text for text in texts}
    if not keys:
        return {}
    marks = ",".join("?" * len(keys))
    async with store.reader() as conn, conn.execute(
        f"SELECT text_key, vector FROM passage_vectors WHERE model = ? AND text_key IN ({marks})",
        [model, *keys],
    ) as cur:
        return {keys[str(row[0])]: bytes(row[1]) async for row in cur}


async def coverage(store: Store, model: str) -> Coverage:
    async with store.reader() as conn:
        async with conn.execute("SELECT text FROM segments") as cur:
            live = {text_key(str(row[0])) async for row in cur}
        async with conn.execute("SELECT text_key FROM passage_vectors WHERE model = ?", (model,)) as cur:
            have = {str(row[0]) async for row in cur}
    return Coverage(texts=len(live), embedded=len(live & have))
