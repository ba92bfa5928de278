"""The asker's Slack locale (users.info with include_locale) picks English or Japanese.

Looked up once per user and remembered for a while, so a conversation costs one Web API call,
and a user who switches their Slack language is followed within `ttl`. A lookup that fails
answers None: the caller then goes by the question's own language rather than guessing English.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import i18n

log = logging.getLogger(__name__)

DEFAULT_LANG: Final = "en"

# Errors that will not go away by asking again (the app lacks users:read, the token is wrong):
# remembered for `failure_ttl`. Anything else (rate limits, timeouts, 5xx) only for `transient_ttl`.
PERMANENT_ERRORS: Final = frozenset({
    "missing_scope", "not_allowed_token_type", "invalid_auth", "not_authed", "account_inactive",
    "token_revoked", "no_permission", "user_not_found",
})


class UserLocales:
    """Per-user language cache in front of users.info; a failed lookup answers None."""

    def __init__(self, size: int = 5000, ttl: float = 6 * 3600.0, failure_ttl: float = 300.0,
                 transient_ttl: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._cache: OrderedDict[str, tuple[str | None, float]] = OrderedDict()
        self._size = size
        self._ttl = ttl
        # A failure is remembered briefly, so every message does not pay for the same failing call;
        # a transient one only for seconds, so the user's own language comes back soon.
        self._failure_ttl = failure_ttl
        self._transient_ttl = transient_ttl
        self._clock = clock

    async def lang(self, client: AsyncWebClient, user: str | None) -> str | None:
        """The user's language, or None when Slack could not tell us (the caller decides then)."""
        if not user or not isinstance(user, str):
            return None
        now = self._clock()
        cached = self._cache.get(user)
        if cached is not None and cached[1] > now:
            return cached[0]
        lang, ttl = await self._lookup(client, user)
        self._cache[user] = (lang, now + ttl)
        self._cache.move_to_end(user)
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return lang

    async def _lookup(self, client: AsyncWebClient, user: str) -> tuple[str | None, float]:
        try:
            info = await client.users_info(user=user, include_locale=True)
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "")
            ttl = self._failure_ttl if error in PERMANENT_ERRORS else self._transient_ttl
            log.warning("slack_locale_failed", extra={"user": user, "error": error, "retry_in_s": ttl})
            return None, ttl
        except Exception as exc:  # network trouble must not cost the user an answer
            log.warning("slack_locale_failed", extra={"user": user, "error": type(exc).__name__,
                                                      "retry_in_s": self._transient_ttl})
            return None, self._transient_ttl
        profile = info.get("user") or {}
        locale = profile.get("locale") if isinstance(profile, dict) else None
        return i18n.normalize_lang(str(locale or DEFAULT_LANG)), self._ttl
