"""The nearest topics the store does have, for a question that found nothing."""

from __future__ import annotations

from collections import Counter

from bot.text import normalize


def _grams(text: str) -> set[str]:
    text = " " + " ".join(normalize(text).lower().split()) + " "
    return {text[i : i + 3] for i in range(len(text) - 2)}


def nearest_topics(topic: str, topics: list[tuple[str, str]], language: str, limit: int = 3) -> list[str]:
    """Topics most alike the asked one (character trigrams, so a misspelling still lands near)."""
    if not topics:
        return []
    asked = _grams(topic)
    in_language = [t for t, lang in topics if lang == language] or [t for t, _ in topics]
    scored: list[tuple[float, str]] = []
    for candidate in dict.fromkeys(in_language):
        grams = _grams(candidate)
        if not grams or not asked:
            continue
        overlap = len(asked & grams) / len(asked | grams)
        if overlap > 0.08:
            scored.append((overlap, candidate))
    scored.sort(key=lambda s: -s[0])
    if scored:
        return [c for _, c in scored[:limit]]
    # Nothing alike: offer the topics the notes mention most.
    counts = Counter(in_language)
    return [t for t, _ in counts.most_common(limit)]
