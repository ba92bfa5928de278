"""The `speaker` option and the chat-vs-clean comparison of the evaluation harness, without the core."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bench.eval.harness import (
    SAIDBOT,
    EvalRun,
    SystemRun,
    _ask,
    clean_comparison,
    load_clean_questions,
    missing_clean,
    render_text,
)
from bench.eval.metrics import Expectation, Question, QuestionFileError, QuestionResult, Retrieved, load_questions

TALENT = Expectation(episode="ugvHCXCOmm4", start=5917, end=5917)


def _write(tmp_path: Path, body: str, name: str = "q.yaml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_speaker_and_clean_of_are_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "- {id: c1, lang: en, question: interpretability, speaker: Chris Olah, clean_of: h013,"
                            " expect: {episode: v, start: 7}}\n- {id: c2, lang: en, question: x, none: true}")
    first, second = load_questions(path)
    assert (first.speaker, first.clean_of) == ("Chris Olah", "h013")
    assert (second.speaker, second.clean_of) == (None, None)


@pytest.mark.parametrize("field", ["speaker", "clean_of"])
@pytest.mark.parametrize("value", ["''", "3", "[a]"])
def test_speaker_and_clean_of_must_be_text(tmp_path: Path, field: str, value: str) -> None:
    path = _write(tmp_path, f"- {{id: a, lang: en, question: x, none: true, {field}: {value}}}")
    with pytest.raises(QuestionFileError, match=field):
        load_questions(path)


class _FakeService:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def ask(self, question: str, **options: Any) -> Any:
        self.calls.append((question, options))
        citation = SimpleNamespace(video_id="ugvHCXCOmm4", start_seconds=5917, speaker="Dario Amodei", text="…")
        return SimpleNamespace(status=SimpleNamespace(value="ok"), citations=[citation])


def test_speaker_option_is_passed_only_when_set() -> None:
    service = _FakeService()
    with_speaker = Question(id="a", lang="en", question="talent density", expects=(TALENT,), speaker="Dario Amodei")
    without = Question(id="b", lang="en", question="talent density", expects=(TALENT,))
    results = [asyncio.run(_ask(service, q, 3)) for q in (with_speaker, without)]
    assert service.calls == [
        ("talent density", {"lang": None, "limit": 3, "speaker": "Dario Amodei"}),
        ("talent density", {"lang": None, "limit": 3}),
    ]
    assert all(r.rank == 1 for r in results)


def _result(question: Question, hit: bool) -> QuestionResult:
    found = [Retrieved(video_id="ugvHCXCOmm4" if hit else "other", transcript_url=None, start_seconds=5917)]
    return QuestionResult(question=question, system=SAIDBOT, results=[] if question.none else found)


def _run(chat: list[QuestionResult], clean: list[QuestionResult]) -> EvalRun:
    return EvalRun(paths=["x"], questions=[r.question for r in chat], systems=[SystemRun(SAIDBOT, chat)],
                   segments=1, ingest_summary="ok", clean_results=clean)


def test_chat_vs_clean_line() -> None:
    originals = [Question(id=f"h{i}", lang="en", question=f"q{i}", expects=(TALENT,)) for i in range(4)]
    nothing = Question(id="h9", lang="ja", question="n", none=True)
    chats = [Question(id=f"c{i}", lang="en", question=f"hey q{i}", expects=(TALENT,), clean_of=f"h{i}")
             for i in range(4)]
    chat_none = Question(id="c9", lang="ja", question="ねえ n", none=True, clean_of="h9")
    chat_results = [_result(q, hit) for q, hit in zip(chats, [True, False, False, True], strict=True)]
    clean_results = [_result(q, hit) for q, hit in zip(originals, [True, True, False, True], strict=True)]
    run = _run([*chat_results, _result(chat_none, False)], [*clean_results, _result(nothing, False)])

    comparison = clean_comparison(run)
    assert comparison is not None and len(comparison.pairs) == 5
    assert comparison.hit_at_1() == (0.5, 0.75)
    text = render_text(run)
    assert "chat vs clean hit@1: 0.50 vs 0.75 (Δ -0.25) over 4 pairs" in text
    assert "chat vs clean nothing found: 1/1 vs 1/1 over 1 pairs" in text
    assert "right clean, wrong in chat: c1 (h1)" in text


def test_no_comparison_without_clean_of() -> None:
    question = Question(id="h1", lang="en", question="q", expects=(TALENT,))
    run = _run([_result(question, True)], [])
    assert clean_comparison(run) is None
    assert "chat vs clean" not in render_text(run)


def test_clean_lookup_reports_unknown_and_duplicate_ids(tmp_path: Path) -> None:
    a = _write(tmp_path, "- {id: h1, lang: en, question: x, none: true}", "a.yaml")
    b = _write(tmp_path, "- {id: h1, lang: en, question: y, none: true}", "b.yaml")
    clean = load_clean_questions([a])
    chat = [Question(id="c1", lang="en", question="x", none=True, clean_of="h1"),
            Question(id="c2", lang="en", question="x", none=True, clean_of="h404")]
    assert missing_clean(chat, clean) == ["c2"]
    with pytest.raises(QuestionFileError, match="h1"):
        load_clean_questions([a, b])
