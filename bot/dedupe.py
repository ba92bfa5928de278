"""One entry per passage, in the asker's language: pure functions over ranked candidates."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Final

from bot import weights as w
from bot.scoring import Ranked, order
from bot.store import Hit

TermSets = dict[int, frozenset[str]]

# Only the best candidates are compared with their neighbours in time (grouping by time is the costly
# part); candidates past them group by passage key alone.
DEDUPE_WINDOW: Final = 120


def _overlap(a: Hit, b: Hit, sets: TermSets) -> float:
    # Grouping compares one candidate with many; each passage's words are split once per answer.
    sa = sets.get(a.id) or sets.setdefault(a.id, frozenset(a.terms.split()))
    sb = sets.get(b.id) or sets.setdefault(b.id, frozenset(b.terms.split()))
    return len(sa & sb) / min(len(sa), len(sb)) if sa and sb else 0.0


def _same_passage(a: Ranked, b: Ranked, sets: TermSets) -> bool:
    ha, hb = a.hit, b.hit
    if ha.passage_key and ha.passage_key == hb.passage_key:
        return True
    if ha.episode_id is None or ha.episode_id != hb.episode_id or ha.start is None or hb.start is None:
        return False
    if abs(ha.start - hb.start) > w.DUPLICATE_WINDOW_SECONDS:
        return False
    if ha.kind != hb.kind and ha.source_path != hb.source_path:
        return False
    if a.attributed_to and b.attributed_to and a.attributed_to != b.attributed_to:
        return False
    # Consecutive turns of one file are different passages; a highlight repeating its
    # transcript paragraph is the same one.
    same_file = ha.source_path == hb.source_path and ha.lang == hb.lang
    return not (same_file and _overlap(ha, hb, sets) < w.SAME_PASSAGE_OVERLAP)


def _slot(hit: Hit) -> tuple[int, int] | None:
    if hit.episode_id is None or hit.start is None:
        return None
    return hit.episode_id, int(hit.start // w.DUPLICATE_WINDOW_SECONDS)


# A language folder in a note's path: `notes/en/talk.md` and `notes/ja/talk.md` are one note in two languages.
_LANGUAGE_FOLDER: Final = re.compile(
    r"/(?:en|ja|zh|ko|fr|de|es|pt|it|ru|nl|sv|pl|tr|ar|hi|id|th|vi|uk|cs)(?:[-_][A-Za-z]{2,4})?(?=/)", re.I
)


def passage_identity(key: str | None) -> str | None:
    """A passage key with the note's language folder taken out, so a statement and its translation
    kept in a sibling folder (`en/…`, `ja/…`) are the same passage, as `talk-en.md` and `talk-ja.md` are."""
    if not key or "|n|" not in key:
        return key
    group, _, rest = key.partition("|n|")
    return f"{_LANGUAGE_FOLDER.sub('/*', group)}|n|{rest}"


def dedupe(ranked: Sequence[Ranked], language: str) -> tuple[list[Ranked], int]:
    """One entry per passage: the best one, in the asker's language when a translation has it.

    Returns the de-duplicated candidates and how many there are. The best DEDUPE_WINDOW candidates
    are compared with their neighbours in time; every candidate, however far down, joins the group
    of a passage it shares a key with, so a translation never shows again on a later page and the
    total counts passages, not their copies.
    """
    groups: list[list[Ranked]] = []
    by_key: dict[str, list[Ranked]] = {}
    # Groups by episode and time slot: passages further apart than the window are never the same, so
    # a candidate is compared only with groups in its own and the neighbouring slots.
    by_slot: dict[tuple[int, int], list[int]] = {}
    term_sets: TermSets = {}
    for index, item in enumerate(ranked):
        key = passage_identity(item.hit.passage_key)
        target = by_key.get(key) if key else None
        # Only the best candidates are compared with their neighbours; the rest group by key alone.
        slot = _slot(item.hit) if index < DEDUPE_WINDOW else None
        if target is None and slot is not None:
            episode, at = slot
            nearby = sorted(i for s in (at - 1, at, at + 1) for i in by_slot.get((episode, s), ()))
            for group_index in nearby:
                # Members of a group are near one another; its first member stands for it.
                if _same_passage(item, groups[group_index][0], term_sets):
                    target = groups[group_index]
                    break
        if target is None:
            target = []
            if slot is not None:
                by_slot.setdefault(slot, []).append(len(groups))
            groups.append(target)
        target.append(item)
        if key:
            by_key.setdefault(key, target)
    chosen = []
    for group in groups:
        best = group[0]
        if len(group) > 1 and best.hit.lang != language:
            translated = next((g for g in group if g.hit.lang == language), None)
            if translated is not None and translated.matched >= best.matched * w.TRANSLATION_MATCH_SHARE:
                best = replace(translated, score=best.score)
        chosen.append(best)
    chosen.sort(key=order)
    return chosen, len(chosen)


def translation_keys(page: Sequence[Ranked], language: str) -> list[str]:
    """Passage keys of the page's entries that are not in the asker's language."""
    return [r.hit.passage_key for r in page if r.hit.lang != language and r.hit.passage_key]


def prefer_language(page: Sequence[Ranked], translations: Mapping[str, Hit], language: str) -> list[Ranked]:
    """Each entry swapped for its translation in the asker's language, where a note has one."""
    swapped = []
    for item in page:
        other = translations.get(item.hit.passage_key or "") if item.hit.lang != language else None
        swapped.append(replace(item, hit=other) if other is not None else item)
    return swapped
