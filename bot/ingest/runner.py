"""An ingest run: walk the paths, parse what changed, write it all in one transaction."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import os
import stat
import sys
import threading
import time
import traceback
import types
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from bot.claims import CheckTotals, recheck
from bot.ingest.document import ParsedDocument, ParsedSegment, ParseError
from bot.ingest.formats import group_and_lang, parse_file
from bot.ingest.walk import Candidate as _Candidate
from bot.ingest.walk import Walk, gone, walk
from bot.models import Episode, IngestProblem, IngestReport, SourceReport
from bot.passages import within_episode, within_note_group
from bot.remote.lists import CHAT_ORIGIN, Requested, read_source_list
from bot.remote.urls import FetchPolicy
from bot.settings import PACKAGED_CONFIG_DIR
from bot.store import RemoteState, SegmentRow, SourceState, Store, SyncWriter
from bot.store.checks import episodes_of_path, episodes_of_source
from bot.store.rows import owned_by
from bot.store.writes import TRANSCRIPT_FORMATS
from bot.text import index_text, is_question
from bot.topics import AliasTable, cached_aliases

if TYPE_CHECKING:
    from bot.remote.gather import Gathered, RemoteDocument

log = logging.getLogger(__name__)

# Bump whenever parsing or index tokens change: a store written by another version re-reads every
# file once (unchanged files are otherwise skipped, and would keep what the old parser made of them).
INDEX_VERSION = "2026-12-01.4"

# Files larger than this are refused (reported, not read): reading and parsing a 200 MB file peaked at
# 2.4 GB RSS, four times a 512 MB dyno. SAIDBOT_MAX_FILE_MB (CoreSettings.max_file_mb) overrides it; notes are
# rarely above 1 MB.
DEFAULT_MAX_FILE_MB = 20.0


def max_file_bytes(megabytes: float = DEFAULT_MAX_FILE_MB) -> int:
    return int(megabytes * 1024 * 1024)


def _too_large(key: str, size: int, limit: int) -> IngestProblem:
    return IngestProblem(
        path=key, line=None,
        reason=f"file is {size / 1048576:.3g} MB, over the {limit / 1048576:.3g} MB limit (SAIDBOT_MAX_FILE_MB); "
        "skipped",
    )


# (files done, files in all, current path)
Progress = Callable[[int, int, str], None]


def _removed(known: dict[str, SourceState], seen: set[str], found: Walk, exclusive: bool) -> list[str]:
    """Sources to drop: only ever files under the given roots, never what was ingested from elsewhere.

    A root owns the sources under it. Without `exclusive` a source under a root goes when its file is
    gone or now refused; with `exclusive` also when the walk no longer takes it (e.g. it moved into a
    hidden folder). Sources from other roots stay: a deployment's `SAIDBOT_NOTES` must not delete
    another folder's notes that someone ingested into the same database. A file under a folder that
    could not be read this time keeps serving: it may be back next run.
    """
    roots = found.roots
    dropped = []
    for path in known:
        if path in seen or not _under(path, roots):
            continue
        kept_while_unreadable = _under(path, found.unreadable)
        if path in found.refused or (not kept_while_unreadable and (exclusive or gone(path))):
            dropped.append(path)
    return dropped


def _under(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError("not UTF-8 text", line) from exc


class ParsedRow(NamedTuple):
    """One segment as parsed and tokenized, before the store knows its ids (a plain tuple to pickle)."""

    episode: int | None  # index into the document's episodes
    speaker: str | None
    speaker_verified: bool
    start: float | None
    end: float | None
    text: str
    terms: str
    context: str
    lang: str
    kind: str
    passage_key: str | None
    heading: str | None


@dataclass(slots=True)
class _Document:
    """A parsed and tokenized file as plain data: cheap to send back from a worker process."""

    lang: str
    format: str
    title: str | None
    group_key: str
    episodes: list[Episode]
    segments: list[ParsedRow]
    topics: list[str]
    aliases: list[tuple[str, str]]
    warnings: list[IngestProblem]


def _parse(candidate: _Candidate, data: bytes) -> _Document:
    """Parse and tokenize off the event loop; the loop only writes."""
    doc = parse_file(candidate.path, _decode(data))
    group, _ = group_and_lang(candidate.path)
    return _tokenized(doc, f"{candidate.path.parent}/{group}")


def _tokenized(doc: ParsedDocument, group_key: str) -> _Document:
    rows: list[ParsedRow] = []
    for parsed, (terms, context) in zip(doc.segments, _index_terms(doc), strict=True):
        segment = parsed.segment
        rows.append(ParsedRow(
            parsed.episode, segment.speaker, segment.speaker_verified, segment.start, segment.end, segment.text,
            terms, context, segment.lang, segment.kind, within_note_group(segment.passage_key, group_key),
            segment.heading,
        ))
    return _Document(
        lang=doc.lang, format=doc.format, title=doc.title, group_key=group_key, episodes=doc.episodes,
        segments=rows, topics=doc.topics, aliases=doc.aliases, warnings=doc.warnings,
    )


def _index_terms(doc: ParsedDocument) -> list[tuple[str, str]]:
    """(terms, context) per segment: its own words, and the heading and question it answers."""
    out: list[tuple[str, str]] = []
    headings: dict[str, str] = {}
    asked = ""
    previous: ParsedSegment | None = None
    previous_terms = ""
    for parsed in doc.segments:
        terms = index_text(parsed.segment.text)
        asked = _question_context(previous, parsed, asked, previous_terms)
        heading = parsed.segment.heading or ""
        if heading not in headings:
            headings[heading] = index_text(heading)
        out.append((terms, " ".join(filter(None, [headings[heading], asked]))))
        previous, previous_terms = parsed, terms
    return out


# Chunks of files read and parsed ahead of the one being written, so parsing overlaps SQLite's writes.
PREFETCH = 4
# Files go to a parser thread or process in chunks of about this many bytes (or CHUNK_FILES files), and
# each chunk is written in one call on the writer's thread.
CHUNK_BYTES = 128 * 1024
CHUNK_FILES = 64
# Parsing holds the interpreter lock, so threads cannot parse on one core while SQLite writes on
# another; worker processes can. Starting them costs about 0.2 s, which pays from a few MB on.
POOL_MIN_BYTES = 4_000_000
POOL_MAX_WORKERS = 4
# Workers run below the writer's priority: the writer is what every run waits for.
WORKER_NICENESS = 5


@dataclass(slots=True)
class _Prepared:
    """What reading and parsing one file produced, before anything is written."""

    skipped: bool = False
    touch: bool = False
    digest: str = ""
    doc: _Document | None = None
    problem: IngestProblem | None = None
    # The traceback of a parser crash, logged by the run (a worker process has no log handlers).
    crash: str | None = None


def _unchanged(candidate: _Candidate, old: SourceState | None) -> bool:
    return old is not None and old.size == candidate.size and old.mtime == candidate.mtime


def _prepare(candidate: _Candidate, old: SourceState | None) -> _Prepared:
    """Runs in a worker thread or process: read, hash, parse and tokenize one file."""
    if _unchanged(candidate, old):
        return _Prepared(skipped=True)
    if candidate.limit and candidate.size > candidate.limit:
        return _Prepared(problem=_too_large(candidate.key, candidate.size, candidate.limit))
    try:
        data = _read(candidate)
    except FileNotFoundError:
        # Deleted since the walk: nothing to read, and the removal pass drops what was indexed.
        return _Prepared(problem=IngestProblem(path=candidate.key, line=None, reason="deleted during the ingest"))
    except OSError as exc:
        return _Prepared(problem=IngestProblem(path=candidate.key, line=None, reason=f"cannot read: {exc.strerror}"))
    if candidate.limit and len(data) > candidate.limit:
        return _Prepared(problem=_too_large(candidate.key, len(data), candidate.limit))
    digest = hashlib.sha256(data).hexdigest()
    if old is not None and old.sha256 == digest:
        return _Prepared(skipped=True, touch=True)
    try:
        doc = _parse(candidate, data)
    except ParseError as exc:
        return _Prepared(problem=IngestProblem(path=exc.path or candidate.key, line=exc.line, reason=exc.reason))
    except Exception as exc:  # a parser bug must not sink the whole run
        return _Prepared(
            problem=IngestProblem(path=candidate.key, line=None, reason=f"could not parse: {exc}"),
            crash=traceback.format_exc(),
        )
    return _Prepared(digest=digest, doc=doc)


class _Replaced(OSError):
    """The path no longer leads to the file the walk checked (swapped for a link, a FIFO, another file)."""


def _read(candidate: _Candidate) -> bytes:
    """The file's bytes, at most one past the limit: a file that grew since the walk is not read whole.

    The file opened is the one the walk vetted (same device and inode), so a path swapped for a link
    out of the root between the walk and the read is not followed; O_NONBLOCK keeps a FIFO from blocking.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(candidate.real or candidate.path, flags)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if candidate.inode and (info.st_dev, info.st_ino) != (candidate.device, candidate.inode):
            raise _Replaced(0, "the file was replaced during the ingest")
        if not stat.S_ISREG(info.st_mode):
            raise _Replaced(0, "not a regular file")
        return handle.read(candidate.limit + 1 if candidate.limit else -1)


_Job = tuple[_Candidate, SourceState | None]


def _prepare_chunk(jobs: list[_Job]) -> list[_Prepared]:
    """Runs in a worker thread or process. Looks `_prepare` up at call time, so tests can replace it."""
    return [_prepare(candidate, old) for candidate, old in jobs]


def _chunks(jobs: list[_Job]) -> list[list[_Job]]:
    """Consecutive runs of files of about CHUNK_BYTES to parse (unchanged files cost nothing)."""
    chunks: list[list[_Job]] = []
    current: list[_Job] = []
    size = 0
    for candidate, old in jobs:
        current.append((candidate, old))
        size += 0 if _unchanged(candidate, old) else candidate.size + 512
        if size >= CHUNK_BYTES or len(current) >= CHUNK_FILES:
            chunks.append(current)
            current, size = [], 0
    if current:
        chunks.append(current)
    return chunks


async def run_ingest(
    store: Store, paths: Iterable[Path], progress: Progress | None = None, *, exclusive: bool = False,
    max_file_mb: float = DEFAULT_MAX_FILE_MB, sources: Sequence[Requested] = (), fetch: FetchPolicy | None = None,
    fresh_seconds: float | None = None, aliases: AliasTable | None = None,
) -> IngestReport:
    """Ingest `paths` and the remote `sources` (with those the folders' sources.txt files list).

    With `exclusive`, what lies under the paths is exactly what the walk found there. Remote sources
    are fetched before the transaction starts (the write lock is not held while a server is slow) and
    written in it with the files; one that fails is reported and keeps what it gave before. With
    `fresh_seconds`, a source fetched less than that long ago is not fetched again (a start or a one-shot
    command after a recent refresh).

    Note quotations of every episode the run touched are checked against its transcript (`bot.claims`)
    once all sources are written; `aliases` are the translation tables for quotations in another
    language than the transcript (the packaged ones when None).
    """
    began = time.perf_counter()
    found = await asyncio.to_thread(walk, list(paths), max_file_bytes(max_file_mb))
    candidates = found.candidates
    report = IngestReport(ignored=found.ignored, problems=[*found.problems, *found.notices], failed=len(found.problems))
    listed, unread_lists = await asyncio.to_thread(_read_source_lists, found, report)
    requests = _requests([*sources, *listed])
    remote = await _gather_remote(store, requests, fetch or FetchPolicy(max_bytes=max_file_bytes(max_file_mb)),
                                  progress, fresh_seconds)
    seen: set[str] = set()
    # Episodes whose sources this run wrote or removed: their note quotations are checked again.
    touched: set[int] = set()
    total = len(candidates)
    pending: deque[asyncio.Future[list[_Prepared]]] = deque()
    pool: Executor | None = None
    try:
        async with store.transaction() as writer:
            # What the store holds is read once this run holds the write lock: another process (the web and
            # worker dynos both ingest at boot) may have committed the same files while this one waited.
            known = await store.source_states()
            reparse = await store.meta("index_version") != INDEX_VERSION
            jobs: list[_Job] = [(c, None if reparse else known.get(c.key)) for c in candidates]
            chunks = _chunks(jobs)
            claims = _Claims(known, {c.key for c in candidates}, found, exclusive)
            upcoming = iter(chunks)
            pool = _parser_pool(candidates, {} if reparse else known)
            parsers = _Parsers(pool)
            ahead = PREFETCH if pool is None else PREFETCH * 2

            def schedule() -> None:
                while len(pending) < ahead:
                    chunk = next(upcoming, None)
                    if chunk is None:
                        return
                    pending.append(asyncio.ensure_future(parsers.prepare(chunk)))

            schedule()
            done = 0
            for chunk in chunks:
                prepared = await pending.popleft()
                schedule()
                olds = [known.get(candidate.key) for candidate, _ in chunk]
                items = [(candidate, old, p) for (candidate, _), old, p in zip(chunk, olds, prepared, strict=True)]
                counts = await writer.batch(partial(_write_chunk, claims, items, touched))
                for (candidate, old, p), (count, duplicate) in zip(items, counts, strict=True):
                    seen.add(candidate.key)
                    _account(report, candidate, old, p, count, duplicate)
                    done += 1
                    if progress is not None:
                        progress(done, total, candidate.key)
            for path in await asyncio.to_thread(_removed, known, seen, found, exclusive):
                source_id = known[path].id
                touched.update(await writer.batch(partial(_episodes_of, source_id)))
                await writer.remove_source(source_id)
                report.removed += 1
            if remote or found.source_lists:
                states = await store.remote_states()
                report.removed += await writer.batch(partial(
                    _write_remote, remote, known, states, _unlisted(states, requests, found, unread_lists), report,
                    touched,
                ))
            await writer.prune_episodes()
            tables = aliases if aliases is not None else cached_aliases(PACKAGED_CONFIG_DIR)
            totals = await writer.batch(lambda w: recheck(w.conn, None if reparse else touched, tables))
            _account_checks(report, totals)
            await writer.set_meta("last_ingest", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
            await writer.set_meta("index_version", INDEX_VERSION)
    finally:
        for future in pending:
            future.cancel()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
    report.seconds = time.perf_counter() - began
    log.info("ingest_finished", extra=report.model_dump(exclude={"problems"}) | {"problems": len(report.problems)})
    return report


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _parser_pool(candidates: list[_Candidate], known: dict[str, SourceState]) -> Executor | None:
    """Worker processes for a large run, or None to parse on threads of this process."""
    cpus = _cpus()
    changed = sum(c.size for c in candidates if not _unchanged(c, known.get(c.key)))
    if cpus < 2 or changed < POOL_MIN_BYTES:
        return None
    workers = min(cpus, POOL_MAX_WORKERS)
    # "spawn": this process runs SQLite and event-loop threads, which a forked child must not inherit.
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker,
        initargs=(os.getpid(),),
    )
    try:
        with _main_module_hidden():
            # A spawned process starts for each task submitted while none is idle: start them all now.
            for _ in range(workers):
                pool.submit(os.getpid)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    return pool


# How often a worker checks that the process that started it is still alive.
WATCHDOG_SECONDS = 0.25


def _start_worker(parent: int) -> None:
    """In a worker process: lower its priority, and die with the parent that started it."""
    _lower_priority()
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watchdog", daemon=True).start()


def _watch_parent(parent: int) -> None:
    """Exit as soon as the parent is gone (kill -9, a crash, SIGTERM).

    A worker outliving its parent held ~100 MB and the parent's stdout and stderr, so `saidbot ingest … |
    tee` never finished. The pool's own shutdown cannot run in a parent that was killed; a reparented
    worker sees another parent pid. Polling works wherever Python does (prctl's PR_SET_PDEATHSIG is
    Linux-only and tied to the thread that started the worker).
    """
    while os.getppid() == parent:
        time.sleep(WATCHDOG_SECONDS)
    os._exit(0)


def _lower_priority() -> None:
    """In a worker process: the writer (and a server answering questions) gets a core when it needs one."""
    with suppress(OSError, AttributeError):
        os.nice(WORKER_NICENESS)


@contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Spawned workers do not re-run the main script.

    A spawned process imports the parent's `__main__` script again before it runs anything, which
    runs a script without an `if __name__ == "__main__":` guard (or read from stdin) a second time.
    The workers need nothing from it, so it is hidden while they start.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main
        else:
            del sys.modules["__main__"]


class _Parsers:
    """Parses chunks of files in worker processes, or in threads of this process without a pool."""

    def __init__(self, pool: Executor | None) -> None:
        self.pool = pool
        self._warned = False

    async def prepare(self, chunk: list[_Job]) -> list[_Prepared]:
        if self.pool is not None:
            try:
                prepared = await asyncio.get_running_loop().run_in_executor(self.pool, _prepare_chunk, chunk)
            except BrokenProcessPool:
                # A worker died (out of memory, killed): the rest is parsed here instead of failing the run.
                if not self._warned:
                    log.warning("parser_process_died", extra={"path": chunk[0][0].key})
                    self._warned = True
                prepared = await asyncio.to_thread(_prepare_chunk, chunk)
        else:
            prepared = await asyncio.to_thread(_prepare_chunk, chunk)
        for item, (candidate, _) in zip(prepared, chunk, strict=True):
            if item.crash is not None:
                log.error("parser_crashed", extra={"path": candidate.key, "error": item.crash})
        return prepared


class _Claims:
    """Which path each content (sha256) is indexed under: a copy of a file is indexed once, as the first path."""

    def __init__(self, known: dict[str, SourceState], keys: set[str], found: Walk, exclusive: bool) -> None:
        self.owner: dict[str, str] = {}
        for path, state in known.items():
            # Sources this run keeps without reading (those under other roots) hold their content.
            if path not in keys and not _under(path, found.roots):
                self.owner.setdefault(state.sha256, path)

    def claim(self, digest: str, key: str) -> str | None:
        """None when `key` may hold this content; otherwise the path that already does."""
        owner = self.owner.setdefault(digest, key)
        return None if owner == key else owner


def _write_chunk(
    claims: _Claims, items: list[tuple[_Candidate, SourceState | None, _Prepared]], touched: set[int],
    writer: SyncWriter,
) -> list[tuple[int, str | None]]:
    """On the writer's thread: store a chunk of prepared files; per file the segments stored, and the
    path it duplicates when its content is already indexed under another."""
    out: list[tuple[int, str | None]] = []
    for candidate, old, prepared in items:
        count = 0
        duplicate: str | None = None
        if prepared.problem is not None:
            pass  # the previous version of this file, if any, keeps serving
        elif prepared.skipped:
            assert old is not None
            duplicate = claims.claim(old.sha256, candidate.key)
            if duplicate is not None:
                touched.update(episodes_of_source(writer.conn, old.id))
                writer.remove_source(old.id)
            elif prepared.touch:
                writer.touch_source(old.id, candidate.mtime)
        else:
            assert prepared.doc is not None
            duplicate = claims.claim(prepared.digest, candidate.key)
            if old is not None:
                touched.update(episodes_of_source(writer.conn, old.id))
                writer.remove_source(old.id)
            if duplicate is None:
                count = _store_document(writer, candidate, prepared.digest, prepared.doc)
                touched.update(episodes_of_path(writer.conn, candidate.key))
        out.append((count, duplicate))
    return out


def _account(
    report: IngestReport, candidate: _Candidate, old: SourceState | None, prepared: _Prepared, segments: int,
    duplicate: str | None,
) -> None:
    if duplicate is not None:
        report.skipped += 1
        report.problems.append(IngestProblem(
            path=candidate.key, line=None, reason=f"the same content as {duplicate}; indexed once, as that one"
        ))
    elif prepared.problem is not None:
        report.failed += 1
        report.problems.append(prepared.problem)
    elif prepared.skipped:
        report.skipped += 1
    else:
        assert prepared.doc is not None
        report.problems.extend(prepared.doc.warnings)
        if old is not None:
            report.changed += 1
        else:
            report.added += 1
        report.segments += segments


def _episodes_of(source_id: int, writer: SyncWriter) -> set[int]:
    return episodes_of_source(writer.conn, source_id)


def _account_checks(report: IngestReport, totals: CheckTotals) -> None:
    report.notes_checked = totals.checked
    report.notes_contradicted = totals.contradicted
    report.notes_translated = totals.translated


def _question_context(
    previous: ParsedSegment | None, current: ParsedSegment, carried: str, previous_terms: str
) -> str:
    """The other speaker's turn just before an answer: what the answer is about, in the asker's words.

    A reply rarely repeats the question's topic ("talent density"), so the turn before it is
    indexed as the answer's context, weighted below the answer's own words.
    """
    speaker = current.segment.speaker
    if previous is None:
        return ""
    if speaker is None and previous.segment.speaker is None:
        # A transcript without speaker labels: a paragraph that asks is the host's question, and
        # the paragraph after it the answer.
        if current.segment.kind == "quote" and previous.segment.kind == "quote" and is_question(
            previous.segment.text
        ):
            return previous_terms
        return ""
    if speaker is None or previous.segment.speaker is None:
        return ""
    if previous.segment.speaker == speaker:
        return carried  # a continuation answers the same question
    return previous_terms


def _store_document(writer: SyncWriter, candidate: _Candidate, digest: str, doc: _Document) -> int:
    source_id = writer.add_source(
        path=candidate.key, sha256=digest, size=candidate.size, mtime=candidate.mtime, lang=doc.lang,
        fmt=doc.format, group_key=doc.group_key, title=doc.title,
    )
    authoritative = doc.format in TRANSCRIPT_FORMATS
    episode_ids = []
    for episode in doc.episodes:
        episode_ids.append(writer.upsert_episode(episode, authoritative=authoritative))
        if writer.conflicts:
            doc.warnings.append(IngestProblem(
                path=candidate.key, line=None,
                reason="episode metadata conflicts with its transcript's; the transcript's is kept: "
                + "; ".join(writer.conflicts),
            ))
    for episode in doc.episodes:
        for name in episode.speakers:
            writer.speaker_id(name)
    speaker_id = writer.speaker_id
    rows = []
    for parsed in doc.segments:
        episode_id = episode_ids[parsed.episode] if parsed.episode is not None else None
        who = speaker_id(parsed.speaker) if parsed.speaker else None
        rows.append(SegmentRow(
            source_id, episode_id, who, int(parsed.speaker_verified and who is not None), parsed.start, parsed.end,
            parsed.text, parsed.terms, parsed.context, parsed.lang, parsed.kind,
            within_episode(parsed.passage_key, episode_id), parsed.heading,
        ))
    writer.add_topics(source_id, doc.topics, doc.lang)
    writer.add_aliases(source_id, doc.aliases)
    return writer.add_segments(rows)


# ----------------------------------------------------------------- remote sources

# A sources.txt is a short list; a larger one is refused like any oversized file.
SOURCE_LIST_MAX_BYTES = 1024 * 1024


def _read_source_lists(found: Walk, report: IngestReport) -> tuple[list[Requested], set[str]]:
    """The sources the walk's sources.txt files list (bad lines reported), and the lists that could not be read."""
    listed: list[Requested] = []
    unread: set[str] = set()
    for path, real in found.source_lists:
        try:
            with open(real, "rb") as handle:
                data = handle.read(SOURCE_LIST_MAX_BYTES + 1)
            if len(data) > SOURCE_LIST_MAX_BYTES:
                raise ParseError(f"over {SOURCE_LIST_MAX_BYTES // 1024} KB; not read")
            urls, problems = read_source_list(path, _decode(data))
        except OSError as exc:
            problems, urls = [IngestProblem(path=path, line=None, reason=f"cannot read: {exc.strerror}")], []
            unread.add(path)
        except ParseError as exc:
            problems, urls = [IngestProblem(path=path, line=exc.line, reason=exc.reason)], []
            unread.add(path)
        listed.extend(urls)
        report.problems.extend(problems)
        report.failed += len(problems)
    return listed, unread


def _requests(given: Sequence[Requested]) -> list[Requested]:
    """Each URL once, with the first origin that asked for it."""
    out: dict[str, Requested] = {}
    for request in given:
        out.setdefault(request.url, request)
    return list(out.values())


@dataclass
class _Remote:
    """A fetched source with its documents parsed and tokenized, ready for the writer's thread."""

    gathered: Gathered
    documents: list[tuple[RemoteDocument, _Document]]


async def _gather_remote(
    store: Store, requests: list[Requested], policy: FetchPolicy, progress: Progress | None,
    fresh_seconds: float | None,
) -> list[_Remote]:
    if not requests:
        return []
    # Imported here: parser worker processes import this module, and need no HTTP client.
    from bot.remote.fetch import Fetcher
    from bot.remote.gather import Gatherer

    states = await store.remote_states()
    if fresh_seconds is not None:
        requests = [r for r in requests if not _fresh(states.get(r.url), fresh_seconds)]
        if not requests:
            return []
    known = await store.source_states()
    # A new parser version re-reads every source: no conditional request, a 304 would keep the old parse.
    conditional = await store.meta("index_version") == INDEX_VERSION
    async with Fetcher(policy) as fetcher:
        gathered = await Gatherer(
            fetcher, index_version=INDEX_VERSION, conditional=conditional, progress=progress,
        ).gather(requests, states, known)

    def tokenize() -> list[_Remote]:
        return [
            _Remote(g, [(d, _tokenized(d.doc, d.key)) for d in g.documents]) for g in gathered
        ]

    return await asyncio.to_thread(tokenize)


def _fresh(state: RemoteState | None, seconds: float) -> bool:
    if state is None or state.status != "ok":
        return False
    try:
        fetched = datetime.fromisoformat(state.fetched_at)
    except ValueError:
        return False
    return (datetime.now(UTC) - fetched).total_seconds() < seconds


def _unlisted(states: dict[str, RemoteState], requests: list[Requested], found: Walk, unread: set[str]) -> list[str]:
    """Sources a sources.txt under the walked roots listed before and lists no more: theirs to drop.

    Only the list's own: a source also added from chat or on the command line is requested by them and
    stays; one whose list could not be read this run keeps serving.
    """
    requested = {r.url for r in requests}
    out = []
    for url, state in states.items():
        origin = state.origin
        if url in requested or not _under(origin, found.roots) or origin in unread:
            continue
        if _under(origin, found.unreadable):
            continue
        out.append(url)
    return out


def _write_remote(
    remote: list[_Remote], known: dict[str, SourceState], states: dict[str, RemoteState], unlisted: list[str],
    report: IngestReport, touched: set[int], writer: SyncWriter,
) -> int:
    """On the writer's thread: each source's outcome and new documents; what unlisted sources held goes.

    Returns how many stored documents were removed; the episodes written or removed go into `touched`.
    """
    for item in remote:
        g = item.gathered
        url, origin = g.request.url, g.request.origin
        if g.reason is not None:
            if origin == CHAT_ORIGIN and url not in states:
                # A first /add that failed is not kept: the admin was told why, and nothing was added.
                report.failed += 1
                report.problems.append(IngestProblem(path=url, line=None, reason=g.reason))
                report.sources.append(SourceReport(url=url, status="failed", reason=g.reason))
                continue
            # What the source gave before keeps serving: nothing of it is touched but its status.
            writer.save_remote(url=url, origin=origin, etag=None, last_modified=None, status="failed",
                               reason=g.reason)
            report.failed += 1
            report.problems.append(IngestProblem(path=url, line=None, reason=g.reason))
            report.sources.append(SourceReport(url=url, status="failed", reason=g.reason))
            continue
        fetched = g.fetched
        assert fetched is not None
        writer.save_remote(url=url, origin=origin, etag=None if g.retry else fetched.etag,
                           last_modified=None if g.retry else fetched.last_modified, status="ok", reason=None)
        report.problems.extend(g.problems)
        had = any(owned_by(path, url) for path in known) if item.documents else False
        segments = 0
        for document, tokenized in item.documents:
            old = known.get(document.key)
            if old is not None:
                touched.update(episodes_of_source(writer.conn, old.id))
                writer.remove_source(old.id)
                report.changed += 1
            else:
                report.added += 1
            candidate = _Candidate(Path(document.key), document.key, document.size, 0.0)
            segments += _store_document(writer, candidate, document.digest, tokenized)
            touched.update(episodes_of_path(writer.conn, document.key))
            report.problems.extend(tokenized.warnings)
        report.skipped += g.unchanged
        report.segments += segments
        status = "unchanged" if not item.documents else ("changed" if had else "added")
        report.sources.append(SourceReport(url=url, status=status, documents=len(item.documents), segments=segments))
    removed = 0
    for url in unlisted:
        for path, state in known.items():
            if owned_by(path, url):
                touched.update(episodes_of_source(writer.conn, state.id))
                writer.remove_source(state.id)
                removed += 1
        writer.forget_remote(url)
    return removed
