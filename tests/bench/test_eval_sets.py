"""The chat-style, development and later held-out sets load through the harness's question loader, and every chat
question re-types an existing clean question with the same labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.eval.harness import CLEAN_SOURCE_FILES, load_clean_questions, missing_clean
from bench.eval.metrics import load_questions

EVAL_DIR = Path(__file__).resolve().parents[2] / "bench" / "eval"
CHAT_FILE = EVAL_DIR / "chat.yaml"
HOLDOUT2_FILE = EVAL_DIR / "holdout2.yaml"
DEV4_FILE = EVAL_DIR / "dev4.yaml"
# The sets of both languages written after the tuned set, each with some questions that should find nothing.
MIXED_SETS = ("chat", "holdout2", "dev", "holdout3", "dev2", "holdout4", "dev4", "holdout5", "dev5_chat", "holdout6",
              "dev6", "holdout7")
NOTHING_SETS = ("dev_none", "dev_none2")


@pytest.mark.parametrize("name", MIXED_SETS)
def test_new_sets_load_and_cover_both_languages(name: str) -> None:
    questions = load_questions(EVAL_DIR / f"{name}.yaml")
    assert len(questions) >= 40
    assert sum(q.lang == "ja" for q in questions) >= 14
    assert sum(q.none for q in questions) >= 5
    assert all(q.expects or q.none for q in questions)


@pytest.mark.parametrize("name", NOTHING_SETS)
def test_the_nothing_found_sets_are_only_questions_nothing_answers(name: str) -> None:
    questions = load_questions(EVAL_DIR / f"{name}.yaml")
    assert len(questions) >= 40 and all(q.none and q.note for q in questions)
    assert sum(q.lang == "ja" for q in questions) >= 14


def test_every_chat_question_names_a_clean_original_with_the_same_labels() -> None:
    chat = load_questions(CHAT_FILE)
    clean = load_clean_questions(list(CLEAN_SOURCE_FILES))
    assert all(q.clean_of for q in chat), [q.id for q in chat if not q.clean_of]
    assert not missing_clean(chat, clean)
    for question in chat:
        assert question.clean_of is not None
        original = clean[question.clean_of]
        assert (question.expects, question.none, question.lang) == (original.expects, original.none, original.lang), \
            question.id
        assert question.question != original.question or question.speaker, question.id


def test_chat_set_uses_the_speaker_option() -> None:
    assert sum(q.speaker is not None for q in load_questions(CHAT_FILE)) >= 6


def test_holdout2_does_not_repeat_a_question_of_the_other_sets() -> None:
    seen = {q.question.casefold() for path in CLEAN_SOURCE_FILES for q in load_questions(path)}
    assert not [q.id for q in load_questions(HOLDOUT2_FILE) if q.question.casefold() in seen]


@pytest.mark.parametrize(("name", "lang"), [("dev3_en.yaml", "en"), ("dev3_ja.yaml", "ja")])
def test_the_one_language_development_sets_load(name: str, lang: str) -> None:
    questions = load_questions(EVAL_DIR / name)
    assert len(questions) >= 55 and all(q.lang == lang for q in questions)
    assert sum(q.none for q in questions) >= 15
    assert all(q.expects or q.none for q in questions)


def test_the_near_miss_development_set_is_a_third_questions_nothing_answers() -> None:
    questions = load_questions(DEV4_FILE)
    nones = [q for q in questions if q.none]
    assert len(nones) >= 25 and all(q.note for q in nones)
    assert sum(q.lang == "ja" for q in nones) >= 10
