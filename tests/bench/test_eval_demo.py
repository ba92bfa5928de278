"""Regression floor: saidbot over the bundled demo notes must keep answering the demo questions.

Runs the whole harness (ingest into a temporary database, saidbot and both baselines) on bot/demo/ only,
so it is quick and needs nothing outside the repository.
"""

from __future__ import annotations

from pathlib import Path

from bench.eval.harness import DEMO_QUESTIONS_FILE, SAIDBOT, render_misses, run_eval
from bench.eval.metrics import load_questions
from bot.settings import DEMO_NOTES_DIR

# A little under what saidbot scores today (hit@1 = hit@3 = 0.70, nothing found 2/2, on 10 + 2 questions),
# so a real regression fails but one reordered answer does not. Raise them as retrieval improves.
HIT_AT_1_FLOOR = 0.8
HIT_AT_3_FLOOR = 0.9
NOTHING_FOUND_FLOOR = 0.5


async def test_saidbot_beats_the_floor_on_demo_notes(tmp_path: Path) -> None:
    questions = load_questions(DEMO_QUESTIONS_FILE)
    run = await run_eval([DEMO_NOTES_DIR], questions, db=tmp_path / "eval.db")

    assert run.segments > 0, run.ingest_summary
    assert not run.ingest_problems, run.ingest_problems
    assert not run.unreachable, f"labels that match no stored segment: {run.unreachable}"
    scores = run.system(SAIDBOT).scores()["all"]
    misses = render_misses(run, [SAIDBOT])
    assert scores.hit_at_1 is not None and scores.hit_at_1 >= HIT_AT_1_FLOOR, misses
    assert scores.hit_at_k is not None and scores.hit_at_k >= HIT_AT_3_FLOOR, misses
    assert scores.none_rate is not None and scores.none_rate >= NOTHING_FOUND_FLOOR, misses
