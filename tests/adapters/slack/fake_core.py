"""A small stand-in for the core, satisfying `bot.port.Core`, that fails or hangs on demand."""

from __future__ import annotations

import asyncio

from bot.models import Answer, AnswerStatus, IngestReport, StoreStats
from bot.port import Core


class FakeCore:
    """Records every question; `fail` is raised by `ask`, `delay` seconds pass before it answers."""

    def __init__(self, *, fail: Exception | None = None, delay: float = 0.0, ready: bool = True,
                 stats_fail: Exception | None = None) -> None:
        self.fail = fail
        self.delay = delay
        self._ready = ready
        self.stats_fail = stats_fail
        self.asked: list[tuple[str, str | None]] = []

    @property
    def ready(self) -> bool:
        return self._ready

    async def ask(self, question: str, *, speaker: str | None = None, lang: str | None = None, limit: int = 3,
                  offset: int = 0) -> Answer:
        self.asked.append((question, lang))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail is not None:
            raise self.fail
        return Answer(question=question, speaker=None, topic=question, language=lang or "en",
                      status=AnswerStatus.NOT_FOUND, message=f"nothing about {question}")

    async def reload(self) -> IngestReport:
        return IngestReport()

    async def stats(self) -> StoreStats:
        if self.stats_fail is not None:
            raise self.stats_fail
        return StoreStats(segments=0, sources=0, notes=0, transcripts=0, episodes=[], speakers=[], last_ingest=None,
                          languages=[])

    def speaker_names(self, prefix: str = "", limit: int = 25) -> list[str]:
        return []

    def index_age_seconds(self) -> float | None:
        return 0.0


def as_core(fake: FakeCore) -> Core:
    """Where the fake is handed to an adapter, so a type checker holds it to the port."""
    return fake
