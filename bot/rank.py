"""From a parsed question to ranked, de-duplicated hits.

FTS5 bm25 finds candidates; the re-ranking adds what makes an answer right: the asked speaker's
own words, verbatim quotes before note summaries, how much of the topic a passage covers and
whether it has the topic as a phrase, and the asker's language.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from bot.store import Hit, Store
from bot.text import ENGLISH_STOPWORDS, is_cjk, normalize, tokens

CANDIDATES: Final = 200
DUPLICATE_WINDOW_SECONDS: Final = 20

_QUESTION_WORDS: Final = frozenset(
    tokens(
        "say said says saying think thinks thought talk talked talking speak spoke mention mentioned believe "
        "believes opinion opinions view views anything something quote quotes"
    )
)
_STOP_STEMS: Final = frozenset(tokens(" ".join(ENGLISH_STOPWORDS))) | _QUESTION_WORDS


def topic_units(topic: str) -> list[tuple[str, ...]]:
    """What a passage must contain to be about the topic, one unit per word.

    A Latin word is one stemmed token; a CJK word is the run of its bigrams, all required, so
    "重ね合わせ" never matches a passage that merely contains "合わ". Stop words and question
    verbs are dropped.
    """
    units: list[tuple[str, ...]] = []
    for word in re.findall(r"\S+", normalize(topic)):
        for piece in re.split(r"[^\w\u3005\u3040-\u30ff\u4e00-\u9fff'’-]+", word):
            toks = tuple(tokens(piece))
            if not toks:
                continue
            if is_cjk(piece):
                unit = toks
                if unit not in units:
                    units.append(unit)
            else:
                for tok in toks:
                    if tok not in _STOP_STEMS and (tok,) not in units:
                        units.append((tok,))
    return units


def required_units(count: int) -> int:
    """How many of a topic's words a passage needs: all of one or two, most of more."""
    return count if count <= 2 else math.ceil(0.6 * count)


def fts_quote(token: str) -> str:
    # Tokens are alphanumerics already; doubling quotes keeps even a surprise safe.
    return '"' + token.replace('"', '""') + '"'


@dataclass
class AliasTable:
    """Topic terms across scripts: `タレント密度` <-> `talent density`."""

    pairs: dict[str, set[str]] = field(default_factory=dict)

    @staticmethod
    def key(term: str) -> str:
        return " ".join(normalize(term).lower().split())

    def add(self, a: str, b: str) -> None:
        ka, kb = self.key(a), self.key(b)
        if ka and kb and ka != kb:
            self.pairs.setdefault(ka, set()).add(kb)
            self.pairs.setdefault(kb, set()).add(ka)

    def expansions(self, topic: str) -> list[str]:
        """The topic with each known term replaced by its counterparts in other scripts."""
        lowered = self.key(topic)
        found: list[str] = []
        for term in sorted(self.pairs, key=len, reverse=True):
            if len(term) < 2:
                continue
            pattern = re.escape(term) if re.search(r"[^\x00-\x7f]", term) else rf"(?<!\w){re.escape(term)}(?!\w)"
            if re.search(pattern, lowered):
                for other in self.pairs[term]:
                    found.append(re.sub(pattern, other, lowered))
        return list(dict.fromkeys(found))[:8]


@dataclass
class Ranked:
    hit: Hit
    score: float
    matched: float
    attributed_to: str | None
    verified: bool


Unit = tuple[str, ...]


@dataclass
class Query:
    topic: str
    speaker: str | None
    language: str
    # The topic as asked, then the same topic in other scripts; each a list of units.
    alternatives: list[list[Unit]]

    @property
    def all_tokens(self) -> set[str]:
        return {t for alt in self.alternatives for unit in alt for t in unit}


def build_query(topic: str, speaker: str | None, language: str, aliases: AliasTable) -> Query:
    alternatives: list[list[Unit]] = []
    for variant in [topic, *aliases.expansions(topic)]:
        units = topic_units(variant)
        if units and units not in alternatives:
            alternatives.append(units)
    return Query(topic=topic, speaker=speaker, language=language, alternatives=alternatives)


def _unit_expr(unit: Unit) -> str:
    # Explicit AND: FTS5 accepts implicit AND only between plain phrases, not beside a group.
    return fts_quote(unit[0]) if len(unit) == 1 else "(" + " AND ".join(fts_quote(t) for t in unit) + ")"


def match_all(query: Query) -> str:
    return " OR ".join("(" + " AND ".join(_unit_expr(u) for u in alt) + ")" for alt in query.alternatives)


def match_any(query: Query) -> str:
    units = dict.fromkeys(u for alt in query.alternatives for u in alt)
    return " OR ".join(_unit_expr(u) for u in units)


def _coverage(alt: Sequence[Unit], terms: str, term_set: set[str]) -> tuple[float, bool]:
    present = sum(1 for unit in alt if all(t in term_set for t in unit))
    if present < required_units(len(alt)):
        return 0.0, False
    flat = [t for unit in alt for t in unit]
    phrase = len(alt) > 1 and present == len(alt) and f" {' '.join(flat)} " in f" {terms} "
    return present / len(alt), phrase


def _attribution(hit: Hit, speaker: str | None, interview_shows: set[str]) -> tuple[str | None, bool, float]:
    """(speaker to show, verified?, weight) for a hit, given the asked speaker."""
    if hit.speaker is not None:
        if speaker is None or hit.speaker == speaker:
            return hit.speaker, hit.speaker_verified, 1.6 if speaker else 1.0
        return hit.speaker, True, 0.0  # somebody else's words, never shown as the asked speaker's
    if hit.kind == "note":
        return None, False, 0.75 if speaker else 1.0
    episode = hit.episode
    if speaker and episode is not None and speaker in episode.speakers and _is_interview(episode.show, interview_shows):
        if is_question_turn(hit.text):
            # All question: the host's turn, not the guest's answer.
            return None, False, 0.3
        return speaker, False, 1.0
    return None, False, 0.5 if speaker else 0.9


def is_question_turn(text: str) -> bool:
    return text.rstrip().rstrip("”\"'」)").endswith(("?", "？"))


def _is_interview(show: str | None, interview_shows: set[str]) -> bool:
    return show is None or show.lower() in interview_shows


def score_hits(
    hits: Iterable[Hit], query: Query, interview_shows: set[str]
) -> list[Ranked]:
    ranked: list[Ranked] = []
    hits = list(hits)
    if not hits:
        return ranked
    best = max(-h.bm25 for h in hits) or 1.0
    for hit in hits:
        terms = hit.terms
        term_set = set(terms.split())
        coverage, phrase = max(
            (_coverage(alt, terms, term_set) for alt in query.alternatives), key=lambda c: (c[0], c[1])
        )
        if coverage == 0:
            continue
        shown, verified, weight = _attribution(hit, query.speaker, interview_shows)
        if weight == 0.0:
            continue
        relevance = 0.45 * max(0.0, -hit.bm25) / best + 0.55 * coverage + (0.25 if phrase else 0.0)
        if hit.kind == "quote":
            weight *= 1.25
        if hit.lang == query.language:
            weight *= 1.1
        if hit.source_format in ("transcript", "quotes", "vtt", "srt", "youtube") and hit.kind == "quote":
            # A verbatim transcript beats a note quoting the same words from memory.
            weight *= 1.05
        ranked.append(Ranked(hit, relevance * weight, coverage, shown, verified))
    ranked.sort(key=_order)
    return ranked


def _order(item: Ranked) -> tuple[float, float, int]:
    # Near-ties go to the earlier passage: an answer's start reads better than its continuation.
    return (-round(item.score, 2), item.hit.start if item.hit.start is not None else 1e12, item.hit.id)


def _same_passage(a: Ranked, b: Ranked) -> bool:
    ha, hb = a.hit, b.hit
    if ha.passage_key and ha.passage_key == hb.passage_key:
        return True
    if ha.source_path == hb.source_path and ha.lang == hb.lang:
        return False
    if ha.episode_id is None or ha.episode_id != hb.episode_id or ha.start is None or hb.start is None:
        return False
    if ha.kind != hb.kind:
        return False
    if a.attributed_to and b.attributed_to and a.attributed_to != b.attributed_to:
        return False
    return abs(ha.start - hb.start) <= DUPLICATE_WINDOW_SECONDS


def dedupe(ranked: list[Ranked], language: str) -> list[Ranked]:
    """One entry per passage: the best one, in the asker's language when a translation has it."""
    groups: list[list[Ranked]] = []
    for item in ranked:
        for group in groups:
            if any(_same_passage(item, other) for other in group):
                group.append(item)
                break
        else:
            groups.append([item])
    chosen = []
    for group in groups:
        best = group[0]
        in_language = [g for g in group if g.hit.lang == language]
        if best.hit.lang != language and in_language and in_language[0].matched >= best.matched * 0.5:
            representative = in_language[0]
            representative.score = best.score
            best = representative
        chosen.append(best)
    chosen.sort(key=_order)
    return chosen


async def prefer_language(store: Store, ranked: list[Ranked], language: str) -> list[Ranked]:
    """Swap a passage for its translation in the asker's language, when a note has one."""
    keys = [r.hit.passage_key for r in ranked if r.hit.lang != language and r.hit.passage_key]
    found = await store.translations([k for k in keys if k], language)
    if not found:
        return ranked
    swapped = []
    for item in ranked:
        other = found.get(item.hit.passage_key or "") if item.hit.lang != language else None
        swapped.append(replace(item, hit=other) if other is not None else item)
    return swapped


async def retrieve(
    store: Store, query: Query, *, speaker_id: int | None, episode_ids: list[int], wanted: int
) -> list[Hit]:
    """Candidates for a query: all-terms matches first, any-term matches when those run short."""
    if not query.alternatives:
        return []
    found: dict[int, float] = {}
    for expression in (match_all(query), match_any(query)):
        if query.speaker is not None and (speaker_id is not None or episode_ids):
            for seg_id, bm25 in await store.search(
                expression, limit=CANDIDATES, speaker_ids=[speaker_id] if speaker_id else [],
                episode_ids=episode_ids,
            ):
                found.setdefault(seg_id, bm25)
        for seg_id, bm25 in await store.search(expression, limit=CANDIDATES):
            found.setdefault(seg_id, bm25)
        if len(found) >= max(wanted, 20):
            break
    ordered = sorted(found.items(), key=lambda kv: kv[1])
    return await store.hits(ordered)
