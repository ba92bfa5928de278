"""An ingest run: walk the paths, parse what changed, write it all in one transaction."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.ingest.document import ParsedDocument, ParsedSegment, ParseError
from bot.ingest.formats import group_and_lang, is_ingestible, parse_file
from bot.models import IngestProblem, IngestReport
from bot.store import SourceState, Store, Writer, segment_row
from bot.text import index_text

log = logging.getLogger(__name__)

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


def _parse(candidate: _Candidate, data: bytes) -> ParsedDocument:
    return parse_file(candidate.path, _decode(data))


async def run_ingest(
    store: Store, paths: Iterable[Path], progress: Progress | None = None, *, exclusive: bool = False
) -> IngestReport:
    """Ingest `paths`. With `exclusive`, the store keeps nothing but what lies under them."""
    began = time.perf_counter()
    candidates, roots, ignored, problems = await asyncio.to_thread(_walk, list(paths))
    report = IngestReport(ignored=ignored, problems=problems, failed=len(problems))
    known = await store.source_states()
    seen: set[str] = set()
    total = len(candidates)
    async with store.transaction() as writer:
        for done, candidate in enumerate(candidates, start=1):
            seen.add(candidate.key)
            await _ingest_one(writer, candidate, known.get(candidate.key), report)
            if progress is not None:
                progress(done, total, candidate.key)
        for path in await asyncio.to_thread(_removed, known, seen, roots, exclusive):
            await writer.remove_source(known[path].id)
            report.removed += 1
        await writer.prune_episodes()
        await writer.set_meta("last_ingest", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    report.seconds = time.perf_counter() - began
    log.info("ingest finished", extra={"report": report.summary()})
    return report


async def _ingest_one(writer: Writer, candidate: _Candidate, old: SourceState | None, report: IngestReport) -> None:
    if old is not None and old.size == candidate.size and old.mtime == candidate.mtime:
        report.skipped += 1
        return
    try:
        data = await asyncio.to_thread(candidate.path.read_bytes)
    except OSError as exc:
        report.failed += 1
        report.problems.append(IngestProblem(path=candidate.key, line=None, reason=f"cannot read: {exc.strerror}"))
        return
    digest = hashlib.sha256(data).hexdigest()
    if old is not None and old.sha256 == digest:
        await writer.touch_source(old.id, candidate.mtime)
        report.skipped += 1
        return
    try:
        doc = await asyncio.to_thread(_parse, candidate, data)
    except ParseError as exc:
        # The previous version of this file, if any, keeps serving.
        report.failed += 1
        report.problems.append(IngestProblem(path=candidate.key, line=exc.line, reason=exc.reason))
        return
    except Exception as exc:  # a parser bug must not sink the whole run
        log.exception("parser crashed", extra={"path": candidate.key})
        report.failed += 1
        report.problems.append(IngestProblem(path=candidate.key, line=None, reason=f"could not parse: {exc}"))
        return
    report.problems.extend(doc.warnings)
    if old is not None:
        await writer.remove_source(old.id)
        report.changed += 1
    else:
        report.added += 1
    report.segments += await _store_document(writer, candidate, digest, doc)


def _question_context(previous: ParsedSegment | None, current: ParsedSegment, carried: str) -> str:
    """The other speaker's turn just before an answer: what the answer is about, in the asker's words.

    A reply rarely repeats the question's topic ("talent density"), so the turn before it is
    indexed as the answer's context, weighted below the answer's own words.
    """
    speaker = current.segment.speaker
    if previous is None or speaker is None or previous.segment.speaker is None:
        return ""
    if previous.segment.speaker == speaker:
        return carried  # a continuation answers the same question
    return index_text(previous.segment.text)


async def _store_document(writer: Writer, candidate: _Candidate, digest: str, doc: ParsedDocument) -> int:
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
    asked: str = ""
    previous: ParsedSegment | None = None
    for parsed in doc.segments:
        segment = parsed.segment
        asked = _question_context(previous, parsed, asked)
        previous = parsed
        episode_id = episode_ids[parsed.episode] if parsed.episode is not None else None
        speaker_id = await writer.speaker_id(segment.speaker) if segment.speaker else None
        if segment.passage_key and segment.passage_key.startswith("n|"):
            segment.passage_key = f"{group_key}|{segment.passage_key}"
        context = " ".join(filter(None, [index_text(segment.heading or ""), asked]))
        rows.append(segment_row(source_id, episode_id, speaker_id, segment, index_text(segment.text), context))
    await writer.add_topics(source_id, doc.topics, doc.lang)
    await writer.add_aliases(source_id, doc.aliases)
    return await writer.add_segments(rows)
