"""The web process itself: /healthz, mounting Slack only when configured, and replies finishing at shutdown."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from adapters.slack import mount
from adapters.web import create_web_app
from bot.service import SaidService
from bot.settings import Settings
from tests.adapters.slack.conftest import Web, mention, slack_settings, start_web
from tests.fakes.core import FakeCore
from tests.fakes.slack_api import FakeSlack


async def _get(url: str) -> tuple[int, dict[str, object]]:
    async with ClientSession() as session, session.get(url) as resp:
        return resp.status, await resp.json()


async def test_healthz_is_200_with_the_index_when_ready(web: Web) -> None:
    status, body = await _get(f"{web.url}/healthz")
    assert status == 200
    assert body["status"] == "ready"
    assert isinstance(body["segments"], int) and body["segments"] > 5
    assert isinstance(body["index_age_seconds"], float) and 0 <= body["index_age_seconds"] < 60


async def test_healthz_is_503_while_warming_up(settings: Settings, tmp_path: Path) -> None:
    cold = await SaidService.open(settings.updated(core={"db": tmp_path / "cold.db"}))
    server = TestServer(create_web_app(cold, settings), host="127.0.0.1", port=0)
    await server.start_server()
    try:
        status, body = await _get(str(server.make_url("/healthz")))
        assert status == 503 and body == {"status": "warming_up", "segments": None, "index_age_seconds": None}
        await cold.ensure_index()
        status, body = await _get(str(server.make_url("/healthz")))
        assert status == 200 and body["status"] == "ready"
    finally:
        await server.close()
        await cold.close()


@pytest.mark.parametrize("configured", [{}, {"bot_token": SecretStr("xoxb-test-token-123456")},
                                        {"signing_secret": SecretStr("0123456789abcdef")}])
async def test_without_slack_credentials_only_healthz_is_served(
    loaded: SaidService, settings: Settings, configured: dict[str, SecretStr], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.web")
    server = TestServer(create_web_app(loaded, settings.updated(slack={"bot_token": None, "signing_secret": None, **configured})), host="127.0.0.1", port=0)
    await server.start_server()
    try:
        assert (await _get(str(server.make_url("/healthz"))))[0] == 200
        async with ClientSession() as session, session.post(str(server.make_url("/slack/events")), data="{}") as resp:
            assert resp.status == 404
    finally:
        await server.close()
    [record] = [r for r in caplog.records if r.getMessage().startswith("slack_")]
    if configured:
        assert record.getMessage() == "slack_partly_configured" and record.levelno == logging.WARNING
        assert record.__dict__["missing"] == ["SLACK_SIGNING_SECRET" if "bot_token" in configured else "SLACK_BOT_TOKEN"]
    else:
        assert record.getMessage() == "slack_not_configured" and record.levelno == logging.INFO


async def test_a_reply_in_flight_finishes_before_the_server_is_gone(
    loaded: SaidService, settings: Settings, tmp_path: Path
) -> None:
    # A slow Slack: the locale lookup takes a while, so the reply is still being made when the
    # process is told to stop right after Slack got its acknowledgement.
    slow = FakeSlack(delays={"users.info": 0.5})
    await slow.start()
    try:
        started = await start_web(loaded, slack_settings(settings, slow), slow)
        assert await started.event(mention("talent density")) == 200
        await started.server.close()
        [post] = slow.of("chat.postMessage")
        assert "A hundred excellent people" in post["text"]
    finally:
        await slow.close()


async def test_healthz_with_an_unreadable_store_is_503_and_logged(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.web")
    core = FakeCore(failures={"stats"}, error=RuntimeError("disk gone"))
    server = TestServer(create_web_app(core, settings), host="127.0.0.1", port=0)
    await server.start_server()
    try:
        status, body = await _get(str(server.make_url("/healthz")))
    finally:
        await server.close()
    assert status == 503 and body["status"] == "error" and "disk gone" not in str(body)
    [record] = [r for r in caplog.records if r.getMessage() == "healthz_store_unreadable"]
    assert record.exc_info is not None


async def test_slack_is_mounted_from_its_readiness_and_refuses_to_mount_unverifiable(
    settings: Settings, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.web")
    started = await start_web(FakeCore(), slack_settings(settings, slack), slack)
    await started.server.close()
    assert [r.__dict__["path"] for r in caplog.records if r.getMessage() == "slack_mounted"] == ["/slack/events"]
    unsigned = settings.updated(slack={"bot_token": SecretStr("xoxb-test-token-123456"), "signing_secret": None})
    with pytest.raises(ValueError, match="SLACK_SIGNING_SECRET"):
        mount(web.Application(), FakeCore(), unsigned)
