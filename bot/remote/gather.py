"""Fetch every remote source of a run and parse what came back, before the run's transaction starts.

Nothing here writes: the run (bot/ingest/runner.py) stores the documents in its one transaction, so
the SQLite write lock is never held while a slow server drips. A source that fails is a reason; the
documents it gave before stay in the store.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from bot.ingest.document import ParsedDocument, ParseError
from bot.ingest.formats import parse_file
from bot.models import IngestProblem
from bot.remote.fetch import Fetched, Fetcher
from bot.remote.lists import Requested
from bot.remote.urls import FetchError
from bot.store import RemoteState, SourceState

log = logging.getLogger(__name__)

# (documents done, documents known so far, what is being fetched)
Progress = Callable[[int, int, str], None]


@dataclass
class RemoteDocument:
    """One document to (re)write: the source itself, or one item of a feed."""

    key: str  # its path in the store
    digest: str
    size: int
    doc: ParsedDocument


@dataclass
class Gathered:
    """What fetching one source gave: documents to write, or the reason it failed (nothing is written then)."""

    request: Requested
    reason: str | None = None
    fetched: Fetched | None = None
    documents: list[RemoteDocument] = field(default_factory=list)
    # Documents already stored and unchanged (the same bytes, or the same feed item).
    unchanged: int = 0
    problems: list[IngestProblem] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.fetched is not None and self.fetched.not_modified


def digest_of(index_version: str, *parts: bytes) -> str:
    """A stored source's digest: the bytes it was made from and the parser version that made it."""
    sha = hashlib.sha256(b"remote\0" + index_version.encode())
    for part in parts:
        sha.update(b"\0")
        sha.update(part)
    return sha.hexdigest()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError("not UTF-8 text", data[: exc.start].count(b"\n") + 1) from exc


def parse_document(url: str, data: bytes, content_type: str | None) -> ParsedDocument:
    """A fetched document that is not a feed, read by the parser its name or type calls for."""
    name = PurePosixPath(urlsplit(url).path).name or "index.md"
    if "." not in name:
        name += ".vtt" if (content_type or "").startswith("text/vtt") else ".md"
    # A path no disk holds: the parser looks for a sidecar beside the file, and a URL has none here.
    doc = parse_file(Path("\0remote") / name, _decode(data))
    for warning in doc.warnings:
        warning.path = url
    return doc


class Gatherer:
    """Fetches a run's sources with one session, a few at a time."""

    def __init__(
        self, fetcher: Fetcher, *, index_version: str, conditional: bool, progress: Progress | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.index_version = index_version
        self.conditional = conditional
        self.progress = progress
        self.done = 0
        self.total = 0

    def _advance(self, label: str) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, max(self.total, self.done), label)

    async def gather(
        self, requests: Sequence[Requested], states: dict[str, RemoteState], known: dict[str, SourceState],
    ) -> list[Gathered]:
        self.total = len(requests)
        return list(await asyncio.gather(*(self.one(r, states.get(r.url), known) for r in requests)))

    async def one(self, request: Requested, state: RemoteState | None, known: dict[str, SourceState]) -> Gathered:
        out = Gathered(request)
        began = time.perf_counter()
        use_validators = self.conditional and state is not None and state.status == "ok"
        try:
            out.fetched = await self.fetcher.fetch(
                request.url, etag=state.etag if use_validators and state else None,
                last_modified=state.last_modified if use_validators and state else None,
            )
            if not out.fetched.not_modified:
                await self._parse(out, known)
        except FetchError as exc:
            out.reason = exc.reason
        except ParseError as exc:
            out.reason = exc.reason if exc.line is None else f"line {exc.line}: {exc.reason}"
        except Exception as exc:  # a parser bug must not sink the run, nor the other sources
            log.exception("remote_parse_crashed", extra={"url": request.url})
            out.reason = f"could not parse: {exc}"
        log.info("remote_source_fetched", extra={
            "url": request.url, "seconds": round(time.perf_counter() - began, 3), "failed": out.reason is not None,
            "not_modified": out.not_modified, "documents": len(out.documents),
        })
        self._advance(request.url)
        return out

    async def _parse(self, out: Gathered, known: dict[str, SourceState]) -> None:
        fetched = out.fetched
        assert fetched is not None
        url = out.request.url
        digest = digest_of(self.index_version, fetched.data)
        old = known.get(url)
        if old is not None and old.sha256 == digest:
            out.unchanged += 1
            return
        doc = await asyncio.to_thread(parse_document, url, fetched.data, fetched.content_type)
        if not doc.segments:
            raise ParseError("no passages found in it")
        out.documents.append(RemoteDocument(url, digest, len(fetched.data), doc))
