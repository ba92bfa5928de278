"""Labelled questions, hit judgement and the scores of one evaluation run.

Pure Python with no dependency on the core, so the scoring rules can be unit-tested on their own and
cannot drift with the code they measure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml

# A citation counts when it starts within this many seconds of the labelled range: the core is allowed to
# start a deep link a few seconds early, and transcripts of the same talk disagree by a few seconds.
TOLERANCE_SECONDS: Final = 20

# The bot shows three citations, so hit@3 and MRR are measured over the top 3 (MRR@3): a passage ranked
# 4th is never seen by the asker and earns nothing.
CUTOFF: Final = 3

LANGUAGES: Final = ("en", "ja")

# Episodes known under more than one identity. The quotes file and the notes cite the lexfridman.com
# transcript page of Lex Fridman Podcast #452, which is the same recording as YouTube video ugvHCXCOmm4;
# a citation that only knows the transcript URL still points at the right episode.
EPISODE_ALIASES: Final[Mapping[str, tuple[str, ...]]] = {
    "ugvHCXCOmm4": ("lexfridman.com/dario-amodei-transcript",),
}

_VIDEO_ID_IN_URL: Final = re.compile(r"(?:[?&]v=|youtu\.be/|/embed/|/shorts/)([A-Za-z0-9_-]{11})")


class QuestionFileError(ValueError):
    """The question file is malformed; the message names the entry."""


@dataclass(frozen=True)
class Expectation:
    """Where the answer is: an episode and the range of paragraph start times that answer."""

    episode: str
    start: int
    end: int
    speaker: str | None = None


@dataclass(frozen=True)
class Question:
    id: str
    lang: str
    question: str
    expects: tuple[Expectation, ...] = ()
    none: bool = False
    note: str | None = None
    # The speaker chosen as a separate option (a Discord/Slack `speaker:` field), passed to the core as
    # `ask(question, speaker=...)` rather than written in the question.
    speaker: str | None = None
    # The id of the clean question (in another file) this one re-types, e.g. as people type in chat.
    clean_of: str | None = None


@dataclass(frozen=True)
class Retrieved:
    """One result of a system, reduced to what judging needs (plus a little for the miss report)."""

    video_id: str | None
    transcript_url: str | None
    start_seconds: int | None
    speaker: str | None = None
    text: str = ""
    kind: str | None = None
    source: str | None = None
    episode_title: str | None = None

    def describe(self, width: int = 90) -> str:
        where = self.video_id or self.transcript_url or self.episode_title or "?"
        when = "-" if self.start_seconds is None else _clock(self.start_seconds)
        who = self.speaker or "?"
        snippet = " ".join(self.text.split())
        if len(snippet) > width:
            snippet = snippet[: width - 1] + "…"
        return f"{where}@{when} [{self.kind or '?'}; {who}] {snippet}"


@dataclass
class QuestionResult:
    """What one system returned for one question, and how it was judged."""

    question: Question
    system: str
    results: list[Retrieved]
    status: str | None = None
    seconds: float = 0.0
    rank: int | None = field(init=False)

    def __post_init__(self) -> None:
        self.rank = hit_rank(self.question, self.results)

    @property
    def wrong_speaker(self) -> int:
        return wrong_speakers(self.question, self.results)

    @property
    def found_nothing(self) -> bool:
        return not self.results

    @property
    def correct(self) -> bool:
        """hit@1 for answerable questions, an empty answer for should-find-nothing ones."""
        return self.found_nothing if self.question.none else self.rank == 1


@dataclass(frozen=True)
class Scores:
    answerable: int = 0
    hits_at_1: int = 0
    hits_at_k: int = 0
    reciprocal_rank_sum: float = 0.0
    none_total: int = 0
    none_correct: int = 0
    # Answerable questions that got at least one citation: shows when a perfect "nothing found" rate is
    # only bought by answering nothing at all.
    answered: int = 0
    seconds: float = 0.0
    questions: int = 0
    # Citations (of the first CUTOFF) shown as one person's words at a labelled moment another person speaks.
    wrong_speaker: int = 0

    @property
    def hit_at_1(self) -> float | None:
        return self.hits_at_1 / self.answerable if self.answerable else None

    @property
    def hit_at_k(self) -> float | None:
        return self.hits_at_k / self.answerable if self.answerable else None

    @property
    def mrr(self) -> float | None:
        return self.reciprocal_rank_sum / self.answerable if self.answerable else None

    @property
    def none_rate(self) -> float | None:
        return self.none_correct / self.none_total if self.none_total else None

    @property
    def answered_rate(self) -> float | None:
        return self.answered / self.answerable if self.answerable else None

    @property
    def ms_per_question(self) -> float | None:
        return 1000 * self.seconds / self.questions if self.questions else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "answerable": self.answerable,
            "hit@1": self.hit_at_1,
            f"hit@{CUTOFF}": self.hit_at_k,
            f"mrr@{CUTOFF}": self.mrr,
            "none_questions": self.none_total,
            "none_correct": self.none_correct,
            "none_rate": self.none_rate,
            "answered_rate": self.answered_rate,
            "ms_per_question": self.ms_per_question,
            "wrong_speaker": self.wrong_speaker,
        }


# ---------------------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------------------


def load_questions(path: Path) -> list[Question]:
    """Read and validate a question file; every mistake is reported with the entry's id."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise QuestionFileError(f"{path}: expected a list of questions")
    questions: list[Question] = []
    seen: set[str] = set()
    for index, entry in enumerate(data):
        question = _parse_question(entry, f"{path}: entry {index + 1}")
        if question.id in seen:
            raise QuestionFileError(f"{path}: duplicate id {question.id}")
        seen.add(question.id)
        questions.append(question)
    return questions


def _parse_question(entry: object, where: str) -> Question:
    if not isinstance(entry, dict):
        raise QuestionFileError(f"{where}: expected a mapping")
    qid = str(entry.get("id") or "")
    where = f"{where} ({qid or 'no id'})"
    if not qid:
        raise QuestionFileError(f"{where}: missing id")
    unknown = set(entry) - {"id", "lang", "question", "expect", "expect_any", "none", "note", "speaker",
                            "clean_of"}
    if unknown:
        raise QuestionFileError(f"{where}: unknown keys {sorted(unknown)}")
    lang = entry.get("lang")
    if lang not in LANGUAGES:
        raise QuestionFileError(f"{where}: lang must be one of {LANGUAGES}")
    text = entry.get("question")
    if not isinstance(text, str) or not text.strip():
        raise QuestionFileError(f"{where}: missing question")
    none = bool(entry.get("none", False))
    raw: list[object] = []
    if "expect" in entry:
        raw.append(entry["expect"])
    expect_any = entry.get("expect_any") or []
    if not isinstance(expect_any, list):
        raise QuestionFileError(f"{where}: expect_any must be a list")
    raw.extend(expect_any)
    if none and raw:
        raise QuestionFileError(f"{where}: a none question cannot have an expectation")
    if not none and not raw:
        raise QuestionFileError(f"{where}: needs expect, expect_any or none: true")
    expects = tuple(_parse_expectation(item, where) for item in raw)
    note = entry.get("note")
    speaker = _optional_text(entry, "speaker", where)
    clean_of = _optional_text(entry, "clean_of", where)
    return Question(id=qid, lang=lang, question=text.strip(), expects=expects, none=none,
                    note=str(note) if note is not None else None, speaker=speaker, clean_of=clean_of)


def _optional_text(entry: Mapping[str, object], key: str, where: str) -> str | None:
    if key not in entry:
        return None
    value = entry[key]
    if not isinstance(value, str) or not value.strip():
        raise QuestionFileError(f"{where}: {key} must be a non-empty string")
    return value.strip()


def _parse_expectation(item: object, where: str) -> Expectation:
    if not isinstance(item, dict):
        raise QuestionFileError(f"{where}: an expectation must be a mapping")
    episode = item.get("episode")
    start = item.get("start")
    end = item.get("end", start)
    if not isinstance(episode, str) or not episode:
        raise QuestionFileError(f"{where}: expectation without episode")
    if not isinstance(start, int) or not isinstance(end, int) or start < 0 or end < start:
        raise QuestionFileError(f"{where}: start/end must be whole seconds with start <= end")
    speaker = item.get("speaker")
    return Expectation(episode=episode, start=start, end=end, speaker=str(speaker) if speaker else None)


# ---------------------------------------------------------------------------------------------------------
# Judging
# ---------------------------------------------------------------------------------------------------------


def video_id_from_url(url: str | None) -> str | None:
    if not url:
        return None
    match = _VIDEO_ID_IN_URL.search(url)
    return match.group(1) if match else None


def _url_key(url: str) -> str:
    # Compare URLs without scheme, "www." and trailing slash, so a fragment in the question file matches
    # however the source wrote the address.
    key = url.strip().lower().split("://", 1)[-1]
    key = key.removeprefix("www.")
    return key.rstrip("/")


def episode_matches(expected: str, video_id: str | None, transcript_url: str | None) -> bool:
    """Whether a result belongs to the expected episode (video id, alias, or transcript URL fragment)."""
    if video_id and video_id == expected:
        return True
    if not transcript_url:
        return False
    url = _url_key(transcript_url)
    fragments = list(EPISODE_ALIASES.get(expected, ()))
    if "/" in expected:
        fragments.append(expected)
    return any(_url_key(fragment) in url for fragment in fragments)


def is_hit(expect: Expectation, result: Retrieved) -> bool:
    if result.start_seconds is None:
        # A citation without a time cannot deep-link to the passage, which is the whole point.
        return False
    if not episode_matches(expect.episode, result.video_id, result.transcript_url):
        return False
    return expect.start - TOLERANCE_SECONDS <= result.start_seconds <= expect.end + TOLERANCE_SECONDS


# A citation is the labelled paragraph itself (not a neighbour, which may be the host's question) when it
# starts this close to a labelled start time: a host's question can end five seconds before the answer.
SAME_PARAGRAPH_SECONDS: Final = 2


def wrong_speakers(question: Question, results: Sequence[Retrieved], cutoff: int = CUTOFF) -> int:
    """How many of the first `cutoff` results name a speaker at a labelled moment someone else speaks.

    Only labels that name a speaker can be checked, and only a result at the labelled paragraph: the
    label says who speaks there, and nothing about the passages around it.
    """
    wrong = 0
    for result in results[:cutoff]:
        if result.speaker is None or result.start_seconds is None:
            continue
        for expect in question.expects:
            if (
                expect.speaker is not None
                and episode_matches(expect.episode, result.video_id, result.transcript_url)
                and expect.start - SAME_PARAGRAPH_SECONDS <= result.start_seconds <= expect.end + SAME_PARAGRAPH_SECONDS
                and result.speaker != expect.speaker
            ):
                wrong += 1
                break
    return wrong


def hit_rank(question: Question, results: Sequence[Retrieved], cutoff: int = CUTOFF) -> int | None:
    """1-based rank of the first result (within the cutoff) that matches any expectation."""
    if question.none:
        return None
    for rank, result in enumerate(results[:cutoff], start=1):
        if any(is_hit(expect, result) for expect in question.expects):
            return rank
    return None


# ---------------------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------------------


def score(results: Iterable[QuestionResult]) -> Scores:
    answerable = hits1 = hitsk = none_total = none_correct = answered = questions = wrong = 0
    rr = seconds = 0.0
    for result in results:
        questions += 1
        seconds += result.seconds
        wrong += result.wrong_speaker
        if result.question.none:
            none_total += 1
            none_correct += result.found_nothing
            continue
        answerable += 1
        answered += not result.found_nothing
        if result.rank is not None:
            hitsk += 1
            hits1 += result.rank == 1
            rr += 1.0 / result.rank
    return Scores(answerable=answerable, hits_at_1=hits1, hits_at_k=hitsk, reciprocal_rank_sum=rr,
                  none_total=none_total, none_correct=none_correct, answered=answered, seconds=seconds,
                  questions=questions, wrong_speaker=wrong)


def score_by_language(results: Sequence[QuestionResult]) -> dict[str, Scores]:
    """Scores per question language, plus "all"."""
    by_lang = {lang: score(r for r in results if r.question.lang == lang) for lang in LANGUAGES}
    by_lang["all"] = score(results)
    return by_lang


def _clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def describe_expectation(question: Question) -> str:
    if question.none:
        return "nothing"
    return " | ".join(
        f"{e.episode}@{_clock(e.start)}" + (f"-{_clock(e.end)}" if e.end != e.start else "")
        for e in question.expects
    )
