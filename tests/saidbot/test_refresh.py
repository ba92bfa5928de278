"""The long-running process refreshes remote sources on its schedule: unchanged feeds cost one 304 each
round, and a new episode is answered from without a restart."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from bot.models import AnswerStatus
from bot.service import SaidService
from bot.settings import CoreSettings, Settings
from saidbot.bootstrap import OpenedCore, Plan
from saidbot.supervisor import supervise
from tests.bot.remote.test_feed_refresh import CHAPTERS, EP1_JSON, EP2_VTT, EP3_SRT, EP4_VTT, feed_xml
from tests.fakes.state import MemoryState
from tests.support.remote_server import serving

HOPPER = "what did Grace Hopper say about ships?"


async def _until(check: Callable[[], Awaitable[bool]], seconds: float = 8.0) -> None:
    async with asyncio.timeout(seconds):
        for _ in range(int(seconds / 0.05) + 1):
            if await check():
                return
            await asyncio.sleep(0.05)
    raise AssertionError("the condition never held")


async def test_a_new_episode_appears_on_the_next_scheduled_refresh(tmp_path: Path) -> None:
    async with serving() as server:
        base = server.url("")
        feed = server.put("/feed.xml", feed_xml(base), "application/rss+xml")
        server.put("/ep1.json", json.dumps(EP1_JSON), "application/json")
        server.put("/ep1-chapters.json", json.dumps(CHAPTERS), "application/json")
        server.put("/ep2.vtt", EP2_VTT, "text/vtt")
        server.put("/ep3.srt", EP3_SRT, "application/x-subrip")
        notes = tmp_path / "notes"
        notes.mkdir()
        (notes / "sources.txt").write_text(f"# the show\n{feed}\n", encoding="utf-8")
        settings = Settings(core=CoreSettings(
            _env_file=None, notes=notes, db=tmp_path / "said.db", allow_private_urls=True,  # type: ignore[call-arg]
            refresh_minutes=0.3 / 60, fetch_timeout_seconds=2.0,
        ))
        services: list[SaidService] = []

        @asynccontextmanager
        async def opener(given: Settings) -> AsyncIterator[OpenedCore]:
            service = await SaidService.open(given)
            services.append(service)
            try:
                yield OpenedCore(core=service, state=MemoryState(), indexer=service)
            finally:
                await service.close()

        stop = asyncio.Event()
        running = asyncio.create_task(supervise(settings, Plan(web=False), opener=opener, stop=stop))
        try:
            await _until(lambda: _answers(services, "what did Ada Lovelace say about music?"))
            # Rounds of refreshes while nothing changes: each one conditional request, answered 304.
            await _until(lambda: _async(len([s for s in server.requests_to("/feed.xml") if s.status == 304]) >= 2))
            assert {s.path for s in server.seen if s.path != "/feed.xml"} == {
                "/ep1.json", "/ep1-chapters.json", "/ep2-missing.json", "/ep2.vtt", "/ep3.srt"
            }
            assert len(server.requests_to("/ep1.json")) == 1
            server.put("/feed.xml", feed_xml(base, new_episode=True), "application/rss+xml")
            server.put("/ep4.vtt", EP4_VTT, "text/vtt")
            await _until(lambda: _answers(services, HOPPER))
        finally:
            stop.set()
            assert await asyncio.wait_for(running, 10) == 0


async def _async(value: bool) -> bool:
    return value


async def _answers(services: list[SaidService], question: str) -> bool:
    if not services:
        return False
    return (await services[0].ask(question)).status is AnswerStatus.OK
