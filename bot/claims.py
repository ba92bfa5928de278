"""Note quotations checked against the transcript: does the recording hold the words a note quotes?

A note (often written by a summarising tool) puts words in quotation marks under a speaker and a
time: `**Dario Amodei (01:38:37):** “…”`. When the store holds a verbatim record of that episode
(a transcript, captions, a quote collection), each such quotation is compared with the speaker's
passages near that time (`bot.wording.compare`), inside the ingest transaction once every source of
the run is written, and the verdict is stored:

- matches: the transcript holds those words (up to fillers, punctuation and spelling);
- differs: it does not; the passage it was checked against is kept, to show beside the note;
- translation: the note quotes in another language than the transcript, so its wording cannot be
  checked; the passage it translates is found through the translation tables and kept;
- unchecked: no verbatim record of the episode, or none of that moment.

Answers then label a note's quotation with its verdict, and the transcript's own words come first
where a note and the transcript hold the same moment (`transcript_first`).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from bot import weights as w
from bot.citations import excerpt
from bot.models import Citation
from bot.scoring import Ranked, order
from bot.store.checks import (
    VERBATIM_SOURCES,
    CheckRow,
    Passage,
    Quotation,
    checks_for,
    episodes_with_quotations,
    has_verbatim,
    passages_near,
    quotations,
    replace_checks,
)
from bot.store.reads import Reads
from bot.text import format_timestamp, is_cjk, tokens
from bot.topics import AliasTable
from bot.wording import Match, compare

log = logging.getLogger(__name__)

# A note's time is when the speaker's turn starts, written by hand or by a summarising tool, and a
# turn in a long-form interview runs one to three minutes: the words a note quotes at 01:38:37 may sit
# in a passage the transcript starts a minute later or (a long answer) earlier. 90 s each side covers
# one long answer around the note's time without reaching the topic after next; the passage playing
# at the note's time is checked too when it started up to RESOLVE_MAX_GAP_SECONDS (3 minutes) before.
CHECK_WINDOW_SECONDS: Final = 90.0
# Of the transcript passages a translated quotation may stand for, the one holding most of the
# translation table's renderings of its words; below this share, the passage playing at its time.
TRANSLATION_MIN_SHARE: Final = 0.2


class Verdict(StrEnum):
    MATCHES = "matches"
    DIFFERS = "differs"
    TRANSLATION = "translation"
    UNCHECKED = "unchecked"


@dataclass(frozen=True)
class CheckTotals:
    """Verdicts in the store after a run (every note quotation, not only this run's)."""

    checked: int = 0
    contradicted: int = 0
    translated: int = 0
    unchecked: int = 0


def _language(lang: str) -> str:
    return lang.replace("_", "-").split("-", 1)[0].lower()


def _comparable(quote: Quotation, passage: Passage) -> bool:
    """Wording can be compared only in one language: a Japanese quotation of an English answer is a translation."""
    return _language(quote.lang) == _language(passage.lang)


# Word-by-word alignment costs about a millisecond per passage aligned against (2,000 quotations took
# 23 s aligned against each likely passage alone and with either neighbour): the passage that shares
# most index words with the quotation is aligned once, together with its neighbour either side, so a
# quotation across a passage boundary is found too.
NEIGHBOURS: Final = 1
# Below this score the alignment of a contradicted quotation lands on chance words ("the", "team"): the
# passage said at the note's time is then the one to show against it.
WEAK_ALIGNMENT: Final = 0.5


def _likeliest(text: str, at: float, passages: Sequence[Passage]) -> int:
    """The index of the passage sharing most index words with `text` (the nearest `at` among equals)."""
    wanted = set(tokens(text))
    shared = [(len(wanted & set(p.terms.split())), -abs(p.start - at), -index) for index, p in enumerate(passages)]
    return -max(shared)[2]


def best_match(text: str, passages: Sequence[Passage], at: float = 0.0) -> tuple[Passage, Match]:
    """The passage that holds `text` best, with the alignment: found among the likeliest passage and its
    neighbours, the one shown being where the aligned words start."""
    index = _likeliest(text, at, passages)
    chosen = passages[max(0, index - NEIGHBOURS) : index + NEIGHBOURS + 1]
    starts, joined = [], ""
    for passage in chosen:
        starts.append(len(joined) + (1 if joined else 0))
        joined = f"{joined} {passage.text}" if joined else passage.text
    found = compare(text, joined)
    if not found.verbatim and found.score < WEAK_ALIGNMENT:
        return _playing(passages, at), found
    shown = max((i for i, start in enumerate(starts) if start <= found.span[0]), default=0)
    return chosen[shown], found


def _playing(passages: Sequence[Passage], at: float) -> Passage:
    """The passage being said at `at`: the last to start by then (give or take a note's rounding)."""
    return max((p for p in passages if p.start <= at + 2), key=lambda p: p.start, default=passages[0])


Renderings = Sequence[tuple[str, frozenset[str]]]


def renderings(aliases: AliasTable) -> Renderings:
    """Each CJK term of the translation tables with the index tokens of its non-CJK renderings."""
    out = []
    for term, others in aliases.pairs.items():
        if len(term) >= 2 and is_cjk(term):
            found = frozenset(t for other in others if not is_cjk(other) for t in tokens(other))
            if found:
                out.append((term, found))
    return out


def translated_passage(quote: Quotation, passages: Sequence[Passage], tables: Renderings) -> tuple[Passage, float]:
    """The passage a quotation in another language stands for, and the share of its translated terms
    the passage holds: through the translation tables only, never as a wording match."""
    wanted = {t for term, found in tables if term in quote.text for t in found}
    playing = _playing(passages, quote.start)
    if not wanted:
        return playing, 0.0
    scored = [(len(wanted & set(p.terms.split())) / len(wanted), -abs(p.start - quote.start), p) for p in passages]
    share, _, passage = max(scored, key=lambda s: (s[0], s[1]))
    return (passage, share) if share >= TRANSLATION_MIN_SHARE else (playing, share)


def check_quotation(quote: Quotation, passages: Sequence[Passage], tables: Renderings) -> CheckRow:
    """The verdict on one note quotation, given the episode's verbatim passages near its time."""
    # The note's speaker's passages, and unlabelled ones (a transcript without speaker labels);
    # never another labelled speaker's words.
    own = [p for p in passages if p.speaker_id in (quote.speaker_id, None)]
    if not own:
        return CheckRow(quote.id, quote.episode_id, Verdict.UNCHECKED, None, None)
    same = [p for p in own if _comparable(quote, p)]
    if same:
        passage, found = best_match(quote.text, same, quote.start)
        verdict = Verdict.MATCHES if found.verbatim else Verdict.DIFFERS
        return CheckRow(quote.id, quote.episode_id, verdict, found.score, passage.id)
    passage, share = translated_passage(quote, own, tables)
    return CheckRow(quote.id, quote.episode_id, Verdict.TRANSLATION, round(share, 4), passage.id)


def recheck(conn: sqlite3.Connection, episode_ids: Iterable[int] | None, aliases: AliasTable) -> CheckTotals:
    """Check the note quotations of these episodes (every episode with one, for None) and store the
    verdicts; on the writer's thread, inside the ingest transaction. Returns the store's totals."""
    episodes = episodes_with_quotations(conn) if episode_ids is None else set(episode_ids)
    rows: list[CheckRow] = []
    tables: Renderings | None = None
    for episode in sorted(episodes):
        found = quotations(conn, episode)
        if not found:
            continue
        verbatim = has_verbatim(conn, episode)
        for quote in found:
            if not verbatim:
                rows.append(CheckRow(quote.id, episode, Verdict.UNCHECKED, None, None))
                continue
            if tables is None:
                tables = renderings(aliases)
            near = passages_near(conn, episode, quote.start, CHECK_WINDOW_SECONDS, w.RESOLVE_MAX_GAP_SECONDS)
            rows.append(check_quotation(quote, near, tables))
    replace_checks(conn, episodes, rows)
    counts = dict(conn.execute("SELECT verdict, COUNT(*) FROM note_checks GROUP BY verdict").fetchall())
    totals = CheckTotals(
        checked=int(counts.get(Verdict.MATCHES, 0)) + int(counts.get(Verdict.DIFFERS, 0)),
        contradicted=int(counts.get(Verdict.DIFFERS, 0)), translated=int(counts.get(Verdict.TRANSLATION, 0)),
        unchecked=int(counts.get(Verdict.UNCHECKED, 0)),
    )
    log.info("note_quotations_checked", extra={"episodes": len(episodes), "rechecked": len(rows),
                                               "checked": totals.checked, "contradicted": totals.contradicted})
    return totals


def is_note_quotation(item: Ranked) -> bool:
    return item.hit.source_format == "note" and item.hit.kind == "quote"


def _is_transcript(item: Ranked) -> bool:
    return item.hit.source_format in VERBATIM_SOURCES and item.hit.kind == "quote"


async def stored_verdicts(store: Reads, items: Sequence[Ranked]) -> dict[int, str]:
    """The stored verdict of each note quotation among `items` that has one."""
    return {key: check.verdict for key, check in (await checks_for(store, checked_ids(items))).items()}


# Verdicts under which a note's quotation is the transcript's passage itself (its words, or a
# translation of them) and gives way to it; a quotation the transcript contradicts is a claim of its own.
_SAME_WORDS: Final = frozenset({Verdict.MATCHES.value, Verdict.TRANSLATION.value})


def transcript_first(ranked: Sequence[Ranked], verdicts: Mapping[int, str]) -> list[Ranked]:
    """Where a note quotes a moment the transcript holds too, the transcript's passage ranks first, so
    de-duplication keeps its words for that passage and the note's rendering gives way (the asker's
    language may still swap in a note's translation, labelled as one).

    A note quotation is the same moment as a transcript passage of the same speaker that shares its
    passage key or starts within `DUPLICATE_WINDOW_SECONDS` of it (as `bot.dedupe` groups them), and
    its check found the transcript's words there (`verdicts`: matches, or a translation).
    """
    transcripts: dict[tuple[int, str | None], list[Ranked]] = {}
    keys: dict[str, Ranked] = {}
    for item in ranked:
        if _is_transcript(item) and item.hit.episode_id is not None:
            transcripts.setdefault((item.hit.episode_id, item.attributed_to), []).append(item)
            if item.hit.passage_key:
                keys.setdefault(item.hit.passage_key, item)
    if not transcripts:
        return list(ranked)
    out: list[Ranked] = []
    for item in ranked:
        hit = item.hit
        if is_note_quotation(item) and hit.episode_id is not None and verdicts.get(hit.id) in _SAME_WORDS:
            same = keys.get(hit.passage_key or "")
            if same is None and hit.start is not None:
                same = next((t for t in transcripts.get((hit.episode_id, item.attributed_to), ())
                             if t.hit.start is not None and abs(t.hit.start - hit.start) <= w.DUPLICATE_WINDOW_SECONDS),
                            None)
            if same is not None and item.score >= same.score:
                # Below the transcript after rounding too (`order` compares scores to two decimals).
                item = replace(item, score=same.score - 0.011)
        out.append(item)
    out.sort(key=order)
    return out


def checked_ids(items: Sequence[Ranked]) -> list[int]:
    """The segment ids of the note quotations among `items`, whose verdicts the answer shows."""
    return [item.hit.id for item in items if is_note_quotation(item)]


def verdicts(items: Sequence[Ranked], stored: Mapping[int, str]) -> list[str | None]:
    """Each item's verdict: its stored one, unchecked for a note quotation without one, None for the rest."""
    return [
        (stored.get(item.hit.id) or Verdict.UNCHECKED.value) if is_note_quotation(item) else None for item in items
    ]


# The transcript's words shown under a note's: enough to read what was said, short enough for chat.
TRANSCRIPT_LINE_CHARS: Final = 400


async def attach_checks(store: Reads, items: Sequence[Ranked], citations: Sequence[Citation]) -> list[Citation]:
    """Each note quotation's citation with its stored verdict and the transcript's words it was checked
    against (for a difference or a translation); other citations as they are."""
    stored = await checks_for(store, checked_ids(items))
    out: list[Citation] = []
    for item, citation in zip(items, citations, strict=True):
        if not is_note_quotation(item):
            out.append(citation)
            continue
        check = stored.get(item.hit.id)
        verdict = Verdict(check.verdict) if check is not None else Verdict.UNCHECKED
        update: dict[str, object] = {"note_check": verdict.value}
        if check is not None and check.transcript_text and verdict in (Verdict.DIFFERS, Verdict.TRANSLATION):
            words = excerpt(check.transcript_text, frozenset(tokens(item.hit.text)), drop_leading_questions=False,
                            limit=TRANSCRIPT_LINE_CHARS)
            update |= {"transcript_text": words, "transcript_timestamp": format_timestamp(check.transcript_start)}
        out.append(citation.model_copy(update=update))
    return out
