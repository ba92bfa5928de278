"""Processes that share one database: two boots on a new file, and a write lock held by someone else."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.service import SaidService
from bot.settings import Settings
from bot.store import schema

INGEST = textwrap.dedent("""
    import asyncio, sys
    from pathlib import Path
    from bot.service import SaidService
    from bot.settings import Settings

    async def main() -> None:
        service = await SaidService.open(Settings(db=Path(sys.argv[1]), notes=None))
        try:
            report = await service.ingest([Path(sys.argv[2])])
            print(report.added + report.skipped)
        finally:
            await service.close()

    asyncio.run(main())
""")

HOLD_LOCK = textwrap.dedent("""
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    conn.execute("COMMIT")
""")


def _notes(root: Path, count: int) -> Path:
    root.mkdir(parents=True)
    for index in range(count):
        (root / f"note-{index}.md").write_text(f"Statement number {index} about shared databases.\n")
    return root


@pytest.mark.parametrize("round_", range(3))
def test_two_processes_ingesting_into_a_new_database_both_succeed(tmp_path: Path, round_: int) -> None:
    notes = _notes(tmp_path / "notes", 30)
    db = tmp_path / "new.db"
    procs = [
        subprocess.Popen([sys.executable, "-c", INGEST, str(db), str(notes)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [proc.communicate(timeout=60) for proc in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert out.strip() == "30"
        assert "already exists" not in err and "UNIQUE constraint" not in err


async def test_a_write_lock_held_past_the_busy_timeout_is_waited_for(
    tmp_path: Path, notes_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(schema, "BUSY_TIMEOUT_MS", 300)
    service = await SaidService.open(Settings(db=tmp_path / "s.db", notes=None))
    try:
        holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path / "s.db"), "1.5"],  # noqa: ASYNC220
                                  stdout=subprocess.PIPE, text=True)
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        began = time.perf_counter()
        with caplog.at_level(logging.WARNING, logger="bot.store"):
            report = await service.ingest([notes_dir])
        assert report.added == 2
        assert time.perf_counter() - began >= 1.0
        assert any(r.getMessage() == "database_busy" for r in caplog.records)
        holder.wait(timeout=10)
    finally:
        await service.close()
