"""The Procfile's worker (`saidbot discord`) as a real subprocess against the fake Discord on loopback."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.discord_server import FakeDiscord
from tests.support.processes import stop_process


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.close()


async def test_worker_answers_and_stops_on_sigterm(tmp_path: Path, notes_dir: Path, fake: FakeDiscord) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAIDBOT_", "SLACK_", "DISCORD_"))}
    env.update({
        "DISCORD_TOKEN": fake.token, "DISCORD_GUILD_ID": str(fake.guild_id),
        "SAIDBOT_NOTES": str(notes_dir), "SAIDBOT_DB": str(tmp_path / "worker.db"), "SAIDBOT_LOG_FORMAT": "json",
        # The documented way to use a Discord-compatible server: no patching inside the process.
        "DISCORD_API_URL": fake.api_base, "DISCORD_GATEWAY_URL": fake.gateway_url,
    })
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "saidbot", "discord", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_ready(1, timeout=30)
        # The gateway may come up before the index; then the answer is a polite "warming up".
        for _ in range(50):
            it = await fake.answered(await fake.slash("ask", question="what did Amodei say about talent density?"),
                                     timeout=15)
            message = fake.reply_message(it)
            text = (message.get("content") or "") + str(message.get("embeds"))
            if "Dario Amodei" in text:
                break
            assert "still reading the notes" in text
            await asyncio.sleep(0.2)
        else:
            pytest.fail("the worker never answered from the notes")
    finally:
        stopped = await stop_process(proc)
    stopped.assert_clean()
    assert fake.token not in stopped.stderr.decode()
    assert fake.problems == []
