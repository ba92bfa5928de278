"""Parser worker processes die with their parent, even one killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.ingest import runner

INGEST = textwrap.dedent("""
    import asyncio, sys, time
    from pathlib import Path
    from bot.ingest import runner
    from bot.service import SaidService
    from bot.settings import Settings

    runner.POOL_MIN_BYTES = 0
    runner.CHUNK_BYTES = 1
    make_pool = runner._parser_pool
    write_chunk = runner._write_chunk

    def pool(*args):
        made = make_pool(*args)
        print("workers", *[p.pid for p in made._processes.values()], flush=True)
        return made

    def slow_write(*args):
        time.sleep(0.05)  # a long run, so the kill lands in the middle of it
        return write_chunk(*args)

    runner._parser_pool = pool
    runner._write_chunk = slow_write

    async def main():
        service = await SaidService.open(Settings(db=Path(sys.argv[1]), notes=None))
        await service.ingest([Path(sys.argv[2])])

    asyncio.run(main())
""")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has exited; only its exit status waits for a reaper


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
@pytest.mark.skipif(runner._cpus() < 2, reason="the parser pool starts only with two or more CPUs")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_exit_when_the_ingest_is_killed(tmp_path: Path, sig: signal.Signals) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for index in range(300):
        (notes / f"n{index}.md").write_text(f"Statement {index} about orphaned workers and pipes.\n")
    parent = subprocess.Popen([sys.executable, "-c", INGEST, str(tmp_path / "s.db"), str(notes)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert parent.stdout is not None
        line = parent.stdout.readline().split()
        assert line and line[0] == "workers", line
        workers = [int(pid) for pid in line[1:]]
        assert workers and all(_alive(pid) for pid in workers)
        os.kill(parent.pid, sig)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if _alive(pid)]
    finally:
        if parent.poll() is None:
            parent.kill()
