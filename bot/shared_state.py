"""What every instance of saidbot shares and may change: the port, spelled out as one Protocol.

The note index is per instance and derived (each instance builds it from the same notes and
sources). What is not derived lives behind `SharedState`: which deliveries were already answered
(Slack retries, Discord double clicks, landing on any instance), per-user rate limits, state a
button needs after the process that drew it is gone, and the sources an admin added from chat.
One implementation backs it with one database: PostgreSQL when `DATABASE_URL` is set, otherwise
a local SQLite file, so one process on one dyno needs nothing extra.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, NamedTuple, Protocol

# Slack re-sends an unacknowledged event up to three times over about five minutes.
DELIVERY_TTL_SECONDS = 600.0


class ChatSource(NamedTuple):
    """A remote source an admin added from chat."""

    url: str
    added_by: str
    added_at: datetime


class SharedState(Protocol):
    async def claim(self, key: str, *, ttl_seconds: float = DELIVERY_TTL_SECONDS) -> bool:
        """True for the first claim of `key` within `ttl_seconds` on any instance; False for every repeat.

        Atomic across instances: two instances claiming the same key at once see exactly one True.
        """
        ...

    async def hit(self, bucket: str, *, limit: int, window_seconds: float) -> bool:
        """Count one use of `bucket` unless it already has `limit` uses in the last `window_seconds`.

        True when counted (allowed), False when over the limit (and then not counted).
        """
        ...

    async def put(self, kind: str, key: str, value: Mapping[str, Any], *, ttl_seconds: float) -> None:
        """Keep a JSON-serialisable mapping under (kind, key) for `ttl_seconds`, replacing what was there."""
        ...

    async def get(self, kind: str, key: str) -> dict[str, Any] | None:
        """What `put` kept under (kind, key), or None when nothing is kept or it has expired."""
        ...

    async def add_source(self, url: str, *, added_by: str) -> bool:
        """Remember a source added from chat; False when that URL is already there."""
        ...

    async def remove_source(self, url: str) -> bool:
        """Forget a source added from chat; False when it was not there."""
        ...

    async def sources(self) -> list[ChatSource]:
        """The sources added from chat, oldest first."""
        ...

    async def close(self) -> None: ...


class DeferredState:
    """A `SharedState` made on first use: commands that never touch it (`saidbot ask`) never import
    or connect to the database, which costs a few hundred milliseconds of start-up."""

    def __init__(self, make: Callable[[], SharedState]) -> None:
        self._make = make
        self._state: SharedState | None = None

    def resolve(self) -> SharedState:
        """The state itself (made now if it was not yet), e.g. to reach its database engine."""
        if self._state is None:
            self._state = self._make()
        return self._state

    async def claim(self, key: str, *, ttl_seconds: float = DELIVERY_TTL_SECONDS) -> bool:
        return await self.resolve().claim(key, ttl_seconds=ttl_seconds)

    async def hit(self, bucket: str, *, limit: int, window_seconds: float) -> bool:
        return await self.resolve().hit(bucket, limit=limit, window_seconds=window_seconds)

    async def put(self, kind: str, key: str, value: Mapping[str, Any], *, ttl_seconds: float) -> None:
        await self.resolve().put(kind, key, value, ttl_seconds=ttl_seconds)

    async def get(self, kind: str, key: str) -> dict[str, Any] | None:
        return await self.resolve().get(kind, key)

    async def add_source(self, url: str, *, added_by: str) -> bool:
        return await self.resolve().add_source(url, added_by=added_by)

    async def remove_source(self, url: str) -> bool:
        return await self.resolve().remove_source(url)

    async def sources(self) -> list[ChatSource]:
        return await self.resolve().sources()

    async def close(self) -> None:
        if self._state is not None:
            await self._state.close()
