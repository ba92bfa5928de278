"""A corrupt database, a read-only disk, a full disk: a clear line and an exit, never a traceback or a hang."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.service import SaidService
from bot.settings import Settings
from bot.store import StoreFull
from saidbot.doctor import check_database

Write = Callable[[Path, str], Path]
NOTE = "**Ada Lovelace (00:01:00):**\n“The engine weaves algebraic patterns as the loom weaves flowers.”\n"


def _saidbot(*args: str, notes: Path | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAIDBOT_LOG_FORMAT": "json"}
    env.pop("SAIDBOT_NOTES", None)
    if notes is not None:
        env["SAIDBOT_NOTES"] = str(notes)
    return subprocess.run([sys.executable, "-m", "saidbot", *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


def _built(tmp_path: Path, write: Write) -> tuple[Path, Path]:
    notes = tmp_path / "notes"
    write(notes / "ada.md", NOTE)
    for index in range(200):  # enough pages that truncation cuts into the tables
        write(notes / f"filler-{index}.md", f"Filler statement {index} about weaving, looms and patterns. " * 20)
    db = tmp_path / "index.db"
    done = _saidbot("ingest", str(notes), "--db", str(db))
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return notes, db


def _garbage(db: Path) -> None:
    db.write_bytes(os.urandom(8192))


def _text(db: Path) -> None:
    db.write_text("this is a text file, not a database\n")


def _flipped_header(db: Path) -> None:
    data = bytearray(db.read_bytes())
    data[0:16] = b"SQLite format 4\x00"
    db.write_bytes(bytes(data))


def _truncated(db: Path) -> None:
    with db.open("r+b") as handle:
        handle.truncate(db.stat().st_size // 3)


@pytest.mark.parametrize("damage", [_garbage, _text, _flipped_header, _truncated], ids=lambda f: f.__name__[1:])
def test_a_corrupt_index_is_moved_aside_and_rebuilt_from_the_notes(
    tmp_path: Path, write: Write, damage: Callable[[Path], None]
) -> None:
    notes, db = _built(tmp_path, write)
    damage(db)
    done = _saidbot("ask", "--db", str(db), "what did Ada Lovelace say about the engine", notes=notes)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "index_corrupt_rebuilding" in done.stderr
    assert "Ada Lovelace" in done.stdout
    assert list(tmp_path.glob("index.db.corrupt-*"))
    settings = Settings(db=db, notes=notes)
    assert any("corrupt and rebuilt" in c.what for c in check_database(settings))


def test_an_unopenable_database_path_fails_fast_with_one_line(tmp_path: Path, write: Write) -> None:
    write(tmp_path / "notes" / "ada.md", NOTE)
    for command in (["ask", "engine"], ["ingest", str(tmp_path / "notes")]):
        done = _saidbot(*command, "--db", "/proc/saidbot-cannot-live-here/index.db", timeout=20)
        assert done.returncode != 0
        assert "Traceback" not in done.stderr
        assert done.stderr.strip().startswith("saidbot: cannot"), done.stderr


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs, where this test may mount one (root in a container that allows it)."""
    mount = shutil.which("mount")
    where = tmp_path / "disk"
    where.mkdir()
    if mount is None or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root and mount(8)")
    made = subprocess.run([mount, "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"mount is not permitted here: {made.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


def test_a_full_disk_says_so_once_and_keeps_the_old_index(tmp_path: Path, write: Write, small_disk: Path) -> None:
    small = tmp_path / "small"
    write(small / "ada.md", NOTE)
    db = small_disk / "index.db"
    assert _saidbot("ingest", str(small), "--db", str(db)).returncode == 0
    big = tmp_path / "big"
    for index in range(60):
        write(big / f"big-{index}.md", " ".join(f"word{index}x{n}" for n in range(3000)) + "\n")
    done = _saidbot("ingest", str(big), "--db", str(db))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.count("disk full") == 1, done.stderr
    asked = _saidbot("ask", "--db", str(db), "what did Ada Lovelace say about the engine")
    assert "Ada Lovelace" in asked.stdout, asked.stderr


async def test_a_full_database_rolls_back_with_a_clear_error(tmp_path: Path, write: Write) -> None:
    """The same without a mount: SQLite's max_page_count makes the database "full"."""
    service = await SaidService.open(Settings(db=tmp_path / "s.db", notes=None))
    try:
        write(tmp_path / "small" / "ada.md", NOTE)
        await service.ingest([tmp_path / "small"])
        async with service.store._writer.execute("PRAGMA page_count") as cursor:
            row = await cursor.fetchone()
        assert row is not None
        await service.store._writer.execute(f"PRAGMA max_page_count = {int(row[0]) + 2}")
        for index in range(20):
            write(tmp_path / "big" / f"big-{index}.md", " ".join(f"w{index}x{n}" for n in range(2000)) + "\n")
        with pytest.raises(StoreFull, match="disk full"):
            await service.ingest([tmp_path / "big"])
        answer = await service.ask("what did Ada Lovelace say about the engine")
        assert answer.citations and answer.citations[0].speaker == "Ada Lovelace"
    finally:
        await service.close()


def test_a_read_only_disk_fails_fast_with_one_line(tmp_path: Path, write: Write, small_disk: Path) -> None:
    write(tmp_path / "notes" / "ada.md", NOTE)
    db = small_disk / "index.db"
    assert _saidbot("ingest", str(tmp_path / "notes"), "--db", str(db)).returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    for command in (["ask", "engine"], ["ingest", str(tmp_path / "notes")]):
        done = _saidbot(*command, "--db", str(db), timeout=20)
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        assert "read-only disk or folder" in done.stderr, done.stderr
