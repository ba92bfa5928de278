"""The chatter measure asks each question clean and with chatter, over a real store of the demo notes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.eval.chatter import DEFAULT_AFFIXES, EVAL_DIR, load_affixes, measure, render, with_chatter
from bench.eval.harness import DEMO_QUESTIONS_FILE
from bench.eval.metrics import load_questions
from bot.settings import DEMO_NOTES_DIR


def test_chatter_is_joined_as_each_language_types_it() -> None:
    assert with_chatter("What did Dario say?", "yo", lang="en", side="before") == "yo what did Dario say?"
    assert with_chatter("What did Dario say?", "thx", lang="en", side="after") == "What did Dario say thx"
    assert with_chatter("何と言った？", "ねえ、", lang="ja", side="before") == "ねえ、何と言った？"
    assert with_chatter("何と言った？", "笑", lang="ja", side="after") == "何と言った笑"


def test_both_bundled_affix_files_load() -> None:
    for path in (DEFAULT_AFFIXES, EVAL_DIR / "chatter_dev.json"):
        affixes = load_affixes(path)
        assert all(len(affixes[key]) >= 30 for key in ("en_before", "en_after", "ja_before", "ja_after"))


def test_a_malformed_affix_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"en_before": ["ok", 3]}), encoding="utf-8")
    with pytest.raises(ValueError, match="en_before"):
        load_affixes(bad)


async def test_fillers_cost_nothing_and_a_stray_topic_word_is_seen(tmp_path: Path) -> None:
    questions = load_questions(DEMO_QUESTIONS_FILE)
    affixes = tmp_path / "affixes.json"
    affixes.write_text(json.dumps({"en_before": ["hey,"], "en_after": ["thanks!"], "ja_before": ["ねえ、"],
                                   "ja_after": ["教えて"]}, ensure_ascii=False), encoding="utf-8")
    scores = await measure([DEMO_NOTES_DIR], questions, load_affixes(affixes), per_side=1)
    assert {(s.language, s.side) for s in scores} == {("en", "before"), ("en", "after"), ("ja", "before"),
                                                       ("ja", "after")}
    assert all(s.asks > 0 and s.parse_changed == 0.0 and s.drop == 0.0 for s in scores), render(scores, affixes)

    stray = tmp_path / "stray.json"
    stray.write_text(json.dumps({"en_before": [], "en_after": ["and sourdough baking"], "ja_before": [],
                                 "ja_after": []}), encoding="utf-8")
    [after] = await measure([DEMO_NOTES_DIR], questions, load_affixes(stray), per_side=1, db=tmp_path / "s.db")
    assert after.parse_changed > 0.5
