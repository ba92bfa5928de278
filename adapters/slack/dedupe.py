"""Remembers which Slack deliveries were already answered, so a retry never gets a second reply.

Slack re-sends an event (with `X-Slack-Retry-Num`) when it thinks the first delivery was not
acknowledged within 3 seconds, up to three times over about five minutes. The memory is per
process, bounded in size and in age: a retry that comes back after the TTL, or to another
process, would be answered again, which is the lesser evil than remembering forever.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

DEFAULT_SIZE: Final = 10_000
# Slack's last retry comes about five minutes after the first delivery; an hour leaves room.
DEFAULT_TTL: Final = 3600.0


class Seen:
    """A bounded set of keys with a time to live; `first_time` records and answers in one step.

    Checking and recording happen without an `await` in between, so two deliveries of the same
    event handled concurrently on one event loop cannot both pass.
    """

    def __init__(self, size: int = DEFAULT_SIZE, ttl: float = DEFAULT_TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self._keys: OrderedDict[str, float] = OrderedDict()
        self._size = size
        self._ttl = ttl
        self._clock = clock

    def __len__(self) -> int:
        return len(self._keys)

    def first_time(self, *keys: str | None) -> bool:
        """True when none of the keys was seen within the TTL; all given keys are remembered either way."""
        now = self._clock()
        self._expire(now)
        present = [key for key in keys if key]
        fresh = not any(key in self._keys for key in present)
        for key in present:
            self._keys[key] = now
            self._keys.move_to_end(key)
        while len(self._keys) > self._size:
            self._keys.popitem(last=False)
        return fresh

    def _expire(self, now: float) -> None:
        # Keys are kept in the order they were last recorded, so the oldest are always first.
        while self._keys:
            oldest = next(iter(self._keys.values()))
            if oldest > now - self._ttl:
                break
            self._keys.popitem(last=False)
