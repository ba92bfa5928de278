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

from bot.ingest.document import ParsedDocument, ParseError
from bot.ingest.formats import parse_remote
from bot.ingest.podcast import Feed, FeedItem, TranscriptRef, item_document, looks_like_feed, parse_feed
from bot.logs import register_secret
from bot.models import IngestProblem
from bot.remote.fetch import Fetched, Fetcher
from bot.remote.lists import Requested
from bot.remote.urls import FetchError, loggable, token_like
from bot.store import RemoteState, SourceState
from bot.store.rows import ITEM_MARK

log = logging.getLogger(__name__)

# (documents done, documents known so far, what is being fetched)
Progress = Callable[[int, int, str], None]
# A feed's episodes are fetched this many at a time (per feed; one session's connection limit bounds all).
ITEMS_AT_ONCE = 4
# A feed's episodes are fetched for at most this many fetch timeouts; the rest wait for the next refresh.
FEED_BUDGET_TIMEOUTS = 10


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
    # Some documents could not be made this time (an episode's transcripts all failed): the validators are
    # not kept, so the next refresh reads the feed again and retries them (unchanged episodes cost nothing).
    retry: bool = False
    # Feed items without any transcript (only the audio): nothing to quote.
    untranscribed: int = 0

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


def item_key(url: str, item: FeedItem) -> str:
    return f"{url}{ITEM_MARK}{item.key}"


def _feed_digest(index_version: str, feed: Feed, item: FeedItem) -> str:
    """What an item's document is made of, short of its transcript: the item's tags and the channel's.

    An item whose tags did not change keeps its document without its transcript being fetched again.
    """
    channel = (feed.title, feed.link, feed.people)
    return digest_of(index_version, repr(channel).encode(), repr(item).encode())


def _label(item: FeedItem) -> str:
    return f"episode {item.title!r}" if item.title else f"item {item.key!r}"


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
        for request in requests:
            for value in token_like(request.url):
                # A private feed's access token, in a problem line or a traceback, is blanked out of the logs.
                register_secret(value)
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
            log.exception("remote_parse_crashed", extra={"url": loggable(request.url)})
            out.reason = f"could not parse: {exc}"
        log.info("remote_source_fetched", extra={
            "url": loggable(request.url), "seconds": round(time.perf_counter() - began, 3),
            "failed": out.reason is not None, "not_modified": out.not_modified, "documents": len(out.documents),
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
        if looks_like_feed(fetched.data, fetched.content_type):
            feed = await asyncio.to_thread(parse_feed, url, fetched.data)
            await self._feed(out, feed, known)
            return
        doc = await asyncio.to_thread(parse_remote, url, fetched.data, fetched.content_type)
        if not doc.segments:
            raise ParseError("no passages found in it")
        out.documents.append(RemoteDocument(url, digest, len(fetched.data), doc))

    async def _feed(self, out: Gathered, feed: Feed, known: dict[str, SourceState]) -> None:
        """One document per item that changed: its best transcript that works, and its chapters."""
        todo = []
        for item in feed.items:
            digest = _feed_digest(self.index_version, feed, item)
            old = known.get(item_key(feed.url, item))
            if old is not None and old.sha256 == digest:
                out.unchanged += 1
            elif not item.transcripts:
                out.untranscribed += 1
            else:
                todo.append((item, digest))
        self.total += len(todo)
        deadline = time.monotonic() + FEED_BUDGET_TIMEOUTS * self.fetcher.policy.timeout_seconds
        slots = asyncio.Semaphore(ITEMS_AT_ONCE)

        async def one(item: FeedItem, digest: str) -> None:
            async with slots:
                if time.monotonic() > deadline:
                    out.retry = True
                    return
                document = await self._item(out, feed, item, digest)
                self._advance(item.title or item.key)
            if document is not None:
                out.documents.append(document)

        await asyncio.gather(*(one(item, digest) for item, digest in todo))
        left = sum(1 for item, _ in todo if not any(d.key == item_key(feed.url, item) for d in out.documents))
        if out.retry and left:
            out.problems.append(IngestProblem(path=feed.url, line=None, reason=(
                f"{left} episode(s) not read this time (the feed took too long or some transcripts failed); "
                "they are tried again on the next refresh"
            )))

    async def _item(self, out: Gathered, feed: Feed, item: FeedItem, digest: str) -> RemoteDocument | None:
        chapters = None
        if item.chapters_url:
            try:
                chapters = (await self.fetcher.fetch(item.chapters_url)).data
            except FetchError as exc:
                out.problems.append(IngestProblem(
                    path=feed.url, line=None, reason=f"{_label(item)}: chapters not read ({exc.reason})"
                ))
        failures = []
        for ref in item.transcripts:
            try:
                data = (await self.fetcher.fetch(ref.url)).data
                doc = await asyncio.to_thread(_item_document, feed, item, (ref, data), chapters)
            except FetchError as exc:
                failures.append(f"{ref.url}: {exc.reason}")
                continue
            except ParseError as exc:
                failures.append(f"{ref.url}: {exc.reason}")
                continue
            except Exception as exc:  # a parser bug costs this transcript, not the feed's other episodes
                log.exception("remote_parse_crashed", extra={"url": loggable(ref.url)})
                failures.append(f"{ref.url}: could not parse: {exc}")
                continue
            if not doc.segments:
                failures.append(f"{ref.url}: no passages found in it")
                continue
            return RemoteDocument(item_key(feed.url, item), digest, len(data), doc)
        out.retry = True
        out.problems.append(IngestProblem(
            path=feed.url, line=None, reason=f"{_label(item)}: no transcript could be read ({'; '.join(failures)})"
        ))
        return None


def _item_document(
    feed: Feed, item: FeedItem, transcript: tuple[TranscriptRef, bytes], chapters: bytes | None
) -> ParsedDocument:
    try:
        return item_document(feed, item, transcript, chapters)
    except ParseError as exc:
        if chapters is None:
            raise
        # Broken chapters must not cost the episode its transcript.
        log.info("remote_chapters_unreadable", extra={"url": loggable(feed.url), "reason": exc.reason})
        return item_document(feed, item, transcript, None)
