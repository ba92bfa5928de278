"""What the adapters may ask of the core, spelled out as one Protocol.

Every adapter (Discord, Slack, the console, the web process) is typed against `Core` rather than
the concrete service, so what a platform can reach is explicit and small, and tests can hand an
adapter a fake core. `bot.service.SaidService` satisfies it structurally.
"""

from __future__ import annotations

from typing import Protocol

from bot.models import AddSourceResult, Answer, ReloadResult, StoreStats, Verification


class Core(Protocol):
    @property
    def ready(self) -> bool:
        """Whether questions can be answered yet (the first index build has finished)."""
        ...

    async def ask(
        self,
        question: str,
        *,
        speaker: str | None = None,
        lang: str | None = None,
        limit: int = 3,
        offset: int = 0,
    ) -> Answer: ...

    async def reload(self) -> ReloadResult:
        """Re-read the configured notes; `report` is None when no notes folder is configured."""
        ...

    async def stats(self) -> StoreStats: ...

    def speaker_names(self, prefix: str = "", limit: int = 25) -> list[str]:
        """Autocomplete: in memory, never waits on the database."""
        ...

    def index_age_seconds(self) -> float | None: ...

    async def add_source(self, url: str, *, added_by: str) -> AddSourceResult:
        """Fetch and ingest a remote source an admin gave from chat, and keep it for every refresh.

        The adapters check who may (the same rule as for reload); the core checks the URL.
        """
        ...

    async def timeline(
        self, topic: str, *, speaker: str | None = None, lang: str | None = None, limit: int = 10, offset: int = 0
    ) -> Answer:
        """How a view on `topic` changed: each episode's best passage (by `speaker`, when given), oldest first."""
        ...

    async def verify(
        self, quote: str, *, speaker: str | None = None, lang: str | None = None, from_message: bool = False
    ) -> Verification:
        """Whether `quote` is in the store, as whose words: verbatim, close, other_speaker or not_found.
        `from_message`: `quote` is a whole chat message, whose quoted words (and speaker) are checked."""
        ...
