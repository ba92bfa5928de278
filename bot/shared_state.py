"""What every instance of saidbot shares and may change: the port, spelled out as one Protocol.

The note index is per instance and derived (each instance builds it from the same notes and
sources). What is not derived lives behind `SharedState`: which deliveries were already answered
(Slack retries, Discord double clicks, landing on any instance), per-user rate limits, state a
button needs after the process that drew it is gone, and the sources an admin added from chat.
One implementation backs it with one database: PostgreSQL when `DATABASE_URL` is set, otherwise
a local SQLite file, so one process on one dyno needs nothing extra.
"""

from __future__ import annotations

from collections.abc import Mapping
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
