"""Stale-while-revalidate at boot: an existing index answers while the refresh runs, and a question on an
empty store waits (bounded) for the first build instead of asking the person to try again."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import bot.ingest.runner as runner
from bot.models import AnswerStatus
from bot.service import SaidService
from bot.settings import Settings


@pytest.fixture
def slow_parse(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Parsing holds until the test releases it (bounded, so a failing test cannot hang)."""
    release = threading.Event()
    real = runner._prepare

    def held(candidate: runner._Candidate, old: runner.SourceState | None) -> runner._Prepared:
        release.wait(20)
        return real(candidate, old)

    monkeypatch.setattr(runner, "_prepare", held)
    yield release
    release.set()


async def test_a_question_during_a_slow_first_build_gets_the_real_answer(
    tmp_path: Path, notes_dir: Path, slow_parse: threading.Event
) -> None:
    service = await SaidService.open(Settings(db=tmp_path / "cold.db", notes=notes_dir))
    try:
        assert not service.ready
        build = asyncio.create_task(service.ensure_index())
        question = asyncio.create_task(service.ask("what did Dario say about talent density?"))
        await asyncio.sleep(0.3)
        assert not question.done() and not build.done()
        slow_parse.set()
        answer = await asyncio.wait_for(question, 20)
        assert answer.status == AnswerStatus.OK and answer.citations[0].speaker == "Dario Amodei"
        await build
    finally:
        await service.close()


async def test_after_the_bounded_wait_the_answer_is_the_apology(tmp_path: Path, notes_dir: Path) -> None:
    service = await SaidService.open(Settings(db=tmp_path / "never.db", notes=notes_dir, warmup_wait_seconds=0.2))
    try:
        began = time.monotonic()
        answer = await service.ask("what did Dario say about talent density?")
        assert answer.status == AnswerStatus.WARMING_UP and 0.2 <= time.monotonic() - began < 5
    finally:
        await service.close()


async def test_a_restart_with_an_index_answers_at_once_while_the_refresh_runs(
    tmp_path: Path, notes_dir: Path, write: Callable[[Path, str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(db=tmp_path / "warm.db", notes=notes_dir)
    first = await SaidService.open(settings)
    try:
        await first.ensure_index()
    finally:
        await first.close()
    write(notes_dir / "new.md", "# New\n\n**Dario Amodei (00:01:00):**\n\"Compute keeps getting cheaper.\"\n")

    release = threading.Event()
    real = runner._prepare

    def held(candidate: runner._Candidate, old: runner.SourceState | None) -> runner._Prepared:
        release.wait(20)
        return real(candidate, old)

    monkeypatch.setattr(runner, "_prepare", held)
    service = await SaidService.open(settings)
    try:
        assert service.ready  # the store holds segments: no warming up
        refresh = asyncio.create_task(service.ensure_index())
        await asyncio.sleep(0.1)
        began = time.monotonic()
        answer = await asyncio.wait_for(service.ask("what did Dario say about talent density?"), 5)
        assert time.monotonic() - began < 2 and not refresh.done()
        assert answer.status == AnswerStatus.OK and answer.citations
        release.set()
        report = await asyncio.wait_for(refresh, 20)
        assert report is not None and report.added == 1
    finally:
        release.set()
        await service.close()
