"""Re-ranking an answer's candidates by meaning, and embedding the passages that lack a vector.

Used only when an embedder is configured (bot/embedding.py). The lexical score stays the larger part:
`(1 − DENSE) × score + DENSE × closeness`, closeness being the candidate's similarity to the topic
rescaled over the candidates (0 for the least similar, 1 for the most), since a model's raw
similarities sit in a narrow band that says little on its own. A question re-ranks only when every
candidate has a vector: half-embedded candidates would be compared on different terms.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Final

from bot import weights as w
from bot.embedding import Embedder, dot, pack, unpack
from bot.scoring import Ranked, order
from bot.store import Store
from bot.store import vectors as stored

log = logging.getLogger(__name__)

# Below this spread of similarities the candidates are all alike to the model: nothing to re-rank by.
MIN_SPREAD: Final = 1e-4
# Passages embedded per committed batch: a progress report and a commit each.
EMBED_BATCH: Final = 64


def closeness(similarities: Sequence[float]) -> list[float]:
    if not similarities:
        return []
    low, high = min(similarities), max(similarities)
    spread = high - low
    if spread < MIN_SPREAD:
        return [0.0 for _ in similarities]
    return [(s - low) / spread for s in similarities]


def blend(ranked: Sequence[Ranked], similarities: Sequence[float]) -> list[Ranked]:
    """The candidates re-scored with their similarity to the topic, best first."""
    near = closeness(similarities)
    out = [
        replace(item, score=(1 - w.DENSE) * item.score + w.DENSE * close)
        for item, close in zip(ranked, near, strict=True)
    ]
    out.sort(key=order)
    return out


async def rerank(ranked: list[Ranked], topic: str, embedder: Embedder, store: Store) -> list[Ranked]:
    """`ranked` re-scored by meaning, or unchanged when a candidate has no vector or the embedder fails."""
    if len(ranked) < 2 or not topic.strip():
        return ranked
    texts = [item.hit.text for item in ranked]
    found = await stored.for_texts(store, embedder.name, texts)
    if len(found) < len(set(texts)):
        log.info("dense_rerank_skipped", extra={"reason": "candidates without vectors",
                                               "candidates": len(set(texts)), "embedded": len(found)})
        return ranked
    try:
        query = await asyncio.to_thread(embedder.query, topic)
        similarities = [dot(query, unpack(found[text])) for text in texts]
    except Exception as exc:  # an optional signal: any failure of it leaves the lexical answer
        log.warning("dense_rerank_failed", extra={"error": f"{type(exc).__name__}: {exc}"})
        return ranked
    return blend(ranked, similarities)


@dataclass(frozen=True, slots=True)
class EmbedReport:
    embedded: int
    pruned: int
    seconds: float


async def embed_missing(
    store: Store, embedder: Embedder, progress: Callable[[int, int], None] | None = None
) -> EmbedReport:
    """Embed every stored passage text without a vector of this model, a committed batch at a time, and
    drop the vectors of texts no passage holds any more. An interrupted run keeps what it committed."""
    began = time.perf_counter()
    work = await stored.pending(store, embedder.name)
    await stored.prune(store, embedder.name, work.stale)
    pruned, todo = len(work.stale), work.missing
    log.info("embed_started", extra={"model": embedder.name, "passages": len(todo), "pruned": pruned})
    done = 0
    for start in range(0, len(todo), EMBED_BATCH):
        batch = todo[start : start + EMBED_BATCH]
        vectors = await asyncio.to_thread(embedder.passages, batch)
        if len(vectors) != len(batch):
            raise ValueError(f"the embedder returned {len(vectors)} vectors for {len(batch)} passages")
        await stored.put(store, embedder.name, [(text, pack(v)) for text, v in zip(batch, vectors, strict=True)])
        done += len(batch)
        if progress is not None:
            progress(done, len(todo))
        log.info("embed_progress", extra={"model": embedder.name, "done": done, "of": len(todo)})
    seconds = round(time.perf_counter() - began, 3)
    log.info("embed_finished", extra={"model": embedder.name, "embedded": done, "seconds": seconds})
    return EmbedReport(embedded=done, pruned=pruned, seconds=seconds)
