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


@dataclass(frozen=True, slots=True)
class Pending:
    """What a pass of embedding has to do: the texts with no vector yet, and the vectors no text holds."""

    missing: list[str]
    stale: list[str]


async def _texts_and_keys(store: Store, model: str) -> tuple[dict[str, str], set[str]]:
    """Every distinct passage text by its key, in store order, and the keys with a vector of `model`."""
    async with store.reader() as conn:
        async with conn.execute("SELECT text_key FROM passage_vectors WHERE model = ?", (model,)) as cur:
            have = {str(row[0]) async for row in cur}
        async with conn.execute("SELECT text FROM segments ORDER BY id") as cur:
            texts: dict[str, str] = {}
            async for row in cur:
                texts.setdefault(text_key(str(row[0])), str(row[0]))
    return texts, have


async def pending(store: Store, model: str) -> Pending:
    """One read of the store's texts and vectors: what lacks a vector, and what is held by no text any more."""
    texts, have = await _texts_and_keys(store, model)
    return Pending(missing=[text for key, text in texts.items() if key not in have],
                   stale=[key for key in have if key not in texts])


async def put(store: Store, model: str, rows: Sequence[tuple[str, bytes]]) -> None:
    """Store (text, packed vector) pairs in one short transaction."""
    items = [(model, text_key(text), blob) for text, blob in rows]
    async with store.transaction() as writer:
        await writer.batch(lambda w: w.conn.executemany(
            "INSERT OR REPLACE INTO passage_vectors(model, text_key, vector) VALUES (?, ?, ?)", items
        ))


async def prune(store: Store, model: str, stale: Sequence[str]) -> None:
    """Drop the vectors of texts no passage holds any more (after re-ingests)."""
    if stale:
        rows = [(model, key) for key in stale]
        async with store.transaction() as writer:
            await writer.batch(lambda w: w.conn.executemany(
                "DELETE FROM passage_vectors WHERE model = ? AND text_key = ?", rows
            ))


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
    texts, have = await _texts_and_keys(store, model)
    return Coverage(texts=len(texts), embedded=len(have & texts.keys()))
