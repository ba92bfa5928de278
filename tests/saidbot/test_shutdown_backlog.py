"""SIGTERM with a backlog of acknowledged Slack mentions: a real `saidbot serve` against the fake Slack.

Slack never resends an acknowledged event, so each one must be answered before the process goes,
or counted as dropped in the log; and the process must exit 0 well before the platform's SIGKILL
(30 s after SIGTERM), however much is queued.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from aiohttp import ClientSession, TCPConnector

from tests.fakes.slack_api import BOT_USER, FakeSlack, signed_headers
from tests.saidbot.test_supervisor_web import SECRET, _health, _start
from tests.support.processes import stop_process

DEMO = Path(__file__).parents[2] / "bot" / "demo"
MENTIONS = 300
# A Slack that hangs for these threads: their replies cannot finish, so they must be counted as dropped.
STALLED = 40
# SIGKILL comes at 30 s; saidbot allows itself 25.
PLATFORM_KILL_SECONDS = 30.0



def _mention(i: int, channel: str) -> str:
    return json.dumps({
        "type": "event_callback", "event_id": f"EvBacklog{i}", "team_id": "T1", "api_app_id": "A1",
        "authorizations": [{"user_id": BOT_USER, "is_bot": True, "team_id": "T1"}],
        "event": {"type": "app_mention", "user": f"U{i % 7}", "channel": channel, "ts": f"{1000 + i}.0001",
                  "text": f"<@{BOT_USER}> what did Amodei say about talent density?"},
    })


async def test_sigterm_with_a_backlog_answers_or_counts_every_acknowledged_mention(
    tmp_path: Path, slack: FakeSlack
) -> None:
    slack.stall_channels = {"CSTALL"}
    # Hundreds of replies log more than a pipe holds; a log nobody reads until the end goes to a file.
    log_path = tmp_path / "serve.log"
    proc, url = await _start(tmp_path, DEMO, slack, stderr=log_path)
    try:
        async with ClientSession(connector=TCPConnector(limit=100)) as session:
            for _ in range(400):
                health = await _health(session, url)
                if health is not None and health[0] == 200:
                    break
                await asyncio.sleep(0.05)
            channels = ["CSTALL" if i < STALLED else f"C{i % 5}" for i in range(MENTIONS)]

            async def send(i: int) -> int:
                body = _mention(i, channels[i])
                async with session.post(f"{url}/slack/events", data=body, headers=signed_headers(body, secret=SECRET, content_type="application/json")) as resp:
                    return resp.status

            statuses = await asyncio.gather(*(send(i) for i in range(MENTIONS)))
        assert statuses == [200] * MENTIONS
        # Every stalled mention that got past the answer gate is stuck in its post now.
        await asyncio.sleep(0.5)
    finally:
        began = time.monotonic()
        stopped = await stop_process(proc, timeout=PLATFORM_KILL_SECONDS)
    stopped.assert_clean(within=PLATFORM_KILL_SECONDS - 3)
    took = time.monotonic() - began
    log_text = log_path.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in log_text.splitlines() if line.startswith("{")]
    # Nothing but structured lines: no raw traceback from the shutdown itself.
    assert all(line.startswith("{") for line in log_text.splitlines() if line.strip()), log_text[-2000:]
    assert not [line for line in lines if line["event"] in ("shutdown_timeout", "shutdown_failed")]
    [dropped_line] = [line for line in lines if line["event"] in ("shutdown_dropped", "shutdown_drained")]
    dropped = int(dropped_line.get("count", dropped_line.get("dropped", 0)))
    # Answered: a post in the mention's thread (the answer, an apology, or "busy" to the asker).
    answered = {str(call["thread_ts"]) for method in ("chat.postMessage", "chat.postEphemeral")
                for call in slack.of(method)}
    stalled = {str(call["thread_ts"]) for call in slack.stalled} - answered
    # A post that hung past its delivery window is logged as unconfirmed (it may have landed: no apology).
    unconfirmed = [line for line in lines
                   if line["event"] == "slack_reply" and line.get("outcome") == "delivery_timeout"]
    assert len(answered) + dropped + len(unconfirmed) == MENTIONS, (len(answered), dropped, len(unconfirmed), took)
    assert dropped + len(unconfirmed) == len(stalled) and stalled
    assert "stopped" in [line["event"] for line in lines]
