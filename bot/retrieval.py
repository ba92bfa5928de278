"""Finding candidates for a plan in the FTS5 index: all-words matches first, any-word ones when short."""

from __future__ import annotations

from typing import Final

from bot.plan import Plan
from bot.store import Hit, Store
from bot.store.fts import match_all, match_any

CANDIDATES: Final = 200
# Above this many matching segments a query is answered from a sample of its newest matches.
EXACT_LIMIT: Final = 3000
# Re-ranking costs about 15 µs of Python per candidate; 120 is still forty times a page of answers.
SAMPLE: Final = 120
# A speaker filter makes every sampled match a strong candidate; fewer suffice, and each costs a
# lookup of its segment row.
SAMPLE_FILTERED: Final = 60
# Enough candidates that the any-word pass is not needed.
ENOUGH: Final = 20


async def retrieve(store: Store, plan: Plan) -> list[Hit]:
    """Candidates for a plan, best bm25 first.

    Where the index says a query matches more than EXACT_LIMIT segments, ranking them all would cost
    time in proportion to the store (hundreds of ms for a term in half of a million segments), so
    the newest SAMPLE matches are re-ranked instead.
    """
    if not plan.alternatives:
        return []
    found: dict[int, float] = {}
    strict, loose = match_all(plan.alternatives), match_any(plan.alternatives)
    passes = [(strict, plan.estimate_all())]
    if loose != strict:
        passes.append((loose, plan.estimate_any()))
    for expression, estimate in passes:
        exact = estimate <= EXACT_LIMIT
        limit = CANDIDATES if exact else (SAMPLE_FILTERED if plan.speaker is not None else SAMPLE)
        if plan.speaker is not None:
            # Only their words, unlabelled words from their episodes, and notes can be shown.
            results = await store.search(
                expression, limit=limit, speaker_ids=[plan.speaker_id] if plan.speaker_id else [],
                episode_ids=list(plan.speaker_episodes), exact=exact,
            )
        else:
            results = await store.search(expression, limit=limit, exact=exact)
        for seg_id, bm25 in results:
            found.setdefault(seg_id, bm25)
        if len(found) >= max(plan.wanted, ENOUGH):
            break
    ordered = sorted(found.items(), key=lambda kv: kv[1])
    return await store.hits(ordered)
