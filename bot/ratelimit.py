"""Per-user question limits shared by every instance: a sliding window of the last minute per asker.

Both chat adapters `await limiter.allow(rate_key(platform, workspace, user))` before handing a
question to the core, so one user (or a script with their token) cannot flood the core or a
channel, whichever instance their questions land on. The rule lives here so Discord and Slack
apply the same one; the counting is `SharedState.hit` (one atomic statement on the shared
database); the note the user gets is `limited_text`.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Final

from bot import i18n
from bot.shared_state import SharedState

log = logging.getLogger(__name__)

WINDOW_SECONDS: Final = 60.0


def rate_key(platform: str, workspace: str | None, user: str) -> str:
    """One asker: a user id is only unique within its platform (and, on Slack, its workspace)."""
    return f"rate:{platform}:{workspace or '-'}:{user}"


class RateLimiter:
    """At most `per_minute` questions per key in any 60 seconds; `per_minute <= 0` (or no state) turns it off.

    `exempt` are user ids (admins): a key whose user part is one of them is never counted.
    """

    def __init__(self, per_minute: int, *, state: SharedState | None = None, exempt: Collection[str] = (),
                 window: float = WINDOW_SECONDS) -> None:
        self.per_minute = per_minute
        self._state = state
        self._exempt = frozenset(exempt)
        self._window = window

    @property
    def active(self) -> bool:
        return self.per_minute > 0 and self._state is not None

    async def allow(self, key: str) -> bool:
        """Count one question for `key`; False when it is over the limit (and then it is not counted)."""
        if not self.active or self._state is None or key.rpartition(":")[2] in self._exempt:
            return True
        try:
            return await self._state.hit(key, limit=self.per_minute, window_seconds=self._window)
        except Exception as exc:
            # The shared database is unreachable: letting a question through is better than silencing
            # everyone during the outage (the limit protects the core; it is not a permission).
            log.warning("rate_limit_unavailable", extra={"error_type": type(exc).__name__})
            return True


def limited_text(lang: str | None) -> str:
    """What an asker over the limit is told, privately, in their language."""
    return i18n.t("rate_limited", lang)
