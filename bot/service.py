"""The core service every adapter talks to (through `bot.port.Core`): ask, ingest, and what the store holds."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path

from bot.dense import EmbedReport, embed_missing
from bot.embedding import Embedder, EmbedderUnavailable, load_embedder
from bot.ingest.runner import Progress, max_file_bytes, run_ingest
from bot.models import (
    AddSourceResult,
    Answer,
    AnswerStatus,
    Episode,
    ExportedSegment,
    IngestReport,
    ReloadResult,
    RemoteSource,
    StoreStats,
    Verification,
)
from bot.pipeline import RAW_QUESTION_CHARS, Knowledge, Question, answer
from bot.plan import DocFreqs
from bot.quote_question import parse_quote_question
from bot.remote.listing import list_sources
from bot.remote.lists import CHAT_ORIGIN, COMMAND_LINE_ORIGIN, Requested
from bot.remote.refresh_lock import RefreshLock
from bot.remote.urls import FetchError, FetchPolicy, check_url, loggable
from bot.settings import Settings
from bot.shared_state import SharedState
from bot.shows import ShowDirectory, load_shows
from bot.speakers import SpeakerDirectory, is_placeholder, load_configured_speakers
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

    def __init__(
        self, settings: Settings, store: Store, *, shared_state: SharedState | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        # Where sources added from chat are remembered; None: this deployment takes none (/add says so).
        self.shared_state = shared_state
        self._refresh_lock = RefreshLock(settings.core.db_path)
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
        # The one given (tests), else the one SAIDBOT_EMBEDDER names.
        self.embedder = embedder or _configured_embedder(settings)
        # Passages embedded after an ingest, in the background: answering never waits for it.
        self._embedding: asyncio.Task[EmbedReport | None] | None = None
        self._embed_again = False
        self._embed_progress: Callable[[int, int], None] | None = None
        self._ready = asyncio.Event()
        self._index_lock = asyncio.Lock()
        self._last_ingest_wall: float | None = None
        # Another process ingesting into the same database is noticed by SQLite's data_version, read at
        # most every OTHER_WRITERS_CHECK_SECONDS before a question.
        self._data_version: int | None = None
        self._checked_at = 0.0

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    async def open(
        cls, settings: Settings, *, shared_state: SharedState | None = None, embedder: Embedder | None = None
    ) -> SaidService:
        store = await Store.open(settings.core.db_path, readers=settings.core.read_connections)
        try:
            service = cls(settings, store, shared_state=shared_state, embedder=embedder)
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
        if self._embedding is not None and not self._embedding.done():
            # Committed batches stay; the rest is embedded after the next start's ingest.
            self._embedding.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._embedding
        async with self._index_lock:
            await self.store.close()

    # ----------------------------------------------------------------- dense vectors

    def _start_embedding(self) -> None:
        if self.embedder is None:
            return
        if self._embedding is not None and not self._embedding.done():
            self._embed_again = True  # the running pass may have missed what this ingest added
            return
        self._embedding = asyncio.create_task(self._embed_loop(self.embedder), name="saidbot-embed")

    async def _embed_loop(self, embedder: Embedder) -> EmbedReport | None:
        report = None
        while True:
            self._embed_again = False
            try:
                report = await embed_missing(self.store, embedder, self._report_embedding)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the lexical answers keep serving; the next ingest tries again
                log.error("embed_failed", extra={"model": embedder.name, "error": f"{type(exc).__name__}: {exc}"})
                return None
            if not self._embed_again:
                return report

    def _report_embedding(self, done: int, total: int) -> None:
        if self._embed_progress is not None:
            self._embed_progress(done, total)

    async def embed_pending(self, progress: Callable[[int, int], None] | None = None) -> EmbedReport | None:
        """Wait for the passages ingested so far to be embedded (a one-shot command, the evaluation),
        reporting (done, total) to `progress` meanwhile.

        None when no embedder is configured or the pass failed (logged).
        """
        if self.embedder is None:
            return None
        if self._embedding is None:
            self._start_embedding()
        self._embed_progress = progress
        report = None
        try:
            while self._embedding is not None:
                task = self._embedding
                report = await task
                if task is self._embedding:
                    break
        finally:
            self._embed_progress = None
        return report

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
        report = None
        try:
            # A start (or a one-shot command) after a recent refresh does not fetch every source again.
            minutes = self.settings.core.refresh_minutes
            report = await self._read_everything(progress, fresh_seconds=minutes * 60 if minutes else float("inf"))
        finally:
            self._ready.set()
        # A store built before the embedder was configured (or by hand, with nothing to read) is embedded too.
        self._start_embedding()
        return report

    async def ingest(
        self, paths: Iterable[Path], progress: Progress | None = None, *, exclusive: bool = False,
        urls: Iterable[str] = (), origin: str = COMMAND_LINE_ORIGIN,
    ) -> IngestReport:
        """Ingest files and folders, and the remote sources `urls` (fetched beside what sources.txt files list)."""
        return await self._run(list(paths), [_requested(url, origin) for url in urls], progress, exclusive=exclusive)

    async def _run(
        self, paths: list[Path], sources: list[Requested], progress: Progress | None = None, *,
        exclusive: bool = False, fresh_seconds: float | None = None,
    ) -> IngestReport:
        async with self._index_lock:
            report = await run_ingest(
                self.store, paths, progress, exclusive=exclusive, max_file_mb=self.settings.core.max_file_mb,
                sources=sources, fetch=self.fetch_policy(), fresh_seconds=fresh_seconds, aliases=self.knowledge.aliases,
            )
            await self._refresh_caches()
            self._last_ingest_wall = time.time()
        # Whatever was ingested can be asked about, whether or not notes are configured.
        self._ready.set()
        self._start_embedding()
        return report

    def fetch_policy(self) -> FetchPolicy:
        core = self.settings.core
        return FetchPolicy(timeout_seconds=core.fetch_timeout_seconds, max_bytes=max_file_bytes(core.max_file_mb),
                           allow_private=core.allow_private_urls)

    def _may_hold_chat_sources(self) -> bool:
        """Whether the configured shared state can hold sources added from chat: a shared database, or a local
        file that exists. Reading it loads its database driver, which a one-shot `saidbot ask` need not pay for."""
        core = self.settings.core
        return core.shares_state or core.state_db_path.exists()

    async def _kept_sources(self, *, starting: bool = False) -> list[Requested]:
        """Remote sources kept fresh besides the notes' sources.txt: added from chat, or on the command line."""
        kept = []
        if self.shared_state is not None and (not starting or self._may_hold_chat_sources()):
            kept += [Requested(s.url, CHAT_ORIGIN) for s in await self.shared_state.sources()]
        kept += [Requested(url, s.origin) for url, s in (await self.store.remote_states()).items()
                 if s.origin == COMMAND_LINE_ORIGIN]
        return kept

    async def _read_everything(
        self, progress: Progress | None = None, *, fresh_seconds: float | None = None
    ) -> IngestReport | None:
        """The notes root (with its sources.txt) and every kept remote source; None when there is neither.

        `fresh_seconds` is set at a start (see `ensure_index`).
        """
        root = self.notes_root()
        kept = await self._kept_sources(starting=fresh_seconds is not None)
        if root is None and not kept:
            return None
        return await self._run([root] if root is not None else [], kept, progress, exclusive=root is not None,
                               fresh_seconds=fresh_seconds)

    async def reload(self) -> ReloadResult:
        """Re-read the notes root and the remote sources; with neither, say so rather than pretend."""
        report = await self._read_everything()
        return ReloadResult(report=report, index_segments=self.knowledge.segments)

    async def refresh(self) -> IngestReport | None:
        """The scheduled refresh: notes and remote sources, with conditional requests.

        Never two at once: one running in this process, or in another process on this machine sharing
        the database, makes this one a no-op (None).
        """
        with self._refresh_lock.held() as mine:
            if not mine:
                log.info("refresh_skipped", extra={"reason": "another refresh is running"})
                return None
            return await self._read_everything()

    async def add_source(self, url: str, *, added_by: str) -> AddSourceResult:
        """Fetch and ingest `url` now and remember it, so every refresh and boot fetches it again.

        It is remembered only when it worked: a URL that fails is answered with the reason and forgotten.
        """
        if self.shared_state is None:
            return AddSourceResult(url=url, status="unavailable")
        try:
            url = check_url(url)
        except FetchError as exc:
            return AddSourceResult(url=url, status="failed", reason=exc.reason)
        known = any(s.url == url for s in await self.shared_state.sources())
        report = await self._run([], [Requested(url, CHAT_ORIGIN)])
        outcome = next((s for s in report.sources if s.url == url), None)
        if outcome is None or outcome.status == "failed":
            reason = outcome.reason if outcome is not None else "not fetched"
            log.info("source_add_failed", extra={"url": loggable(url), "added_by": added_by, "reason": reason})
            return AddSourceResult(url=url, status="failed", reason=reason)
        if not known:
            await self.shared_state.add_source(url, added_by=added_by)
        held = (await self.store.remote_states(counts=True)).get(url)
        log.info("source_added", extra={"url": loggable(url), "added_by": added_by, "known": known})
        return AddSourceResult(
            url=url, status="known" if known else "added", documents=held.documents if held else 0,
            segments=held.segments if held else 0,
        )

    async def remote_sources(self) -> list[RemoteSource]:
        """Every remote source: listed in the notes' sources.txt files, added from chat, and what the store holds."""
        chat = await self.shared_state.sources() if self.shared_state is not None else []
        return await list_sources(self.store, self.notes_root(), chat)

    async def _refresh_caches(self) -> None:
        speaker_ids = await self.store.speaker_table()
        speakers = SpeakerDirectory(self._configured_speakers, speaker_ids)
        aliases = AliasTable(
            {k: set(v) for k, v in self._config_aliases.pairs.items()}, set(self._config_aliases.proper)
        )
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
            secrets=tuple(self.settings.secrets()), embedder=self.embedder,
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
                show = (e.show or "").lower()
                # A host is in every episode of their show, listed or not.
                hosts = [host for s in self._shows if show in s.names for host in s.hosts]
                for name in dict.fromkeys([*e.speakers, *hosts]):
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
        return [name for name in self.speakers.complete(prefix, limit=100)
                if name in known and not is_placeholder(name)][:limit]

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



def _configured_embedder(settings: Settings) -> Embedder | None:
    """The embedder SAIDBOT_EMBEDDER names, or None. One that cannot load is logged and left out: the
    lexical ranking answers on its own, and `saidbot doctor` reports why."""
    name = settings.core.embedder
    if name is None:
        return None
    try:
        return load_embedder(name)
    except EmbedderUnavailable as exc:
        log.error("embedder_unavailable", extra={"embedder": name, "error": str(exc)})
        return None


def _requested(url: str, origin: str) -> Requested:
    """A URL as its source's key: normalised when valid; an invalid one is fetched to be reported as such."""
    try:
        return Requested(check_url(url), origin)
    except FetchError:
        return Requested(url, origin)
