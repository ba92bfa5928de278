"""The core service every adapter talks to (through `bot.port.Core`): ask, ingest, and what the store holds."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

from bot.ingest.runner import Progress, run_ingest
from bot.models import (
    Answer,
    AnswerStatus,
    Episode,
    ExportedSegment,
    IngestReport,
    ReloadResult,
    StoreStats,
    Verification,
)
from bot.pipeline import RAW_QUESTION_CHARS, Knowledge, Question, answer
from bot.plan import DocFreqs
from bot.quote_question import parse_quote_question
from bot.settings import Settings
from bot.shows import ShowDirectory, load_shows
from bot.speakers import SpeakerDirectory, load_configured_speakers
from bot.store import Store
from bot.topics import AliasTable, cached_aliases
from bot.verify import verify as verify_quote

log = logging.getLogger(__name__)

# Below this the collector's pauses are too short to matter, and a full collection per ingest is not free.
SETTLE_MIN_SEGMENTS = 20_000
# How often (at most) a question checks whether another process wrote the database: one cheap PRAGMA.
OTHER_WRITERS_CHECK_SECONDS = 1.0


def _settle_heap() -> None:
    """Move what lives long (caches, configuration, imported modules) out of the collector's way.

    A full collection walks every tracked object; with the caches of a large store that pause
    was the slowest answers' extra 5 ms (p99 11 ms against a p50 of 5 ms at a million
    segments). Unfreezing first lets caches dropped by a reload be collected before the new
    ones are frozen, so a reload leaks nothing.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class SaidService:
    """Owns the store and answers questions. One per process, shared by every adapter."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        config_dir = settings.core.config_folder
        self._configured_speakers = load_configured_speakers(config_dir)
        self._config_aliases = cached_aliases(config_dir)
        self._shows = load_shows(config_dir)
        # Lower-cased names of interview and of commentary shows, and every show's hosts.
        self._interview = {n for show in self._shows if show.kind != "commentary" for n in show.names}
        self._commentary = {n for show in self._shows if show.kind == "commentary" for n in show.names}
        self._hosts = frozenset(host for show in self._shows for host in show.hosts)
        self.knowledge = Knowledge(
            speakers=SpeakerDirectory(self._configured_speakers), shows=ShowDirectory(self._shows),
            aliases=self._config_aliases, speaker_ids={}, episodes=[], hosts=self._hosts,
            interview_shows=frozenset(self._interview), featuring={}, segments=0,
        )
        self._doc_freqs = DocFreqs(store)
        self._ready = asyncio.Event()
        self._index_lock = asyncio.Lock()
        self._last_ingest_wall: float | None = None
        # Another process ingesting into the same database is noticed by SQLite's data_version, read at
        # most every OTHER_WRITERS_CHECK_SECONDS before a question.
        self._data_version: int | None = None
        self._checked_at = 0.0

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    async def open(cls, settings: Settings) -> SaidService:
        store = await Store.open(settings.core.db_path, readers=settings.core.read_connections)
        try:
            service = cls(settings, store)
            await service._refresh_caches()
            service._data_version = await store.data_version()
            # Stale-while-revalidate: an index from an earlier run answers while the boot refresh runs.
            if service.knowledge.segments > 0:
                service._ready.set()
        except BaseException:
            # Connections run on their own threads; an unclosed one keeps the process alive.
            await store.close()
            raise
        return service

    async def close(self) -> None:
        async with self._index_lock:
            await self.store.close()

    @property
    def ready(self) -> bool:
        """Whether questions are answered from the store: it holds segments, or the first build is done."""
        return self._ready.is_set()

    async def _wait_for_first_build(self) -> None:
        """With an empty store, wait (bounded) for the first build rather than ask the person to retry.

        The adapters have acknowledged the question already (Discord defers, Slack acks), so the wait
        costs the person nothing but the build's time; past the bound they get the warming-up apology.
        """
        if self._ready.is_set():
            return
        began = time.perf_counter()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), self.settings.core.warmup_wait_seconds)
        log.info("first_build_waited", extra={
            "seconds": round(time.perf_counter() - began, 3), "ready": self._ready.is_set(),
        })

    def notes_root(self) -> Path | None:
        """The notes this process keeps indexed by itself, or None when the database is managed by hand."""
        if self.settings.core.notes is not None:
            return self.settings.core.notes
        if self.settings.core.db is None:
            return self.settings.core.notes_path  # the bundled demo notes into the per-user database
        return None

    async def ensure_index(self, progress: Progress | None = None) -> IngestReport | None:
        """Build or refresh the index from the configured notes; marks the service ready.

        With segments in the store the service is ready already and answers from them meanwhile; the
        refresh swaps in the new index when its transaction commits.
        """
        root = self.notes_root()
        report = None
        try:
            if root is not None:
                report = await self.ingest([root], progress=progress, exclusive=True)
        finally:
            self._ready.set()
        return report

    async def ingest(
        self, paths: Iterable[Path], progress: Progress | None = None, *, exclusive: bool = False
    ) -> IngestReport:
        async with self._index_lock:
            report = await run_ingest(
                self.store, list(paths), progress, exclusive=exclusive, max_file_mb=self.settings.core.max_file_mb,
                aliases=self.knowledge.aliases,
            )
            await self._refresh_caches()
            self._last_ingest_wall = time.time()
        # Whatever was ingested can be asked about, whether or not notes are configured.
        self._ready.set()
        return report

    async def reload(self) -> ReloadResult:
        """Re-read the notes root; with none configured, say so rather than pretend, with the index's size."""
        root = self.notes_root()
        report = None if root is None else await self.ingest([root], exclusive=True)
        return ReloadResult(report=report, index_segments=self.knowledge.segments)

    async def _refresh_caches(self) -> None:
        speaker_ids = await self.store.speaker_table()
        speakers = SpeakerDirectory(self._configured_speakers, speaker_ids)
        aliases = AliasTable({k: set(v) for k, v in self._config_aliases.pairs.items()})
        for a, b in await self.store.term_aliases():
            aliases.add(a, b)
        episodes = await self.store.episodes()
        shows = ShowDirectory(
            self._shows, [e.show for e in episodes if e.show],
            {host: speakers.forms_of(host) for show in self._shows for host in show.hosts},
        )
        self.knowledge = Knowledge(
            speakers=speakers, shows=shows, aliases=aliases, speaker_ids=speaker_ids, episodes=episodes,
            hosts=self._hosts, interview_shows=self._interview_shows(episodes), featuring=self._featuring(episodes),
            segments=await self.store.segment_count(), topics=await self.store.topics(),
            secrets=tuple(self.settings.secrets()),
        )
        self._doc_freqs.clear()
        if self.knowledge.segments >= SETTLE_MIN_SEGMENTS:
            _settle_heap()

    async def _notice_other_writers(self) -> None:
        """Refresh the cached views (speakers, episodes, topics) when another process changed the database."""
        now = time.monotonic()
        if now - self._checked_at < OTHER_WRITERS_CHECK_SECONDS or self._index_lock.locked():
            return  # checked a moment ago, or this process is ingesting and refreshes when it is done
        self._checked_at = now
        version = await self.store.data_version()
        if version == self._data_version:
            return
        async with self._index_lock:
            self._data_version = version
            await self._refresh_caches()
            if self.knowledge.segments > 0:
                # Another process built the index this one was still waiting to build: answer from it.
                self._ready.set()
        log.info("index_changed_elsewhere", extra={"segments": self.knowledge.segments})

    def _interview_shows(self, episodes: list[Episode]) -> frozenset[str]:
        return frozenset(self._interview | {
            e.show.lower() for e in episodes if e.show and e.show.lower() not in self._commentary
        })

    def _featuring(self, episodes: list[Episode]) -> dict[str, tuple[int, ...]]:
        featuring: dict[str, list[int]] = {}
        for e in episodes:
            if e.id is not None and (e.show or "").lower() not in self._commentary:
                for name in e.speakers:
                    featuring.setdefault(name, []).append(e.id)
        return {name: tuple(ids) for name, ids in featuring.items()}

    # ----------------------------------------------------------------- questions

    @property
    def speakers(self) -> SpeakerDirectory:
        return self.knowledge.speakers

    @property
    def shows(self) -> ShowDirectory:
        return self.knowledge.shows

    @property
    def aliases(self) -> AliasTable:
        return self.knowledge.aliases

    async def ask(
        self, question: str, *, speaker: str | None = None, lang: str | None = None, limit: int = 3,
        offset: int = 0,
    ) -> Answer:
        await self._notice_other_writers()
        quoted = parse_quote_question(question[:RAW_QUESTION_CHARS])
        if quoted is not None and offset == 0:
            return await self._verify_answer(question, quoted.quote, speaker or quoted.speaker, lang)
        asked = Question(text=question, speaker=speaker, lang=lang, limit=limit, offset=offset)
        await self._wait_for_first_build()
        return await answer(asked, self.knowledge, self.store, self._doc_freqs, ready=self.ready)

    async def timeline(
        self, topic: str, *, speaker: str | None = None, lang: str | None = None, limit: int = 10, offset: int = 0
    ) -> Answer:
        await self._notice_other_writers()
        asked = Question(text=topic, speaker=speaker, lang=lang, limit=limit, offset=offset, timeline=True)
        await self._wait_for_first_build()
        return await answer(asked, self.knowledge, self.store, self._doc_freqs, ready=self.ready)

    # ----------------------------------------------------------------- quote verification

    async def verify(
        self, quote: str, *, speaker: str | None = None, lang: str | None = None, from_message: bool = False
    ) -> Verification:
        await self._notice_other_writers()
        await self._wait_for_first_build()
        return await verify_quote(
            quote, self.knowledge, self.store, speaker=speaker, lang=lang, ready=self.ready, from_message=from_message
        )

    async def _verify_answer(self, question: str, quote: str, speaker: str | None, lang: str | None) -> Answer:
        """"did Dario say '…'?" asked as a question: the answer carries the verification."""
        found = await self.verify(quote, speaker=speaker, lang=lang)
        return Answer(
            question=question, speaker=found.speaker, topic=found.quote, language=found.language,
            status=AnswerStatus.OK if found.citations else AnswerStatus.NOT_FOUND, verification=found,
        )

    # ----------------------------------------------------------------- what the store holds

    def known_speakers(self) -> list[str]:
        return self.knowledge.known_speakers()

    def speaker_names(self, prefix: str = "", limit: int = 25) -> list[str]:
        """Autocomplete: fast and in memory, never waits on the database."""
        known = self.knowledge.speaker_ids
        return [name for name in self.speakers.complete(prefix, limit=100) if name in known][:limit]

    async def stats(self) -> StoreStats:
        return await self.store.stats(self.notes_root())

    def index_age_seconds(self) -> float | None:
        if self._last_ingest_wall is None:
            return None
        return max(0.0, time.time() - self._last_ingest_wall)

    async def export_segments(self) -> AsyncIterator[ExportedSegment]:
        async for hit in self.store.all_hits():
            episode = hit.episode
            yield ExportedSegment(
                id=hit.id, text=hit.text, start_seconds=int(hit.start) if hit.start is not None else None,
                video_id=episode.video_id if episode else None,
                transcript_url=episode.transcript_url if episode else None,
                episode=episode.display_title() if episode else None, speaker=hit.speaker, lang=hit.lang,
                kind=hit.kind, source=hit.source_path,
            )

