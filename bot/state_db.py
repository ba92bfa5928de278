"""`SharedState` on one database: PostgreSQL when `DATABASE_URL` is set, else a local SQLite file.

SQLAlchemy (async: asyncpg for PostgreSQL, aiosqlite for SQLite) so one set of statements serves
both, and Alembic migrations so a deployment's schema moves forward on its own. Every operation
that must hold across instances is one atomic statement, or one transaction under a lock:

- `claim`: an upsert that only overwrites an expired claim, `RETURNING` the key. Two instances
  claiming at once both reach the same primary key; exactly one statement inserts or overwrites.
- `hit`: a sliding window of hit rows. Counting and inserting are one `INSERT … SELECT … WHERE
  count < limit`; on PostgreSQL a transaction-scoped advisory lock on the bucket serialises two
  instances counting the same bucket (under READ COMMITTED both would otherwise see room). SQLite
  takes its write lock before a write statement reads, which serialises it already.

Expired rows are deleted at most once a minute, by whichever call comes along.
"""

from __future__ import annotations

import asyncio
import fcntl
import functools
import hashlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Concatenate, Final, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.settings import CoreSettings
from bot.shared_state import DELIVERY_TTL_SECONDS, ChatSource

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

VERSION_TABLE: Final = "saidbot_state_version"
MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "state_migrations"
# Expired rows are swept this often at most (seconds): sweeping on every call would double the writes.
PURGE_SECONDS: Final = 60.0
# A key or bucket longer than the column is hashed down rather than refused: ids come from outside.
MAX_KEY: Final = 255
# Held while migrating, so two instances booting together do not both create the tables.
_MIGRATION_LOCK_ID: Final = 0x5A1DB07

# PostgreSQL connections are replaced after this long, before a proxy or the server drops them idle.
RECYCLE_SECONDS: Final = 300

metadata = sa.MetaData()
claimed_deliveries = sa.Table(
    "claimed_deliveries", metadata,
    sa.Column("key", sa.String(MAX_KEY), primary_key=True),
    sa.Column("expires_at", sa.Float, nullable=False),
)
rate_hits = sa.Table(
    "rate_hits", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("bucket", sa.String(MAX_KEY), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)
kept_state = sa.Table(
    "kept_state", metadata,
    sa.Column("kind", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(MAX_KEY), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)
chat_sources = sa.Table(
    "chat_sources", metadata,
    sa.Column("url", sa.String(2048), primary_key=True),
    sa.Column("added_by", sa.String(MAX_KEY), nullable=False),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
)


class StateConfigError(ValueError):
    """`DATABASE_URL` names a database saidbot cannot use; the message says which kind it is."""


def async_url(raw: str) -> URL:
    """The SQLAlchemy async URL for a PaaS `postgres://…` URL, a `postgresql://…` one, or a SQLite one.

    Heroku and Render hand out `postgres://`, which SQLAlchemy no longer accepts; libpq's
    `sslmode=require` becomes asyncpg's `ssl=require`.
    """
    try:
        url = make_url(raw.strip())
    except sa.exc.ArgumentError as exc:
        raise StateConfigError("DATABASE_URL is not a database URL") from exc
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        query = dict(url.query)
        if "sslmode" in query:
            query["ssl"] = query.pop("sslmode")
        return url.set(drivername="postgresql+asyncpg", query=query)
    if backend == "sqlite":
        return url.set(drivername="sqlite+aiosqlite")
    raise StateConfigError(f"DATABASE_URL is a {backend} URL; saidbot's shared state needs PostgreSQL")


def state_url(settings: CoreSettings) -> URL:
    """Where the shared state lives: `DATABASE_URL`, else the SQLite file beside the note store."""
    if settings.database_url is not None and settings.database_url.get_secret_value().strip():
        return async_url(settings.database_url.get_secret_value())
    return URL.create("sqlite+aiosqlite", database=str(settings.state_db_path))


def describe(url: URL) -> str:
    """The URL without its password, for logs and doctor."""
    return url.render_as_string(hide_password=True)


def open_shared_state(settings: CoreSettings, *, clock: Callable[[], float] = time.time) -> DatabaseState:
    """The deployment's shared state (nothing connects until it is first used)."""
    return DatabaseState(state_url(settings), clock=clock)


def _bounded(key: str) -> str:
    if len(key) <= MAX_KEY:
        return key
    return key[: MAX_KEY - 65] + "#" + hashlib.sha256(key.encode()).hexdigest()


def _reconnecting(
    operation: Callable[Concatenate[DatabaseState, P], Coroutine[Any, Any, T]],
) -> Callable[Concatenate[DatabaseState, P], Coroutine[Any, Any, T]]:
    """Run an operation again, once, when its pooled connection turns out to have been closed.

    Instead of a ping before every use (`pool_pre_ping`), which was half the round trips of a claim
    (BEGIN, the ping, ROLLBACK before the statement's own BEGIN, statement, COMMIT), a connection the
    server or a proxy dropped fails its first statement; SQLAlchemy invalidates it, and the retry
    gets a fresh one from the pool.
    """

    @functools.wraps(operation)
    async def run(self: DatabaseState, /, *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await operation(self, *args, **kwargs)
        except sa.exc.DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            log.info("shared_state_reconnected", extra={"operation": operation.__name__})
            return await operation(self, *args, **kwargs)

    return run


class DatabaseState:
    """The one `SharedState` implementation; safe to share between tasks and across processes."""

    def __init__(self, url: URL, *, clock: Callable[[], float] = time.time) -> None:
        self.url = url
        # Wall-clock time: expiry times are compared across machines, which monotonic clocks are not.
        self._clock = clock
        self._postgres = url.get_backend_name() == "postgresql"
        if not self._postgres and url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine: AsyncEngine = create_async_engine(
            url, **({"pool_size": 5, "max_overflow": 10, "pool_recycle": RECYCLE_SECONDS} if self._postgres else {})
        )
        if not self._postgres:
            sa.event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        # Statements sent to the database, for the load benchmark's round trips per request.
        self.statements = 0
        sa.event.listen(self.engine.sync_engine, "before_cursor_execute", self._count)
        self._migrated = False
        self._migrating = asyncio.Lock()
        self._last_purge = 0.0

    @property
    def backend(self) -> str:
        return "postgresql" if self._postgres else "sqlite"

    def _count(self, *_: Any) -> None:
        self.statements += 1

    def _insert(self, table: sa.Table) -> Any:
        return (postgresql.insert if self._postgres else sqlite.insert)(table)

    async def migrate(self) -> None:
        """Bring the schema to the newest revision (idempotent; concurrent instances wait for each other)."""
        async with self._migrating:
            if self._migrated:
                return
            async with self._file_lock(), self.engine.begin() as conn:
                if self._postgres:
                    await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
                await conn.run_sync(_upgrade)
            self._migrated = True
            log.info("shared_state_ready", extra={"backend": self.backend, "database": describe(self.url)})

    @asynccontextmanager
    async def _file_lock(self) -> AsyncIterator[None]:
        """SQLite's tables are made under a lock file: processes on one machine share the file."""
        if self._postgres or not self.url.database:
            yield
            return
        handle = await asyncio.to_thread(open, f"{self.url.database}.migrate-lock", "a")
        with handle:
            # On a thread: another instance in this process may hold it, and must keep running to let go.
            await asyncio.to_thread(fcntl.flock, handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncConnection]:
        if not self._migrated:
            await self.migrate()
        async with self.engine.begin() as conn:
            yield conn

    @_reconnecting
    async def claim(self, key: str, *, ttl_seconds: float = DELIVERY_TTL_SECONDS) -> bool:
        now = self._clock()
        insert = self._insert(claimed_deliveries).values(key=_bounded(key), expires_at=now + ttl_seconds)
        statement = insert.on_conflict_do_update(
            index_elements=[claimed_deliveries.c.key],
            set_={"expires_at": insert.excluded.expires_at},
            where=claimed_deliveries.c.expires_at <= now,
        ).returning(claimed_deliveries.c.key)
        async with self._transaction() as conn:
            claimed = (await conn.execute(statement)).first() is not None
            await self._purge(conn, now)
        return claimed

    @_reconnecting
    async def hit(self, bucket: str, *, limit: int, window_seconds: float) -> bool:
        if limit <= 0:
            return False
        now = self._clock()
        bucket = _bounded(bucket)
        recent = (
            sa.select(sa.func.count())
            .select_from(rate_hits)
            .where(rate_hits.c.bucket == bucket, rate_hits.c.at > now - window_seconds)
            .scalar_subquery()
        )
        statement = rate_hits.insert().from_select(
            ["bucket", "at", "expires_at"],
            sa.select(sa.literal(bucket), sa.literal(now), sa.literal(now + window_seconds)).where(recent < limit),
        )
        async with self._transaction() as conn:
            if self._postgres:
                await conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:b, 0))"), {"b": bucket})
            allowed = (await conn.execute(statement)).rowcount == 1
            await self._purge(conn, now)
        return allowed

    @_reconnecting
    async def put(self, kind: str, key: str, value: Mapping[str, Any], *, ttl_seconds: float) -> None:
        now = self._clock()
        insert = self._insert(kept_state).values(
            kind=kind, key=_bounded(key), value=json.dumps(dict(value), ensure_ascii=False),
            expires_at=now + ttl_seconds,
        )
        statement = insert.on_conflict_do_update(
            index_elements=[kept_state.c.kind, kept_state.c.key],
            set_={"value": insert.excluded.value, "expires_at": insert.excluded.expires_at},
        )
        async with self._transaction() as conn:
            await conn.execute(statement)
            await self._purge(conn, now)

    @_reconnecting
    async def get(self, kind: str, key: str) -> dict[str, Any] | None:
        statement = sa.select(kept_state.c.value).where(
            kept_state.c.kind == kind, kept_state.c.key == _bounded(key), kept_state.c.expires_at > self._clock()
        )
        async with self._transaction() as conn:
            raw = (await conn.execute(statement)).scalar_one_or_none()
        if raw is None:
            return None
        value = json.loads(raw)
        return value if isinstance(value, dict) else None

    @_reconnecting
    async def add_source(self, url: str, *, added_by: str) -> bool:
        statement = self._insert(chat_sources).values(
            url=url, added_by=added_by[:MAX_KEY], added_at=datetime.fromtimestamp(self._clock(), UTC)
        ).on_conflict_do_nothing(index_elements=[chat_sources.c.url])
        async with self._transaction() as conn:
            return bool((await conn.execute(statement)).rowcount == 1)

    @_reconnecting
    async def remove_source(self, url: str) -> bool:
        async with self._transaction() as conn:
            result = await conn.execute(chat_sources.delete().where(chat_sources.c.url == url))
            return bool(result.rowcount == 1)

    @_reconnecting
    async def sources(self) -> list[ChatSource]:
        statement = sa.select(chat_sources).order_by(chat_sources.c.added_at, chat_sources.c.url)
        async with self._transaction() as conn:
            rows = (await conn.execute(statement)).all()
        return [ChatSource(row.url, row.added_by, _aware(row.added_at)) for row in rows]

    async def _purge(self, conn: AsyncConnection, now: float) -> None:
        if now - self._last_purge < PURGE_SECONDS:
            return
        self._last_purge = now
        for table in (claimed_deliveries, rate_hits, kept_state):
            await conn.execute(table.delete().where(table.c.expires_at < now))

    async def close(self) -> None:
        if self._migrated:
            # The count is what the load benchmark divides by the requests an instance served.
            log.info("shared_state_closed", extra={"backend": self.backend, "statements": self.statements})
        await self.engine.dispose()


def _aware(value: datetime) -> datetime:
    # SQLite keeps no time zone; every time written here is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL: the web and worker processes on one machine read while the other writes; the busy timeout
    # makes a writer wait for the other's write instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _upgrade(connection: sa.Connection) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
