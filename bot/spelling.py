"""Topic words typed wrong, read as the stored words they are spelt like ("diffusoin" as "diffusion").

A misspelt word is one no passage holds, so it counted against the topic as a word the store has never
seen: "text diffusoin models" looked a third unknown. English words come from pyspellchecker's word list
(one edit away, the commonest word first); a word it does not know either ("antropic" for a name, a
term of the field) is matched against the store's own vocabulary instead. A real English word the store
lacks ("historians", "bread") is left alone: that it is missing is the answer.
"""

from __future__ import annotations

import asyncio
import functools
import re
from dataclasses import replace
from typing import Final

from rapidfuzz import fuzz
from spellchecker import SpellChecker

from bot.names import Vocabulary
from bot.plan import DocFreqs, Plan, plan_tokens, unit_weights
from bot.store.fts import Unit
from bot.text import ENGLISH_STOPWORDS, normalize, tokens

# Shorter words are too often another word one letter away ("ppl" is "pal", "agi" is "ago").
MIN_LETTERS: Final = 5
# How close a word the English list does not know must be to a stored term (rapidfuzz ratio).
STORED_SIMILARITY: Final = 88.0
# Words looked up per question (a correction costs a few milliseconds), and misspelt words fixed.
MAX_LOOKUPS: Final = 6
MAX_RESPELT: Final = 3


@functools.cache
def _english() -> SpellChecker:
    # About half a second and 35 MB, loaded (off the event loop, `warm`) at the first question with a word
    # the store does not hold, then kept.
    return SpellChecker(language="en", distance=1)


async def warm() -> None:
    """Load the English word list in a thread, so no question waits for it with the event loop blocked."""
    await asyncio.to_thread(_english)


@functools.lru_cache(maxsize=4096)
def english_correction(word: str) -> str | None:
    """The English word `word` is a misspelling of, or None when it is a word already or none is one edit away."""
    lowered = word.lower()
    checker = _english()
    if checker.known([lowered]):
        return None
    corrected = checker.correction(lowered)
    return corrected if corrected and corrected != lowered else None


async def respelt(plan: Plan, vocabulary: Vocabulary, doc_freqs: DocFreqs, segments: int) -> Plan:
    """The plan with each misspelt topic word also matching the stored word meant."""
    surfaces = _surfaces(plan.topic)
    # A word the store holds is taken as meant: names and terms of the field are in no word list.
    candidates = [
        (unit, surfaces[unit[0][0]]) for unit in (plan.alternatives[0] if plan.alternatives else ())
        if plan.doc_freq.get(unit, 0) == 0 and unit not in plan.people and len(unit[0]) == 1
        and unit[0][0] in surfaces
    ]
    if not candidates:
        return plan
    await warm()
    fixes: dict[Unit, Unit] = {}
    lookups = 0
    for unit, surface in candidates:
        if len(fixes) >= MAX_RESPELT or lookups >= MAX_LOOKUPS:
            break
        if _english().known([surface.lower()]):
            continue
        lookups += 1
        meant = await _stored_form(surface, unit[0][0], vocabulary, doc_freqs)
        if meant is not None and (meant,) not in unit:
            fixes[unit] = (*unit, (meant,))
    if not fixes:
        return plan
    alternatives = tuple(tuple(fixes.get(u, u) for u in alt) for alt in plan.alternatives)
    # Weighed with the names the topic asks about, as `make_plan` weighs them.
    doc_freq, idf = await unit_weights([*alternatives, [unit for _, unit in plan.names]], doc_freqs, segments)
    terms = tuple((fixes.get(a, a), fixes.get(b, b)) for a, b in plan.terms_of_two)
    return replace(plan, alternatives=alternatives, doc_freq=doc_freq, idf=idf, tokens=plan_tokens(alternatives),
                   terms_of_two=terms)


def _surfaces(topic: str) -> dict[str, str]:
    """Each Latin word of the topic as typed, by its stem."""
    found: dict[str, str] = {}
    for word in re.findall(r"[A-Za-z]+", normalize(topic)):
        stems = tokens(word)
        if len(word) >= MIN_LETTERS and len(stems) == 1 and word.lower() not in ENGLISH_STOPWORDS:
            found.setdefault(stems[0], word)
    return found


async def _stored_form(surface: str, stem: str, vocabulary: Vocabulary, doc_freqs: DocFreqs) -> str | None:
    """The stored term a misspelt word (one the English list does not know) stands for, if the store holds it."""
    corrected = english_correction(surface)
    if corrected is not None:
        stems = [t for t in tokens(corrected) if t not in ENGLISH_STOPWORDS]
        if len(stems) == 1 and stems[0] != stem and (await doc_freqs.of({stems[0]})).get(stems[0], 0) > 0:
            return stems[0]
        return None
    # (`similar_terms` also offers stored stems the word begins with; only the closely spelt ones count here.)
    close = [t for t in await vocabulary.similar_terms(stem, min_ratio=STORED_SIMILARITY)
             if fuzz.ratio(stem, t) >= STORED_SIMILARITY]
    return close[0] if close else None
