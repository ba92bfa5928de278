"""The plan for answering one question: complete and immutable once built.

A plan holds everything the later stages need (the topic's units and how telling each is, who was
asked about and which of their episodes to search, the show asked about, the page wanted), so
retrieval, scoring and de-duplication read it and never change it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

from bot.store.fts import Unit
from bot.text import is_cjk

# Terms whose document frequencies are kept between questions (they change only with an ingest).
DOC_FREQ_CACHE_TERMS: Final = 50_000


@dataclass(frozen=True, slots=True)
class Plan:
    topic: str
    speaker: str | None
    language: str
    # The topic as asked, then the same topic in other scripts; each a tuple of units.
    alternatives: tuple[tuple[Unit, ...], ...]
    # How telling each unit is (inverse document frequency); rare words weigh more.
    idf: Mapping[Unit, float]
    # Segments holding each unit, from the index's vocabulary (0 when unknown).
    doc_freq: Mapping[Unit, int]
    # Lower-cased ways of writing the asked speaker, to tell whether a note is about them.
    speaker_forms: tuple[str, ...] = ()
    # The asked speaker's id in the store, and the episodes they appear in (for their unlabelled words).
    speaker_id: int | None = None
    speaker_episodes: tuple[int, ...] = ()
    # A host is in every episode of their show; a note on an episode is about its guests.
    speaker_is_host: bool = False
    # Every show's hosts, to tell an episode's guests from the people who run it.
    hosts: frozenset[str] = frozenset()
    # Lower-cased names of shows whose unlabelled transcripts are interviews (a guest answers a host).
    interview_shows: frozenset[str] = frozenset()
    # Episodes of the show (or the numbered episode) the question names; None when it names none.
    scope: frozenset[int] | None = None
    offset: int = 0
    limit: int = 3
    # Every token of every alternative, for match density and excerpts.
    tokens: frozenset[str] = field(default=frozenset())
    # The names the topic asks about (bot.names), each with the unit a passage must hold to mention it.
    names: tuple[tuple[str, Unit], ...] = ()
    # Names rare enough in the store that a passage without them is not about what was asked.
    required: frozenset[Unit] = field(default=frozenset())
    # Units naming a person or a show in the topic ("Dario's essay"): labels, not words, name them, so
    # they count neither way when judging whether the store holds the topic.
    people: frozenset[Unit] = field(default=frozenset())
    # A person the topic names other than the asked speaker ("Sam Altman's essay"), with every spelling
    # of them: a passage about them names them (or is their own words).
    named_person: tuple[str, Unit] | None = None
    # Two stored words the topic writes as one term ("time travel", 人口密度; `topics.one_term`,
    # `topics.cjk_compounds`), and the spellings of the words of those no passage holds together: such a
    # term is one the store lacks, so its words count as unseen.
    terms_of_two: tuple[tuple[Unit, Unit], ...] = ()
    apart: frozenset[tuple[str, ...]] = field(default=frozenset())
    # Whether some passage holds every word of the topic as asked: then a passage holding one everyday word
    # of it is not about it ("Raschka on a country of geniuses in a data center" by his passage on data).
    whole_held: bool = False
    # The kinds of answer the question asks for (`bot.answer_kinds`: how likely, how it began).
    answer_kinds: frozenset[str] = field(default=frozenset())

    @property
    def wanted(self) -> int:
        """Candidates needed to fill the page asked for."""
        return self.offset + self.limit

    @property
    def units(self) -> frozenset[Unit]:
        return frozenset(u for alt in self.alternatives for u in alt)

    def unseen_share(self) -> float:
        """How much of the topic's weight is in words no passage holds (or holds only apart, `apart`), in
        its best-held alternative (people's and shows' names left out)."""
        shares = []
        for alt in self.alternatives:
            counted = [u for u in alt if u not in self.people]
            total = sum(self.idf.get(u, 1.0) for u in counted)
            unseen = sum(self.idf.get(u, 1.0) for u in counted
                         if self.doc_freq.get(u, 0) == 0 or any(option in self.apart for option in u))
            shares.append(unseen / total if total else 0.0)
        return min(shares, default=0.0)

    def estimate_all(self) -> int:
        """Segments the all-words match may return, from the rarest unit of the best alternative."""
        if not self.doc_freq:
            return 0
        return max(min(self.doc_freq.get(u, 0) for u in alt) for alt in self.alternatives)

    def estimate_any(self) -> int:
        """Segments the any-word match may return."""
        return sum(self.doc_freq.get(u, 0) for u in self.units)


def plan_tokens(alternatives: Sequence[Sequence[Unit]]) -> frozenset[str]:
    return frozenset(t for alt in alternatives for unit in alt for option in unit for t in option)


def unit_idf(doc_freq: int, total: int) -> float:
    return math.log(1 + (total - doc_freq + 0.5) / (doc_freq + 0.5))


class DocFreqSource(Protocol):
    async def doc_freqs(self, terms: Sequence[str]) -> dict[str, int]: ...


class DocFreqs:
    """Document frequencies per term, read from the index once and kept until the next ingest."""

    def __init__(self, source: DocFreqSource) -> None:
        self._source = source
        self._cache: dict[str, int] = {}

    def clear(self) -> None:
        self._cache.clear()

    async def of(self, terms: set[str]) -> dict[str, int]:
        missing = sorted(t for t in terms if t not in self._cache)
        fetched = await self._source.doc_freqs(missing) if missing else {}
        # Answer from what was cached and fetched before trimming the cache, so a full cache never
        # loses a term this question needs.
        known = {t: self._cache[t] if t in self._cache else fetched[t] for t in terms}
        if len(self._cache) + len(fetched) > DOC_FREQ_CACHE_TERMS:
            self._cache.clear()
        self._cache.update(fetched)
        return known


async def unit_weights(
    alternatives: Sequence[Sequence[Unit]], doc_freqs: DocFreqs, segments: int
) -> tuple[dict[Unit, int], dict[Unit, float]]:
    """(segments holding each unit, its IDF).

    A CJK word is as rare as its rarest bigram; a word with several spellings as common as its most
    common one.
    """
    units = {u for alt in alternatives for u in alt}
    freq = await doc_freqs.of({t for u in units for option in u for t in option})
    doc_freq = {u: max(_option_freq(option, freq, segments) for option in u) for u in units}
    return doc_freq, {u: unit_idf(df, segments) for u, df in doc_freq.items()}


def _option_freq(option: tuple[str, ...], freq: Mapping[str, int], segments: int) -> int:
    """Segments likely to hold one spelling.

    The bigrams of a Japanese word come together, so the word is as rare as its rarest bigram. The words
    of a Latin term ("scaling laws") are taken as independent, so the term is rarer than any one of them:
    its IDF is about the sum of its words', as a phrase query weighs it in Lucene.
    """
    rarest = min(freq[t] for t in option)
    if len(option) == 1 or rarest == 0 or segments <= 0 or is_cjk(option[0]):
        return rarest
    estimate = float(segments)
    for t in option:
        estimate *= freq[t] / segments
    return max(1, round(estimate))
