"""A notes root owns only the sources under it: a refresh never removes what came from elsewhere."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from bot.service import SaidService
from bot.settings import Settings
from tests.conftest import NOTE_EN, NOTE_JA


async def test_a_refresh_of_root_a_keeps_what_was_ingested_from_b(
    tmp_path: Path, write: Callable[[Path, str], Path]
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    write(a / "team-en.md", NOTE_EN)
    write(a / "gone.md", NOTE_EN.replace("talent density", "gone topic"))
    write(b / "team-ja.md", NOTE_JA)
    db = tmp_path / "shared.db"
    loader = await SaidService.open(Settings(db=db, notes=None))
    try:
        await loader.ingest([a, b])
    finally:
        await loader.close()
    (a / "gone.md").unlink()

    service = await SaidService.open(Settings(db=db, notes=a))
    try:
        report = await service.ensure_index()
        assert report is not None and report.removed == 1  # only the file gone from under A
        stats = await service.stats()
        assert stats.sources == 2 and stats.outside_root == 1
        answer = await service.ask("ダリオはタレント密度について何と言った？")
        assert answer.citations and any("team-ja.md" in c.source for c in answer.citations)
    finally:
        await service.close()

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAIDBOT_", "SLACK_", "DISCORD_"))}
    env |= {"SAIDBOT_DB": str(db), "SAIDBOT_NOTES": str(a), "HOME": str(tmp_path)}
    doctor = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "saidbot", "doctor"], cwd=tmp_path, env=env, capture_output=True,
        text=True, timeout=60,
    )
    assert f"1 of them were ingested from outside {a}" in doctor.stdout, doctor.stdout
