"""The core API under hostile questions and a database shared with another process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot import pipeline
from bot import service as service_module
from bot.service import SaidService
from bot.settings import Settings, SlackSettings

Write = Callable[[Path, str], Path]
TOKEN = "xoxb-123456789012-123456789012-abcdefghijklmnopqrstuvwx"


async def test_a_configured_secret_never_appears_in_an_answer(tmp_path: Path, write: Write) -> None:
    settings = Settings(db=tmp_path / "s.db", notes=None, slack=SlackSettings(bot_token=TOKEN))
    write(tmp_path / "notes" / "ops.md", f"# Deploy {TOKEN}\n\nThe deploy token is {TOKEN} for the bot.\n")
    service = await SaidService.open(settings)
    try:
        await service.ingest([tmp_path / "notes"])
        for question in ("deploy token", "xoxb", "what is the deploy banana"):
            answer = await service.ask(question)
            assert TOKEN not in answer.model_dump_json()
        answer = await service.ask("deploy token")
        assert answer.citations and "[redacted]" in answer.citations[0].text
    finally:
        await service.close()


async def test_a_huge_question_is_cut_before_it_is_read(loaded: SaidService, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parser never sees more than RAW_QUESTION_CHARS (100 KB cost 0.67 s of CPU before the cut)."""
    seen: list[int] = []
    real_parse = pipeline.parse_question

    def spy(raw: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(len(raw))
        return real_parse(raw, *args, **kwargs)

    monkeypatch.setattr(pipeline, "parse_question", spy)
    huge = "what did Dario Amodei say about talent density " + "x" * 100_000
    answer = await loaded.ask(huge)
    assert seen and max(seen) <= pipeline.RAW_QUESTION_CHARS
    assert answer == await loaded.ask(huge[: pipeline.RAW_QUESTION_CHARS])


INGEST = textwrap.dedent("""
    import asyncio, sys
    from pathlib import Path
    from bot.service import SaidService
    from bot.settings import Settings

    async def main() -> None:
        service = await SaidService.open(Settings(db=Path(sys.argv[1]), notes=None))
        try:
            await service.ingest([Path(sys.argv[2])])
        finally:
            await service.close()

    asyncio.run(main())
""")


async def test_caches_follow_an_ingest_by_another_process(
    loaded: SaidService, settings: Settings, tmp_path: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service_module, "OTHER_WRITERS_CHECK_SECONDS", 0.0)
    assert "Grace Hopper" not in loaded.known_speakers()
    write(tmp_path / "more" / "hopper.md", "**Grace Hopper (00:02:00):**\n“Ships are safe in harbour, but compilers sail.”\n")
    done = subprocess.run(  # noqa: ASYNC221 - the other process must finish before the question
        [sys.executable, "-c", INGEST, str(settings.core.db_path), str(tmp_path / "more")],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    answer = await loaded.ask("what did Grace Hopper say about compilers")
    assert answer.citations and answer.citations[0].speaker == "Grace Hopper"
    assert "Grace Hopper" in loaded.known_speakers()
