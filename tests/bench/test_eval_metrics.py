"""The scoring rules of the evaluation harness, independent of the core."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.eval.harness import DEMO_QUESTIONS_FILE, QUESTIONS_FILE
from bench.eval.metrics import (
    TOLERANCE_SECONDS,
    Expectation,
    Question,
    QuestionFileError,
    QuestionResult,
    Retrieved,
    episode_matches,
    hit_rank,
    is_hit,
    load_questions,
    score,
    score_by_language,
    video_id_from_url,
    wrong_speakers,
)

LEX_TRANSCRIPT = "https://lexfridman.com/dario-amodei-transcript/"


def _q(qid: str = "q1", lang: str = "en", *expects: Expectation, none: bool = False) -> Question:
    return Question(id=qid, lang=lang, question="what did Dario say about x?", expects=expects, none=none)


def _r(video_id: str | None, start: int | None, transcript_url: str | None = None) -> Retrieved:
    return Retrieved(video_id=video_id, transcript_url=transcript_url, start_seconds=start)


TALENT = Expectation(episode="ugvHCXCOmm4", start=5917, end=5990)


def test_hit_window_includes_tolerance_on_both_sides() -> None:
    assert is_hit(TALENT, _r("ugvHCXCOmm4", 5917 - TOLERANCE_SECONDS))
    assert is_hit(TALENT, _r("ugvHCXCOmm4", 5990 + TOLERANCE_SECONDS))
    assert not is_hit(TALENT, _r("ugvHCXCOmm4", 5917 - TOLERANCE_SECONDS - 1))
    assert not is_hit(TALENT, _r("ugvHCXCOmm4", 5990 + TOLERANCE_SECONDS + 1))


def test_citation_without_time_or_other_episode_is_no_hit() -> None:
    assert not is_hit(TALENT, _r("ugvHCXCOmm4", None))
    assert not is_hit(TALENT, _r("n1E9IZfvGMA", 5920))
    assert not is_hit(TALENT, _r(None, 5920))


def test_episode_aliases_and_url_fragments() -> None:
    assert episode_matches("ugvHCXCOmm4", None, LEX_TRANSCRIPT)
    assert episode_matches("ugvHCXCOmm4", None, "http://www.LexFridman.com/dario-amodei-transcript")
    assert not episode_matches("n1E9IZfvGMA", None, LEX_TRANSCRIPT)
    fragment = "lennysnewsletter.com/p/the-untold-story-of-windsurf-varun-mohan"
    assert episode_matches(fragment, None, "https://www.lennysnewsletter.com/p/the-untold-story-of-windsurf-varun-mohan")
    assert not episode_matches(fragment, None, "https://www.lennysnewsletter.com/p/everyones-an-engineer-now")


def test_video_id_from_url() -> None:
    assert video_id_from_url("https://www.youtube.com/watch?v=n1E9IZfvGMA&t=1283s") == "n1E9IZfvGMA"
    assert video_id_from_url("https://youtu.be/ugvHCXCOmm4?t=5") == "ugvHCXCOmm4"
    assert video_id_from_url(LEX_TRANSCRIPT) is None
    assert video_id_from_url(None) is None


def test_rank_is_first_hit_within_cutoff_and_any_expectation_counts() -> None:
    other = Expectation(episode="n1E9IZfvGMA", start=2780, end=2780)
    question = _q("q1", "en", TALENT, other)
    assert hit_rank(question, [_r("x", 1), _r("n1E9IZfvGMA", 2790), _r("ugvHCXCOmm4", 5917)]) == 2
    # Rank 4 is past the three citations the bot shows.
    assert hit_rank(question, [_r("x", 1)] * 3 + [_r("ugvHCXCOmm4", 5917)]) is None


def test_scores_per_language_and_nothing_found() -> None:
    en_hit = QuestionResult(_q("a", "en", TALENT), "s", [_r("ugvHCXCOmm4", 5917)])
    en_second = QuestionResult(_q("b", "en", TALENT), "s", [_r("x", 1), _r(None, 5917, LEX_TRANSCRIPT)])
    ja_miss = QuestionResult(_q("c", "ja", TALENT), "s", [_r("x", 1)])
    ja_none_ok = QuestionResult(_q("d", "ja", none=True), "s", [])
    en_none_bad = QuestionResult(_q("e", "en", none=True), "s", [_r("x", 1)])
    results = [en_hit, en_second, ja_miss, ja_none_ok, en_none_bad]

    by_lang = score_by_language(results)
    en, ja, overall = by_lang["en"], by_lang["ja"], by_lang["all"]
    assert (en.answerable, en.hit_at_1, en.hit_at_k, en.mrr) == (2, 0.5, 1.0, 0.75)
    assert (en.none_total, en.none_rate) == (1, 0.0)
    assert (ja.answerable, ja.hit_at_1, ja.mrr, ja.none_rate) == (1, 0.0, 0.0, 1.0)
    assert overall.answerable == 3 and overall.hits_at_1 == 1 and overall.none_correct == 1
    assert overall.answered_rate == 1.0
    assert [r.correct for r in results] == [True, False, False, True, False]


def test_wrong_speaker_counts_only_a_named_speaker_at_the_labelled_paragraph() -> None:
    dario = Expectation(episode="ugvHCXCOmm4", start=5955, end=5955, speaker="Dario Amodei")
    question = _q("w", "en", dario)

    def said(who: str | None, start: int, video: str = "ugvHCXCOmm4") -> Retrieved:
        return Retrieved(video_id=video, transcript_url=None, start_seconds=start, speaker=who)

    assert wrong_speakers(question, [said("Dario Amodei", 5955)]) == 0
    # The host's words at the answer's paragraph, shown under the host's name, are still the wrong person there.
    assert wrong_speakers(question, [said("Lex Fridman", 5956), said("Chris Olah", 5954)]) == 2
    # The host's question five seconds before, another episode, an unnamed passage, a label without a speaker.
    assert wrong_speakers(question, [said("Lex Fridman", 5950), said("Lex Fridman", 5955, "n1E9IZfvGMA"),
                                     said(None, 5955)]) == 0
    assert wrong_speakers(_q("u", "en", TALENT), [said("Lex Fridman", 5917)]) == 0
    # Only the citations the bot shows count.
    assert wrong_speakers(question, [said("Dario Amodei", 5955)] * 3 + [said("Lex Fridman", 5955)]) == 0
    result = QuestionResult(question, "s", [said("Lex Fridman", 5955)])
    assert score([result]).wrong_speaker == 1


def test_empty_scores_are_none_not_zero() -> None:
    empty = score([])
    assert empty.hit_at_1 is None and empty.mrr is None and empty.none_rate is None
    silent = score([QuestionResult(_q("a", "ja", TALENT), "s", [])])
    assert (silent.hit_at_1, silent.answered_rate) == (0.0, 0.0)


@pytest.mark.parametrize("path", [QUESTIONS_FILE, DEMO_QUESTIONS_FILE])
def test_shipped_question_files_are_valid(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path.name} not written yet")
    questions = load_questions(path)
    assert questions
    assert all(q.expects or q.none for q in questions)


def test_question_set_meets_the_issue_minimums() -> None:
    questions = load_questions(QUESTIONS_FILE)
    assert len(questions) >= 70
    assert sum(q.lang == "ja" for q in questions) >= 25
    assert sum(q.none for q in questions) >= 8


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("- {id: a, lang: en, question: x}", "needs expect"),
        ("- {id: a, lang: fr, question: x, none: true}", "lang"),
        ("- {id: a, lang: en, question: x, none: true, expect: {episode: v, start: 1}}", "cannot have"),
        ("- {id: a, lang: en, question: x, expect: {episode: v, start: 5, end: 1}}", "start <= end"),
        ("- {id: a, lang: en, question: x, none: true}\n- {id: a, lang: en, question: y, none: true}",
         "duplicate"),
        ("- {id: a, lang: en, question: x, none: true, typo: 1}", "unknown keys"),
    ],
)
def test_malformed_question_files_are_rejected(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(QuestionFileError, match=message):
        load_questions(path)


def test_end_defaults_to_start(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text("- {id: a, lang: en, question: x, expect: {episode: v, start: 7}}", encoding="utf-8")
    (question,) = load_questions(path)
    assert question.expects == (Expectation(episode="v", start=7, end=7),)
