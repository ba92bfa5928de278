"""`saidbot` / `python -m saidbot` / `python -m bot`: the program's commands, their output and exit codes.

Each command gets its core from a `CoreOpener` (saidbot.bootstrap), the real service by default,
and long-running commands hand a plan to the supervisor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from adapters.console import chat, format_answer, format_verification
from bot.config_files import ConfigError
from bot.logs import setup_logging
from bot.models import AnswerStatus, RemoteSource
from bot.present import ingest_summary, source_line
from bot.settings import Settings, config_origin
from saidbot.bootstrap import CoreOpener, NotConfigured, OpenedCore, load_settings, open_core, plan_for
from saidbot.doctor import note_report, run_checks
from saidbot.progress import ProgressBar

log = logging.getLogger("saidbot")

# Embedding shows a bar from this many passages (about three seconds of work).
EMBED_PROGRESS_MIN = 32

Command = Callable[[argparse.Namespace, Settings, CoreOpener], Coroutine[Any, Any, int]]


def _is_url(argument: str) -> bool:
    """An argument naming a remote source (`https://…`); any other scheme is refused by the fetcher, by name."""
    return "://" in argument and not Path(argument).exists()


async def cmd_ingest(args: argparse.Namespace, settings: Settings, opener: CoreOpener) -> int:
    urls = [a for a in args.paths if _is_url(a)]
    paths = [Path(a) for a in args.paths if not _is_url(a)]
    async with opener(settings) as opened:
        bar = ProgressBar(sys.stderr)
        try:
            report = await opened.ingest(paths, progress=bar, urls=urls)
        finally:
            bar.close()
        embedding = ProgressBar(sys.stderr, min_files=EMBED_PROGRESS_MIN)
        try:
            embedded = await opened.embed_pending(lambda done, total: embedding(done, total, "embedding passages"))
        finally:
            embedding.close()
    for problem in report.problems:
        sys.stderr.write(f"{problem}\n")
    for source in report.sources:
        print(source_line(source))
    print(ingest_summary(report))
    if embedded is not None and embedded.embedded:
        print(f"embedded {embedded.embedded} passages in {embedded.seconds:.1f}s")
    return 1 if report.failed and not (report.added or report.changed or report.skipped) else 0


async def cmd_sources(args: argparse.Namespace, settings: Settings, opener: CoreOpener) -> int:
    async with opener(settings) as opened:
        sources = await opened.remote_sources()
    if args.json:
        print(json.dumps([s.model_dump(mode="json") for s in sources], ensure_ascii=False, indent=2))
        return 0
    if not sources:
        print("No remote sources: list URLs in sources.txt in the notes folder, run `saidbot ingest URL`, "
              "or /add one from chat.")
        return 0
    for source in sources:
        print(source.url)
        for line in _source_facts(source):
            print(f"    {line}")
    return 0


def _source_facts(source: RemoteSource) -> list[str]:
    listed = ", ".join(source.listed_in) or "nowhere (kept from an earlier ingest)"
    facts = [f"listed in: {listed}"]
    if source.added_by is not None:
        when = source.added_at.isoformat(timespec="seconds") if source.added_at else "?"
        facts.append(f"added from chat by {source.added_by} at {when}")
    if source.status is None:
        facts.append("never fetched into this database")
        return facts
    state = "ok" if source.status == "ok" else f"failed: {source.reason}"
    facts.append(f"last fetched {source.last_fetched}: {state}" + (
        f" (last success {source.last_ok})" if source.status != "ok" and source.last_ok else ""
    ))
    validators = [name for name, present in (("ETag", source.etag), ("Last-Modified", source.last_modified))
                  if present]
    facts.append(f"conditional requests: {' and '.join(validators) if validators else 'no (full fetch each time)'}")
    facts.append(f"holds {source.documents} document(s), {source.segments} segments")
    return facts


async def _prepared(opened: OpenedCore) -> None:
    bar = ProgressBar(sys.stderr)
    try:
        report = await opened.prepare(progress=bar)
    finally:
        bar.close()
    if report is not None:
        for problem in report.problems:
            log.warning("note_problem", extra={"problem": str(problem)})


async def cmd_ask(args: argparse.Namespace, settings: Settings, opener: CoreOpener) -> int:
    async with opener(settings) as opened:
        await _prepared(opened)
        answer = await opened.core.ask(
            " ".join(args.question), lang=args.lang, speaker=args.speaker, limit=args.limit
        )
    if args.json:
        print(json.dumps(answer.public_json(), ensure_ascii=False, indent=2))
    else:
        print(format_answer(answer))
    return 0 if answer.status in (AnswerStatus.OK, AnswerStatus.NOT_FOUND) else 2


async def cmd_verify(args: argparse.Namespace, settings: Settings, opener: CoreOpener) -> int:
    quote = " ".join(" ".join(args.quote).split())
    if not any(c.isalnum() for c in quote):
        sys.stderr.write("saidbot: give the words to check, e.g. saidbot verify \"more true every month\"\n")
        return 2
    async with opener(settings) as opened:
        await _prepared(opened)
        found = await opened.core.verify(quote, speaker=args.speaker, lang=args.lang)
    if args.json:
        print(json.dumps(found.public_json(), ensure_ascii=False, indent=2))
    else:
        print(format_verification(found))
    # Every verdict is an answer, "not found" included.
    return 0


async def cmd_chat(args: argparse.Namespace, settings: Settings, opener: CoreOpener) -> int:
    async with opener(settings) as opened:
        await _prepared(opened)
        await chat(opened.core, lang=args.lang)
    return 0


async def _supervised(command: str, settings: Settings, opener: CoreOpener, *, socket: bool = False) -> int:
    # Imported here: the supervisor brings in aiohttp and Bolt, which one-shot commands do not need.
    from saidbot.supervisor import supervise

    try:
        plan = plan_for(command, settings, socket=socket)
    except NotConfigured as exc:
        sys.stderr.write(f"saidbot: {exc}\n")
        return 2
    return await supervise(settings, plan, opener=opener)


async def cmd_serve(args: argparse.Namespace, settings: Settings, opener: CoreOpener) -> int:
    return await _supervised("serve", settings, opener)


async def cmd_discord(args: argparse.Namespace, settings: Settings, opener: CoreOpener) -> int:
    return await _supervised("discord", settings, opener)


async def cmd_slack(args: argparse.Namespace, settings: Settings, opener: CoreOpener) -> int:
    return await _supervised("slack", settings, opener, socket=args.socket)


async def cmd_run(args: argparse.Namespace, settings: Settings, opener: CoreOpener) -> int:
    return await _supervised("run", settings, opener)


async def cmd_discord_register(args: argparse.Namespace, settings: Settings, opener: CoreOpener) -> int:
    """Register the slash commands over REST (HTTP mode has no gateway worker to do it at start)."""
    ready = settings.discord.registration_readiness
    if not ready.configured:
        sys.stderr.write("saidbot: DISCORD_TOKEN is not set; registering the commands needs the bot token "
                         "(see docs/discord.md)\n")
        return 2
    # Imported here, like the other adapters: one-shot commands do not load discord.py.
    import discord

    from adapters.discord import register_commands

    async with opener(settings) as opened:
        try:
            outcome = await register_commands(opened.core, settings, state=opened.state)
        except discord.LoginFailure:
            sys.stderr.write("saidbot: Discord refused DISCORD_TOKEN; reset it in the Developer Portal (Bot)\n")
            return 1
        except discord.HTTPException as exc:
            sys.stderr.write(f"saidbot: Discord answered {exc.status} while logging in; try again later\n")
            return 1
    guild = settings.discord.guild_id
    scope = f"server {guild}" if guild is not None else "all servers (global; may take up to an hour to show)"
    if outcome == "failed":
        sys.stderr.write("saidbot: Discord did not take the commands (the log line discord_commands_sync_failed "
                         "says why)\n")
        return 1
    print(f"Discord commands {'registered' if outcome == 'registered' else 'already up to date'} in {scope}.")
    return 0


async def cmd_doctor(args: argparse.Namespace, settings: Settings, opener: CoreOpener) -> int:
    if getattr(args, "notes_check", False):
        return await doctor_notes(settings)
    checks = run_checks(settings, require=tuple(args.require or ()))
    for check in checks:
        print(check.line())
    failed = [c for c in checks if c.level == "fail"]
    print(f"\n{len(failed)} problem(s) to fix." if failed else "\nAll good.")
    return 1 if failed else 0


async def doctor_notes(settings: Settings) -> int:
    """`saidbot doctor --notes`: what the transcripts say of the notes' quotations (exit 0: a report, not a fault)."""
    entries, counts = await note_report(settings)
    checked = counts.get("matches", 0) + counts.get("differs", 0)
    print(f"note quotations: {checked} checked against transcripts ({counts.get('matches', 0)} match, "
          f"{counts.get('differs', 0)} differ), {counts.get('translation', 0)} translations (wording not "
          f"comparable), {counts.get('unchecked', 0)} with no transcript to check against")
    if entries:
        print(f"\nThe transcript contradicts {len(entries)}:\n")
        print("\n\n".join(entries))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="saidbot", description="What did they say about X? Answers from your notes and transcripts."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", help="SQLite database file (default: $SAIDBOT_DB or a per-user file)")

    p = sub.add_parser("ingest", help="read notes and transcripts (files, folders, http(s) URLs) into the store")
    p.add_argument("paths", nargs="+", help="files, folders, or URLs of feeds and transcripts")
    common(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("sources", help="list the remote sources: sources.txt, added from chat, and how each fetched")
    p.add_argument("--json", action="store_true", help="print them as JSON")
    common(p)
    p.set_defaults(func=cmd_sources)

    p = sub.add_parser("ask", help="answer one question")
    p.add_argument("question", nargs="+")
    p.add_argument("--lang", choices=["en", "ja"], help="answer language (default: the question's)")
    p.add_argument("--speaker", help="only this speaker's words")
    p.add_argument("--limit", type=int, default=3)
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    common(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("verify", help="check whether a quote is in the store, and whose words it is")
    p.add_argument("quote", nargs="+", help="the words as quoted")
    p.add_argument("--speaker", help="who is supposed to have said it")
    p.add_argument("--lang", choices=["en", "ja"], help="reply language (default: the quote's)")
    p.add_argument("--json", action="store_true", help="print the verification as JSON")
    common(p)
    p.set_defaults(func=cmd_verify)

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
    p.add_argument("--notes", dest="notes_check", action="store_true",
                   help="list the note quotations that their transcripts contradict")
    common(p)
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("discord-register", help="register the Discord slash commands over REST (HTTP mode)")
    p.set_defaults(func=cmd_discord_register)
    return parser


def main(argv: list[str] | None = None, *, opener: CoreOpener = open_core) -> int:
    """Run one command; `opener` is where its core comes from (tests hand in a fake or a temp store)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        db = getattr(args, "db", None)
        notes = getattr(args, "notes", None)
        settings = load_settings(db=Path(db) if db else None, notes=Path(notes) if notes else None)
    except ValidationError as exc:
        first = exc.errors()[0]
        sys.stderr.write(f"saidbot: configuration error in {'.'.join(map(str, first['loc']))}: {first['msg']}\n")
        return 2
    level = settings.core.log_level
    if args.command in ("ask", "chat", "verify") and "SAIDBOT_LOG_LEVEL" not in os.environ:
        # A person at a terminal wants the answer, not the bookkeeping; warnings still show.
        level = "WARNING"
    setup_logging(level, settings.core.log_format)
    try:
        command: Command = args.func
        return asyncio.run(command(args, settings, opener))
    except KeyboardInterrupt:
        return 130
    except ConfigError as exc:
        # A broken configuration file is the person's to fix: where and what, no traceback.
        # Name the person's own file, not the merged view the loaders read it through.
        origin = config_origin(exc.path)
        where = f"{origin}:{exc.line}" if exc.line is not None else str(origin)
        sys.stderr.write(f"saidbot: {where}: {exc.reason}\n")
        return 2
    except RuntimeError as exc:
        sys.stderr.write(f"saidbot: {exc}\n")
        return 1
    except (sqlite3.Error, OSError) as exc:
        # A broken disk or database: say what, once, and exit (the previous index, if any, is untouched).
        sys.stderr.write(f"saidbot: database error: {exc}\n")
        return 1
