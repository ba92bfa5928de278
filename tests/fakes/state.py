"""A `SharedState` in one process's memory, for tests of code that only needs the contract.

Tests of sharing itself (two instances, one database) use the real implementation.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from bot.shared_state import DELIVERY_TTL_SECONDS, ChatSource


class MemoryState:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._claims: dict[str, float] = {}
        self._hits: dict[str, list[float]] = {}
        self._kept: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        self._sources: dict[str, ChatSource] = {}
        self.closed = False

    async def claim(self, key: str, *, ttl_seconds: float = DELIVERY_TTL_SECONDS) -> bool:
        now = self._clock()
        until = self._claims.get(key)
        if until is not None and until > now:
            return False
        self._claims[key] = now + ttl_seconds
        return True

    async def hit(self, bucket: str, *, limit: int, window_seconds: float) -> bool:
        now = self._clock()
        hits = [t for t in self._hits.get(bucket, []) if t > now - window_seconds]
        if len(hits) >= limit:
            self._hits[bucket] = hits
            return False
        hits.append(now)
        self._hits[bucket] = hits
        return True

    async def put(self, kind: str, key: str, value: Mapping[str, Any], *, ttl_seconds: float) -> None:
        self._kept[(kind, key)] = (self._clock() + ttl_seconds, dict(value))

    async def get(self, kind: str, key: str) -> dict[str, Any] | None:
        kept = self._kept.get((kind, key))
        if kept is None or kept[0] <= self._clock():
            return None
        return dict(kept[1])

    async def add_source(self, url: str, *, added_by: str) -> bool:
        if url in self._sources:
            return False
        self._sources[url] = ChatSource(url, added_by, datetime.now(UTC))
        return True

    async def remove_source(self, url: str) -> bool:
        return self._sources.pop(url, None) is not None

    async def sources(self) -> list[ChatSource]:
        return list(self._sources.values())

    async def close(self) -> None:
        self.closed = True
