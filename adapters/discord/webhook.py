"""The REST calls that complete an interaction answered over HTTP: edit the original response, delete
it, send a follow-up. They are authorised by the interaction's own token (no bot token needed) and
go to `{DISCORD_API_URL}/webhooks/{application_id}/{token}/…`.

aiohttp is the HTTP client (already the web server's library). Retries are bounded: a 429 waits for
Discord's `retry_after` (capped); an edit or a delete, which are idempotent, is also retried after a
5xx or a dropped connection; a follow-up (which posts a message) only when the request cannot have
reached Discord (no connection) or was rate-limited, so a Share is never posted twice by a retry.
A 404 on a message that Discord has not created yet (our HTTP answer still in flight) is retried
briefly.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Final

import aiohttp

log = logging.getLogger(__name__)

Json = dict[str, Any]

ATTEMPTS: Final = 4
RETRY_AFTER_MAX: Final = 5.0
BACKOFF: Final = 0.25
REQUEST_SECONDS: Final = 10.0
NO_MENTIONS: Final[Json] = {"parse": []}
# Discord's codes for "no such message / webhook (yet)".
_NOT_YET: Final = frozenset({10008, 10015})


class WebhookError(Exception):
    """Discord refused a webhook call (after the retries): its HTTP status and JSON error code."""

    def __init__(self, status: int, code: int | None, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code


class Webhook:
    """Interaction webhooks of one application."""

    def __init__(self, api_base: str, application_id: int, *, attempts: int = ATTEMPTS) -> None:
        self.api_base = api_base.rstrip("/")
        self.application_id = application_id
        self.attempts = attempts
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_SECONDS))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    def _url(self, token: str, tail: str = "") -> str:
        return f"{self.api_base}/webhooks/{self.application_id}/{token}{tail}"

    async def edit_original(self, token: str, body: Json) -> Json | None:
        return await self._call("PATCH", self._url(token, "/messages/@original"), body, idempotent=True)

    async def delete_original(self, token: str) -> None:
        await self._call("DELETE", self._url(token, "/messages/@original"), None, idempotent=True)

    async def followup(self, token: str, body: Json) -> Json | None:
        return await self._call("POST", self._url(token), body, idempotent=False)

    async def _call(self, method: str, url: str, body: Json | None, *, idempotent: bool) -> Json | None:
        if body is not None:
            body = {"allowed_mentions": NO_MENTIONS, **body}
        last: WebhookError | None = None
        for attempt in range(self.attempts):
            wait = BACKOFF * 2**attempt
            try:
                async with self._client().request(method, url, json=body) as response:
                    if response.status < 300:
                        data = await response.json(content_type=None) if response.status != 204 else None
                        return data if isinstance(data, dict) else None
                    error = await _error(response)
            except aiohttp.ClientConnectorError as exc:
                # Never connected: nothing was sent, so even a post may be tried again.
                last = WebhookError(0, None, type(exc).__name__)
                await asyncio.sleep(wait)
                continue
            except (aiohttp.ClientError, TimeoutError) as exc:
                last = WebhookError(0, None, type(exc).__name__)
                if not idempotent:
                    break
                await asyncio.sleep(wait)
                continue
            last = error
            if error.status == 429:
                wait = min(error.retry_after, RETRY_AFTER_MAX)
            elif not ((error.status >= 500 and idempotent) or (error.status == 404 and error.code in _NOT_YET)):
                break
            log.info("discord_webhook_retry", extra={"method": method, "status": error.status, "code": error.code,
                                                     "attempt": attempt + 1, "wait_s": round(wait, 2)})
            await asyncio.sleep(wait)
        assert last is not None
        raise last


class _Refused(WebhookError):
    def __init__(self, status: int, code: int | None, message: str, retry_after: float) -> None:
        super().__init__(status, code, message)
        self.retry_after = retry_after


async def _error(response: aiohttp.ClientResponse) -> _Refused:
    try:
        data = await response.json(content_type=None)
    except (ValueError, aiohttp.ClientError):
        data = None
    data = data if isinstance(data, dict) else {}
    code = data.get("code")
    retry = data.get("retry_after")
    return _Refused(
        response.status, code if isinstance(code, int) else None, str(data.get("message", response.reason))[:200],
        float(retry) if isinstance(retry, int | float) and retry >= 0 else 1.0,
    )
