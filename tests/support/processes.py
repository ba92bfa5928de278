"""Stopping a real subprocess the way a PaaS does, and checking it kept saidbot's shutdown promise."""

from __future__ import annotations

import asyncio
import signal
import time
from dataclasses import dataclass

# The platform's SIGKILL comes 30 s after SIGTERM. With a backlog saidbot takes up to 25 s to drain it
# (saidbot/supervisor.py); a process with nothing queued must be gone within 10.
SHUTDOWN_PROMISE_SECONDS = 10.0


@dataclass(frozen=True)
class Stopped:
    """How a process ended after a signal; output as bytes, the way asyncio's pipes hand it over."""

    code: int
    seconds: float
    stdout: bytes
    stderr: bytes

    def assert_clean(self, within: float = SHUTDOWN_PROMISE_SECONDS) -> None:
        assert self.code == 0, self.stderr.decode(errors="replace")[-2000:]
        assert self.seconds < within, f"took {self.seconds:.1f} s to stop"


async def stop_process(
    proc: asyncio.subprocess.Process, sig: signal.Signals = signal.SIGTERM, *, timeout: float = 15.0
) -> Stopped:
    """Send `sig` and wait for the process to exit; a process still running after `timeout` is killed.

    Call it in a `finally:` and check the result afterwards, so a failing test body keeps its own error.
    """
    started = time.monotonic()
    proc.send_signal(sig)
    try:
        code = await asyncio.wait_for(proc.wait(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise AssertionError(f"still running {timeout:.0f} s after {sig.name}") from None
    seconds = time.monotonic() - started
    stdout, stderr = await proc.communicate()
    return Stopped(code=code, seconds=seconds, stdout=stdout or b"", stderr=stderr or b"")
