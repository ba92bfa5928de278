"""`saidbot doctor`: is this configuration able to run, and if not, what to do about it.

Whether an adapter is configured, and which variables it lacks, comes from the settings sections'
`readiness`; this module adds what only a person needs told: tokens that are set but malformed, the
notes, and the database.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from pydantic import SecretStr

from bot.embedding import EmbedderUnavailable, load_embedder, text_key
from bot.ingest.formats import is_ingestible
from bot.ingest.links import plain_text
from bot.ingest.notes import _CONTINUED as CONTINUED
from bot.ingest.notes import _PASSAGE as PASSAGE_HEADER
from bot.settings import Settings
from bot.store import Store
from bot.store.checks import check_counts, contradicted
from bot.text import cut_at_sentence, format_timestamp
from bot.timecodes import parse_timestamp
from bot.wording import compare

Level = Literal["ok", "warn", "fail"]

# Discord bot tokens are three base64url parts: user id, timestamp, HMAC.
_DISCORD_TOKEN: Final = re.compile(r"^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{20,}$")
_SLACK_BOT: Final = re.compile(r"^xoxb-[A-Za-z0-9-]{10,}$")
_SLACK_APP: Final = re.compile(r"^xapp-[A-Za-z0-9-]{10,}$")
_SIGNING_SECRET: Final = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Check:
    level: Level
    what: str
    fix: str = ""

    def line(self) -> str:
        mark = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}[self.level]
        return f"[{mark}] {self.what}" + (f"\n       → {self.fix}" if self.fix else "")


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value().strip() if value else ""


def _token_check(name: str, value: str, pattern: re.Pattern[str], hint: str) -> Check:
    if pattern.match(value):
        return Check("ok", f"{name} is set and well-formed")
    return Check("fail", f"{name} is set but does not look like one", hint)


def _not_set(names: tuple[str, ...]) -> str:
    return f"{' and '.join(names)} {'is' if len(names) == 1 else 'are'} not set"


def check_discord(settings: Settings) -> list[Check]:
    discord = settings.discord
    http = discord.http_readiness
    if http.configured:
        return _check_discord_http(settings)
    if http.partly:
        return [Check("fail", f"Discord over HTTP is half configured: {_not_set(http.missing)}",
                      "Developer Portal → General Information: Application ID and Public Key (both, or neither "
                      "for the gateway bot)")]
    ready = discord.readiness
    if not ready.configured:
        return [Check("warn", f"Discord adapter cannot start: {_not_set(ready.missing)}",
                      "Developer Portal → your application → Bot → Reset Token; set DISCORD_TOKEN (gateway), or "
                      "DISCORD_PUBLIC_KEY and DISCORD_APPLICATION_ID (HTTP)")]
    checks = [_token_check("DISCORD_TOKEN", _secret(discord.token), _DISCORD_TOKEN,
                           "copy the bot token itself (three dot-separated parts), not the client secret")]
    if discord.shard_count is not None:
        ids = discord.shard_ids or list(range(discord.shard_count))
        checks.append(Check("ok", f"Discord over the gateway, sharded: this process runs shard(s) "
                                  f"{', '.join(map(str, ids))} of {discord.shard_count}"))
    else:
        checks.append(Check("ok", "Discord over the gateway (`saidbot discord` worker, one connection)"))
    checks.append(_command_scope(settings))
    return checks


def _command_scope(settings: Settings) -> Check:
    guild = settings.discord.guild_id
    where = f"server {guild}" if guild else "all servers (global)"
    return Check("ok", f"Discord commands sync to {where}")


def _check_discord_http(settings: Settings) -> list[Check]:
    discord = settings.discord
    checks = [Check("ok", "Discord over HTTP: the web process answers POST /discord/interactions; no worker needed",
                    "Developer Portal → General Information → Interactions Endpoint URL: "
                    "https://<your web address>/discord/interactions")]
    if discord.token is None or not _secret(discord.token):
        checks.append(Check("warn", "DISCORD_TOKEN is not set, so `saidbot discord-register` cannot register the "
                                    "slash commands", "set DISCORD_TOKEN (Bot → Reset Token) where you run it"))
    else:
        checks.append(_token_check("DISCORD_TOKEN", _secret(discord.token), _DISCORD_TOKEN,
                                   "copy the bot token itself (three dot-separated parts), not the client secret"))
        checks.append(_command_scope(settings))
    if discord.sharded:
        checks.append(Check("warn", "DISCORD_SHARD_COUNT is set but nothing connects to the gateway in HTTP mode",
                            "unset DISCORD_SHARD_COUNT and DISCORD_SHARD_IDS"))
    return checks


def check_slack(settings: Settings) -> list[Check]:
    http, socket = settings.slack.readiness, settings.slack.socket_readiness
    missing = set(http.missing) | set(socket.missing)
    if not (http.partly or socket.partly or http.configured or socket.configured):
        return [Check("warn", f"Slack adapter cannot start: {_not_set(http.missing)}",
                      "api.slack.com/apps → your app: OAuth & Permissions (xoxb- token) and Basic Information "
                      "(Signing Secret)")]
    if settings.slack.multi_workspace:
        return check_slack_workspaces(settings)
    checks: list[Check] = []
    if "SLACK_BOT_TOKEN" not in missing:
        checks.append(_token_check("SLACK_BOT_TOKEN", _secret(settings.slack.bot_token), _SLACK_BOT,
                                   "use the Bot User OAuth Token, starting xoxb-"))
    else:
        checks.append(Check("fail", "SLACK_BOT_TOKEN is missing", "OAuth & Permissions → Bot User OAuth Token"))
    if "SLACK_SIGNING_SECRET" not in missing:
        checks.append(_token_check("SLACK_SIGNING_SECRET", _secret(settings.slack.signing_secret), _SIGNING_SECRET,
                                   "Basic Information → App Credentials → Signing Secret (32 hex characters)"))
    elif "SLACK_APP_TOKEN" in missing:
        checks.append(Check("fail", "SLACK_SIGNING_SECRET is missing (needed for HTTP mode)",
                            "Basic Information → App Credentials → Signing Secret"))
    if "SLACK_APP_TOKEN" not in missing:
        checks.append(_token_check("SLACK_APP_TOKEN", _secret(settings.slack.app_token), _SLACK_APP,
                                   "an app-level token starting xapp-"))
    return checks


def check_notes(settings: Settings) -> list[Check]:
    root = settings.core.notes_path
    if not root.exists():
        return [Check("fail", f"notes not found at {root}", "set SAIDBOT_NOTES to a folder of notes and transcripts")]
    files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file() and is_ingestible(p)]
    if not files:
        return [Check("fail", f"no notes in {root} (.md, .txt, .vtt, .srt)",
                      "put notes there or point SAIDBOT_NOTES elsewhere")]
    label = "the bundled demo notes" if settings.core.uses_demo_notes else str(root)
    return [Check("ok", f"{len(files)} note and transcript files in {label}")]


def check_database(settings: Settings) -> list[Check]:
    path = settings.core.db_path
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return [Check("fail", f"cannot create {folder}: {exc.strerror}", "set SAIDBOT_DB to a writable path")]
    if (path.exists() and not os.access(path, os.W_OK)) or not os.access(folder, os.W_OK):
        return [Check("fail", f"database {path} is not writable", "set SAIDBOT_DB to a writable path")]
    if not path.exists():
        return [Check("ok", f"database {path} will be created on first start")]
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            # Files only: remote sources (keyed by URL) are `saidbot sources`'s to report.
            sources = conn.execute("SELECT path, mtime FROM sources WHERE instr(path, '://') = 0").fetchall()
    except sqlite3.Error as exc:
        return [Check("warn", f"database {path} cannot be read ({exc}); it will be rebuilt",
                      "delete the file if the problem persists")]
    checks = [Check("ok", f"database {path} is writable and holds {len(sources)} files")]
    checks += _remote_checks(path)
    outside = _outside_root(settings, [p for p, _ in sources])
    if outside:
        # Kept by every refresh (a notes root owns only what lies under it); worth knowing, not a fault.
        checks.append(Check("ok", f"{outside} of them were ingested from outside {settings.core.notes_path}",
                            "they stay until removed with their own folder's ingest, or by deleting the database"))
    aside = sorted(folder.glob(f"{path.name}.corrupt-*[0-9]"))
    if aside:
        checks.append(Check("warn", f"the index was found corrupt and rebuilt from the notes ({len(aside)} time(s)); "
                                    f"the last bad copy is {aside[-1]}",
                            "nothing to do if it stays rare; delete the .corrupt- files once looked at"))
    stale = [p for p, mtime in sources if not Path(p).exists() or Path(p).stat().st_mtime != mtime]
    if stale:
        checks.append(Check("warn", f"index is not fresh: {len(stale)} files changed since the last ingest",
                            "it refreshes on the next start, or run `saidbot ingest`"))
    return checks


def check_embedder(settings: Settings) -> list[Check]:
    """The optional dense embedder: whether it loads, and how much of the store it has embedded."""
    name = settings.core.embedder
    if name is None:
        return []
    try:
        embedder = load_embedder(name)
    except EmbedderUnavailable as exc:
        return [Check("fail", f"SAIDBOT_EMBEDDER={name} cannot be used: {exc}",
                      "install the extra, or unset SAIDBOT_EMBEDDER to rank by words alone")]
    path = settings.core.db_path
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            texts = {text_key(str(row[0])) for row in conn.execute("SELECT text FROM segments")}
            have = {str(row[0]) for row in conn.execute(
                "SELECT text_key FROM passage_vectors WHERE model = ?", (embedder.name,))}
    except sqlite3.Error:
        return [Check("ok", f"embedder {embedder.name} loads; passages are embedded after the first ingest")]
    done = len(texts & have)
    if done < len(texts):
        return [Check("warn", f"embedder {embedder.name}: {done} of {len(texts)} passages embedded; until all are, "
                              "answers are ranked by words alone",
                      "a running `saidbot serve`/`run` embeds them in the background; or run `saidbot ingest`")]
    return [Check("ok", f"embedder {embedder.name}: all {len(texts)} passages embedded; answers re-rank by meaning")]


def _remote_checks(path: Path) -> list[Check]:
    """How the remote sources fetched last time (a database from before remote sources has no such table)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            rows = conn.execute("SELECT url, reason FROM remote_sources WHERE status != 'ok' ORDER BY url").fetchall()
            total = conn.execute("SELECT COUNT(*) FROM remote_sources").fetchone()[0]
    except sqlite3.Error:
        return []
    if not total:
        return []
    if not rows:
        return [Check("ok", f"{total} remote source(s), all fetched fine last time")]
    first_url, first_reason = rows[0]
    return [Check("warn", f"{len(rows)} of {total} remote source(s) failed on their last fetch "
                          f"(e.g. {first_url}: {first_reason}); what they gave before keeps serving",
                  "`saidbot sources` lists each one's state; fix or remove the URL")]


def _outside_root(settings: Settings, paths: list[str]) -> int:
    if settings.core.notes is None and settings.core.db is not None:
        return 0  # a database managed by hand has no root of its own
    root = str(settings.core.notes_path.expanduser().resolve())
    return sum(1 for p in paths if p != root and not p.startswith(root.rstrip("/") + "/"))


def check_config(settings: Settings) -> list[Check]:
    """Which configuration folders are in use, and which files each one contributes."""
    packaged, *own = settings.core.config_dirs
    checks = [Check("ok", f"packaged configuration: {packaged}")]
    for folder in own:
        if not folder.is_dir():
            checks.append(Check("fail", f"SAIDBOT_CONFIG_DIR {folder} is not a folder",
                                "point it at a folder of speakers.toml, shows.toml, aliases.toml or glossary-*.toml"))
            continue
        names = sorted(f.name for f in folder.iterdir() if f.is_file())
        replaced = [n for n in names if (packaged / n).is_file()]
        added = [n for n in names if n not in replaced]
        checks.append(Check("ok", f"your configuration: {folder} (replaces: {', '.join(replaced) or 'nothing'}; "
                                  f"adds: {', '.join(added) or 'nothing'})"))
    return checks


# Platforms whose local disk is wiped on every deploy or restart, by the variable each one sets.
_EPHEMERAL_PLATFORMS: Final = (("DYNO", "Heroku"), ("RENDER", "Render"), ("FLY_APP_NAME", "Fly.io"))


def check_chat_sources(settings: Settings, environ: dict[str, str] | None = None) -> list[Check]:
    """Sources added from chat (/add) live in the shared state: without DATABASE_URL, in a local file."""
    env = dict(os.environ) if environ is None else environ
    if env.get("DATABASE_URL") or settings.core.shares_state:
        return [Check("ok", "sources added from chat (/add) are kept in DATABASE_URL's database")]
    path = settings.core.state_db_path
    platform = next((name for variable, name in _EPHEMERAL_PLATFORMS if env.get(variable)), None)
    temporary = str(path.expanduser().resolve()).startswith("/tmp/")
    if platform is None and not temporary:
        return [Check("ok", f"sources added from chat (/add) are kept beside {path}")]
    where = f"on {platform}, whose disk is wiped on every deploy and restart" if platform else f"{path} is under /tmp"
    return [Check("warn", f"sources added from chat (/add) would be lost: {where}",
                  "set DATABASE_URL to a PostgreSQL database, or list the URLs in sources.txt in the notes folder")]


def check_slack_workspaces(settings: Settings) -> list[Check]:
    """Multi-workspace mode (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_SIGNING_SECRET): which mode wins, the links."""
    slack = settings.slack
    checks = [
        Check("ok", f"Slack: multi-workspace mode (OAuth install, client id {slack.client_id}); each workspace is "
                    "answered with its own bot token from the shared database",
              f"install link: https://YOUR-APP{slack.install_path}; redirect URL to register: "
              f"{slack.redirect_uri or 'https://YOUR-APP' + slack.redirect_path}"),
        _token_check("SLACK_SIGNING_SECRET", _secret(slack.signing_secret), _SIGNING_SECRET,
                     "Basic Information → App Credentials → Signing Secret (32 hex characters)"),
    ]
    if _secret(slack.bot_token):
        checks.append(Check("warn", "SLACK_BOT_TOKEN is set too: `saidbot serve` ignores it, multi-workspace mode wins "
                                    "(one fixed token cannot answer many workspaces); only Socket Mode uses it",
                            "unset SLACK_BOT_TOKEN, or unset SLACK_CLIENT_ID/SLACK_CLIENT_SECRET for one workspace"))
    return checks


def check_shared_state(settings: Settings) -> list[Check]:
    """Where the state every instance shares lives, and whether the instances can actually share it."""
    # Imported here: the CLI's other commands never load SQLAlchemy.
    from bot.state_db import StateConfigError, describe, state_url

    try:
        url = state_url(settings.core)
    except StateConfigError as exc:
        return [Check("fail", f"DATABASE_URL cannot be used: {exc}",
                      "use the postgres:// URL of a PostgreSQL database")]
    if url.get_backend_name() == "postgresql":
        return [Check("ok", f"shared state (deliveries, rate limits, Slack installs): PostgreSQL at {describe(url)}")]
    checks = [Check("ok", f"shared state (deliveries, rate limits, Slack installs): this machine's SQLite file "
                          f"{url.database}")]
    concurrency = os.environ.get("WEB_CONCURRENCY", "").strip()
    dyno = os.environ.get("DYNO", "").strip()
    scaled = (concurrency.isdigit() and int(concurrency) > 1) or bool(dyno)
    if scaled:
        why = f"WEB_CONCURRENCY={concurrency}" if concurrency.isdigit() and int(concurrency) > 1 else f"DYNO={dyno}"
        checks.append(Check("warn", f"the web process looks scaled out ({why}) but DATABASE_URL is not set: each "
                                    "instance would answer Slack retries and count rate limits on its own",
                            "attach a PostgreSQL add-on (it sets DATABASE_URL); see docs/scaling.md"))
    return checks


def run_checks(settings: Settings, *, require: tuple[str, ...] = ()) -> list[Check]:
    """Every check; `require` names adapters ('discord', 'slack') whose absence is a failure, not a warning."""
    checks = (check_config(settings) + check_notes(settings) + check_database(settings)
              + check_embedder(settings) + check_chat_sources(settings) + check_shared_state(settings))
    for name, found in (("discord", check_discord(settings)), ("slack", check_slack(settings))):
        if name in require:
            found = [Check("fail", c.what, c.fix) if c.level == "warn" else c for c in found]
        checks += found
    if not any(c.level == "ok" for c in check_discord(settings) + check_slack(settings)):
        checks.append(Check("fail", "no chat adapter can start, so `saidbot serve`/`run` would answer nobody",
                            "set DISCORD_TOKEN (or DISCORD_PUBLIC_KEY and DISCORD_APPLICATION_ID), or SLACK_BOT_TOKEN "
                            "and SLACK_SIGNING_SECRET (see config/example.env);"
                            " `saidbot chat` needs neither"))
    return checks


# --- `saidbot doctor --notes`: the note quotations the transcripts contradict

# The note's and the transcript's words are shown up to this many characters each: enough to see the difference.
NOTE_WORDS_MAX: Final = 300
DIFFERENCES_SHOWN: Final = 3
ALIGNED_MIN: Final = 0.5


async def note_report(settings: Settings) -> tuple[list[str], dict[str, int]]:
    """One entry per note quotation its episode's transcript contradicts (file:line, speaker, time, the
    note's words, the transcript's), and how many quotations have each verdict."""
    store = await Store.open(settings.core.db_path, readers=1)
    try:
        found = await contradicted(store)
        counts = await check_counts(store)
    finally:
        await store.close()
    entries = []
    for item in found:
        line = await asyncio.to_thread(_quotation_line, item.path, item.speaker, item.start, item.passage_key)
        where = f"{item.path}:{line}" if line else item.path
        at = f" ({format_timestamp(item.transcript_start)})" if item.transcript_start is not None else ""
        # The transcript's words where the note's align best, and the first words that differ.
        match = compare(item.note_text, item.transcript_text)
        # Where little of the note is there, the aligned span is a word or two: the passage says more.
        aligned = item.transcript_text[match.span[0] : match.span[1]] if match.score >= ALIGNED_MIN else ""
        aligned = aligned or item.transcript_text
        entry = (
            f"{where}: {item.speaker} @ {format_timestamp(item.start)} (match {match.score:.2f})\n"
            f"    note:       “{cut_at_sentence(item.note_text, NOTE_WORDS_MAX)}”\n"
            f"    transcript{at}: “{cut_at_sentence(aligned, NOTE_WORDS_MAX)}”"
        )
        # A weak alignment pairs chance words: its differences would say nothing.
        for difference in match.differences[:DIFFERENCES_SHOWN] if match.score >= ALIGNED_MIN else ():
            entry += (f"\n    differs:    note “{cut_at_sentence(difference.quoted, 80) or '—'}” / "
                      f"transcript “{cut_at_sentence(difference.stored, 80) or '—'}”")
        entries.append(entry)
    return entries, counts


def _quotation_line(path: str, speaker: str, start: float, passage_key: str | None) -> int | None:
    """The line of the note's `**Speaker (t):**` header the quotation sits under (its n-th continuation
    for a continued passage); None when the file is gone or no longer holds it."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    part = int(passage_key.rsplit("|", 1)[1]) if passage_key and passage_key.rsplit("|", 1)[-1].isdigit() else 0
    header: int | None = None
    seen = 0
    for number, text in enumerate(lines, start=1):
        match = PASSAGE_HEADER.match(text.strip())
        if match is None or plain_text(match.group("name")).strip() != speaker:
            continue
        when = match.group("when").strip()
        if header is None:
            if parse_timestamp(when) == start:
                header = number
                if part == 0:
                    return number
        elif CONTINUED.match(when):
            seen += 1
            if seen == part:
                return number
        else:
            break
    return header
