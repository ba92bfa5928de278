"""Socket Mode: the same handlers over the SDK's real WebSocket client, against the fake Slack."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from slack_sdk.errors import SlackApiError

from adapters.slack import run_socket_mode
from bot.service import SaidService
from bot.settings import Settings
from tests.adapters.slack.conftest import APP_TOKEN, BOT_TOKEN, event_body, mention, share_button, slack_settings
from tests.fakes.slack_api import TEAM, FakeSlack
from tests.support.processes import stop_process


@pytest.fixture
async def connected(loaded: SaidService, settings: Settings, slack: FakeSlack) -> AsyncIterator[asyncio.Task[None]]:
    # No signing secret: nothing arrives over HTTP in Socket Mode.
    task = asyncio.create_task(run_socket_mode(loaded, slack_settings(settings, slack, signing_secret=None)))
    await slack.wait_socket()
    yield task
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_a_mention_over_socket_mode_is_acked_and_answered_in_its_thread(
    connected: asyncio.Task[None], slack: FakeSlack
) -> None:
    assert slack.tokens_of("apps.connections.open") == [APP_TOKEN]
    payload = json.loads(event_body(mention("what did Amodei say about the scaling hypothesis?"), "EvSock"))
    envelope = {"envelope_id": "env-1", "type": "events_api", "payload": payload,
                "accepts_response_payload": False, "retry_attempt": 0, "retry_reason": ""}
    await slack.send_envelope(envelope)
    assert (await slack.wait_ack("env-1")) == {"envelope_id": "env-1"}
    [post] = await slack.wait_for("chat.postMessage")
    assert post["thread_ts"] == "1700000000.000200" and "|01:38:37>" in json.dumps(post)
    assert slack.tokens_of("chat.postMessage") == [BOT_TOKEN]
    # Slack re-delivers an envelope it thinks was lost; it is acked again but answered once.
    await slack.send_envelope({**envelope, "envelope_id": "env-2", "retry_attempt": 1, "retry_reason": "timeout"})
    await slack.wait_ack("env-2")
    await asyncio.sleep(0.2)
    assert len(slack.of("chat.postMessage")) == 1


async def test_ask_and_share_over_socket_mode(connected: asyncio.Task[None], slack: FakeSlack) -> None:
    command = {"token": "unused", "team_id": TEAM, "channel_id": "C1", "user_id": "UEN", "user_name": "uen",
               "command": "/ask", "text": "talent density", "response_url": slack.response_url("r1"),
               "trigger_id": "t1", "api_app_id": "A1"}
    await slack.send_envelope({"envelope_id": "env-c", "type": "slash_commands", "payload": command,
                               "accepts_response_payload": True})
    await slack.wait_ack("env-c")
    [reply] = await slack.wait_responses()
    assert reply["response_type"] == "ephemeral" and "|00:10:05>" in json.dumps(reply)
    button = share_button(reply)
    click = {"type": "block_actions", "team": {"id": TEAM}, "user": {"id": "UEN", "name": "uen"},
             "channel": {"id": "C1"}, "api_app_id": "A1", "token": "unused", "trigger_id": "t2",
             "container": {"type": "message", "message_ts": "9.1", "channel_id": "C1", "is_ephemeral": True},
             "response_url": slack.response_url("r2"),
             "actions": [{"action_id": button["action_id"], "value": button["value"], "type": "button",
                          "block_id": "b1", "action_ts": "9.2"}]}
    await slack.send_envelope({"envelope_id": "env-a", "type": "interactive", "payload": click,
                               "accepts_response_payload": False})
    await slack.wait_ack("env-a")
    [shared] = await slack.wait_for("chat.postMessage")
    assert shared["channel"] == "C1" and "Shared by uen" in json.dumps(shared)


async def test_cancelling_closes_the_connection(loaded: SaidService, settings: Settings, slack: FakeSlack) -> None:
    task = asyncio.create_task(run_socket_mode(loaded, slack_settings(settings, slack)))
    ws = await slack.wait_socket()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
    await asyncio.wait_for(ws.receive(), 5)
    assert ws.closed


@pytest.mark.parametrize("which", ["app_token", "bot_token"])
async def test_a_rejected_token_fails_at_startup_instead_of_retrying(
    loaded: SaidService, settings: Settings, slack: FakeSlack, which: str
) -> None:
    wrong = slack_settings(settings, slack, **{which: SecretStr("xoxb-revoked-000000")})
    with pytest.raises(SlackApiError) as raised:
        await asyncio.wait_for(run_socket_mode(loaded, wrong), 5)
    assert raised.value.response["error"] == "invalid_auth"
    assert not slack.sockets


async def test_missing_tokens_are_named(loaded: SaidService, settings: Settings) -> None:
    with pytest.raises(ValueError, match="SLACK_APP_TOKEN"):
        await run_socket_mode(loaded, settings)


async def test_the_cli_socket_mode_process_answers_and_stops_on_sigterm(
    tmp_path: Path, notes_dir: Path, slack: FakeSlack
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAIDBOT_", "SLACK_", "DISCORD_"))}
    env.update({"SLACK_APP_TOKEN": APP_TOKEN, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": slack.api_url,
                "SAIDBOT_NOTES": str(notes_dir), "SAIDBOT_DB": str(tmp_path / "socket.db"),
                "SAIDBOT_LOG_FORMAT": "json"})
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "slack", "--socket", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        await slack.wait_socket(timeout=20)
        # The index may still be building; ask until the answer (not "still reading") comes back.
        for attempt in range(50):
            payload = json.loads(event_body(mention("talent density", ts=f"1700000100.{attempt:06d}"), f"Ev{attempt}"))
            await slack.send_envelope({"envelope_id": f"env-{attempt}", "type": "events_api", "payload": payload,
                                       "accepts_response_payload": False})
            [*_, post] = await slack.wait_for("chat.postMessage", count=attempt + 1)
            if "A hundred excellent people" in post["text"]:
                break
            await asyncio.sleep(0.1)
        else:
            pytest.fail("the Socket Mode process never answered from the notes")
    finally:
        stopped = await stop_process(proc)
    stopped.assert_clean()
    stderr = stopped.stderr
    assert BOT_TOKEN not in stderr.decode() and APP_TOKEN not in stderr.decode()
    assert "will be unused" not in stderr.decode()  # Bolt's start-up warning about our own client
    events = [json.loads(line)["event"] for line in stderr.decode().splitlines() if line.startswith("{")]
    assert "slack_socket_connected" in events and "slack_socket_closed" in events
