"""The part of `bot.service.SaidService` this adapter uses, spelled out as a Protocol.

Typing the adapter against this (rather than the concrete service) keeps the adapter's dependency on
the core explicit and small; `SaidService` satisfies it structurally.
"""

from __future__ import annotations

from typing import Protocol

from bot.models import Answer, IngestReport, StoreStats


class Core(Protocol):
    @property
    def ready(self) -> bool: ...

    async def ask(
        self,
        question: str,
        *,
        speaker: str | None = None,
        lang: str | None = None,
        limit: int = 3,
        offset: int = 0,
    ) -> Answer: ...

    async def reload(self) -> IngestReport: ...

    async def stats(self) -> StoreStats: ...

    def speaker_names(self, prefix: str = "", limit: int = 25) -> list[str]: ...
