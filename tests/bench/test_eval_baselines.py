"""The plain BM25 baselines: same segments, raw question, and no query syntax can break them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.eval.baselines import Fts5Baseline, SegmentRow, TantivyBaseline, fts5_query, tantivy_query


def _row(index: int, text: str, start: int) -> SegmentRow:
    return SegmentRow(id=index, text=text, start_seconds=start, video_id="vid00000001", transcript_url=None,
                      speaker=None, lang="en", kind="quote", source="t.md")


SEGMENTS = [
    _row(1, "A small team of very talented people beats a big team.", 10),
    _row(2, "Revenue grew ten times per year.", 20),
    _row(3, "Compute is bought years in advance, so being wrong is ruinous.", 30),
    _row(4, "タレント密度はタレント量に勝る", 40),
]

HOSTILE = ['say "hi', 'AND OR NOT', "NEAR(a b)", "*", "title:x", "c++ (x) [y] {z} ^2 ~1 a\\b", "?", "", "   "]


@pytest.fixture(params=[Fts5Baseline, TantivyBaseline], ids=["fts5", "tantivy"])
def baseline(request: pytest.FixtureRequest) -> Iterator[Fts5Baseline | TantivyBaseline]:
    instance: Fts5Baseline | TantivyBaseline = request.param(SEGMENTS)
    yield instance
    instance.close()


def test_quoting() -> None:
    assert fts5_query('say "hi') == '"say" OR """hi"'
    assert tantivy_query('a\\b "c"') == '"a\\\\b" "\\"c\\""'
    assert fts5_query("  ") == "" and tantivy_query("") == ""
    # A token with no letter or digit tokenizes to nothing; tantivy refuses a query of only such phrases.
    assert tantivy_query("🤔 ？") == "" and tantivy_query("なぜ？ 🤔") == '"なぜ？"'


def test_best_segment_first(baseline: Fts5Baseline | TantivyBaseline) -> None:
    results = baseline.search("what did Dario say about revenue growth per year?", 3)
    assert results and results[0].start_seconds == 20
    assert results[0].video_id == "vid00000001"


def test_limit(baseline: Fts5Baseline | TantivyBaseline) -> None:
    assert len(baseline.search("team revenue compute", 2)) == 2


@pytest.mark.parametrize("question", HOSTILE)
def test_query_syntax_never_breaks(baseline: Fts5Baseline | TantivyBaseline, question: str) -> None:
    assert isinstance(baseline.search(question, 3), list)


def test_unmatched_question_finds_nothing(baseline: Fts5Baseline | TantivyBaseline) -> None:
    assert baseline.search("sourdough baking", 3) == []
