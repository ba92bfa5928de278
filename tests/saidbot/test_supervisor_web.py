"""The Procfile's web process (`saidbot serve`, `saidbot run`) as the platform runs it: a real subprocess on a free port."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest
from aiohttp import ClientError, ClientSession

from tests.fakes.slack_api import BOT_USER, FakeSlack, signed_headers
from tests.support.net import free_port
from tests.support.processes import stop_process

SECRET = "0123456789abcdef0123456789abcdef"



def _many_notes(root: Path, count: int) -> None:
    """Enough notes that building the index takes a moment, so warm-up can be observed."""
    root.mkdir(parents=True)
    for i in range(count):
        lines = [f"---\ntitle: Note {i}\nlang: en\nyoutube: AbCdEfGh{i % 1000:03d}\n---\n"]
        for j in range(12):
            lines.append(f"**Dario Amodei (00:{j:02d}:10):**\n“Talent density matters in team {i} part {j}. "
                         f"Scaling keeps working for reason {j}.”\n")
        (root / f"note-{i:05d}.md").write_text("\n".join(lines), encoding="utf-8")



async def _start(
    tmp_path: Path, notes: Path, slack: FakeSlack, command: str = "serve", *, stderr: Path | None = None
) -> tuple[asyncio.subprocess.Process, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAIDBOT_", "SLACK_", "DISCORD_"))}
    env.update({
        "PORT": str(port), "SAIDBOT_NOTES": str(notes), "SAIDBOT_DB": str(tmp_path / "deploy.db"),
        "SLACK_BOT_TOKEN": "xoxb-test-token-123456", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url,
        "SAIDBOT_HOST": "127.0.0.1", "SAIDBOT_LOG_FORMAT": "json",
    })
    with contextlib.ExitStack() as files:
        err = files.enter_context(stderr.open("wb")) if stderr is not None else asyncio.subprocess.PIPE
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "saidbot", command, cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=err,
        )
    return proc, f"http://127.0.0.1:{port}"


async def _health(session: ClientSession, url: str) -> tuple[int, dict[str, object]] | None:
    try:
        async with session.get(f"{url}/healthz") as resp:
            return resp.status, await resp.json()
    except (ClientError, OSError):
        return None



async def test_web_process_warms_up_then_serves_and_stops_on_sigterm(tmp_path: Path, slack: FakeSlack) -> None:
    notes = tmp_path / "notes"
    _many_notes(notes, 1500)
    proc, url = await _start(tmp_path, notes, slack)
    try:
        async with ClientSession() as session:
            seen_warming = False
            asked_while_warming = False
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                health = await _health(session, url)
                if health is not None:
                    status, body = health
                    if status == 503:
                        assert body["status"] == "warming_up"
                        seen_warming = True
                        if not asked_while_warming:
                            event = json.dumps({
                                "type": "event_callback", "event_id": "EvWarm", "team_id": "T1", "api_app_id": "A1",
                                "authorizations": [{"user_id": BOT_USER, "is_bot": True, "team_id": "T1"}],
                                "event": {"type": "app_mention", "user": "U1", "channel": "C1", "ts": "1.1",
                                          "text": f"<@{BOT_USER}> talent density"},
                            })
                            async with session.post(f"{url}/slack/events", data=event, headers=signed_headers(event, secret=SECRET, content_type="application/json")) as r:
                                assert r.status == 200
                            asked_while_warming = True
                    else:
                        assert status == 200 and body["status"] == "ready" and int(body["segments"]) > 1000  # type: ignore[call-overload]
                        break
                await asyncio.sleep(0.05)
            else:
                pytest.fail("/healthz never became ready")
        assert seen_warming, "the port must be bound before the index is built"
        # Asked during the first build: the core waits for it and answers for real instead of "ask again".
        [reply] = await slack.wait_for("chat.postMessage", timeout=30)
        assert "still reading the notes" not in reply["text"] and "Talent density matters" in reply["text"]
    finally:
        stopped = await stop_process(proc)
    stopped.assert_clean()
    stderr = stopped.stderr
    lines = [json.loads(line) for line in stderr.decode().splitlines() if line.startswith("{")]
    events = [line["event"] for line in lines]
    assert "listening" in events and "index_ready" in events and "stopped" in events
    assert SECRET not in stderr.decode() and "xoxb-test-token-123456" not in stderr.decode()


async def test_run_process_without_discord_still_serves(tmp_path: Path, slack: FakeSlack, notes_dir: Path) -> None:
    proc, url = await _start(tmp_path, notes_dir, slack, command="run")
    try:
        async with ClientSession() as session:
            for _ in range(400):
                health = await _health(session, url)
                if health is not None and health[0] == 200:
                    break
                await asyncio.sleep(0.05)
            else:
                pytest.fail("/healthz never became ready")
    finally:
        stopped = await stop_process(proc, signal.SIGINT)
    stopped.assert_clean()
