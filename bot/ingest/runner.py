"""An ingest run: walk the paths, parse what changed, write it all in one transaction."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from bot.ingest.document import ParsedDocument, ParsedSegment, ParseError
from bot.ingest.formats import group_and_lang, is_ingestible, parse_file
from bot.models import IngestProblem, IngestReport
from bot.store import SourceState, Store, Writer, segment_row
from bot.text import index_text, is_question

log = logging.getLogger(__name__)

# Bump whenever parsing or index tokens change: a store written by another version re-reads every
# file once (unchanged files are otherwise skipped, and would keep what the old parser made of them).
INDEX_VERSION = "2026-11-29.1"

# (files done, files in all, current path)
Progress = Callable[[int, int, str], None]


@dataclass
class _Candidate:
    path: Path
    key: str
    size: int
    mtime: float


def _walk(paths: Iterable[Path]) -> tuple[list[_Candidate], list[str], int, list[IngestProblem]]:
    """Files to consider, the roots they came from (for removals), how many were ignored, and bad paths."""
    found: dict[str, _Candidate] = {}
    roots: list[str] = []
    ignored = 0
    problems: list[IngestProblem] = []
    for given in paths:
        root = given.expanduser().resolve()
        if not root.exists():
            problems.append(IngestProblem(path=str(given), line=None, reason="no such file or folder"))
            continue
        roots.append(str(root))
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for file in files:
            if any(part.startswith(".") for part in file.relative_to(root.parent).parts):
                continue
            if not is_ingestible(file):
                ignored += 1
                continue
            stat = file.stat()
            found[str(file)] = _Candidate(file, str(file), stat.st_size, stat.st_mtime)
    return list(found.values()), roots, ignored, problems


def _under(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def _removed(known: dict[str, SourceState], seen: set[str], roots: list[str], exclusive: bool) -> list[str]:
    """Sources to drop: files deleted under the given roots, and with `exclusive` anything elsewhere."""
    dropped = []
    for path in known:
        if path in seen:
            continue
        if _under(path, roots):
            if not Path(path).exists():
                dropped.append(path)
        elif exclusive and roots:
            dropped.append(path)
    return dropped


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError("not UTF-8 text", line) from exc


def _parse(candidate: _Candidate, data: bytes) -> tuple[ParsedDocument, list[tuple[str, str]]]:
    """Parse and tokenize off the event loop; the loop only writes."""
    doc = parse_file(candidate.path, _decode(data))
    return doc, _index_terms(doc)


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


# Files read and parsed ahead of the one being written, so Python parsing overlaps SQLite's writes.
PREFETCH = 4
# Parsing holds the interpreter lock, so threads cannot parse on one core while SQLite writes on
# another; worker processes can. Starting them costs about 0.2 s, which pays from a few MB on.
POOL_MIN_BYTES = 4_000_000


@dataclass
class _Prepared:
    """What reading and parsing one file produced, before anything is written."""

    skipped: bool = False
    touch: bool = False
    digest: str = ""
    doc: ParsedDocument | None = None
    terms: list[tuple[str, str]] | None = None
    problem: IngestProblem | None = None


def _prepare(candidate: _Candidate, old: SourceState | None) -> _Prepared:
    """Runs in a worker thread: read, hash, parse and tokenize one file."""
    if old is not None and old.size == candidate.size and old.mtime == candidate.mtime:
        return _Prepared(skipped=True)
    try:
        data = candidate.path.read_bytes()
    except OSError as exc:
        return _Prepared(problem=IngestProblem(path=candidate.key, line=None, reason=f"cannot read: {exc.strerror}"))
    digest = hashlib.sha256(data).hexdigest()
    if old is not None and old.sha256 == digest:
        return _Prepared(skipped=True, touch=True)
    try:
        doc, terms = _parse(candidate, data)
    except ParseError as exc:
        return _Prepared(problem=IngestProblem(path=candidate.key, line=exc.line, reason=exc.reason))
    except Exception as exc:  # a parser bug must not sink the whole run
        log.exception("parser crashed", extra={"path": candidate.key})
        return _Prepared(problem=IngestProblem(path=candidate.key, line=None, reason=f"could not parse: {exc}"))
    return _Prepared(digest=digest, doc=doc, terms=terms)


async def run_ingest(
    store: Store, paths: Iterable[Path], progress: Progress | None = None, *, exclusive: bool = False
) -> IngestReport:
    """Ingest `paths`. With `exclusive`, the store keeps nothing but what lies under them."""
    began = time.perf_counter()
    candidates, roots, ignored, problems = await asyncio.to_thread(_walk, list(paths))
    report = IngestReport(ignored=ignored, problems=problems, failed=len(problems))
    known = await store.source_states()
    reparse = await store.meta("index_version") != INDEX_VERSION
    seen: set[str] = set()
    total = len(candidates)
    pending: deque[asyncio.Task[_Prepared]] = deque()
    upcoming = iter(candidates)
    pool = _parser_pool(candidates, {} if reparse else known)
    ahead = PREFETCH if pool is None else PREFETCH * 4

    def schedule() -> None:
        while len(pending) < ahead:
            candidate = next(upcoming, None)
            if candidate is None:
                return
            old = None if reparse else known.get(candidate.key)
            pending.append(asyncio.create_task(_prepare_in(pool, candidate, old)))

    try:
        async with store.transaction() as writer:
            schedule()
            for done, candidate in enumerate(candidates, start=1):
                prepared = await pending.popleft()
                schedule()
                seen.add(candidate.key)
                await _apply(writer, candidate, known.get(candidate.key), prepared, report)
                if progress is not None:
                    progress(done, total, candidate.key)
            for path in await asyncio.to_thread(_removed, known, seen, roots, exclusive):
                await writer.remove_source(known[path].id)
                report.removed += 1
            await writer.prune_episodes()
            await writer.set_meta("last_ingest", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
            await writer.set_meta("index_version", INDEX_VERSION)
    finally:
        for task in pending:
            task.cancel()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
    report.seconds = time.perf_counter() - began
    log.info("ingest finished", extra={"report": report.summary()})
    return report


def _parser_pool(candidates: list[_Candidate], known: dict[str, SourceState]) -> Executor | None:
    """Worker processes for a large run, or None to parse on threads of this process."""
    cpus = os.cpu_count() or 1
    changed = sum(
        c.size for c in candidates
        if (old := known.get(c.key)) is None or (old.size, old.mtime) != (c.size, c.mtime)
    )
    if cpus < 2 or changed < POOL_MIN_BYTES:
        return None
    # "spawn": this process runs SQLite and event-loop threads, which a forked child must not inherit.
    return ProcessPoolExecutor(max_workers=min(cpus, 4), mp_context=multiprocessing.get_context("spawn"))


async def _prepare_in(pool: Executor | None, candidate: _Candidate, old: SourceState | None) -> _Prepared:
    if pool is None:
        return await asyncio.to_thread(_prepare, candidate, old)
    try:
        return await asyncio.get_running_loop().run_in_executor(pool, _prepare, candidate, old)
    except BrokenProcessPool:
        # A worker died (out of memory, killed): this file is parsed here instead of failing the run.
        log.warning("parser process died; parsing in-process", extra={"path": candidate.key})
        return await asyncio.to_thread(_prepare, candidate, old)


async def _apply(
    writer: Writer, candidate: _Candidate, old: SourceState | None, prepared: _Prepared, report: IngestReport
) -> None:
    if prepared.problem is not None:
        # The previous version of this file, if any, keeps serving.
        report.failed += 1
        report.problems.append(prepared.problem)
        return
    if prepared.skipped:
        if prepared.touch and old is not None:
            await writer.touch_source(old.id, candidate.mtime)
        report.skipped += 1
        return
    assert prepared.doc is not None and prepared.terms is not None
    report.problems.extend(prepared.doc.warnings)
    if old is not None:
        await writer.remove_source(old.id)
        report.changed += 1
    else:
        report.added += 1
    report.segments += await _store_document(writer, candidate, prepared.digest, prepared.doc, prepared.terms)


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


async def _store_document(
    writer: Writer, candidate: _Candidate, digest: str, doc: ParsedDocument, terms: list[tuple[str, str]]
) -> int:
    group, _ = group_and_lang(candidate.path)
    group_key = f"{candidate.path.parent}/{group}"
    source_id = await writer.add_source(
        path=candidate.key, sha256=digest, size=candidate.size, mtime=candidate.mtime, lang=doc.lang,
        fmt=doc.format, group_key=group_key, title=doc.title,
    )
    episode_ids = [await writer.upsert_episode(episode) for episode in doc.episodes]
    for episode in doc.episodes:
        for name in episode.speakers:
            await writer.speaker_id(name)
    rows = []
    for parsed, (segment_terms, context) in zip(doc.segments, terms, strict=True):
        segment = parsed.segment
        episode_id = episode_ids[parsed.episode] if parsed.episode is not None else None
        speaker_id = await writer.speaker_id(segment.speaker) if segment.speaker else None
        if segment.passage_key and segment.passage_key.startswith("n|"):
            segment.passage_key = f"{group_key}|{segment.passage_key}"
        rows.append(segment_row(source_id, episode_id, speaker_id, segment, segment_terms, context))
    await writer.add_topics(source_id, doc.topics, doc.lang)
    await writer.add_aliases(source_id, doc.aliases)
    return await writer.add_segments(rows)
