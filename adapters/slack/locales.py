"""The asker's Slack locale (users.info with include_locale) picks English or Japanese.

Looked up once per user and remembered for a while, so a conversation costs one Web API call,
and a user who switches their Slack language is followed within `ttl`.
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


class UserLocales:
    """Per-user language cache in front of users.info; a failed lookup answers in English."""

    def __init__(self, size: int = 5000, ttl: float = 6 * 3600.0, failure_ttl: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._cache: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._size = size
        self._ttl = ttl
        # A failure (e.g. the app lacks users:read) is remembered briefly, so every message does
        # not pay for the same failing call.
        self._failure_ttl = failure_ttl
        self._clock = clock

    async def lang(self, client: AsyncWebClient, user: str | None) -> str:
        if not user:
            return DEFAULT_LANG
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

    async def _lookup(self, client: AsyncWebClient, user: str) -> tuple[str, float]:
        try:
            info = await client.users_info(user=user, include_locale=True)
        except SlackApiError as exc:
            log.warning("users.info failed; answering in English",
                        extra={"user": user, "error": exc.response.get("error")})
            return DEFAULT_LANG, self._failure_ttl
        except Exception as exc:  # network trouble must not cost the user an answer
            log.warning("users.info failed; answering in English", extra={"user": user, "error": repr(exc)})
            return DEFAULT_LANG, self._failure_ttl
        profile = info.get("user") or {}
        return i18n.normalize_lang(str(profile.get("locale") or DEFAULT_LANG)), self._ttl
