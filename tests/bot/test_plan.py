"""Document frequencies for a plan: cached between questions, never lost when the cache fills."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot import plan as plan_module
from bot.plan import DocFreqs, unit_weights
from bot.store.fts import Unit


class CountingIndex:
    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    async def doc_freqs(self, terms: Sequence[str]) -> dict[str, int]:
        self.asked.append(list(terms))
        return {t: len(t) for t in terms}


async def test_known_terms_are_not_asked_again() -> None:
    index = CountingIndex()
    freqs = DocFreqs(index)
    assert await freqs.of({"ab", "abc"}) == {"ab": 2, "abc": 3}
    assert await freqs.of({"ab", "abcd"}) == {"ab": 2, "abcd": 4}
    assert index.asked == [["ab", "abc"], ["abcd"]]


async def test_a_full_cache_still_answers_the_question_that_filled_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_module, "DOC_FREQ_CACHE_TERMS", 3)
    freqs = DocFreqs(CountingIndex())
    await freqs.of({"a", "bb"})
    # Cached terms and new ones together overflow the cache: it is trimmed, and the answer is still whole.
    assert await freqs.of({"a", "ccc", "dddd"}) == {"a": 1, "ccc": 3, "dddd": 4}
    assert await freqs.of({"a", "ccc"}) == {"a": 1, "ccc": 3}


async def test_a_word_is_as_common_as_its_most_common_spelling() -> None:
    unit = (("ab",), ("漢字字", "漢字"))
    doc_freq, idf = await unit_weights([[unit]], DocFreqs(CountingIndex()), segments=100)
    assert doc_freq[unit] == 2  # the rarer of the two-bigram spelling's tokens, the commoner of the spellings
    assert idf[unit] > 0


async def test_a_term_of_several_latin_words_is_rarer_than_each_of_them() -> None:
    """"scaling laws" weighs about its words' IDFs summed; a Japanese word is as rare as its rarest bigram."""

    class Source:
        async def doc_freqs(self, terms: Sequence[str]) -> dict[str, int]:
            return {"scale": 40, "law": 20, "スケ": 30, "ケー": 10}

    phrase: Unit = (("scale", "law"),)
    word: Unit = (("スケ", "ケー"),)
    doc_freq, idf = await unit_weights([[phrase, word], [(("scale",),)]], DocFreqs(Source()), 400)
    assert doc_freq[phrase] == 2  # 400 × 40/400 × 20/400
    assert doc_freq[word] == 10
    assert idf[phrase] > idf[(("scale",),)]
