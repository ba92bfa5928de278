"""Replies still being worked on, so a shutdown can let them finish.

Bolt acknowledges Slack first and runs the handler afterwards as a task nobody awaits; Slack
will not resend an acknowledged event, so a reply cut off by a deploy would be lost for good.
Handlers enter an `InFlight` while they work, and the process waits for it to drain (bounded)
after it stops taking requests and before it closes the core. What is still unanswered when the
budget is spent is cancelled and counted in one `shutdown_dropped` log line, so a deploy never
loses replies silently and never outlives the platform's SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from types import TracebackType
from typing import Final

log = logging.getLogger(__name__)

# The platform sends SIGKILL 30 s after SIGTERM; the process allows itself 25 (saidbot/supervisor.py):
# a couple for HTTP requests in flight, this long for acknowledged replies, the rest for closing the core.
DRAIN_SECONDS: Final = 20.0
# After the budget, cancelled replies get this long to unwind (their guard logs each one).
CANCEL_SECONDS: Final = 2.0


class InFlight:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[object]] = set()
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def count(self) -> int:
        return self._count

    async def __aenter__(self) -> None:
        self._count += 1
        self._idle.clear()
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self._count -= 1
        task = asyncio.current_task()
        if task is not None:
            self._tasks.discard(task)
        if self._count == 0:
            self._idle.set()

    async def drain(self, grace: float) -> int:
        """Wait until no handler is working, at most `grace` seconds; then cancel what is left.

        Returns how many replies were dropped (0 when everything acknowledged was answered), and says
        so in the log either way.
        """
        # A handler Bolt scheduled just before the last response went out has not entered yet;
        # its first step runs within a loop iteration or two.
        for _ in range(3):
            await asyncio.sleep(0)
        began = self._count
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), grace)
        dropped = self._count
        if dropped == 0:
            log.info("shutdown_drained", extra={"in_flight": began, "dropped": 0})
            return 0
        log.warning("shutdown_dropped", extra={"count": dropped, "in_flight": began, "grace_seconds": grace})
        stragglers = [task for task in self._tasks if not task.done()]
        for task in stragglers:
            task.cancel()
        if stragglers:
            await asyncio.wait(stragglers, timeout=CANCEL_SECONDS)
        return dropped
