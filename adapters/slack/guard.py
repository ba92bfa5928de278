"""One guard around every Slack reply: a bounded time, one log event, and an apology where asked.

A mention, a DM, /ask and a Share click each run inside `Turn.guard()`. Whatever fails in the
block (the core, Slack refusing a post, a response_url that expired) or takes longer than
`ANSWER_SECONDS` ends the same way: the user gets a short apology in their language where they
asked (the thread, or privately through the response_url), and the log gets a single
`slack_reply` event with the outcome, the time taken and, for a failure, the traceback. A
traceback never reaches the user.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Final

from adapters.slack.format import escape
from bot import i18n

log = logging.getLogger(__name__)

# Slack keeps a thread or a response_url open far longer, but a user waiting this long has given
# up; a hung core or Slack then gets an apology instead of silence.
ANSWER_SECONDS: float = 20.0
# While the first index is built the core holds a question until it can answer (at most
# `SAIDBOT_WARMUP_WAIT_SECONDS`, 840 s at the most) and then answers or apologizes itself.
WARMUP_SECONDS: Final = 840.0
# The apology is one small post; if Slack cannot take even that, the log says so and we move on.
APOLOGY_SECONDS: Final = 5.0
# Once the answer is being posted, the post gets this long of its own, whatever is left of the deadline.
DELIVERY_SECONDS: float = 10.0

Apology = Callable[[str], Awaitable[object]]


class Turn:
    """One reply being made. Handlers set `lang` once they know it and `outcome` as they go
    (`ok`, an answer status, `shared`, …); the guard overrides it with `error` or `timeout`."""

    def __init__(self, kind: str, apologize: Apology, *, lang: str = "en", warming_up: bool = False,
                 **fields: object) -> None:
        self.kind = kind
        self.warming_up = warming_up
        self.lang = lang
        self.outcome = "ok"
        self.fields = fields
        self._apologize = apologize
        self._deadline: asyncio.Timeout | None = None
        self._delivering = False

    @asynccontextmanager
    async def delivering(self) -> AsyncIterator[None]:
        """Around the post of the answer itself: the reply deadline no longer cuts it short.

        Under load the deadline fired while the answer's post was already on its way, and the asker
        got the answer and then an apology for it. A post that is slow now has DELIVERY_SECONDS of
        its own; if even that runs out, no apology follows, because the answer may well have landed.
        """
        self._delivering = True
        if self._deadline is not None:
            self._deadline.reschedule(None)
        async with asyncio.timeout(DELIVERY_SECONDS):
            yield

    @asynccontextmanager
    async def guard(self) -> AsyncIterator[Turn]:
        began = time.perf_counter()
        failure: Exception | None = None
        try:
            async with asyncio.timeout(ANSWER_SECONDS + (WARMUP_SECONDS if self.warming_up else 0.0)) as deadline:
                self._deadline = deadline
                yield self
        except TimeoutError as exc:
            if self._delivering:
                self.outcome = "delivery_timeout"
                log.warning("slack_reply", extra={**self._fields(began), "apologized": False})
                return
            self.outcome, failure = "timeout", exc
        except asyncio.CancelledError:
            # Shutdown cancelled us; there is nobody left to apologize through.
            self.outcome = "cancelled"
            log.info("slack_reply", extra=self._fields(began))
            raise
        except Exception as exc:
            self.outcome, failure = "error", exc
        if failure is None:
            log.info("slack_reply", extra=self._fields(began))
            return
        apologized = await self._apology()
        log.error("slack_reply", exc_info=failure, extra={
            **self._fields(began), "apologized": apologized, "error_type": type(failure).__name__,
        })

    def _fields(self, began: float) -> dict[str, object]:
        return {"kind": self.kind, "outcome": self.outcome, "lang": self.lang, **self.fields,
                "ms": round((time.perf_counter() - began) * 1000, 1)}

    async def _apology(self) -> bool:
        try:
            async with asyncio.timeout(APOLOGY_SECONDS):
                await self._apologize(escape(i18n.t("error", self.lang)))
        except Exception as exc:
            log.warning("slack_apology_failed", extra={"kind": self.kind, "error_type": type(exc).__name__,
                                                       **self.fields})
            return False
        return True

