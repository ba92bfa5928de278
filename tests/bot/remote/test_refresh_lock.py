"""One scheduled refresh at a time: a second one in the same process, or in another process sharing the
database file, is skipped rather than run alongside."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.remote.refresh_lock import RefreshLock

HOLD = """
import sys, time
from pathlib import Path
from bot.remote.refresh_lock import RefreshLock
with RefreshLock(Path(sys.argv[1])).held() as mine:
    print("held" if mine else "skipped", flush=True)
    sys.stdin.readline()
"""


def test_nested_in_one_process_is_skipped(tmp_path: Path) -> None:
    lock = RefreshLock(tmp_path / "said.db")
    with lock.held() as first, lock.held() as second:
        assert (first, second) == (True, False)
    with lock.held() as again:
        assert again


def test_another_process_sharing_the_database_waits_its_turn(tmp_path: Path) -> None:
    db = tmp_path / "said.db"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with RefreshLock(db).held() as mine:
            assert mine is False
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(10)
    with RefreshLock(db).held() as mine:
        assert mine is True
