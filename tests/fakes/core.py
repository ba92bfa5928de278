"""One fake core for adapter and front-door tests: a `bot.port.Core` in memory, no store behind it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence

from bot.models import (
    AddSourceResult,
    Answer,
    AnswerStatus,
    Citation,
    IngestReport,
    QuoteDifference,
    ReloadResult,
    StoreStats,
    Verification,
    VerifiedCitation,
)
from bot.port import Core


class FakeCore:
    """Answers every question with `citations` by `speaker` (paged by offset and limit), or, with none,
    "nothing about {question}"; with `help_text`, a question "help" gets that as a HELP answer.

    `delay` holds up every async call (a re-index holding the database, a cold start); `failures`
    names calls that raise `error` instead: "ask", "more" (an ask for a later page), "stats",
    "reload", "speaker_names", "verify", "add_source". Every call is recorded in `calls`, every question in
    `asked`, every source added in `added` (url, added_by); a URL in `failing_sources` fails with its reason.
    """

    def __init__(
        self, *, citations: Sequence[Citation] = (), speaker: str = "Dario Amodei", help_text: str | None = None,
        delay: float = 0.0, failures: Iterable[str] = (), error: Exception | None = None, ready: bool = True,
        segments: int | None = None,
    ) -> None:
        self.citations = list(citations)
        self.speaker = speaker
        self.help_text = help_text
        self.delay = delay
        self.failures = set(failures)
        self.error = error
        self._ready = ready
        self.segments = len(self.citations) if segments is None else segments
        self.calls: list[str] = []
        self.asked: list[tuple[str, str | None]] = []
        self.added: list[tuple[str, str]] = []
        self.failing_sources: dict[str, str] = {}
        # Every /timeline: (topic, speaker, language).
        self.timelines: list[tuple[str, str | None, str | None]] = []
        self.verified: list[tuple[str, str | None, bool]] = []

    async def _enter(self, call: str) -> None:
        self.calls.append(call)
        if self.delay:
            await asyncio.sleep(self.delay)
        self._raise_if_failing(call)

    def _raise_if_failing(self, call: str) -> None:
        if call in self.failures:
            raise self.error if self.error is not None else RuntimeError(f"{call} is on fire")

    @property
    def ready(self) -> bool:
        return self._ready

    async def ask(
        self, question: str, *, speaker: str | None = None, lang: str | None = None, limit: int = 3, offset: int = 0
    ) -> Answer:
        self.asked.append((question, lang))
        await self._enter("more" if offset else "ask")
        language = lang or "en"
        if self.help_text is not None and question == "help":
            return Answer(question=question, speaker=None, topic="", language=language, status=AnswerStatus.HELP,
                          message=self.help_text)
        if not self.citations:
            return Answer(question=question, speaker=None, topic=question, language=language,
                          status=AnswerStatus.NOT_FOUND, message=f"nothing about {question}")
        return Answer(
            question=question, speaker=self.speaker, topic=question, language=language, status=AnswerStatus.OK,
            citations=self.citations[offset : offset + limit], total=len(self.citations), offset=offset,
        )

    async def reload(self) -> ReloadResult:
        await self._enter("reload")
        return ReloadResult(report=IngestReport(added=1, segments=self.segments, seconds=0.01),
                            index_segments=self.segments)

    async def stats(self) -> StoreStats:
        await self._enter("stats")
        return StoreStats(segments=self.segments, sources=1, notes=1, transcripts=0, episodes=[],
                          speakers=[self.speaker], last_ingest=None, languages=["en"])

    def speaker_names(self, prefix: str = "", limit: int = 25) -> list[str]:
        self.calls.append("speaker_names")
        self._raise_if_failing("speaker_names")
        return [n for n in (self.speaker,) if n.casefold().startswith(prefix.casefold())][:limit]

    def index_age_seconds(self) -> float | None:
        return 0.0

    async def add_source(self, url: str, *, added_by: str) -> AddSourceResult:
        await self._enter("add_source")
        if url in self.failing_sources:
            return AddSourceResult(url=url, status="failed", reason=self.failing_sources[url])
        known = any(seen == url for seen, _ in self.added)
        self.added.append((url, added_by))
        return AddSourceResult(url=url, status="known" if known else "added", documents=3, segments=42)

    async def timeline(
        self, topic: str, *, speaker: str | None = None, lang: str | None = None, limit: int = 10, offset: int = 0
    ) -> Answer:
        """The citations as a timeline of `speaker` (or the fake's speaker) on `topic`, in the order given."""
        self.timelines.append((topic, speaker, lang))
        await self._enter("timeline")
        language = lang or "en"
        if not self.citations:
            return Answer(question=topic, speaker=None, topic=topic, language=language, timeline=True,
                          status=AnswerStatus.NOT_FOUND, message=f"nothing about {topic}")
        return Answer(
            question=topic, speaker=speaker or self.speaker, topic=topic, language=language, timeline=True,
            citations=self.citations[offset : offset + limit], total=len(self.citations), offset=offset,
        )
    async def verify(
        self, quote: str, *, speaker: str | None = None, lang: str | None = None, from_message: bool = False
    ) -> Verification:
        """Every quote is verbatim in the first of `citations` (96%, one spelling shown), or, with none, not
        found with a coverage sentence naming the quote. Recorded in `verified`."""
        self.verified.append((quote, speaker, from_message))
        await self._enter("verify")
        language = lang or "en"
        if not self.citations:
            return Verification(verdict="not_found", quote=quote, speaker=speaker, language=language,
                                coverage=f"nothing like {quote}")
        first = VerifiedCitation(
            **self.citations[0].model_dump(), match=0.96, verbatim=True,
            differences=[QuoteDifference(quoted="colour", stored="color")],
        )
        return Verification(verdict="verbatim", quote=quote, speaker=speaker or self.speaker, language=language,
                            citations=[first], attributed=True)


def as_core(fake: FakeCore) -> Core:
    """Where a fake is handed to an adapter, so the type checker holds it to the port."""
    return fake
