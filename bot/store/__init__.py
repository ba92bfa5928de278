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
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import aiosqlite

from bot.store.reads import Reads
from bot.store.rows import Hit, RemoteState, SegmentRow, SourceState
from bot.store.schema import connect, migrate, use_wal
from bot.store.writes import SyncWriter, Writer

__all__ = [
    "Hit", "RemoteState", "SegmentRow", "SourceState", "Store", "StoreFull", "StoreUnavailable", "SyncWriter",
    "Writer",
]

log = logging.getLogger(__name__)

# Each attempt waits schema.BUSY_TIMEOUT_MS (10 s) inside SQLite: a run waits up to a minute for another
# process's ingest to commit before it gives up.
BUSY_ATTEMPTS = 6


class StoreUnavailable(RuntimeError):
    """The database cannot be opened or created where it is configured (the message says why)."""


class StoreFull(RuntimeError):
    """The disk filled during a write; the transaction was rolled back and the previous index serves."""


CORRUPT_SUFFIX = ".corrupt-"


def _is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    """Not a database, or a damaged one (as opposed to one that cannot be opened: permissions, a busy lock)."""
    text = str(exc)
    return type(exc) is sqlite3.DatabaseError or "malformed" in text or "not a database" in text


_MAGIC = b"SQLite format 3\x00"


def _header_damage(path: Path) -> str | None:
    """What the file's header says is wrong with it, cheaply (a truncated file opens, then fails mid-answer)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
            size = path.stat().st_size
    except FileNotFoundError:
        return None
    if not header:
        return None  # an empty file is a new database
    if len(header) < 100 or not header.startswith(_MAGIC):
        return "file is not a database"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count is valid only when the header's version-valid-for number matches its change counter.
    if header[92:96] == header[24:28] and pages and size < pages * page_size:
        return f"database disk image is malformed (truncated: {size} of {pages * page_size} bytes)"
    return None


def _move_aside(path: Path) -> Path:
    """Keep the bad file for a post-mortem, beside the new one, with its WAL and shared-memory files."""
    aside = path.with_name(f"{path.name}{CORRUPT_SUFFIX}{time.strftime('%Y%m%dT%H%M%S')}")
    path.rename(aside)
    for extra in ("-wal", "-shm"):
        companion = path.with_name(path.name + extra)
        if companion.exists():
            companion.rename(aside.with_name(aside.name + extra))
    return aside


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
        """Open (creating or migrating) the store at `path`.

        The database is derived from the notes, so a file that is not a database or is corrupt is moved
        aside as `NAME.corrupt-TIMESTAMP` and a new one is made, to be filled by the next ingest (the
        boot's). A path that cannot be opened at all (read-only disk or folder) is a StoreUnavailable
        with the reason, raised within seconds.
        """
        try:
            damage = _header_damage(path)
            if damage is not None:
                raise sqlite3.DatabaseError(damage)
            return await cls._open(path, readers)
        except sqlite3.DatabaseError as exc:
            if not _is_corrupt(exc):
                raise StoreUnavailable(
                    f"cannot open the database {path}: {exc} (a read-only disk or folder? set SAIDBOT_DB to a "
                    "writable path)"
                ) from None
            try:
                aside = _move_aside(path)
            except OSError as moved:
                raise StoreUnavailable(
                    f"the database {path} is corrupt ({exc}) and cannot be moved aside: {moved.strerror}"
                ) from None
            log.warning(
                "index_corrupt_rebuilding", extra={"path": str(path), "moved_to": str(aside), "error": str(exc)}
            )
        except OSError as exc:
            raise StoreUnavailable(f"cannot open the database {path}: {exc.strerror or exc}") from None
        try:
            return await cls._open(path, readers)
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(f"cannot create a new database at {path}: {exc}") from None

    @classmethod
    async def _open(cls, path: Path, readers: int) -> Store:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = await connect(path)
        pool: list[aiosqlite.Connection] = []
        try:
            await use_wal(writer)
            await writer.execute("PRAGMA synchronous = NORMAL")
            # Reads the schema pages: a file with a database header over garbage fails here, not mid-answer.
            async with writer.execute("SELECT count(*) FROM sqlite_master") as cursor:
                await cursor.fetchone()
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

    async def _rollback(self) -> None:
        # A rollback that fails too (the connection is gone) must not hide the error that caused it.
        with suppress(sqlite3.Error):
            await self._writer.execute("ROLLBACK")

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
            except sqlite3.OperationalError as exc:
                await self._rollback()
                if "full" in str(exc):
                    # One clear line, not two chained tracebacks: nothing of this run was kept.
                    raise StoreFull(f"disk full writing {self.path}; the ingest was rolled back") from None
                raise
            except BaseException:
                await self._rollback()
                raise
            try:
                await self._writer.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                await self._rollback()
                if "full" in str(exc):
                    raise StoreFull(f"disk full writing {self.path}; the ingest was rolled back") from None
                raise
        # Keep the WAL from growing without bound after big runs; readers are not blocked by this.
        await self._writer.execute("PRAGMA wal_checkpoint(PASSIVE)")
