"""The web process under slow and silent clients: a bounded number of connections, slow heads and
bodies closed after a timeout, a fresh /healthz probe answered at once, accept errors logged once."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession, ClientTimeout, web
from pydantic import SecretStr

from adapters.web import AcceptErrors, CappedSite, ConnectionCap, create_web_app, server_limits
from bot.settings import Settings
from tests.fakes.core import FakeCore, as_core
from tests.support.net import free_port

SLOW = 300
CAP = 100
HEADER_SECONDS = 1.0



@pytest.fixture
async def served() -> AsyncIterator[tuple[str, int, ConnectionCap]]:
    settings = Settings()
    runner = web.AppRunner(create_web_app(as_core(FakeCore(segments=483)), settings), access_log=None,
                           handle_signals=False, **server_limits(HEADER_SECONDS))
    await runner.setup()
    cap = ConnectionCap(CAP)
    port = free_port()
    site = CappedSite(runner, "127.0.0.1", port, cap)
    await site.start()
    try:
        yield "127.0.0.1", port, cap
    finally:
        await runner.cleanup()


async def _slow_client(host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A client that opens, sends half a request head, and then says nothing more."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    await writer.drain()
    return reader, writer


async def _closed(reader: asyncio.StreamReader, within: float) -> bool:
    try:
        async with asyncio.timeout(within):
            while await reader.read(1024):
                pass
    except TimeoutError:
        return False
    except ConnectionError:
        return True
    return True


async def test_slow_clients_are_bounded_and_closed_and_a_fresh_probe_still_answers(
    served: tuple[str, int, ConnectionCap],
) -> None:
    host, port, cap = served
    slow = [await _slow_client(host, port) for _ in range(SLOW)]
    try:
        await asyncio.sleep(0.1)
        assert cap.open <= CAP
        began = time.monotonic()
        async with ClientSession(timeout=ClientTimeout(total=1.0)) as session, \
                session.get(f"http://{host}:{port}/healthz") as resp:
            assert resp.status == 200 and (await resp.json())["segments"] == 483
        assert time.monotonic() - began < 1.0
        # Every slow client is closed: the oldest to make room, the rest after the header timeout.
        closed = await asyncio.gather(*(_closed(reader, HEADER_SECONDS * 3) for reader, _ in slow))
        assert all(closed), f"{closed.count(False)} slow clients still open"
        assert cap.open == 0
    finally:
        for _, writer in slow:
            writer.close()


async def test_a_slow_body_to_slack_is_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters.slack import http

    monkeypatch.setattr(http, "BODY_SECONDS", 0.5)
    app = web.Application()
    http.mount(app, as_core(FakeCore()), Settings().updated(
        slack={"bot_token": SecretStr("xoxb-test-token-1"), "signing_secret": SecretStr("s" * 32)}))
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000\r\n\r\n{\"a\":")
        await writer.drain()
        async with asyncio.timeout(3):
            head = await reader.readline()
        assert head.startswith(b"HTTP/1.1 408"), head
        writer.close()
    finally:
        await runner.cleanup()


def test_accept_errors_are_logged_once_per_interval(caplog: pytest.LogCaptureFixture) -> None:
    handler = AcceptErrors(interval=60)
    loop = asyncio.new_event_loop()
    try:
        with caplog.at_level(logging.ERROR, logger="adapters.web"):
            for _ in range(10_000):
                handler(loop, {"message": AcceptErrors.MESSAGE, "exception": OSError(24, "Too many open files")})
    finally:
        loop.close()
    assert handler.failures == 10_000
    assert [r.message for r in caplog.records] == ["accept_failed"]
