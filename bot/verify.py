"""Did they really say that? A quote checked against the stored passages.

Candidates come from the FTS5 index (the quote's words, and the asked speaker's own passages
separately so a busy store cannot crowd them out); `bot.wording.compare` scores each one and names
what differs. The verdict is about the words *and* who said them:

- verbatim: a passage holds the words (fillers, punctuation, numbers and spellings forgiven);
- other_speaker: the words are there, but labelled as someone else's (the host asking, say);
- close: no passage holds them, the nearest ones say nearly that (what differs is shown);
- not_found: nothing near, said with what the store covers for that speaker.

Attribution is as honest as in answers: a passage counts as the asked speaker's only where the
transcript labels it so; an unlabelled passage that holds the words is shown as nobody's.
A Japanese quote against English transcripts is matched through the translation tables, and such a
match is never verbatim: the wording of a translation cannot be checked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from bot import i18n
from bot.citations import MAX_CITATION_CHARS, redact_answer, to_citation
from bot.models import Coverage, QuoteDifference, Verdict, Verification, VerifiedCitation
from bot.pipeline import Knowledge
from bot.plan import unit_idf
from bot.quote_question import quote_in_message
from bot.scoring import Ranked, unit_present
from bot.store import Hit, Store
from bot.store.fts import Unit, quote
from bot.text import cut_at_sentence, detect_language, is_cjk, split_sentences, strip_quotes, tokens
from bot.topics import topic_units
from bot.weights import RESOLVE_MAX_GAP_SECONDS, VERBATIM_FORMATS
from bot.wording import Coverage as Held
from bot.wording import Match, compare, content_terms, coverage, normalise

log = logging.getLogger(__name__)

# A quote is a sentence or a paragraph; past this it is a pasted article, and only its start is checked.
MAX_QUOTE_CHARS: Final = 1000
# Below this score a passage shares words with the quote but does not say the same thing: the
# paraphrases in the tests score 0.7-0.85, unrelated sentences on the same topic under 0.5.
CLOSE_MIN: Final = 0.6
# The second, order-free way to be close (a reordered paraphrase: "the 100-person team beats the
# 1,000-person one" for "the team of 100 is going to beat the team of 1,000"): the passage holds at
# least COVERAGE_MIN of the quote's telling content (IDF-weighted, numbers included, see
# bot.wording.coverage) within a sentence or two, and its aligned score still reaches ALIGNED_FLOOR.
# Tuned on bench/eval/verify.py (seed 7): reordered paraphrases with two synonyms cover 0.6-1.0, most
# above 0.72; invented sentences on the store's topics stay far under; words of two passages spliced
# cover 0.3-0.8, and MAX_GAP, not this, is what keeps most of the high ones from being close.
COVERAGE_MIN: Final = 0.72
# Under this aligned score the passage shares the quote's words but not its statement, however many.
ALIGNED_FLOOR: Final = 0.35
# A quote with fewer distinct content terms than this cannot be judged by coverage: two words of
# three found is topic, not wording.
COVERAGE_MIN_TERMS: Final = 4
# A run of this many consecutive content words of the quote missing from the passage's stretch is a
# clause the passage does not hold (two passages spliced, a claim added): never close, however well
# the rest aligns. Two is a retelling's pair of synonyms side by side.
MAX_GAP: Final = 3
# The order-free signal is worked out for this many of the best-aligned candidates: past them a
# passage's aligned score is far under the best, and each costs a pass over a whole passage.
COVERAGE_TRIED: Final = 24
# A quote that aligns closely but whose telling content the passage holds less of than this is a real
# passage with words of another spliced on (the alignment finds the real half, MAX_GAP misses the other
# half when it shares a word or two): not close. bench/eval/verify.py, chosen on seed 7; on seeds 11, 13
# and 17, not looked at while choosing, English right 253 -> 260, 264 -> 265, 257 -> 264 (spliced +8, +2,
# +6; paraphrases -1, -1, 0), Japanese unchanged.
SPLICE_MIN: Final = 0.7
# A translated match needs this share of the quote's translatable words in one passage; fewer is a
# passage on the same topic, not the same statement.
TRANSLATED_MIN: Final = 0.6
# A translated match needs at least this many translatable words: one shared word says nothing.
TRANSLATED_MIN_WORDS: Final = 3
# Citations shown for a verdict.
SHOWN: Final = 3
# Candidates read from the index for the quote's words, and again for the asked speaker's own passages.
CANDIDATES: Final = 80
# The quote's rarest words are searched; a long quote's every word would match half the store.
SEARCH_TERMS: Final = 24
# A candidate whose match reaches its end is tried joined with the next segment (a quote running across
# two): the best JOIN_TRIED of them, from JOIN_MIN up (a quote twice the passage's length still holding
# all of it scores about 0.6; half of it, 0.35).
JOIN_TRIED: Final = 20
JOIN_MIN: Final = 0.3
# A note's quotation gives way to the transcript at its time when the transcript matches the quote
# nearly as well (a note rounds and tidies what was said).
NOTE_SLACK: Final = 0.05
# Episodes named in a not-found answer's coverage sentence.
COVERAGE_EPISODES: Final = 5


@dataclass(frozen=True, slots=True)
class _Scored:
    hit: Hit
    match: Match
    # The passage compared (a hit, or a hit and the segment after it: a quote may run across two).
    text: str
    # Matched in another language (a note's translation, the translation tables): never verbatim.
    translated: bool = False
    # The order-free signal, for a candidate that is not verbatim (None when not computed).
    covered: Held | None = None


# "Amodei said (that) …", "according to Dario, …", "アモデイによると、…": who is said to have said it,
# written before the words. The name goes to the speaker slot when the store knows it.
_SAID_PREFIX: Final = (
    re.compile(
        r"^(?P<spk>[^\W\d][\w.'’\- ]{0,58}?)\s+(?:(?:really|actually|once|has|had|supposedly)\s+)*"
        r"(?:said|says|say|claimed|claims|stated|states|argued|argues|told\s+\w+|thinks|believes|wrote)"
        r"\s*(?:that\b)?\s*[:,]?\s*(?P<rest>.+)$",
        re.I,
    ),
    re.compile(r"^(?:according to|per)\s+(?P<spk>[^,:]{1,60})\s*[,:]\s*(?P<rest>.+)$", re.I),
    re.compile(r"^(?P<spk>[^、,「」]{1,20}?)(?:によると|によれば|いわく|曰く)[、,]?\s*(?P<rest>.+)$"),
)


def said_prefix(text: str, knowledge: Knowledge) -> tuple[str, str] | None:
    """(speaker as the store names them, the quote) for a quote that starts by naming a known speaker."""
    for pattern in _SAID_PREFIX:
        found = pattern.match(text.strip())
        if found is None:
            continue
        name = found.group("spk").strip(" ,")
        speaker = _resolve(knowledge, name) or _by_name_part(knowledge, name)
        rest = found.group("rest").strip()
        if speaker is not None and normalise(rest):
            return speaker, rest
    return None


def _by_name_part(knowledge: Knowledge, name: str) -> str | None:
    """The one known speaker with `name` as a part of their name ("Mohan" for "Varun Mohan")."""
    wanted = name.casefold()
    found = [n for n in knowledge.speaker_ids if wanted in (part.casefold() for part in n.split())]
    return found[0] if len(found) == 1 else None


def clean_quote(text: str) -> str:
    """The quote without its quotation marks and extra whitespace, cut to MAX_QUOTE_CHARS."""
    return strip_quotes(" ".join(text.split()))[:MAX_QUOTE_CHARS]


async def verify(
    text: str, knowledge: Knowledge, store: Store, *, speaker: str | None = None, lang: str | None = None,
    ready: bool = True, from_message: bool = False,
) -> Verification:
    if from_message:
        # A whole chat message ("Amodei said “…”", "did Dario say '…'?"): its quoted words, its speaker.
        put = quote_in_message(text)
        text, speaker = put.quote, speaker or put.speaker
    found = await _verify(text, knowledge, store, speaker=speaker, lang=lang, ready=ready)
    log.info("quote_verified", extra={
        "verdict": found.verdict, "speaker": found.speaker, "translated": found.translated,
        "citations": len(found.citations),
    })
    return redact_answer(found, knowledge.secrets)


async def _verify(
    text: str, knowledge: Knowledge, store: Store, *, speaker: str | None, lang: str | None, ready: bool
) -> Verification:
    said = clean_quote(text)
    prefixed = said_prefix(said, knowledge)
    if prefixed is not None and (speaker is None or _resolve(knowledge, speaker) == prefixed[0]):
        speaker, said = prefixed[0], clean_quote(prefixed[1])
    language = i18n.normalize_lang(lang) if lang else ("ja" if detect_language(said) in ("ja", "zh") else "en")
    asked = _resolve(knowledge, speaker) if speaker else None
    unknown = speaker.strip()[:80] if speaker and asked is None else None
    base = Verification(verdict="not_found", quote=said, speaker=asked, language=language, unknown_speaker=unknown)
    if not normalise(said):
        return base.model_copy(update={"message": i18n.t("verify_empty", language)})
    if not ready:
        return base.model_copy(update={"message": i18n.t("warming_up", language)})
    scored = await _scored(said, knowledge, store, asked)
    verdict, chosen, attributed = _judge(scored, asked, unknown)
    if is_cjk(said) and (verdict == "not_found" or (verdict == "close" and not chosen[0].translated)):
        glossary = await _translated(said, knowledge, store, asked)
        if glossary and (verdict == "not_found" or glossary[0].match.score >= chosen[0].match.score):
            verdict, chosen, attributed = _judge(glossary, asked, unknown)
    if verdict == "not_found":
        return await _not_found(base, knowledge, store, asked or unknown)
    citations = [_citation(item) for item in chosen[:SHOWN]]
    return base.model_copy(update={
        "verdict": verdict, "citations": citations, "attributed": attributed, "translated": chosen[0].translated,
    })


def _resolve(knowledge: Knowledge, speaker: str) -> str | None:
    """The speaker as the store names them: "Amodei", "Dario's", "アモデイ" or the full name."""
    found = knowledge.speakers.resolve(speaker)
    if found is None:
        within = knowledge.speakers.find(speaker)
        # "Dario Amodei himself" names him; "the guy Dario hired" does not.
        if within is not None and len(speaker.strip()) - (within[2] - within[1]) <= 3:
            found = within[0]
    return found


def _search_terms(said: str) -> list[str]:
    terms = list(dict.fromkeys(tokens(said, drop_stopwords=True))) or list(dict.fromkeys(tokens(said)))
    # Longer tokens are rarer; a quote's telling words are its long ones.
    return sorted(terms, key=len, reverse=True)[:SEARCH_TERMS]


async def _scored(said: str, knowledge: Knowledge, store: Store, asked: str | None) -> list[_Scored]:
    terms = _search_terms(said)
    if not terms:
        return []
    expression = " OR ".join(quote(t) for t in terms)
    found = dict(await store.search(expression, limit=CANDIDATES))
    speaker_id = knowledge.speaker_ids.get(asked) if asked else None
    if speaker_id is not None:
        # Their own passages, however many other passages share the quote's words.
        for seg_id, bm25 in await store.search(expression, limit=CANDIDATES, speaker_ids=[speaker_id]):
            found.setdefault(seg_id, bm25)
    # A note's summary is someone's account of what was said, never the words themselves.
    hits = [hit for hit in await store.hits(sorted(found.items(), key=lambda kv: kv[1])) if hit.kind == "quote"]
    scored = [_Scored(hit, compare(said, hit.text), hit.text) for hit in hits]
    # A quote that runs past a passage's end may go on in the next segment of the same transcript.
    running_over = [s for s in sorted(scored, key=_order)[:JOIN_TRIED] if not s.match.verbatim
                    and s.match.score >= JOIN_MIN and s.match.span[1] >= len(s.text.rstrip()) - 2]
    following = await store.following([s.hit.id for s in running_over]) if running_over else {}
    for item in running_over:
        after = following.get(item.hit.id)
        if after is None or after.kind != "quote" or after.speaker != item.hit.speaker:
            continue
        joined = f"{item.text} {after.text}"
        match = compare(said, joined)
        if match.score > item.match.score:
            scored.append(_Scored(item.hit, match, joined))
    # Before the notes give way to transcripts (a note in another language is carried over as a
    # translation, with its own signals), and again for the transcripts that took their place.
    scored = await _with_coverage(said, scored, knowledge, store)
    scored = await _resolve_notes(said, scored, store)
    scored = await _with_coverage(said, scored, knowledge, store)
    scored.sort(key=_order)
    return scored


async def _with_coverage(said: str, scored: list[_Scored], knowledge: Knowledge, store: Store) -> list[_Scored]:
    """The order-free signal for every candidate it could make close."""
    maybe = sorted((s for s in scored if s.covered is None and not s.match.verbatim and not s.translated
                    and s.match.score >= ALIGNED_FLOOR), key=_order)[:COVERAGE_TRIED]
    terms = content_terms(said)
    if not maybe or not terms:
        return scored
    # Only terms some passage holds: a word no passage holds says nothing about which passage the
    # quote is from, so a retelling's synonym ("folks" for "people") weighs as an average word.
    weights = await _idf(terms, knowledge, store)
    average = sum(weights.values()) / len(weights) if weights else 1.0

    def weight(term: str) -> float:
        return weights.get(term, average)

    done = {id(s): _Scored(s.hit, s.match, s.text, s.translated, coverage(said, s.text, weight)) for s in maybe}
    return [done.get(id(s), s) for s in scored]


async def _idf(terms: Sequence[str], knowledge: Knowledge, store: Store) -> Mapping[str, float]:
    total = knowledge.segments or await store.segment_count()
    freq = await store.doc_freqs(terms)
    return {t: unit_idf(n, max(total, 1)) for t, n in freq.items() if n > 0}


def _is_close(item: _Scored) -> bool:
    """Nearly the quote: aligned closely, or holding its telling content in another order; never when
    a difference reverses it (another number, a negation)."""
    covered = item.covered
    if item.match.contradicts or (covered is not None and (covered.contradicts or covered.gap >= MAX_GAP)):
        return False
    if item.translated:
        return item.match.score >= CLOSE_MIN
    if item.match.verbatim:
        return False
    if item.match.score >= CLOSE_MIN:
        return covered is None or covered.terms < COVERAGE_MIN_TERMS or covered.share >= SPLICE_MIN
    return (
        covered is not None and covered.terms >= COVERAGE_MIN_TERMS and covered.share >= COVERAGE_MIN
        and item.match.score >= ALIGNED_FLOOR
    )


async def _resolve_notes(said: str, scored: list[_Scored], store: Store) -> list[_Scored]:
    """A note's quotation stands for the transcript playing at its time, where the store has one: the
    recording is what was said. A note in another language than that transcript is a translation, so
    a quote matching it matches the transcript's passage only as translated."""
    notes = [s for s in scored if s.hit.source_format not in VERBATIM_FORMATS and s.match.score >= CLOSE_MIN
             and s.hit.episode_id is not None and s.hit.start is not None]
    if not notes:
        return scored
    moments = {s.hit.id: (s.hit.episode_id, s.hit.start) for s in notes if s.hit.episode_id is not None
               and s.hit.start is not None}
    playing = await store.quotes_at(list(moments.values()))
    known = {s.hit.id: s for s in scored}
    resolved: dict[int, _Scored | None] = {}
    for item in notes:
        transcript = playing.get(moments[item.hit.id])
        if (transcript is None or transcript.source_format not in VERBATIM_FORMATS
                or item.hit.start is None or item.hit.start - (transcript.start or 0) > RESOLVE_MAX_GAP_SECONDS):
            continue
        if transcript.lang == item.hit.lang:
            # Same language: the transcript's own wording decides where it holds the words about as well;
            # where it does not (a note quoting words the transcript's passage at that time lacks), the
            # note stays, shown as a note's.
            own = known.get(transcript.id) or _Scored(transcript, compare(said, transcript.text), transcript.text)
            if own.match.score >= item.match.score - NOTE_SLACK:
                resolved[item.hit.id] = None if transcript.id in known else own
        else:
            span = (0, len(transcript.text))
            resolved[item.hit.id] = _Scored(
                transcript, Match(item.match.score, False, (), span, item.match.contradicts), transcript.text,
                translated=True, covered=item.covered,
            )
    out = [s for s in scored if s.hit.id not in resolved]
    out += [s for s in resolved.values() if s is not None]
    return out


def _order(item: _Scored) -> tuple[bool, float, bool, int]:
    # Verbatim first, then the closest; a transcript before a note's quotation of the same words.
    return (not item.match.verbatim, -item.match.score, item.hit.source_format not in VERBATIM_FORMATS, item.hit.id)


def _judge(
    scored: Sequence[_Scored], asked: str | None, unknown: str | None
) -> tuple[Verdict, list[_Scored], bool]:
    """(verdict, the passages that show it, whether the verbatim passage is labelled as the asked speaker's)."""
    verbatim = _one_per_passage([s for s in scored if s.match.verbatim and not s.translated])
    close = _one_per_passage([s for s in sorted(scored, key=_order) if _is_close(s)])
    wanted = asked is not None or unknown is not None
    if not wanted:
        if verbatim:
            return "verbatim", verbatim, all(s.hit.speaker is not None for s in verbatim[:1])
        return ("close", close, False) if close else ("not_found", [], False)
    own = [s for s in verbatim if asked is not None and s.hit.speaker == asked]
    if own:
        return "verbatim", own, True
    others = [s for s in verbatim if s.hit.speaker is not None]
    unlabelled = [s for s in verbatim if s.hit.speaker is None]
    if unlabelled:
        # The words are there, but the transcript does not say whose: shown as nobody's, never as theirs.
        return "verbatim", unlabelled + others, False
    if others:
        return "other_speaker", others, False
    if close:
        # Their own close passages first: "nearly that, and it was them" is the likelier reading.
        close.sort(key=lambda s: (asked is None or s.hit.speaker != asked, -s.match.score))
        return "close", close, False
    return "not_found", [], False


def _one_per_passage(items: Sequence[_Scored]) -> list[_Scored]:
    """One entry per stored passage and per moment: a note's quotation and the transcript of the same
    second, or a passage and its translation, are one place the words were said."""
    seen: set[tuple[object, ...]] = set()
    out: list[_Scored] = []
    for item in items:
        hit = item.hit
        keys: set[tuple[object, ...]] = {("id", hit.id)}
        if hit.passage_key:
            keys.add(("passage", hit.passage_key))
        if hit.episode_id is not None and hit.start is not None:
            keys.add(("moment", hit.episode_id, int(hit.start)))
        if keys & seen:
            continue
        seen |= keys
        out.append(item)
    return out


async def _translated(said: str, knowledge: Knowledge, store: Store, asked: str | None) -> list[_Scored]:
    """Passages in another language holding most of the quote's words as the translation tables render them."""
    units = [u for u in topic_units(said, knowledge.aliases) if any(not is_cjk("".join(o)) for o in u)]
    if len(units) < TRANSLATED_MIN_WORDS:
        return []
    foreign = [tuple(o for o in unit if not is_cjk("".join(o))) for unit in units]
    terms = dict.fromkeys(t for unit in foreign for option in unit for t in option)
    expression = " OR ".join(quote(t) for t in terms)
    found = await store.search(expression, limit=CANDIDATES)
    speaker_id = knowledge.speaker_ids.get(asked) if asked else None
    if speaker_id is not None:
        found += await store.search(expression, limit=CANDIDATES, speaker_ids=[speaker_id])
    hits = [h for h in await store.hits(list(dict(found).items())) if h.kind == "quote" and not is_cjk(h.text)]
    numbers = {w for w in normalise(said) if w.isdigit()}
    scored = []
    for hit in hits:
        if numbers - set(normalise(hit.text)):
            # A number survives translation: a passage without the quote's 500 does not say it.
            continue
        share = _share(foreign, hit.terms)
        if share >= TRANSLATED_MIN:
            match = Match(round(share, 4), False, (), (0, len(hit.text)))
            scored.append(_Scored(hit, match, hit.text, translated=True))
    return sorted(scored, key=_order)


def _share(units: Sequence[Unit], terms: str) -> float:
    present = frozenset(terms.split())
    return sum(1 for unit in units if unit_present(unit, present)) / len(units)


def _excerpt(text: str, span: tuple[int, int], limit: int = MAX_CITATION_CHARS) -> str:
    """The sentences of `text` that hold the matched span, with ellipses where the passage goes on."""
    if len(text) <= limit:
        return text
    start, end = span
    pieces: list[tuple[int, int]] = []
    at = 0
    for sentence in split_sentences(text):
        begin = text.find(sentence, at)
        if begin < 0:
            continue
        at = begin + len(sentence)
        if at > start and begin < end:
            pieces.append((begin, at))
    if not pieces:
        return cut_at_sentence(text, limit)
    first, last = pieces[0][0], pieces[-1][1]
    body = cut_at_sentence(text[first:last], limit)
    return ("… " if first > 0 else "") + body + (" …" if last < len(text.rstrip()) and not body.endswith("…") else "")


def _citation(item: _Scored) -> VerifiedCitation:
    """The answer's citation of the passage (who, episode, time, link: `bot.citations`), with the words
    around the match, and how closely it matches."""
    hit = item.hit
    cited = to_citation(Ranked(hit, item.match.score, item.match.score, hit.speaker, hit.speaker_verified), set())
    translated = item.translated
    episode = hit.episode
    return VerifiedCitation(**{
        **cited.model_dump(),
        "text": cut_at_sentence(item.text, MAX_CITATION_CHARS) if translated else _excerpt(item.text, item.match.span),
        "speaker_verified": hit.speaker is not None and hit.speaker_verified,
        # A note's quotation is someone's record of the words; only a transcript's are the recording's.
        "kind": "quote" if hit.source_format in VERBATIM_FORMATS else "note",
        "score": item.match.score,
        "match": item.match.score,
        "verbatim": item.match.verbatim and not translated,
        "differences": _differences(item),
        "translated": translated,
        "people": list(episode.speakers) if episode is not None and hit.speaker is None else [],
    })


def _differences(item: _Scored) -> list[QuoteDifference]:
    """What differs: the aligned word diff, or for a quote close only in another order (whose word diff
    is noise), the quote's telling words the passage lacks."""
    covered = item.covered
    if covered is not None and not item.translated and not item.match.verbatim and item.match.score < CLOSE_MIN:
        return [QuoteDifference(quoted=word, stored="") for word in dict.fromkeys(covered.missing)]
    return [QuoteDifference(quoted=d.quoted, stored=d.stored) for d in item.match.differences]


async def _not_found(base: Verification, knowledge: Knowledge, store: Store, speaker: str | None) -> Verification:
    """Said plainly, with what the store covers for that speaker (or for everyone)."""
    language = base.language
    speaker_id = knowledge.speaker_ids.get(speaker) if speaker else None
    if speaker and speaker_id is None:
        covered = Coverage(speaker=speaker, passages=0)
        text = i18n.t("verify_coverage_none", language, speaker=speaker)
    else:
        passages, episodes = await store.speaker_coverage(speaker_id)
        titles = [e.display_title() for e in episodes if e.is_recording]
        covered = Coverage(speaker=speaker, passages=passages, episodes=titles)
        names = i18n.join_list(titles[:COVERAGE_EPISODES], language)
        if len(titles) > COVERAGE_EPISODES:
            names += i18n.t("verify_coverage_more", language, count=len(titles) - COVERAGE_EPISODES)
        key = "verify_coverage_speaker" if speaker else "verify_coverage_all"
        count = i18n.t("verify_episodes_one" if len(titles) == 1 else "verify_episodes_many", language,
                       count=len(titles))
        text = i18n.t(key, language, speaker=speaker, passages=passages, count=count, episodes=names or "—")
    return base.model_copy(update={"coverage": text, "covered": covered})
