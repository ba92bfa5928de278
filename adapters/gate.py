"""A bounded answer backlog shared by an adapter's handlers.

Answering is CPU work on the event loop (ranking, excerpts) between database reads. Hundreds of
questions answered at once interleave on the loop and starve what must stay fast: Slack's
3-second acknowledgements, Discord's deferrals and the platform's /healthz probe. A gate lets a
few answers be computed at a time, queues a bounded number more, and turns the rest away at once
with `Busy`, so the adapter can say "busy, try again in a minute" instead of queueing forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Final, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)

# A few concurrent answers keep the store's read connections busy without hogging the loop.
WORKERS: Final = 4
# Questions waiting for a worker; at a few hundred ms each, this is about a minute of work.
BACKLOG: Final = 200


class Busy(Exception):
    """The backlog is full; the question was not queued."""


class AnswerGate:
    def __init__(self, workers: int = WORKERS, backlog: int = BACKLOG, *, name: str = "answers") -> None:
        self._slots = asyncio.Semaphore(workers)
        self._backlog = backlog
        self._waiting = 0
        self._name = name
        # One warning per episode of overload, not one per refused question.
        self._warned = False

    @property
    def waiting(self) -> int:
        return self._waiting

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the workers for the block; raises `Busy` at once when the backlog is full."""
        if self._waiting >= self._backlog:
            if not self._warned:
                self._warned = True
                log.warning("answer_backlog_full", extra={"gate": self._name, "backlog": self._backlog})
            raise Busy
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        if self._waiting == 0:
            self._warned = False
        try:
            yield
        finally:
            self._slots.release()

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        """`work()` in a slot; the waiting for a slot is part of the awaitable, so a caller with a
        deadline (Discord's deferral) counts it too."""
        async with self.slot():
            return await work()
