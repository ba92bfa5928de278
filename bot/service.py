"""The core service every adapter talks to: ask, ingest, and what the store holds."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
import tomllib
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

from bot import i18n
from bot.citations import to_citation
from bot.ingest.runner import Progress, run_ingest
from bot.models import Answer, AnswerStatus, Episode, ExportedSegment, IngestReport, ParsedQuestion, StoreStats
from bot.present import help_text, is_help_request
from bot.query import parse_question
from bot.rank import (
    AliasTable,
    Query,
    Unit,
    build_query,
    dedupe,
    prefer_language,
    resolve_notes,
    retrieve,
    score_hits,
    unit_idf,
)
from bot.settings import Settings
from bot.shows import Scope, ShowDirectory, load_shows
from bot.speakers import SpeakerDirectory, load_configured_speakers
from bot.store import Store
from bot.suggest import nearest_topics

log = logging.getLogger(__name__)

MAX_LIMIT = 25


# Below this the collector's pauses are too short to matter, and a full collection per ingest is not free.
SETTLE_MIN_SEGMENTS = 20_000


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


def _alias_files(config_dir: Path) -> list[Path]:
    files = [config_dir / "aliases.toml", *sorted(config_dir.glob("glossary-*.toml"))]
    return [f for f in files if f.exists()]


def _load_aliases(config_dir: Path) -> AliasTable:
    """The maintained term table (aliases.toml) and the general glossaries (glossary-*.toml).

    A glossary translates a question's words one way, into the language the answers are likely in
    (a Japanese question reaching English transcripts): thousands of everyday English words each
    also matching Japanese notes would only add noise to English questions.
    """
    table = AliasTable()
    for path in _alias_files(config_dir):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise RuntimeError(f"{path}: {exc}") from exc
        glossary = path.name.startswith("glossary-")
        for term, others in data.get("terms", {}).items():
            for other in others:
                table.add(term, other, both_ways=not glossary)
    return table


def _cached_aliases(config_dir: Path) -> AliasTable:
    """The configured tables, read once per process while the files are unchanged (4,000+ glossary lines)."""
    stamp = tuple((str(f), f.stat().st_mtime_ns) for f in _alias_files(config_dir))
    found = _ALIAS_CACHE.get(stamp)
    if found is None:
        _ALIAS_CACHE.clear()
        found = _ALIAS_CACHE[stamp] = _load_aliases(config_dir)
    # Callers add learnt pairs to copies, never to the cached table.
    return found


_ALIAS_CACHE: dict[tuple[tuple[str, int], ...], AliasTable] = {}


class SaidService:
    """Owns the store and answers questions. One per process, shared by every adapter."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self._configured_speakers = load_configured_speakers(settings.core.config_dir)
        self._config_aliases = _cached_aliases(settings.core.config_dir)
        self._shows = load_shows(settings.core.config_dir)
        # Lower-cased names of interview and of commentary shows, and every show's hosts.
        self._interview = {n for show in self._shows if show.kind != "commentary" for n in show.names}
        self._commentary = {n for show in self._shows if show.kind == "commentary" for n in show.names}
        self._hosts = {host for show in self._shows for host in show.hosts}
        self.shows = ShowDirectory(self._shows)
        self.speakers = SpeakerDirectory(self._configured_speakers)
        self.aliases = self._config_aliases
        self._topics: list[tuple[str, str]] = []
        self._speaker_ids: dict[str, int] = {}
        self._episodes: list[Episode] = []
        self._interview_cache: set[str] = set()
        self._featuring: dict[str, list[int]] = {}
        self._segments = 0
        self._doc_freq: dict[str, int] = {}
        self._ready = asyncio.Event()
        self._index_lock = asyncio.Lock()
        self._last_ingest_wall: float | None = None

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    async def open(cls, settings: Settings) -> SaidService:
        store = await Store.open(settings.core.db_path, readers=settings.core.read_connections)
        try:
            service = cls(settings, store)
            await service._refresh_caches()
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
        return self._ready.is_set()

    def notes_root(self) -> Path | None:
        """The notes this process keeps indexed by itself, or None when the database is managed by hand."""
        if self.settings.core.notes is not None:
            return self.settings.core.notes
        if self.settings.core.db is None:
            return self.settings.core.notes_path  # the bundled demo notes into the per-user database
        return None

    async def ensure_index(self, progress: Progress | None = None) -> IngestReport | None:
        """Build or refresh the index from the configured notes; marks the service ready."""
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
            report = await run_ingest(self.store, list(paths), progress, exclusive=exclusive)
            await self._refresh_caches()
            self._last_ingest_wall = time.time()
        # Whatever was ingested can be asked about, whether or not notes are configured.
        self._ready.set()
        return report

    async def reload(self) -> IngestReport:
        root = self.notes_root()
        if root is None:
            return IngestReport()
        return await self.ingest([root], exclusive=True)

    async def _refresh_caches(self) -> None:
        self._speaker_ids = await self.store.speaker_table()
        self.speakers = SpeakerDirectory(self._configured_speakers, self._speaker_ids)
        aliases = AliasTable({k: set(v) for k, v in self._config_aliases.pairs.items()})
        for a, b in await self.store.term_aliases():
            aliases.add(a, b)
        self.aliases = aliases
        self._topics = await self.store.topics()
        self._episodes = await self.store.episodes()
        self._index_episodes()
        self.shows = ShowDirectory(
            self._shows, [e.show for e in self._episodes if e.show],
            {host: self.speakers.forms_of(host) for show in self._shows for host in show.hosts},
        )
        self._segments = await self.store.segment_count()
        self._doc_freq.clear()
        if self._segments >= SETTLE_MIN_SEGMENTS:
            _settle_heap()

    # ----------------------------------------------------------------- questions

    async def ask(
        self, question: str, *, speaker: str | None = None, lang: str | None = None, limit: int = 3,
        offset: int = 0,
    ) -> Answer:
        lang = i18n.normalize_lang(lang) if lang else None
        parsed = parse_question(question, self.speakers, lang=lang, speaker=speaker, shows=self.shows)
        language = lang or parsed.language
        base = Answer(
            question=parsed.text, speaker=parsed.speaker, topic=parsed.topic, language=language, offset=offset
        )
        if is_help_request(question):
            return base.model_copy(update={"status": AnswerStatus.HELP, "message": help_text(language)})
        if not self.ready:
            return base.model_copy(
                update={"status": AnswerStatus.WARMING_UP, "message": i18n.t("warming_up", language)}
            )
        if parsed.unknown_speaker and not parsed.speaker:
            known = self.known_speakers()
            return base.model_copy(update={
                "status": AnswerStatus.UNKNOWN_SPEAKER,
                "speaker": None,
                "known_speakers": known,
                "message": i18n.t(
                    "unknown_speaker", language, name=parsed.unknown_speaker,
                    speakers=i18n.join_list(known[:12], language),
                ),
            })
        limit = max(1, min(limit, MAX_LIMIT))
        offset = max(0, offset)
        forms = self.speakers.forms_of(parsed.speaker) if parsed.speaker else ()
        query = build_query(parsed.topic, parsed.speaker, language, self.aliases, forms)
        query.speaker_is_host = parsed.speaker in self._hosts
        if parsed.show is not None or parsed.episode_number is not None:
            scope = Scope(show=parsed.show, number=parsed.episode_number)
            query.scope = frozenset(e.id for e in self._episodes if e.id is not None and self.shows.holds(scope, e))
        if not query.alternatives:
            return base.model_copy(update={"status": AnswerStatus.EMPTY, "message": i18n.t("empty_question", language)})
        query.idf = await self._idf(query)
        speaker_id = self._speaker_ids.get(parsed.speaker) if parsed.speaker else None
        hits = await retrieve(
            self.store, query, speaker_id=speaker_id, episode_ids=self._episodes_featuring(parsed.speaker),
            wanted=offset + limit,
        )
        interview = self._interview_names()
        scored = await resolve_notes(self.store, score_hits(hits, query, interview), query, interview)
        ranked, total = dedupe(scored, language)
        if not ranked:
            return self._not_found(base, parsed, language)
        page = await prefer_language(self.store, ranked[offset : offset + limit], language)
        citations = [to_citation(item, query.all_tokens) for item in page]
        return base.model_copy(update={"citations": citations, "total": total})

    async def _idf(self, query: Query) -> dict[Unit, float]:
        """IDF per unit; also fills query.doc_freq, which decides how the index is searched."""
        units = {u for alt in query.alternatives for u in alt}
        missing = [t for u in units for option in u for t in option if t not in self._doc_freq]
        if missing:
            if len(self._doc_freq) > 50_000:
                self._doc_freq.clear()
            self._doc_freq.update(await self.store.doc_freqs(sorted(set(missing))))
        # A CJK word is as rare as its rarest bigram; a word with several spellings as common as its
        # most common one.
        query.doc_freq = {u: max(min(self._doc_freq[t] for t in option) for option in u) for u in units}
        return {u: unit_idf(df, self._segments) for u, df in query.doc_freq.items()}

    def _not_found(self, base: Answer, parsed: ParsedQuestion, language: str) -> Answer:
        suggestions = nearest_topics(parsed.topic, self._topics, language)
        if parsed.speaker:
            message = i18n.t("not_found_speaker", language, speaker=parsed.speaker, topic=parsed.topic)
        else:
            message = i18n.t("not_found", language, topic=parsed.topic)
        if suggestions:
            message += " " + i18n.t("nearest_topics", language, topics=i18n.join_list(suggestions, language))
        return base.model_copy(
            update={"status": AnswerStatus.NOT_FOUND, "message": message, "suggestions": suggestions}
        )

    def _interview_names(self) -> set[str]:
        return self._interview_cache

    def _episodes_featuring(self, speaker: str | None) -> list[int]:
        return self._featuring.get(speaker, []) if speaker else []

    def _index_episodes(self) -> None:
        """Per-episode facts every question needs, worked out once per ingest rather than per question."""
        self._interview_cache = self._interview | {
            e.show.lower() for e in self._episodes if e.show and e.show.lower() not in self._commentary
        }
        featuring: dict[str, list[int]] = {}
        for e in self._episodes:
            if e.id is not None and (e.show or "").lower() not in self._commentary:
                for name in e.speakers:
                    featuring.setdefault(name, []).append(e.id)
        self._featuring = featuring

    # ----------------------------------------------------------------- what the store holds

    def known_speakers(self) -> list[str]:
        return sorted(self._speaker_ids)

    def speaker_names(self, prefix: str = "", limit: int = 25) -> list[str]:
        """Autocomplete: fast and in memory, never waits on the database."""
        known = set(self._speaker_ids)
        return [name for name in self.speakers.complete(prefix, limit=100) if name in known][:limit]

    async def stats(self) -> StoreStats:
        return await self.store.stats()

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

