"""The note store: one SQLite file (WAL), FTS5 over pre-tokenized text, versioned schema.

Writes go through one connection inside one transaction per ingest run, so readers on their own
connections keep seeing the previous index until the run commits; a failure rolls back and leaves
that index serving.

Modules: `schema` (migrations, connections), `rows` (typed rows in and out), `reads` (queries),
`writes` and `bulk` (one ingest transaction), `fts` (FTS5 query syntax), `threads` (the aiosqlite
internals the writer needs, in one place).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.store.reads import Reads
from bot.store.rows import Hit, SegmentRow, SourceState
from bot.store.schema import connect, migrate
from bot.store.writes import SyncWriter, Writer

__all__ = ["Hit", "SegmentRow", "SourceState", "Store", "SyncWriter", "Writer"]

log = logging.getLogger(__name__)

# Each attempt waits schema.BUSY_TIMEOUT_MS (10 s) inside SQLite: a run waits up to a minute for another
# process's ingest to commit before it gives up.
BUSY_ATTEMPTS = 6


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


class Store(Reads):
    """A SQLite note store. One writer connection, a small pool of readers."""

    def __init__(self, path: Path, writer: aiosqlite.Connection, readers: list[aiosqlite.Connection]) -> None:
        self.path = path
        self._writer = writer
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all_readers = readers
        for reader in readers:
            self._readers.put_nowait(reader)
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path, *, readers: int = 4) -> Store:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = await connect(path)
        pool: list[aiosqlite.Connection] = []
        try:
            await writer.execute("PRAGMA journal_mode = WAL")
            await writer.execute("PRAGMA synchronous = NORMAL")
            await migrate(writer)
            for _ in range(readers):
                pool.append(await connect(path, readonly=True))
        except BaseException:
            # Every connection runs on its own thread; one left open keeps the process alive.
            for conn in [*pool, writer]:
                await conn.close()
            raise
        return cls(path, writer, pool)

    async def data_version(self) -> int:
        """SQLite's counter of commits by other connections (other processes) since this one opened.

        Read on the writer connection, which this process's own ingests do not move: a change means
        someone else wrote the database.
        """
        async with self._writer.execute("PRAGMA data_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def close(self) -> None:
        for reader in self._all_readers:
            await reader.close()
        await self._writer.close()

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[aiosqlite.Connection]:
        conn = await self._readers.get()
        try:
            yield conn
        finally:
            self._readers.put_nowait(conn)

    async def _begin(self) -> None:
        """BEGIN IMMEDIATE, waiting out another process's write (an ingest in the other dyno) a bounded while."""
        for attempt in range(1, BUSY_ATTEMPTS + 1):
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or attempt == BUSY_ATTEMPTS:
                    raise
                log.warning("database_busy", extra={"attempt": attempt, "of": BUSY_ATTEMPTS, "path": str(self.path)})

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Writer]:
        """All of one ingest run: committed together or not at all."""
        async with self._write_lock:
            await self._begin()
            try:
                writer = Writer(self._writer)
                yield writer
                await writer.finish()
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            await self._writer.execute("COMMIT")
        # Keep the WAL from growing without bound after big runs; readers are not blocked by this.
        await self._writer.execute("PRAGMA wal_checkpoint(PASSIVE)")
