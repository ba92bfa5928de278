"""Scoring candidates against the plan: pure functions, no store access.

FTS5 bm25 found the candidates; this adds what makes an answer right: the asked speaker's own
words, verbatim quotes before note summaries, how much of the topic a passage covers and whether
it has the topic as a phrase, the asker's language, the show asked about.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot import weights as w
from bot.answer_kinds import gives_kind
from bot.plan import Plan
from bot.store import Hit
from bot.store.fts import Unit
from bot.text import is_host_turn, tokens


@dataclass(frozen=True, slots=True)
class Ranked:
    hit: Hit
    score: float
    matched: float
    attributed_to: str | None
    verified: bool


def unit_present(unit: Unit, term_set: Container[str]) -> bool:
    if isinstance(term_set, _Terms):
        return any(term_set.holds(option) for option in unit)
    return any(all(t in term_set for t in option) for option in unit)


@dataclass(frozen=True, slots=True)
class Telling:
    """A passage without the topic's most telling word needs `min_share` of its weight. The telling word
    is one the store holds (a word no passage holds, `unseen`, is the unseen-words rule's) and no
    person's or show's name (`people`: a passage names a speaker by its label)."""

    min_share: float
    people: frozenset[Unit]
    unseen: frozenset[Unit]


def coverage(
    alt: Sequence[Unit], terms: str, term_set: Container[str], idf: Mapping[Unit, float],
    telling: Telling | None = None, unseen: frozenset[Unit] = frozenset(), whole_held: bool = False,
    people: frozenset[Unit] | None = None,
) -> tuple[float, bool]:
    """The share of the topic's weight a passage holds for ranking (0 when too little), and whether it holds
    it as a phrase.

    Weighting by IDF lets a question carry everyday words ("have we basically reached AGI already?")
    without losing passages that hold the telling ones, while a topic the store has never seen
    ("sourdough") keeps its full weight and so finds nothing rather than something loosely related.
    A topic of three words or more may need its most telling word (`telling`); one mostly in words no
    passage holds (`unseen`), or one some passage holds whole (`whole_held`), more than one of its words
    unless that word is its most telling. In English (`people`: the units naming a person or show, which
    count neither way), one word of such a topic must be nearly as telling as its most telling word.
    """
    present = [unit for unit in alt if unit_present(unit, term_set)]
    if not present:
        return 0.0, False
    total = sum(idf.get(u, 1.0) for u in alt)
    share = sum(idf.get(u, 1.0) for u in present) / total if total else 0.0
    if (len(alt) == 2 and len(present) < 2 and share < w.TWO_WORD_MIN_SHARE) or share < w.MIN_COVERAGE:
        return 0.0, False
    if len(present) == 1 and len(alt) > 2:
        # One word of a longer topic: not enough when the topic is a thing the store knows whole (that one
        # ordinary word of it is somewhere else's), or mostly words it has never seen.
        if whole_held and present[0] != max(alt, key=lambda u: idf.get(u, 1.0)):
            return 0.0, False
        if unseen and sum(idf.get(u, 1.0) for u in alt if u in unseen) / total >= w.LONE_WORD_UNSEEN_SHARE:
            return 0.0, False
        if people is not None:
            # A word no passage holds counts too: "nuclear fusion power" is not answered by "nuclear weapons".
            asked = [idf.get(u, 1.0) for u in alt if u not in people]
            if asked and idf.get(present[0], 1.0) < w.LONE_WORD_MIN_IDF_RATIO * max(asked):
                return 0.0, False
    if telling is not None and len(alt) > 2 and share < telling.min_share:
        words = [u for u in alt if u not in telling.people and u not in telling.unseen]
        if words and max(words, key=lambda u: idf.get(u, 1.0)) not in present:
            return 0.0, False
    flat = [t for unit in alt for t in unit[0]]
    phrase = len(alt) > 1 and len(present) == len(alt) and f" {' '.join(flat)} " in f" {terms} "
    powered = sum(idf.get(u, 1.0) ** w.RANK_IDF_POWER for u in alt)
    return (sum(idf.get(u, 1.0) ** w.RANK_IDF_POWER for u in present) / powered if powered else share), phrase


def _mentions(hit: Hit, forms: tuple[str, ...]) -> bool:
    text = f"{hit.text} {hit.heading or ''}".lower()
    return any(form in text for form in forms)


def _is_interview(show: str | None, interview_shows: frozenset[str]) -> bool:
    return show is None or show.lower() in interview_shows


def attribution(hit: Hit, plan: Plan) -> tuple[str | None, bool, float]:
    """(speaker to show, verified?, weight) for a hit, given the asked speaker."""
    speaker = plan.speaker
    if hit.speaker is not None:
        if speaker is None:
            # A host's question, labelled or not, is not an answer: below the answers when nobody is asked for.
            asks = hit.speaker in plan.hosts and is_host_turn(hit.text)
            return hit.speaker, hit.speaker_verified, w.HOST_QUESTION if asks else w.ANY_SPEAKER
        if hit.speaker == speaker:
            return hit.speaker, hit.speaker_verified, w.ASKED_SPEAKER
        return hit.speaker, True, 0.0  # somebody else's words, never shown as the asked speaker's
    if speaker is None:
        if hit.kind == "note":
            return None, False, w.NOTE_UNASKED
        # In an interview, an unlabelled turn that only asks is the host's question, not anybody's
        # answer to it; a commentator's rhetorical question is their own words.
        episode = hit.episode
        asks = episode is not None and _is_interview(episode.show, plan.interview_shows) and is_host_turn(hit.text)
        return None, False, w.HOST_QUESTION if asks else w.UNLABELLED_UNASKED
    episode = hit.episode
    features = episode is not None and (
        speaker in episode.speakers or (plan.speaker_is_host and hit.episode_id in plan.speaker_episodes)
    )
    if hit.kind == "note":
        # A note counts for a speaker when it names them, or when it marks a moment of an episode they
        # were a guest on; never as their words. A note on the whole episode that does not name them (the
        # host's biography, the episode's blurb) says nothing of theirs.
        about = _mentions(hit, plan.speaker_forms) or (features and not plan.speaker_is_host and hit.start is not None)
        return None, False, w.NOTE_ABOUT_SPEAKER if about else 0.0
    if features and episode is not None and _is_interview(episode.show, plan.interview_shows):
        if plan.speaker_is_host:
            # The host asks; an unlabelled answer is the guest's. A question is the host's words,
            # unverified; anything else may be either, and is shown as nobody's.
            if is_host_turn(hit.text):
                return speaker, False, w.GUEST_UNLABELLED
            return None, False, w.SHARED_UNLABELLED
        if is_host_turn(hit.text):
            # All question: the host's turn, not the guest's answer.
            return None, False, w.HOST_QUESTION
        if _guests(episode.speakers, plan.hosts) > 1:
            # Two or more guests: an unlabelled answer may be any of theirs; shown, never as the asked one's.
            return None, False, w.SHARED_UNLABELLED
        return speaker, False, w.GUEST_UNLABELLED
    # Unlabelled words from a recording the speaker is not known to be in are not theirs.
    return None, False, 0.0


def _guests(speakers: Sequence[str], hosts: frozenset[str]) -> int:
    """How many of an episode's people are guests. Where no host of the show is known, the episode's
    list is taken to hold one host (notes write `speakers: [Host, Guest]`)."""
    if any(name in hosts for name in speakers):
        return sum(1 for name in speakers if name not in hosts)
    return max(0, len(speakers) - 1)


def _density(terms: str, tokens: frozenset[str]) -> float:
    """Share of a passage's tokens that are the query's, saturating like bm25's term frequency."""
    words = terms.count(" ") + 1
    hits = sum(f" {terms} ".count(f" {t} ") for t in tokens)
    return min(1.0, w.DENSITY_SATURATION * hits / words)


class _Terms:
    """Membership in a passage's tokens by substring search: cheaper than building a set when a
    question has a handful of tokens and a passage has hundreds."""

    __slots__ = ("_positions", "padded")

    def __init__(self, padded: str) -> None:
        self.padded = padded
        self._positions: dict[str, list[int]] | None = None

    def __contains__(self, token: object) -> bool:
        return f" {token} " in self.padded

    def holds(self, option: tuple[str, ...]) -> bool:
        """Whether the passage holds a spelling: one token anywhere, or a run of them close together.

        A run is one term written in several tokens ("basic income" for ベーシックインカム, the bigrams
        of a Japanese word), so its tokens must stand together, not anywhere in the passage: a passage
        saying "basically" in one sentence and "income" in another is not about basic income. In any
        order, so "research on interpretability" holds "interpretability research".
        """
        if len(option) == 1:
            return f" {option[0]} " in self.padded
        if not all(f" {t} " in self.padded for t in option):
            return False
        positions = self._positions
        if positions is None:
            positions = self._positions = {}
            for index, token in enumerate(self.padded.split()):
                positions.setdefault(token, []).append(index)
        wanted = set(option)
        span = len(wanted) + w.RUN_GAP_TOKENS * (len(wanted) - 1)
        # Some window of `span` tokens holding one occurrence of the rarest token holds all the others.
        rarest = min(wanted, key=lambda t: len(positions.get(t, ())))
        return any(
            all(_occurs(positions[t], start, start + span) for t in wanted)
            for at in positions[rarest]
            for start in range(at - span + 1, at + 1)
        )


def _occurs(positions: list[int], start: int, end: int) -> bool:
    """Whether a sorted list of positions has one in [start, end)."""
    index = bisect_left(positions, start)
    return index < len(positions) and positions[index] < end


def _about(hit: Hit, person: tuple[str, Unit], term_set: _Terms) -> bool:
    """Whether a passage is about the person the topic names: their own words, or naming them in its
    words, its heading or its episode's title ("What Dario Amodei Gets Wrong About AI")."""
    name, spellings = person
    if hit.speaker == name or unit_present(spellings, term_set):
        return True
    title = hit.episode.title if hit.episode is not None else None
    around = " ".join(tokens(f"{hit.heading or ''} {title or ''}"))
    return unit_present(spellings, _Terms(f" {around} "))


def order(item: Ranked) -> tuple[float, float, int]:
    # Near-ties go to the earlier passage: an answer's start reads better than its continuation.
    return (-round(item.score, 2), item.hit.start if item.hit.start is not None else 1e12, item.hit.id)


def score_hits(hits: Iterable[Hit], plan: Plan) -> list[Ranked]:
    """The candidates worth showing, best first."""
    ranked: list[Ranked] = []
    hits = list(hits)
    if not hits:
        return ranked
    best = max(-h.bm25 for h in hits) or 1.0
    # Sampled candidates come without bm25; term frequency over length stands in for it.
    sampled = all(h.bm25 == 0.0 for h in hits)
    # Japanese questions only: see weights.JA_WITHOUT_TELLING_MIN_SHARE.
    unseen = frozenset(u for u, held in plan.doc_freq.items() if held == 0)
    telling = Telling(w.JA_WITHOUT_TELLING_MIN_SHARE, plan.people, unseen) if plan.language == "ja" else None
    # The rules on one word of a longer topic that only English questions get (see weights).
    english_unseen = unseen if plan.language == "en" else frozenset()
    english_people = plan.people if plan.language == "en" else None
    for hit in hits:
        terms = hit.terms
        term_set = _Terms(f" {terms} {hit.context} ")
        if plan.required and not all(unit_present(unit, term_set) for unit in plan.required):
            continue
        if plan.named_person is not None and not _about(hit, plan.named_person, term_set):
            continue  # "Sam Altman's essay" is not answered by a passage on somebody else's essay
        share, phrase = max(
            (coverage(alt, terms, term_set, plan.idf, telling, english_unseen, plan.whole_held, english_people)
             for alt in plan.alternatives),
            key=lambda c: (c[0], c[1]),
        )
        if share == 0:
            continue
        shown, verified, weight = attribution(hit, plan)
        if weight == 0.0:
            continue
        strength = _density(hit.terms, plan.tokens) if sampled else max(0.0, -hit.bm25) / best
        relevance = w.STRENGTH * strength + w.COVERAGE * share + (w.PHRASE_BONUS if phrase else 0.0)
        if gives_kind(plan.answer_kinds, hit.text):
            # "how confident is Dario that …" is answered by the passage that puts a number on it.
            relevance += w.ANSWER_KIND_BONUS
        if hit.kind == "quote":
            weight *= w.QUOTE
        elif hit.start is None:
            weight *= w.UNTIMED_NOTE
        if hit.lang == plan.language:
            weight *= w.SAME_LANGUAGE
        if plan.scope is not None and hit.episode_id not in plan.scope:
            weight *= w.OUT_OF_SCOPE
        if hit.source_format in w.VERBATIM_FORMATS and hit.kind == "quote":
            weight *= w.VERBATIM_SOURCE
        ranked.append(Ranked(hit, relevance * weight, share, shown, verified))
    ranked.sort(key=order)
    return ranked


# Timestamped notes among the best candidates are looked up in their episode's transcript.
RESOLVE_NOTES = 30


def note_moments(ranked: Sequence[Ranked]) -> list[tuple[int, float]]:
    """(episode id, seconds) of the timestamped notes among the best candidates."""
    return [
        (item.hit.episode_id, item.hit.start)
        for item in ranked[:RESOLVE_NOTES]
        if item.hit.kind == "note" and item.hit.episode_id is not None and item.hit.start is not None
    ]


def host_questions(quotes: Mapping[tuple[int, float], Hit], plan: Plan) -> list[tuple[int, float]]:
    """(episode id, seconds) of the resolved moments that are the host's question to the asked guest:
    the answer after each is looked up (`following` of resolve_notes)."""
    return [
        (hit.episode_id, hit.start) for hit in quotes.values()
        if hit.episode_id is not None and hit.start is not None and attribution(hit, plan)[2] == w.HOST_QUESTION
    ]


def resolve_notes(
    ranked: Sequence[Ranked], quotes: Mapping[tuple[int, float], Hit], plan: Plan,
    following: Mapping[tuple[int, float], Hit] | None = None,
) -> list[Ranked]:
    """Swap a timestamped note for the verbatim passage playing at its time (`quotes`, by note_moments).

    Summaries and key points are written the way people ask ("a study found developers were
    slower"), so they match paraphrased questions; the answer is still the speaker's own words at
    that moment, when the store holds the episode's transcript. A note's time often marks the host's
    question that opens the topic; when the guest was asked about, their answer after it (`following`,
    by host_questions) is what the note is about.
    """
    out: list[Ranked] = []
    for index, item in enumerate(ranked):
        hit = item.hit
        if index < RESOLVE_NOTES and hit.kind == "note" and hit.episode_id is not None and hit.start is not None:
            quote = quotes.get((hit.episode_id, hit.start))
            if quote is not None and quote.start is not None and following:
                answer = following.get((hit.episode_id, quote.start))
                if (
                    answer is not None and answer.start is not None
                    and answer.start - hit.start <= w.RESOLVE_MAX_GAP_SECONDS
                    and attribution(answer, plan)[2] > w.HOST_QUESTION
                ):
                    quote = answer
            if quote is not None and hit.start - (quote.start or 0) <= w.RESOLVE_MAX_GAP_SECONDS:
                shown, verified, weight = attribution(quote, plan)
                if weight > 0:
                    out.append(Ranked(quote, item.score * w.RESOLVED_NOTE, item.matched, shown, verified))
                    continue
        out.append(item)
    out.sort(key=order)
    return out


def within_scope(ranked: Sequence[Ranked], plan: Plan) -> list[Ranked]:
    """Only the passages of the episodes in scope: when a show is who speaks, its episodes are the
    answer, not merely preferred, so nobody else's words stand in for the show's."""
    if plan.scope is None:
        return list(ranked)
    return [item for item in ranked if item.hit.episode_id in plan.scope]


def speaker_passages(hits: Iterable[Hit], speaker: str, language: str, topics: Sequence[str]) -> list[Ranked]:
    """A speaker's own labelled passages, best first, for a question that names only them: verbatim
    words before notes, the asker's language first, passages on what they talk about most first."""
    wanted = [t.lower() for t in topics]
    ranked: list[Ranked] = []
    for hit in hits:
        if hit.speaker != speaker:
            continue
        weight = w.ASKED_SPEAKER * (w.QUOTE if hit.kind == "quote" else 1.0)
        if hit.lang == language:
            weight *= w.SAME_LANGUAGE
        if hit.source_format in w.VERBATIM_FORMATS and hit.kind == "quote":
            weight *= w.VERBATIM_SOURCE
        about = any(t in f"{hit.heading or ''} {hit.text}".lower() for t in wanted)
        relevance = w.COVERAGE + (w.PHRASE_BONUS if about else 0.0)
        ranked.append(Ranked(hit, relevance * weight, 1.0, speaker, hit.speaker_verified))
    ranked.sort(key=order)
    return ranked
