"""Long-running processes: the web process, the Discord worker, Socket Mode, or all in one.

Every process binds its port (when it has one) before anything slow happens, builds or refreshes
the index in the background while answering "warming up", and on SIGTERM/SIGINT stops taking new
work, lets replies in flight finish, closes the gateway and the database, and exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable, Coroutine
from typing import Any

from aiohttp import web

from bot.present import ingest_summary
from bot.service import SaidService
from bot.settings import Settings

log = logging.getLogger(__name__)

# The PaaS sends SIGKILL 30 s after SIGTERM; saidbot promises to be gone within 10.
SHUTDOWN_SECONDS = 8.0


async def _start_web(service: SaidService, settings: Settings) -> web.AppRunner:
    from adapters.web import create_web_app

    runner = web.AppRunner(create_web_app(service, settings), shutdown_timeout=SHUTDOWN_SECONDS / 2,
                           access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.web.host, settings.web.port)
    await site.start()
    log.info("listening", extra={"host": settings.web.host, "port": settings.web.port})
    return runner


async def _index(service: SaidService) -> None:
    began = time.perf_counter()
    try:
        report = await service.ensure_index()
    except Exception:
        log.exception("building the index failed; answering from what the database already holds")
        return
    extra: dict[str, object] = {"seconds": round(time.perf_counter() - began, 3)}
    if report is not None:
        extra["report"] = ingest_summary(report)
        for problem in report.problems:
            log.warning("note problem", extra={"problem": str(problem)})
    log.info("index ready", extra=extra)


Adapter = Callable[[SaidService, Settings], Coroutine[Any, Any, None]]


async def run(settings: Settings, *, serve_web: bool, adapters: list[tuple[str, Adapter]]) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # not on every platform
            loop.add_signal_handler(sig, stop.set)

    service = await SaidService.open(settings)
    runner = await _start_web(service, settings) if serve_web else None
    indexing = asyncio.create_task(_index(service), name="index")
    tasks: dict[asyncio.Task[None], str] = {
        asyncio.create_task(start(service, settings), name=name): name for name, start in adapters
    }
    stopper: asyncio.Task[Any] = asyncio.create_task(stop.wait(), name="stop")
    exit_code = 0
    try:
        done, _ = await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is stopper:
                log.info("shutting down", extra={"reason": "signal"})
                continue
            error = task.exception()
            if error is not None:
                log.error("adapter stopped", extra={"adapter": tasks[task], "error": repr(error)})
                exit_code = 1
            else:
                log.info("adapter finished", extra={"adapter": tasks[task]})
    finally:
        await asyncio.wait_for(_shutdown(service, runner, [indexing, stopper, *tasks]), SHUTDOWN_SECONDS + 1)
    return exit_code


async def _shutdown(service: SaidService, runner: web.AppRunner | None, tasks: list[asyncio.Task[Any]]) -> None:
    began = time.perf_counter()
    if runner is not None:
        # Stops listening first, then waits for requests in flight.
        await runner.cleanup()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await service.close()
    log.info("stopped", extra={"seconds": round(time.perf_counter() - began, 3)})


def discord_adapter() -> tuple[str, Adapter]:
    from adapters.discord import run_discord

    return "discord", run_discord


def slack_socket_adapter() -> tuple[str, Adapter]:
    from adapters.slack import run_socket_mode

    return "slack-socket", run_socket_mode
