"""Per-user question limits: a sliding window of the last minute, one per asker.

Both chat adapters ask `RateLimiter.allow(key)` before handing a question to the core, so one
user (or a script with their token) cannot flood the core or a channel. The rule lives here so
Discord and Slack apply the same one; the note the user gets is `i18n.t("rate_limited")`.
The state is per process, which is what one web process and one worker need.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable, Collection
from typing import Final

from bot import i18n

WINDOW_SECONDS: Final = 60.0
# Keys remembered at most; the least recently seen asker is forgotten first.
MAX_KEYS: Final = 10_000


class RateLimiter:
    """At most `per_minute` questions per key in any 60 seconds; `per_minute <= 0` turns it off."""

    def __init__(self, per_minute: int, *, exempt: Collection[str] = (), window: float = WINDOW_SECONDS,
                 size: int = MAX_KEYS, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._exempt = frozenset(exempt)
        self._window = window
        self._size = size
        self._clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        """Count one question for `key`; False when it is over the limit (and then it is not counted)."""
        if self.per_minute <= 0 or key in self._exempt:
            return True
        now = self._clock()
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
        self._hits.move_to_end(key)
        while hits and hits[0] <= now - self._window:
            hits.popleft()
        while len(self._hits) > self._size:
            self._hits.popitem(last=False)
        if len(hits) >= self.per_minute:
            return False
        hits.append(now)
        return True


def limited_text(lang: str | None) -> str:
    """What an asker over the limit is told, privately, in their language."""
    return i18n.t("rate_limited", lang)
