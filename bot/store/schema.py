"""The database's shape: versioned migrations, and how a connection is opened and set up."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path
from typing import Final

import aiosqlite

log = logging.getLogger(__name__)

# How long one statement waits for another process's write lock before SQLite says `database is locked`;
# a run that needs the lock retries that wait (see `Store.transaction`).
BUSY_TIMEOUT_MS = 10_000

# Each entry migrates from version i to i+1; a new database runs them all.
_MIGRATIONS: list[str] = [
    """
    CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE episodes(
        id INTEGER PRIMARY KEY,
        show TEXT, number INTEGER, title TEXT, date TEXT,
        video_id TEXT UNIQUE, transcript_url TEXT UNIQUE,
        speakers TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE sources(
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        sha256 TEXT NOT NULL, size INTEGER NOT NULL, mtime REAL NOT NULL,
        lang TEXT NOT NULL, format TEXT NOT NULL, group_key TEXT NOT NULL, title TEXT,
        ingested_at TEXT NOT NULL
    );
    CREATE TABLE speakers(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE segments(
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id),
        episode_id INTEGER REFERENCES episodes(id),
        speaker_id INTEGER REFERENCES speakers(id),
        speaker_verified INTEGER NOT NULL,
        start REAL, end REAL,
        text TEXT NOT NULL, terms TEXT NOT NULL, context TEXT NOT NULL DEFAULT '',
        lang TEXT NOT NULL, kind TEXT NOT NULL,
        passage_key TEXT, heading TEXT
    );
    CREATE INDEX segments_source ON segments(source_id);
    CREATE INDEX segments_speaker ON segments(speaker_id);
    CREATE INDEX segments_episode ON segments(episode_id);
    CREATE VIRTUAL TABLE segments_fts USING fts5(
        terms, context, content='segments', content_rowid='id', tokenize='unicode61 remove_diacritics 0'
    );
    CREATE TABLE topics(source_id INTEGER NOT NULL, topic TEXT NOT NULL, lang TEXT NOT NULL);
    CREATE INDEX topics_source ON topics(source_id);
    """,
    """
    CREATE TABLE term_aliases(source_id INTEGER, a TEXT NOT NULL, b TEXT NOT NULL);
    CREATE INDEX term_aliases_source ON term_aliases(source_id);
    """,
    """
    CREATE VIRTUAL TABLE segments_vocab USING fts5vocab(segments_fts, row);
    """,
    """
    CREATE INDEX segments_episode_start ON segments(episode_id, kind, start);
    """,
    """
    CREATE INDEX episodes_show_number ON episodes(show, number);
    CREATE INDEX episodes_title ON episodes(title);
    """,
    """
    ALTER TABLE episodes ADD COLUMN audio_url TEXT;
    CREATE INDEX episodes_audio_url ON episodes(audio_url);
    """,
    # A note quotation checked against its episode's transcript (bot/claims.py): matches, differs,
    # translation (wording not comparable) or unchecked; the passage it was checked against. No foreign
    # keys: an ingest replaces segments first and recomputes the verdicts of their episodes after.
    """
    CREATE TABLE note_checks(
        segment_id INTEGER PRIMARY KEY,
        episode_id INTEGER NOT NULL,
        verdict TEXT NOT NULL,
        score REAL,
        transcript_id INTEGER
    );
    CREATE INDEX note_checks_episode ON note_checks(episode_id);
    """,
    # Remote sources (feeds, transcript pages): the validators of the last answer, for conditional requests,
    # and how the last fetch went; their documents are `sources` rows keyed by the URL (see bot/remote).
    """
    CREATE TABLE remote_sources(
        url TEXT PRIMARY KEY,
        origin TEXT NOT NULL,
        etag TEXT, last_modified TEXT,
        status TEXT NOT NULL, reason TEXT,
        fetched_at TEXT NOT NULL, ok_at TEXT
    );
    """,
    # Dense vectors of passages (the optional embedder, bot/embedding.py), by model and by a digest of the
    # passage's text: a re-ingest that keeps the words keeps the vector, and nothing refers to segment ids.
    """
    CREATE TABLE passage_vectors(
        model TEXT NOT NULL,
        text_key TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (model, text_key)
    ) WITHOUT ROWID;
    """,
]
# The schema a store is brought to: one version per migration, so a merged migration cannot be forgotten.
SCHEMA_VERSION = len(_MIGRATIONS)


async def connect(path: Path, *, readonly: bool = False) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys = ON")
        if readonly:
            await conn.execute("PRAGMA query_only = ON")
        await conn.execute("PRAGMA cache_size = -16000")
    except BaseException:
        # The connection's thread keeps the process alive until it is closed.
        await conn.close()
        raise
    return conn


# Switching a new database to WAL takes an exclusive lock that SQLite's busy handler does not wait
# for: two processes creating the same file at once (the web and worker dynos at boot) retry it.
WAL_ATTEMPTS: Final = 100
WAL_RETRY_SECONDS: Final = 0.05


async def use_wal(conn: aiosqlite.Connection) -> None:
    for attempt in range(WAL_ATTEMPTS):
        try:
            await conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == WAL_ATTEMPTS - 1:
                raise
            await asyncio.sleep(WAL_RETRY_SECONDS)


async def _user_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


def _refuse_newer(version: int) -> None:
    if version > SCHEMA_VERSION:
        raise RuntimeError(
            f"the database was written by a newer saidbot (schema {version}, this one knows {SCHEMA_VERSION})"
        )


async def migrate(conn: aiosqlite.Connection) -> None:
    """Bring the schema to SCHEMA_VERSION in one transaction; refuse a newer database.

    Two processes may open a new database at once (the web and worker processes both ingest at boot):
    the migration runs under the write lock (BEGIN IMMEDIATE waits out the other's, see `busy_timeout`)
    and reads the version again once it holds it, so the second finds the tables made and does nothing
    (it used to fail on `table meta already exists`).
    """
    version = await _user_version(conn)
    _refuse_newer(version)
    if version == SCHEMA_VERSION:
        return
    await conn.execute("BEGIN IMMEDIATE")
    try:
        version = await _user_version(conn)
        _refuse_newer(version)
        for target in range(version, SCHEMA_VERSION):
            log.info("schema_migration", extra={"from_version": target, "to_version": target + 1})
            for statement in _MIGRATIONS[target].split(";"):
                if statement.strip():
                    await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {target + 1}")
        await conn.execute("COMMIT")
    except BaseException:
        await conn.execute("ROLLBACK")
        raise
