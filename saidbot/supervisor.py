"""The long-running process: the web process, the Discord worker, Socket Mode, or all in one.

It binds the port (when the plan has the web process) before anything slow happens, builds or
refreshes the index in the background while the adapters answer "warming up", and on SIGTERM or
SIGINT stops taking new work, lets replies already acknowledged finish (within a budget, counting
what it had to drop), closes the gateway and the database, and exits 0 inside the platform's 30 s
before SIGKILL, however large the backlog.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from typing import Any

from aiohttp import web

from adapters.web import AcceptErrors, CappedSite, ConnectionCap, create_web_app, server_limits
from bot.port import Core
from bot.present import ingest_summary
from bot.settings import Settings
from bot.shared_state import SharedState
from saidbot.bootstrap import CoreOpener, OpenedCore, Plan, open_core

log = logging.getLogger(__name__)

# The PaaS sends SIGKILL 30 s after SIGTERM; saidbot is gone within 25 whatever is queued: requests in
# flight get HTTP_GRACE_SECONDS, acknowledged Slack replies DRAIN_SECONDS (adapters/slack/inflight.py),
# closing the gateway and the database the rest.
SHUTDOWN_SECONDS = 25.0
HTTP_GRACE_SECONDS = 2.0
_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def supervise(
    settings: Settings, plan: Plan, *, opener: CoreOpener = open_core, stop: asyncio.Event | None = None
) -> int:
    """Run `plan` until a signal (or `stop`) or until an adapter ends; 0 on a clean stop, 1 if an adapter failed."""
    loop = asyncio.get_running_loop()
    stop = stop if stop is not None else asyncio.Event()
    installed = []
    for sig in _SIGNALS:
        with contextlib.suppress(NotImplementedError):  # not on every platform
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    try:
        async with opener(settings) as opened:
            runner = await _start_web(opened.core, settings, opened.state) if plan.web else None
            indexing = asyncio.create_task(_index(opened), name="index")
            refreshing = asyncio.create_task(_refresh_every(opened, settings.core.refresh_minutes), name="refresh")
            tasks: dict[asyncio.Task[None], str] = {
                asyncio.create_task(
                    adapter.main(opened.core, settings, state=opened.state), name=adapter.name
                ): adapter.name
                for adapter in plan.adapters
            }
            stopper: asyncio.Task[Any] = asyncio.create_task(stop.wait(), name="stop")
            try:
                exit_code = await _until_done(stopper, tasks)
            finally:
                began = time.perf_counter()
                await _bounded_shutdown(runner, [indexing, refreshing, stopper, *tasks])
        # Leaving the block closed the database too.
        log.info("stopped", extra={"seconds": round(time.perf_counter() - began, 3)})
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
    return exit_code


async def _start_web(core: Core, settings: Settings, state: SharedState) -> web.AppRunner:
    # One line per interval when accept() fails (file descriptors exhausted), not one per failure.
    asyncio.get_running_loop().set_exception_handler(AcceptErrors())
    runner = web.AppRunner(create_web_app(core, settings, state=state), shutdown_timeout=HTTP_GRACE_SECONDS,
                           access_log=None, handle_signals=False, **server_limits())
    await runner.setup()
    site = CappedSite(runner, settings.web.host, settings.web.port, ConnectionCap())
    await site.start()
    log.info("listening", extra={"host": settings.web.host, "port": settings.web.port})
    return runner


async def _index(opened: OpenedCore) -> None:
    began = time.perf_counter()
    try:
        report = await opened.prepare()
    except Exception:
        # Answers keep coming from what the database already holds.
        log.exception("index_build_failed")
        return
    extra: dict[str, object] = {"seconds": round(time.perf_counter() - began, 3)}
    if report is not None:
        extra["report"] = ingest_summary(report)
        for problem in report.problems:
            log.warning("note_problem", extra={"problem": str(problem)})
    log.info("index_ready", extra=extra)


async def _refresh_every(opened: OpenedCore, minutes: float) -> None:
    """Re-read the notes and re-fetch remote sources every `minutes` (SAIDBOT_REFRESH_MINUTES; 0: never).

    One refresh after another, never two at once; the service's caches refresh as after /reload, so a
    new episode is answered from without a restart. A failure is logged and the next round tried.
    """
    if minutes <= 0:
        return
    while True:
        await asyncio.sleep(minutes * 60)
        began = time.perf_counter()
        try:
            report = await opened.refresh()
        except Exception:
            log.exception("refresh_failed")
            continue
        if report is None:
            continue
        log.info("refresh_done", extra={
            "seconds": round(time.perf_counter() - began, 3), "report": ingest_summary(report),
            "sources": len(report.sources), "failed_sources": sum(s.status == "failed" for s in report.sources),
        })
        for problem in report.problems:
            log.warning("note_problem", extra={"problem": str(problem)})


async def _until_done(stopper: asyncio.Task[Any], tasks: dict[asyncio.Task[None], str]) -> int:
    exit_code = 0
    done, _ = await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
    for task in done:
        if task is stopper:
            log.info("shutting_down", extra={"reason": "signal"})
            continue
        error = task.exception()
        if error is not None:
            log.error("adapter_stopped", extra={"adapter": tasks[task], "error": repr(error)})
            exit_code = 1
        else:
            log.info("adapter_finished", extra={"adapter": tasks[task]})
    return exit_code


async def _bounded_shutdown(runner: web.AppRunner | None, tasks: list[asyncio.Task[Any]]) -> None:
    """`_shutdown` within SHUTDOWN_SECONDS; past it, what is left is cancelled and the log says so."""
    work = asyncio.create_task(_shutdown(runner, tasks), name="shutdown")
    done, _ = await asyncio.wait([work], timeout=SHUTDOWN_SECONDS)
    if work in done:
        if not work.cancelled() and work.exception() is not None:
            log.error("shutdown_failed", exc_info=work.exception())
        return
    log.error("shutdown_timeout", extra={"seconds": SHUTDOWN_SECONDS})
    work.cancel()
    for task in tasks:
        task.cancel()
    await asyncio.wait([work, *tasks], timeout=1.0)


async def _shutdown(runner: web.AppRunner | None, tasks: list[asyncio.Task[Any]]) -> None:
    if runner is not None:
        # Stops listening first, then waits for requests (and Slack replies) in flight.
        await runner.cleanup()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
