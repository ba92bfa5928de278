"""From a parsed question to ranked, de-duplicated hits.

FTS5 bm25 finds candidates; the re-ranking adds what makes an answer right: the asked speaker's
own words, verbatim quotes before note summaries, how much of the topic a passage covers and
whether it has the topic as a phrase, and the asker's language.
"""

from __future__ import annotations

import math
import re
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from bot.store import Hit, Store
from bot.text import ENGLISH_STOPWORDS, is_cjk, is_question, normalize, tokens

CANDIDATES: Final = 200
# Above this many matching segments a query is answered from a sample of its newest matches.
EXACT_LIMIT: Final = 3000
# Re-ranking costs about 15 µs of Python per candidate; 120 is still forty times a page of answers.
SAMPLE: Final = 120
SAMPLE_FILTERED: Final = 60
OUT_OF_SCOPE: Final = 0.5
DUPLICATE_WINDOW_SECONDS: Final = 20

_QUESTION_WORDS: Final = frozenset(
    tokens(
        "say said says saying think thinks thought talk talked talking speak spoke mention mentioned believe "
        "believes opinion opinions view views anything something quote quotes"
    )
)
_STOP_STEMS: Final = frozenset(tokens(" ".join(ENGLISH_STOPWORDS))) | _QUESTION_WORDS


# In Japanese the content words are the kanji and katakana runs; hiragana carries particles and
# verb endings ("採用のペースを落とした" -> 採用, ペース, 落).
_JA_WORD = re.compile(r"[\u3005\u4e00-\u9fff]+|[\u30a0-\u30ff]+|[\u3040-\u309f]+|[^\u3005\u3040-\u30ff\u4e00-\u9fff]+")


# Words that frame a Japanese question rather than name its topic ("…についての見解", "…の理由は").
_JA_FRAME = frozenset(
    "見解 意見 考え 立場 発言 反論 説明 理由 本当 何 どう 答え 言及 主張 予想 思い 意味 方法 必要 場合 "
    "とき 以内".split()
)


def _cjk_words(piece: str, aliases: AliasTable | None = None) -> list[str]:
    runs = _JA_WORD.findall(piece)
    words = []
    for index, w in enumerate(runs):
        if re.fullmatch(r"[\u3040-\u309fー]+", w) or w in _JA_FRAME:
            continue
        following = runs[index + 1] if index + 1 < len(runs) else ""
        if len(w) == 1 and aliases is not None and re.match(r"[\u3041-\u309f]", following):
            # A verb or adjective is one kanji and its kana ending (勧めた, 学び, 遅く): the kanji
            # with the first kana is the form the glossary lists, and a word in its own right.
            inflected = w + following[0]
            if aliases.knows(inflected):
                w = inflected
        words.append(w)
    long_words = [w for w in words if len(w) >= 2]
    return long_words or words


def _known_parts(word: str, aliases: AliasTable | None) -> list[str]:
    """A compound the alias table does not know, split into the words it does: 独裁国家 -> 独裁, 国家.

    Japanese writes compounds without spaces, and a glossary cannot list every compound; its
    parts still translate, so an English passage can match each of them.
    """
    if aliases is None or len(word) < 3 or aliases.knows(word):
        return [word]
    parts: list[str] = []
    unknown = ""
    i = 0
    while i < len(word):
        for j in range(len(word), i + 1, -1):
            if aliases.knows(word[i:j]):
                if len(unknown) >= 2:
                    parts.append(unknown)
                unknown = ""
                parts.append(word[i:j])
                i = j
                break
        else:
            unknown += word[i]
            i += 1
    if not parts:
        return [word]
    if len(unknown) >= 2:
        parts.append(unknown)
    return parts


def topic_units(topic: str, aliases: AliasTable | None = None) -> list[Unit]:
    """What a passage must contain to be about the topic, one unit per word.

    A Latin word is one stemmed token; a CJK word is the run of its bigrams, all required, so
    "重ね合わせ" never matches a passage that merely contains "合わ". A word the alias table
    knows in another script may be matched in either ("採用" or "hiring"). Stop words and
    question verbs are dropped.
    """
    units: list[Unit] = []

    def add(surface: str, toks: tuple[str, ...]) -> None:
        options = [toks]
        if aliases is not None:
            for other in aliases.translations(surface):
                other_toks = tuple(t for t in tokens(other) if t not in _STOP_STEMS)
                if other_toks and other_toks not in options:
                    options.append(other_toks)
        unit = tuple(options)
        if unit not in units:
            units.append(unit)

    for word in re.findall(r"\S+", normalize(topic)):
        for piece in re.split(r"[^\w\u3005\u3040-\u30ff\u4e00-\u9fff'’-]+", word):
            if not piece:
                continue
            if is_cjk(piece):
                for cjk in _cjk_words(piece, aliases):
                    for part in _known_parts(cjk, aliases):
                        toks = tuple(tokens(part))
                        if toks:
                            add(part, toks)
            else:
                for raw in re.findall(r"[^\W_]+", piece):
                    toks = tuple(t for t in tokens(raw) if t not in _STOP_STEMS)
                    if toks:
                        add(raw, toks)
    return units


def fts_quote(token: str) -> str:
    # Tokens are alphanumerics already; doubling quotes keeps even a surprise safe.
    return '"' + token.replace('"', '""') + '"'


@dataclass
class AliasTable:
    """Topic terms across scripts: `タレント密度` <-> `talent density`."""

    pairs: dict[str, set[str]] = field(default_factory=dict)
    _sorted: list[str] | None = field(default=None, repr=False, compare=False)
    _sorted_for: int = field(default=-1, repr=False, compare=False)

    @staticmethod
    def key(term: str) -> str:
        return " ".join(normalize(term).lower().split())

    def add(self, a: str, b: str, *, both_ways: bool = True) -> None:
        ka, kb = self.key(a), self.key(b)
        if ka and kb and ka != kb:
            self.pairs.setdefault(ka, set()).add(kb)
            if both_ways:
                self.pairs.setdefault(kb, set()).add(ka)

    def knows(self, word: str) -> bool:
        return self.key(word) in self.pairs

    def translations(self, word: str) -> list[str]:
        """The other-script forms of a single word or term."""
        return sorted(self.pairs.get(self.key(word), ()))

    def expansions(self, topic: str) -> list[str]:
        """The topic with each known term replaced by its counterparts in other scripts."""
        lowered = self.key(topic)
        found: list[str] = []
        # A substring test first: it rules out nearly every term at C speed before any regex runs.
        for term in self._by_length():
            if term not in lowered:
                continue
            pattern = re.escape(term) if re.search(r"[^\x00-\x7f]", term) else rf"(?<!\w){re.escape(term)}(?!\w)"
            if re.search(pattern, lowered):
                for other in sorted(self.pairs[term]):
                    found.append(re.sub(pattern, other, lowered))
        return list(dict.fromkeys(found))[:8]

    def _by_length(self) -> list[str]:
        # Rebuilt when terms were added since; single characters are never replaced as a whole term.
        if self._sorted is None or self._sorted_for != len(self.pairs):
            self._sorted = sorted((t for t in self.pairs if len(t) >= 2), key=len, reverse=True)
            self._sorted_for = len(self.pairs)
        return self._sorted


@dataclass
class Ranked:
    hit: Hit
    score: float
    matched: float
    attributed_to: str | None
    verified: bool


# A unit is one word of the topic: alternative spellings (scripts), each a run of tokens that must all be present.
Unit = tuple[tuple[str, ...], ...]


@dataclass
class Query:
    topic: str
    speaker: str | None
    language: str
    # The topic as asked, then the same topic in other scripts; each a list of units.
    alternatives: list[list[Unit]]
    # How telling each unit is (inverse document frequency); rare words weigh more.
    idf: dict[Unit, float] = field(default_factory=dict)
    # Segments holding each unit, from the index's vocabulary (0 when unknown).
    doc_freq: dict[Unit, int] = field(default_factory=dict)
    # Lower-cased ways of writing the asked speaker, to tell whether a note is about them.
    speaker_forms: tuple[str, ...] = ()
    # A host is in every episode of their show; a note on an episode is about its guests.
    speaker_is_host: bool = False
    # Episodes of the show (or the numbered episode) the question names; None when it names none.
    scope: frozenset[int] | None = None

    @property
    def all_tokens(self) -> set[str]:
        return {t for alt in self.alternatives for unit in alt for option in unit for t in option}


def build_query(
    topic: str, speaker: str | None, language: str, aliases: AliasTable, speaker_forms: tuple[str, ...] = ()
) -> Query:
    alternatives: list[list[Unit]] = []
    for variant in [topic, *aliases.expansions(topic)]:
        units = topic_units(variant, aliases)
        if units and units not in alternatives:
            alternatives.append(units)
    return Query(topic=topic, speaker=speaker, language=language, alternatives=alternatives,
                 speaker_forms=speaker_forms)


def _option_expr(option: tuple[str, ...]) -> str:
    # Explicit AND: FTS5 accepts implicit AND only between plain phrases, not beside a group.
    return fts_quote(option[0]) if len(option) == 1 else "(" + " AND ".join(fts_quote(t) for t in option) + ")"


def _unit_expr(unit: Unit) -> str:
    return _option_expr(unit[0]) if len(unit) == 1 else "(" + " OR ".join(_option_expr(o) for o in unit) + ")"


def unit_present(unit: Unit, term_set: Container[str]) -> bool:
    return any(all(t in term_set for t in option) for option in unit)


def match_all(query: Query) -> str:
    return " OR ".join("(" + " AND ".join(_unit_expr(u) for u in alt) + ")" for alt in query.alternatives)


def match_any(query: Query) -> str:
    units = dict.fromkeys(u for alt in query.alternatives for u in alt)
    return " OR ".join(_unit_expr(u) for u in units)


MIN_COVERAGE: Final = 0.3


def unit_idf(doc_freq: int, total: int) -> float:
    return math.log(1 + (total - doc_freq + 0.5) / (doc_freq + 0.5))


def _coverage(alt: Sequence[Unit], terms: str, term_set: Container[str], idf: dict[Unit, float]) -> tuple[float, bool]:
    """The share of the topic's weight a passage holds (0 when too little), and whether it holds it as a phrase.

    Weighting by IDF lets a question carry everyday words ("have we basically reached AGI already?")
    without losing passages that hold the telling ones, while a topic the store has never seen
    ("sourdough") keeps its full weight and so finds nothing rather than something loosely related.
    """
    present = [unit for unit in alt if unit_present(unit, term_set)]
    if not present:
        return 0.0, False
    total = sum(idf.get(u, 1.0) for u in alt)
    share = sum(idf.get(u, 1.0) for u in present) / total if total else 0.0
    # Of a two-word topic a passage may lack only the more common word ("robotics" without "future").
    if (len(alt) == 2 and len(present) < 2 and share < 0.5) or share < MIN_COVERAGE:
        return 0.0, False
    flat = [t for unit in alt for t in unit[0]]
    phrase = len(alt) > 1 and len(present) == len(alt) and f" {' '.join(flat)} " in f" {terms} "
    return share, phrase


def _mentions(hit: Hit, forms: tuple[str, ...]) -> bool:
    text = f"{hit.text} {hit.heading or ''}".lower()
    return any(form in text for form in forms)


def _attribution(hit: Hit, query: Query, interview_shows: set[str]) -> tuple[str | None, bool, float]:
    """(speaker to show, verified?, weight) for a hit, given the asked speaker."""
    speaker = query.speaker
    if hit.speaker is not None:
        if speaker is None or hit.speaker == speaker:
            return hit.speaker, hit.speaker_verified, 1.6 if speaker else 1.0
        return hit.speaker, True, 0.0  # somebody else's words, never shown as the asked speaker's
    if speaker is None:
        return None, False, 1.0 if hit.kind == "note" else 0.9
    episode = hit.episode
    features = episode is not None and speaker in episode.speakers
    if hit.kind == "note":
        # A note counts for a speaker when it names them, or when it is about an episode they were a
        # guest on; never as their words.
        about = _mentions(hit, query.speaker_forms) or (features and not query.speaker_is_host)
        return None, False, 0.75 if about else 0.0
    if features and episode is not None and _is_interview(episode.show, interview_shows):
        if is_question(hit.text):
            # All question: the host's turn, not the guest's answer.
            return None, False, 0.3
        return speaker, False, 1.0
    # Unlabelled words from a recording the speaker is not known to be in are not theirs.
    return None, False, 0.0


def _is_interview(show: str | None, interview_shows: set[str]) -> bool:
    return show is None or show.lower() in interview_shows


def _density(terms: str, query: Query) -> float:
    """Share of a passage's tokens that are the query's, saturating like bm25's term frequency."""
    words = terms.count(" ") + 1
    hits = sum(f" {terms} ".count(f" {t} ") for t in query.all_tokens)
    return min(1.0, 8.0 * hits / words)


class _Terms:
    """Membership in a passage's tokens by substring search: cheaper than building a set when a
    question has a handful of tokens and a passage has hundreds."""

    __slots__ = ("padded",)

    def __init__(self, padded: str) -> None:
        self.padded = padded

    def __contains__(self, token: object) -> bool:
        return f" {token} " in self.padded


def score_hits(
    hits: Iterable[Hit], query: Query, interview_shows: set[str]
) -> list[Ranked]:
    ranked: list[Ranked] = []
    hits = list(hits)
    if not hits:
        return ranked
    best = max(-h.bm25 for h in hits) or 1.0
    # Sampled candidates come without bm25; term frequency over length stands in for it.
    sampled = all(h.bm25 == 0.0 for h in hits)
    for hit in hits:
        terms = hit.terms
        term_set = _Terms(f" {terms} {hit.context} ")
        coverage, phrase = max(
            (_coverage(alt, terms, term_set, query.idf) for alt in query.alternatives), key=lambda c: (c[0], c[1])
        )
        if coverage == 0:
            continue
        shown, verified, weight = _attribution(hit, query, interview_shows)
        if weight == 0.0:
            continue
        strength = _density(hit.terms, query) if sampled else max(0.0, -hit.bm25) / best
        relevance = 0.45 * strength + 0.55 * coverage + (0.25 if phrase else 0.0)
        if hit.kind == "quote":
            weight *= 1.25
        if hit.lang == query.language:
            weight *= 1.1
        if query.scope is not None and hit.episode_id not in query.scope:
            # Asked about one show: other recordings are a fallback, not the answer.
            weight *= OUT_OF_SCOPE
        if hit.source_format in ("transcript", "quotes", "vtt", "srt", "youtube") and hit.kind == "quote":
            # A verbatim transcript beats a note quoting the same words from memory.
            weight *= 1.05
        ranked.append(Ranked(hit, relevance * weight, coverage, shown, verified))
    ranked.sort(key=_order)
    return ranked


def _order(item: Ranked) -> tuple[float, float, int]:
    # Near-ties go to the earlier passage: an answer's start reads better than its continuation.
    return (-round(item.score, 2), item.hit.start if item.hit.start is not None else 1e12, item.hit.id)


TermSets = dict[int, frozenset[str]]


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
    if abs(ha.start - hb.start) > DUPLICATE_WINDOW_SECONDS:
        return False
    if ha.kind != hb.kind and ha.source_path != hb.source_path:
        return False
    if a.attributed_to and b.attributed_to and a.attributed_to != b.attributed_to:
        return False
    # Consecutive turns of one file are different passages; a highlight repeating its
    # transcript paragraph is the same one.
    return not (ha.source_path == hb.source_path and ha.lang == hb.lang and _overlap(ha, hb, sets) < 0.5)


# Only the best candidates are worth grouping: nobody pages past them, and grouping is quadratic.
DEDUPE_WINDOW: Final = 120


def _slot(hit: Hit) -> tuple[int, int] | None:
    if hit.episode_id is None or hit.start is None:
        return None
    return hit.episode_id, int(hit.start // DUPLICATE_WINDOW_SECONDS)


def dedupe(ranked: list[Ranked], language: str) -> tuple[list[Ranked], int]:
    """One entry per passage: the best one, in the asker's language when a translation has it.

    Returns the de-duplicated best candidates and an estimate of how many distinct passages there
    are in all (the candidates past the window are counted as they are).
    """
    head, tail = ranked[:DEDUPE_WINDOW], ranked[DEDUPE_WINDOW:]
    groups: list[list[Ranked]] = []
    by_key: dict[str, list[Ranked]] = {}
    # Groups by episode and time slot: passages further apart than the window are never the same, so
    # a candidate is compared only with groups in its own and the neighbouring slots.
    by_slot: dict[tuple[int, int], list[int]] = {}
    term_sets: TermSets = {}
    for item in head:
        key = item.hit.passage_key
        target = by_key.get(key) if key else None
        slot = _slot(item.hit)
        if target is None and slot is not None:
            episode, at = slot
            nearby = sorted(i for s in (at - 1, at, at + 1) for i in by_slot.get((episode, s), ()))
            for index in nearby:
                # Members of a group are near one another; its first member stands for it.
                if _same_passage(item, groups[index][0], term_sets):
                    target = groups[index]
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
        in_language = [g for g in group if g.hit.lang == language]
        if best.hit.lang != language and in_language and in_language[0].matched >= best.matched * 0.5:
            representative = in_language[0]
            representative.score = best.score
            best = representative
        chosen.append(best)
    chosen.sort(key=_order)
    return chosen, len(chosen) + len(tail)


# Timestamped notes among the best candidates are looked up in their episode's transcript.
RESOLVE_NOTES = 30


async def resolve_notes(store: Store, ranked: list[Ranked], query: Query, interview_shows: set[str]) -> list[Ranked]:
    """Swap a timestamped note for the verbatim passage playing at its time.

    Summaries and key points are written the way people ask ("a study found developers were
    slower"), so they match paraphrased questions; the answer is still the speaker's own words at
    that moment, when the store holds the episode's transcript.
    """
    out: list[Ranked] = []
    for index, item in enumerate(ranked):
        hit = item.hit
        if index < RESOLVE_NOTES and hit.kind == "note" and hit.episode_id is not None and hit.start is not None:
            quote = await store.quote_at(hit.episode_id, hit.start)
            if quote is not None and hit.start - (quote.start or 0) <= 180:
                shown, verified, weight = _attribution(quote, query, interview_shows)
                if weight > 0:
                    out.append(Ranked(quote, item.score * 1.25, item.matched, shown, verified))
                    continue
        out.append(item)
    out.sort(key=_order)
    return out


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
    """Candidates for a query: all-terms matches first, any-term matches when those run short.

    Where the index says a query matches more than EXACT_LIMIT segments, ranking them all would cost
    time in proportion to the store (hundreds of ms for a term in half of a million segments), so
    the newest SAMPLE matches are re-ranked instead.
    """
    if not query.alternatives:
        return []
    found: dict[int, float] = {}
    strict, loose = match_all(query), match_any(query)
    passes = [(strict, _estimate_all(query))]
    if loose != strict:
        passes.append((loose, _estimate_any(query)))
    for expression, estimate in passes:
        exact = estimate <= EXACT_LIMIT
        # A speaker filter makes every sampled match a strong candidate; fewer suffice, and each costs
        # a lookup of its segment row.
        limit = CANDIDATES if exact else (SAMPLE_FILTERED if query.speaker is not None else SAMPLE)
        if query.speaker is not None:
            # Only their words, unlabelled words from their episodes, and notes can be shown.
            results = await store.search(
                expression, limit=limit, speaker_ids=[speaker_id] if speaker_id else [],
                episode_ids=episode_ids, exact=exact,
            )
        else:
            results = await store.search(expression, limit=limit, exact=exact)
        for seg_id, bm25 in results:
            found.setdefault(seg_id, bm25)
        if len(found) >= max(wanted, 20):
            break
    ordered = sorted(found.items(), key=lambda kv: kv[1])
    return await store.hits(ordered)


def _estimate_all(query: Query) -> int:
    if not query.doc_freq:
        return 0
    return max(min(query.doc_freq.get(u, 0) for u in alt) for alt in query.alternatives)


def _estimate_any(query: Query) -> int:
    return sum(query.doc_freq.get(u, 0) for u in {u for alt in query.alternatives for u in alt})
