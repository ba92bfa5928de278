"""`saidbot` / `python -m bot`: the program's commands. This is where the program is put together."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from bot.logs import register_secret, setup_logging
from bot.models import AnswerStatus
from bot.present import ingest_summary
from bot.service import SaidService
from bot.settings import Settings

log = logging.getLogger("saidbot")


class ProgressBar:
    """A one-line progress bar on a terminal; silent elsewhere (logs carry the summary)."""

    def __init__(self, stream: TextIO, min_files: int = 20) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.min_files = min_files
        self.drawn = False

    def __call__(self, done: int, total: int, path: str) -> None:
        if not self.enabled or total < self.min_files:
            return
        width = 30
        filled = int(width * done / max(total, 1))
        name = Path(path).name[-40:]
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name:<40}")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def load_settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "db", None):
        overrides["db"] = Path(args.db)
    if getattr(args, "notes", None):
        overrides["notes"] = Path(args.notes)
    settings = Settings(**overrides)
    for secret in settings.secrets():
        register_secret(secret)
    return settings


async def _with_service(settings: Settings, body: Callable[[SaidService], Awaitable[int]]) -> int:
    service = await SaidService.open(settings)
    try:
        return await body(service)
    finally:
        await service.close()


async def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    async def body(service: SaidService) -> int:
        bar = ProgressBar(sys.stderr)
        try:
            report = await service.ingest([Path(p) for p in args.paths], progress=bar)
        finally:
            bar.close()
        for problem in report.problems:
            sys.stderr.write(f"{problem}\n")
        print(ingest_summary(report))
        return 1 if report.failed and not (report.added or report.changed or report.skipped) else 0

    return await _with_service(settings, body)


async def _prepared(service: SaidService) -> None:
    bar = ProgressBar(sys.stderr)
    try:
        report = await service.ensure_index(progress=bar)
    finally:
        bar.close()
    if report is not None:
        for problem in report.problems:
            log.warning("note problem", extra={"problem": str(problem)})


async def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.console import format_answer

    async def body(service: SaidService) -> int:
        await _prepared(service)
        answer = await service.ask(" ".join(args.question), lang=args.lang, speaker=args.speaker, limit=args.limit)
        if args.json:
            print(json.dumps(answer.public_json(), ensure_ascii=False, indent=2))
        else:
            print(format_answer(answer))
        return 0 if answer.status in (AnswerStatus.OK, AnswerStatus.NOT_FOUND) else 2

    return await _with_service(settings, body)


async def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.console import chat

    async def body(service: SaidService) -> int:
        await _prepared(service)
        await chat(service, lang=args.lang)
        return 0

    return await _with_service(settings, body)


async def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from adapters import process

    return await process.run(settings, serve_web=True, adapters=[])


async def cmd_discord(args: argparse.Namespace, settings: Settings) -> int:
    from adapters import process

    if settings.discord.token is None:
        sys.stderr.write("saidbot: DISCORD_TOKEN is not set (see docs/discord.md; `saidbot doctor` checks it)\n")
        return 2
    return await process.run(settings, serve_web=False, adapters=[process.discord_adapter()])


async def cmd_slack(args: argparse.Namespace, settings: Settings) -> int:
    from adapters import process

    if not args.socket:
        return await process.run(settings, serve_web=True, adapters=[])
    if settings.slack.app_token is None or settings.slack.bot_token is None:
        sys.stderr.write("saidbot: Socket Mode needs SLACK_APP_TOKEN and SLACK_BOT_TOKEN (see docs/slack.md)\n")
        return 2
    return await process.run(settings, serve_web=False, adapters=[process.slack_socket_adapter()])


async def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from adapters import process

    adapters = []
    if settings.discord.token is not None:
        adapters.append(process.discord_adapter())
    else:
        log.warning("DISCORD_TOKEN is not set; running without Discord")
    return await process.run(settings, serve_web=True, adapters=adapters)


async def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    from bot.doctor import run_checks

    checks = run_checks(settings, require=tuple(args.require or ()))
    for check in checks:
        print(check.line())
    failed = [c for c in checks if c.level == "fail"]
    print(f"\n{len(failed)} problem(s) to fix." if failed else "\nAll good.")
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="saidbot", description="What did they say about X? Answers from your notes and transcripts."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", help="SQLite database file (default: $SAIDBOT_DB or a per-user file)")

    p = sub.add_parser("ingest", help="read notes and transcripts into the store")
    p.add_argument("paths", nargs="+", help="files or folders")
    common(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="answer one question")
    p.add_argument("question", nargs="+")
    p.add_argument("--lang", choices=["en", "ja"], help="answer language (default: the question's)")
    p.add_argument("--speaker", help="only this speaker's words")
    p.add_argument("--limit", type=int, default=3)
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    common(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="an interactive console session")
    p.add_argument("--lang", choices=["en", "ja"])
    common(p)
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("serve", help="the web process: Slack over HTTP and /healthz on $PORT")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("discord", help="the Discord bot (DISCORD_TOKEN)")
    p.set_defaults(func=cmd_discord)

    p = sub.add_parser("slack", help="the Slack bot; --socket for Socket Mode (SLACK_APP_TOKEN)")
    p.add_argument("--socket", action="store_true", help="connect over Socket Mode instead of serving HTTP")
    p.set_defaults(func=cmd_slack)

    p = sub.add_parser("run", help="web process and Discord in one process (one small dyno)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("doctor", help="check the configuration and say how to fix it")
    p.add_argument("--require", action="append", choices=["discord", "slack"],
                   help="fail when this adapter cannot start (repeatable)")
    p.set_defaults(func=cmd_doctor)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args)
    except ValidationError as exc:
        first = exc.errors()[0]
        sys.stderr.write(f"saidbot: configuration error in {'.'.join(map(str, first['loc']))}: {first['msg']}\n")
        return 2
    level = settings.core.log_level
    if args.command in ("ask", "chat") and "SAIDBOT_LOG_LEVEL" not in os.environ:
        # A person at a terminal wants the answer, not the bookkeeping; warnings still show.
        level = "WARNING"
    setup_logging(level, settings.core.log_format)
    try:
        command: Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]] = args.func
        return asyncio.run(command(args, settings))
    except KeyboardInterrupt:
        return 130
    except RuntimeError as exc:
        sys.stderr.write(f"saidbot: {exc}\n")
        return 1
