"""Replies still being worked on, so a shutdown can let them finish.

Bolt acknowledges Slack first and runs the handler afterwards as a task nobody awaits; Slack
will not resend an acknowledged event, so a reply cut off by a deploy would be lost for good.
Handlers enter an `InFlight` while they work, and the process waits for it to drain (bounded)
after it stops taking requests and before it closes the core.
"""

from __future__ import annotations

import asyncio
import logging
from types import TracebackType
from typing import Final

log = logging.getLogger(__name__)

# The process allows itself 8 seconds to stop (adapters/process.py), half of it for HTTP requests
# in flight; this leaves the rest for closing the core.
DRAIN_SECONDS: Final = 3.0


class InFlight:
    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def count(self) -> int:
        return self._count

    async def __aenter__(self) -> None:
        self._count += 1
        self._idle.clear()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self._count -= 1
        if self._count == 0:
            self._idle.set()

    async def drain(self, grace: float) -> bool:
        """Wait until no handler is working, at most `grace` seconds; False when some were left."""
        # A handler Bolt scheduled just before the last response went out has not entered yet;
        # its first step runs within a loop iteration or two.
        for _ in range(3):
            await asyncio.sleep(0)
        try:
            await asyncio.wait_for(self._idle.wait(), grace)
        except TimeoutError:
            log.warning("slack_replies_left_at_shutdown", extra={"count": self._count})
            return False
        return True
