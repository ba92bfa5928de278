"""Two instances on one PostgreSQL under load:
`python -m bench.scale [--rate 200] [--seconds 30] [--instances 2] [--retry-fraction 0.2] [--out DIR]`.

Creates a fresh PostgreSQL database (dropped at the end), starts loopback fakes of Slack's Web API
(`tests.fakes.slack_api`) and of Discord's interaction webhooks (`bench.scale_fakes`), and
`--instances` real `saidbot serve` processes on different ports, sharing DATABASE_URL and the
bundled demo notes (each builds its own index copy, as in production). Then, per phase, with the
instances restarted so each phase's statement count is its own:

- **slack**: signed `app_mention` events at `--rate` per second for `--seconds`, on an open-loop
  schedule (each send at its fixed time, never waiting for replies), alternating instances; a
  `--retry-fraction` of them is delivered again 1-3 s later to the *other* instance with
  `X-Slack-Retry-Num: 1`, as Slack re-delivers when it thinks an event was not acknowledged.
- **discord**: signed `/ask` interactions over HTTP at the same rate (each delivered once, as Discord
  does); a `--retry-fraction` of them asked privately, so the answer carries a Share button, and two
  Share clicks on it (two members, at the same moment) land one on each instance. Skipped when the
  instances do not serve `POST /discord/interactions`.

Per phase: acknowledgement p50/p99 (HTTP response time of every delivery), answers, duplicates
(answers beyond one per logical question, or Share posts beyond one per message), lost (never
answered within `--drain` seconds), errors (non-2xx other than the 409 a repeated interaction is
meant to get, and failed connections), the achieved send rate, answer latency, "busy" replies, CPU
per request of the instances, and PostgreSQL statements and estimated round trips per request.
Statements come from the instances' `shared_state_closed` log lines
(what SQLAlchemy sent); commits and rollbacks from `pg_stat_database` deltas of the run's database
(read after the instances exited, so their statistics are flushed). Round trips are more than
statements: each transaction adds BEGIN and COMMIT, and each pool checkout a pre-ping, which
SQLAlchemy's asyncpg dialect sends as BEGIN, `;`, ROLLBACK (the only rollbacks here), so the estimate
is statements + 2 x commits + 3 x rollbacks. Also measured: the loopback round trip
(`SELECT 1`) and one shared-state claim from this process.

Everything is bounded: the phases stop by themselves, the instances get SIGTERM then SIGKILL on any
way out (an atexit hook covers a crash of the harness), and the database is dropped. Network only
to 127.0.0.1. Writes `scale.json` and `scale.md` to `--out`.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import json
import os
import platform
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiohttp import ClientError, ClientSession, ClientTimeout, TCPConnector
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench.scale_fakes import (
    APP_ID,
    BUSY_WORDS,
    EPHEMERAL,
    DiscordSigner,
    FakeDiscordWebhooks,
    Snowflakes,
    TimedCalls,
    discord_ask,
    discord_click,
    slack_channel,
    slack_headers,
    slack_mention,
    slack_ts,
)
from bot.state_db import DatabaseState, async_url, describe
from tests.fakes.slack_api import FakeSlack
from tests.support.net import free_port

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "bot" / "demo"
SECRET = "0123456789abcdef0123456789abcdef"
DEFAULT_SERVER = "postgresql://saidbot:saidbot@127.0.0.1:5432/postgres"
QUESTIONS = (
    "what did Amodei say about talent density?",
    "what did Amodei say about hiring?",
    "what did Lex say about talent?",
    "what did they say about density?",
)
READY_SECONDS = 120.0
STOP_SECONDS = 30.0
# Slack's 1-3 s before it re-delivers; Share clicks come this long after the answer was seen.
RETRY_AFTER = (1.0, 3.0)
CLICK_AFTER = 0.2
# After the last delivery and every answer, a little longer for late duplicates to show.
SETTLE_SECONDS = 2.0

_children: list[subprocess.Popen[bytes]] = []


@atexit.register
def _kill_children() -> None:
    for proc in _children:
        if proc.poll() is None:
            proc.kill()


# ------------------------------------------------------------------------------------------ the database


def _admin_engine(server: str) -> AsyncEngine:
    return create_async_engine(async_url(server), isolation_level="AUTOCOMMIT")


@contextlib.asynccontextmanager
async def fresh_database(server: str, settings: dict[str, str] | None = None) -> AsyncIterator[str]:
    """A new, empty database on `server` (a role that may create databases); dropped afterwards.

    `settings` are PostgreSQL parameters set for this database (`ALTER DATABASE … SET`), e.g.
    `synchronous_commit=off` to see what waiting for the WAL flush at each commit costs.
    """
    name = f"saidbot_bench_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(server)
    try:
        async with admin.connect() as conn:
            await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            for key, value in (settings or {}).items():
                # ALTER DATABASE takes no bound parameters: names and values are checked instead.
                if not (key.replace("_", "").isalnum() and value.replace("_", "").isalnum()):
                    raise ValueError(f"not a PostgreSQL parameter setting: {key}={value}")
                await conn.execute(sa.text(f"ALTER DATABASE \"{name}\" SET {key} = '{value}'"))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def database_counters(server: str, database: str) -> dict[str, int]:
    """`pg_stat_database` of `database`, read on a new connection so no cached snapshot is seen."""
    admin = _admin_engine(server)
    try:
        async with admin.connect() as conn:
            row = (await conn.execute(sa.text(
                "SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_returned "
                "FROM pg_stat_database WHERE datname = :name"), {"name": database})).mappings().first()
    finally:
        await admin.dispose()
    return {key: int(value or 0) for key, value in (row or {}).items()}


async def round_trip_ms(url: str, count: int = 1000) -> dict[str, float]:
    """Loopback latency of one `SELECT 1`, and of one shared-state claim (ping + BEGIN + INSERT + COMMIT)."""
    import asyncpg

    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(plain)
    try:
        await conn.fetchval("SELECT 1")
        selects = []
        for _ in range(count):
            began = time.perf_counter()
            await conn.fetchval("SELECT 1")
            selects.append((time.perf_counter() - began) * 1000)
    finally:
        await conn.close()
    state = DatabaseState(async_url(url))
    try:
        await state.migrate()
        claims = []
        for i in range(count // 4):
            began = time.perf_counter()
            await state.claim(f"bench:round-trip:{i}:{uuid.uuid4().hex}")
            claims.append((time.perf_counter() - began) * 1000)
    finally:
        await state.engine.dispose()
    return {"select1_p50": round(statistics.median(selects), 3), "select1_p99": round(_pct(selects, 0.99), 3),
            "claim_p50": round(statistics.median(claims), 3), "claim_p99": round(_pct(claims, 0.99), 3)}


# ------------------------------------------------------------------------------------------ instances


@dataclass
class Instance:
    index: int
    url: str
    proc: subprocess.Popen[bytes]
    log_path: Path

    def log_events(self, name: str) -> list[dict[str, Any]]:
        found = []
        for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            if f'"{name}"' not in line:
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and record.get("event") == name:
                found.append(record)
        return found


def _instance_env(work: Path, index: int, port: int, database_url: str, slack: FakeSlack,
                  discord: FakeDiscordWebhooks, signer: DiscordSigner) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SAIDBOT_", "SLACK_", "DISCORD_")) and k != "DATABASE_URL"}
    env.update({
        "PORT": str(port), "SAIDBOT_HOST": "127.0.0.1", "SAIDBOT_LOG_FORMAT": "json",
        "SAIDBOT_NOTES": str(DEMO), "SAIDBOT_DB": str(work / f"instance-{index}" / "saidbot.db"),
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-scale-token-123456", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url,
        "DISCORD_PUBLIC_KEY": signer.public_key_hex, "DISCORD_APPLICATION_ID": str(APP_ID),
        "DISCORD_API_URL": discord.api_base,
        # The per-user limit stays on (its shared bookkeeping is part of the cost per request) but
        # far above what the bench sends, so it never drops load.
        "SAIDBOT_RATE_LIMIT_PER_MINUTE": "1000000",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
    })
    return env


def start_instance(work: Path, index: int, env: dict[str, str], phase: str) -> Instance:
    log_path = work / f"instance-{index}-{phase}.log"
    (work / f"instance-{index}").mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as err:
        proc = subprocess.Popen([sys.executable, "-m", "saidbot", "serve"], cwd=work, env=env,
                                stdout=subprocess.DEVNULL, stderr=err)
    _children.append(proc)
    return Instance(index, f"http://127.0.0.1:{env['PORT']}", proc, log_path)


async def wait_ready(session: ClientSession, instance: Instance, seconds: float = READY_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if instance.proc.poll() is not None:
            tail = instance.log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"instance {instance.index} exited ({instance.proc.returncode}):\n{tail}")
        try:
            async with session.get(f"{instance.url}/healthz", timeout=ClientTimeout(total=2)) as resp:
                if resp.status == 200:
                    return
        except (ClientError, OSError, TimeoutError):
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError(f"instance {instance.index} not ready after {seconds:.0f}s")


async def stop_instances(instances: list[Instance]) -> list[int | None]:
    for inst in instances:
        if inst.proc.poll() is None:
            inst.proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    while any(i.proc.poll() is None for i in instances) and time.monotonic() < deadline:  # noqa: ASYNC110 - polls processes
        await asyncio.sleep(0.1)
    for inst in instances:
        if inst.proc.poll() is None:
            inst.proc.kill()
            inst.proc.wait()
    return [i.proc.returncode for i in instances]


async def serves_discord(session: ClientSession, instance: Instance) -> bool:
    """Whether the instance has the Interactions Endpoint (an unsigned POST is then a 401, else a 404/405)."""
    try:
        async with session.post(f"{instance.url}/discord/interactions", data=b"{}") as resp:
            return resp.status == 401
    except (ClientError, OSError, TimeoutError):
        return False


# ------------------------------------------------------------------------------------------ one phase


@dataclass
class Tally:
    """What one phase saw."""

    acks_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    lateness_ms: list[float] = field(default_factory=list)
    first_sends: list[float] = field(default_factory=list)
    deliveries: int = 0
    in_flight: set[asyncio.Task[None]] = field(default_factory=set)
    # Monotonic time the phase's schedule started, and when each logical question was first sent.
    start: float = 0.0
    first_sent: dict[int, float] = field(default_factory=dict)
    # First answer per logical question (monotonic), and which answers only said "busy".
    answered_at: dict[int, float] = field(default_factory=dict)
    busy: set[int] = field(default_factory=set)

    def spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)

    async def post(self, session: ClientSession, url: str, body: bytes | str,
                   headers: dict[str, str]) -> tuple[int, bytes]:
        self.deliveries += 1
        began = time.perf_counter()
        try:
            async with session.post(url, data=body, headers=headers) as resp:
                data = await resp.read()
                status = resp.status
        except (ClientError, OSError, TimeoutError):
            status, data = 0, b""
        self.acks_ms.append((time.perf_counter() - began) * 1000)
        self.statuses[status] += 1
        return status, data


def _schedule(rate: float, seconds: float, instances: int, retry_fraction: float, rng: random.Random,
              retry_after: tuple[float, float] = RETRY_AFTER) -> list[tuple[float, int, int, bool]]:
    """(seconds from start, logical question, instance, is a retry), in time order."""
    plan: list[tuple[float, int, int, bool]] = []
    for i in range(int(rate * seconds)):
        at = i / rate
        plan.append((at, i, i % instances, False))
        if rng.random() < retry_fraction:
            plan.append((at + rng.uniform(*retry_after), i, (i + 1) % instances, True))
    plan.sort()
    return plan


async def _open_loop(plan: list[tuple[float, int, int, bool]], tally: Tally,
                     send: Callable[[int, int, bool], Awaitable[None]]) -> float:
    """Start each send at its time without waiting for earlier ones; the seconds the sending took."""
    start = tally.start = time.monotonic()
    for at, logical, target, retry in plan:
        delay = start + at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        now = time.monotonic()
        tally.lateness_ms.append(max(0.0, (now - start - at) * 1000))
        if not retry:
            tally.first_sends.append(now - start)
            tally.first_sent[logical] = now
        tally.spawn(send(logical, target, retry))
    return time.monotonic() - start


async def _drain(done: Callable[[], bool], tally: Tally, seconds: float, settle: float) -> float:
    began = time.monotonic()
    deadline = began + seconds
    while (not done() or tally.in_flight) and time.monotonic() < deadline:  # noqa: ASYNC110 - polls the fakes
        await asyncio.sleep(0.05)
    await asyncio.sleep(settle)
    for task in list(tally.in_flight):
        task.cancel()
    return time.monotonic() - began


async def slack_phase(session: ClientSession, instances: list[Instance], slack: FakeSlack, cfg: Config,
                      rng: random.Random) -> dict[str, Any]:
    n = int(cfg.rate * cfg.seconds)
    plan = _schedule(cfg.rate, cfg.seconds, len(instances), cfg.retry_fraction, rng, cfg.retry_after)
    bodies = [slack_mention(i, QUESTIONS[i % len(QUESTIONS)]) for i in range(n)]
    tally = Tally()
    calls = TimedCalls()
    slack.calls = calls

    async def send(i: int, target: int, retry: bool) -> None:
        body = bodies[i]
        await tally.post(session, f"{instances[target].url}/slack/events", body,
                         slack_headers(body, SECRET, retry=retry))

    wanted = {(slack_channel(i), slack_ts(i)): i for i in range(n)}

    def answers() -> Counter[int]:
        seen: Counter[int] = Counter()
        for call, at in zip(list(calls), list(calls.times), strict=False):
            if call.method in ("chat.postMessage", "chat.postEphemeral"):
                logical = wanted.get((str(call.body.get("channel")), str(call.body.get("thread_ts"))))
                if logical is not None:
                    seen[logical] += 1
                    if logical not in tally.answered_at:
                        tally.answered_at[logical] = at
                        if BUSY_WORDS in str(call.body.get("text")):
                            tally.busy.add(logical)
        return seen

    sending = await _open_loop(plan, tally, send)
    drained = await _drain(lambda: len(answers()) >= n, tally, cfg.drain, cfg.settle)
    seen = answers()
    retries = sum(1 for p in plan if p[3])
    methods = Counter(c.method for c in calls)
    # What the second replies were, to tell a double claim from a Web API call repeated by a client retry.
    doubled = {i for i, count in seen.items() if count > 1}
    samples: dict[int, list[str]] = {}
    for call, at in zip(list(calls), list(calls.times), strict=False):
        logical = wanted.get((str(call.body.get("channel")), str(call.body.get("thread_ts"))))
        if logical in doubled and (logical in samples or len(samples) < 10):
            samples.setdefault(logical, []).append(
                f"{call.method} +{(at - tally.first_sent.get(logical, at)):.1f}s {str(call.body.get('text'))[:40]!r}")
    return _summary("slack", tally, n, seen, sending, drained, retries=retries,
                    extra={"slack_calls": dict(methods), "duplicate_samples": samples})


async def discord_phase(session: ClientSession, instances: list[Instance], hooks: FakeDiscordWebhooks,
                        signer: DiscordSigner, cfg: Config, rng: random.Random) -> dict[str, Any]:
    n = int(cfg.rate * cfg.seconds)
    plan = [(i / cfg.rate, i, i % len(instances), False) for i in range(n)]
    sharing = {i for i in range(n) if rng.random() < cfg.retry_fraction}
    ids = Snowflakes()
    tally = Tally()
    hooks.calls.clear()
    token_of: dict[str, int] = {}
    inline: Counter[int] = Counter()
    click_token: dict[str, int] = {}
    clicked: set[int] = set()
    refused = Counter[str]()

    def components_of(logical: int) -> Any:
        return answered_components.get(logical)

    answered_components: dict[int, Any] = {}

    def saw_answer(logical: int, data: dict[str, Any], at: float) -> None:
        if logical not in tally.answered_at:
            tally.answered_at[logical] = at
            if BUSY_WORDS in str(data.get("content")):
                tally.busy.add(logical)
        if data.get("components") and logical not in answered_components:
            answered_components[logical] = data["components"]
            if logical in sharing and logical not in clicked:
                clicked.add(logical)
                tally.spawn(share_twice(logical))

    async def deliver(target: int, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        body = json.dumps(payload).encode()
        status, raw = await tally.post(session, f"{instances[target].url}/discord/interactions", body,
                                       signer.headers(body))
        try:
            answer = json.loads(raw) if status == 200 else {}
        except ValueError:
            answer = {}
        return status, answer if isinstance(answer, dict) else {}

    async def send(i: int, target: int, _retry: bool) -> None:
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(24)
        token_of[token] = i
        ask = discord_ask(ids.next(), token, 700_000_000_000_000_000 + i % 500, QUESTIONS[i % len(QUESTIONS)],
                          private=i in sharing)
        _, answer = await deliver(target, ask)
        if answer.get("type") == 4:
            inline[i] += 1
            saw_answer(i, answer.get("data") or {}, time.monotonic())

    async def share_twice(logical: int) -> None:
        await asyncio.sleep(CLICK_AFTER)
        components = components_of(logical)
        share = next((b.get("custom_id") for row in components for b in row.get("components", [])
                      if str(b.get("custom_id", "")).startswith("saidbot:share:")), None)
        if share is None:
            refused["no_share_button"] += 1
            return
        message_id = 900_000_000_000_000_000 + logical

        async def click(target: int, user: int) -> None:
            token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(24)
            click_token[token] = logical
            status, _ = await deliver(target, discord_click(ids.next(), token, user, share, message_id, components))
            if status == 409:
                refused["interaction_409"] += 1

        await asyncio.gather(*(click(t, 710_000_000_000_000_000 + t) for t in range(len(instances))))

    def followups() -> tuple[Counter[int], Counter[int]]:
        """Deferred answers edited in per question; public Share posts per answered message."""
        edited: Counter[int] = Counter()
        shared: Counter[int] = Counter()
        for call in hooks.calls:
            if call.method == "PATCH" and call.token in token_of:
                logical = token_of[call.token]
                if logical not in inline:
                    edited[logical] += 1
                    saw_answer(logical, call.body, call.at)
            elif (call.method == "POST" and call.token in click_token
                  and not int(call.body.get("flags") or 0) & EPHEMERAL):
                shared[click_token[call.token]] += 1
        return edited, shared

    def answers() -> Counter[int]:
        edited, _ = followups()
        # A deferred answer may be edited more than once (first the answer, then its buttons): one answer.
        return Counter({i: 1 for i in edited}) + inline

    def done() -> bool:
        _, shared = followups()
        return len(answers()) >= n and all(i in shared for i in clicked)

    sending = await _open_loop(plan, tally, send)
    drained = await _drain(done, tally, cfg.drain, cfg.settle)
    edited, shared = followups()
    seen = answers()
    share_dupes = sum(c - 1 for c in shared.values() if c > 1)
    share_lost = sum(1 for i in clicked if i not in shared)
    ok_409 = refused["interaction_409"]
    return _summary("discord", tally, n, seen, sending, drained, retries=0, allowed={409: ok_409}, extra={
        "inline_answers": sum(inline.values()), "deferred_answers": len(edited),
        "share_pairs": len(clicked), "share_posts": sum(shared.values()),
        "share_duplicates": share_dupes, "share_lost": share_lost,
        "share_skipped": dict(refused), "other_discord_calls": len(hooks.other),
    }, dup_extra=share_dupes, lost_extra=share_lost)


def _summary(name: str, tally: Tally, n: int, seen: Counter[int], sending: float, drained: float, *,
             retries: int, extra: dict[str, Any], allowed: dict[int, int] | None = None,
             dup_extra: int = 0, lost_extra: int = 0) -> dict[str, Any]:
    errors = sum(c for s, c in tally.statuses.items() if not 200 <= s < 300)
    errors -= sum((allowed or {}).values())
    first = tally.first_sends
    achieved = (len(first) - 1) / (first[-1] - first[0]) if len(first) > 1 and first[-1] > first[0] else 0.0
    waits = [(at - tally.first_sent[i]) * 1000 for i, at in tally.answered_at.items() if i in tally.first_sent]
    last = max(tally.answered_at.values(), default=tally.start)
    answered_rate = len(tally.answered_at) / (last - tally.start) if last > tally.start else 0.0
    return {
        "phase": name, "questions": n, "retries": retries, "deliveries": tally.deliveries,
        "ack_ms": {"p50": round(_pct(tally.acks_ms, 0.5), 1), "p99": round(_pct(tally.acks_ms, 0.99), 1),
                   "max": round(max(tally.acks_ms, default=float("nan")), 1)},
        "send_lateness_ms": {"p50": round(_pct(tally.lateness_ms, 0.5), 1),
                             "p99": round(_pct(tally.lateness_ms, 0.99), 1)},
        "achieved_rate": round(achieved, 1), "sending_seconds": round(sending, 1), "drain_seconds": round(drained, 1),
        "answered": len(seen), "answers": sum(seen.values()),
        # Questions whose one answer was "busy, try again" (the instance's answer backlog was full).
        "told_busy": len(tally.busy),
        "answer_ms": {"p50": round(_pct(waits, 0.5), 1), "p99": round(_pct(waits, 0.99), 1),
                      "max": round(max(waits, default=float("nan")), 1)},
        "answers_per_second": round(answered_rate, 1),
        "duplicates": sum(c - 1 for c in seen.values() if c > 1) + dup_extra,
        "lost": n - len(seen) + lost_extra,
        "errors": errors, "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        **extra,
    }


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# ------------------------------------------------------------------------------------------ the run


@dataclass
class Config:
    rate: float = 200.0
    seconds: float = 30.0
    instances: int = 2
    retry_fraction: float = 0.2
    drain: float = 60.0
    server: str = DEFAULT_SERVER
    phases: tuple[str, ...] = ("slack", "discord")
    seed: int = 1
    label: str = ""
    # Slack's re-delivery delay and the wait for late duplicates; the smoke test shortens both.
    retry_after: tuple[float, float] = RETRY_AFTER
    settle: float = SETTLE_SECONDS
    restart_per_phase: bool = True
    keep_logs: Path | None = None
    pg_settings: dict[str, str] = field(default_factory=dict)
    round_trips: int = 1000


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU a live process has used (Linux `/proc/PID/stat`), None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Group:
    """The instances of one phase (or of the whole run), and what they said when they stopped."""

    instances: list[Instance]
    ready_seconds: float = 0.0
    # CPU seconds each instance had used when ready, and when the load was over (before SIGTERM).
    cpu_ready: list[float | None] = field(default_factory=list)
    cpu_done: list[float | None] = field(default_factory=list)
    exit_codes: list[int | None] = field(default_factory=list)
    statements: list[int | None] = field(default_factory=list)


@contextlib.asynccontextmanager
async def instance_group(cfg: Config, work: Path, tag: str, database_url: str, slack: FakeSlack,
                         hooks: FakeDiscordWebhooks, signer: DiscordSigner,
                         session: ClientSession) -> AsyncIterator[Group]:
    group = Group([])
    try:
        for k in range(cfg.instances):
            env = _instance_env(work, k, free_port(), database_url, slack, hooks, signer)
            group.instances.append(start_instance(work, k, env, tag))
        started = time.monotonic()
        await asyncio.gather(*(wait_ready(session, inst) for inst in group.instances))
        group.ready_seconds = round(time.monotonic() - started, 1)
        group.cpu_ready = [cpu_seconds(i.proc.pid) for i in group.instances]
        yield group
    finally:
        group.cpu_done = [cpu_seconds(i.proc.pid) for i in group.instances]
        group.exit_codes = await stop_instances(group.instances)
        closed = [inst.log_events("shared_state_closed") for inst in group.instances]
        group.statements = [int(c[-1].get("statements", 0)) if c else None for c in closed]


def _postgres(before: dict[str, int], after: dict[str, int], statements: list[int | None] | None,
              requests: int) -> dict[str, Any]:
    commits = after.get("xact_commit", 0) - before.get("xact_commit", 0)
    rollbacks = after.get("xact_rollback", 0) - before.get("xact_rollback", 0)
    requests = max(1, requests)
    counted = [s for s in statements or [] if s is not None]
    total = sum(counted) if counted else None
    return {
        "statements_per_instance": statements,
        "statements_per_request": round(total / requests, 2) if total is not None else None,
        "commits": commits, "rollbacks": rollbacks,
        "commits_per_request": round(commits / requests, 2), "rollbacks_per_request": round(rollbacks / requests, 2),
        "round_trips_per_request_est": (
            round((total + 2 * commits + 3 * rollbacks) / requests, 2) if total is not None else None),
        "rows": {k: after.get(k, 0) - before.get(k, 0) for k in ("tup_inserted", "tup_updated", "tup_deleted")},
    }


def _cpu_per_request(group: Group, requests: int) -> float | None:
    used = [done - ready for ready, done in zip(group.cpu_ready, group.cpu_done, strict=False)
            if ready is not None and done is not None]
    return round(sum(used) * 1000 / max(1, requests), 2) if used else None


async def _measure(name: str, cfg: Config, session: ClientSession, group: Group, slack: FakeSlack,
                   hooks: FakeDiscordWebhooks, signer: DiscordSigner, rng: random.Random) -> dict[str, Any]:
    if name == "discord" and not await serves_discord(session, group.instances[0]):
        return {"phase": name, "skipped": "the instances do not serve POST /discord/interactions"}
    # The harness shares the CPUs with the instances: what it used is part of the picture.
    began = time.process_time()
    if name == "slack":
        result = await slack_phase(session, group.instances, slack, cfg, rng)
    else:
        result = await discord_phase(session, group.instances, hooks, signer, cfg, rng)
    result["harness_cpu_seconds"] = round(time.process_time() - began, 1)
    return result


async def _phases(cfg: Config, work: Path, database_url: str, slack: FakeSlack, hooks: FakeDiscordWebhooks,
                  signer: DiscordSigner, rng: random.Random) -> list[dict[str, Any]]:
    """Each phase on freshly started instances, so the statements they log at exit are that phase's;
    or (`restart_per_phase` off, for the smoke test) all phases on one start, the database's counts
    then for all of them together (`postgres_all_phases`)."""
    db_name = make_url(database_url).database or ""
    connections = int(cfg.rate * 8) + 100
    results: list[dict[str, Any]] = []
    async with ClientSession(connector=TCPConnector(limit=connections, limit_per_host=0),
                             timeout=ClientTimeout(total=30)) as session:
        if cfg.restart_per_phase:
            for name in cfg.phases:
                async with instance_group(cfg, work, name, database_url, slack, hooks, signer, session) as group:
                    before = await database_counters(cfg.server, db_name)
                    result = await _measure(name, cfg, session, group, slack, hooks, signer, rng)
                if "skipped" not in result:
                    after = await database_counters(cfg.server, db_name)
                    result["postgres"] = _postgres(before, after, group.statements, int(result["deliveries"]))
                    result.update(ready_seconds=group.ready_seconds, exit_codes=group.exit_codes,
                                  instance_cpu_ms_per_request=_cpu_per_request(group, int(result["deliveries"])))
                results.append(result)
            return results
        before = await database_counters(cfg.server, db_name)
        async with instance_group(cfg, work, "all", database_url, slack, hooks, signer, session) as group:
            for name in cfg.phases:
                results.append(await _measure(name, cfg, session, group, slack, hooks, signer, rng))
    after = await database_counters(cfg.server, db_name)
    measured = [r for r in results if "skipped" not in r]
    # One start for every phase: what the database did is known for all of them together only.
    together = _postgres(before, after, group.statements, sum(int(r["deliveries"]) for r in measured))
    for result in measured:
        result.update(ready_seconds=group.ready_seconds, exit_codes=group.exit_codes, postgres_all_phases=together)
    return results


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
    return done.stdout.strip()


def _machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpu": model, "cpus": len(os.sched_getaffinity(0)), "python": platform.python_version(),
            "system": platform.platform(), "load_avg_at_start": [round(x, 2) for x in os.getloadavg()]}


def _copy_logs(work: Path, to: Path) -> None:
    to.mkdir(parents=True, exist_ok=True)
    for log_file in work.glob("instance-*.log"):
        shutil.copy(log_file, to / log_file.name)


async def run(cfg: Config) -> dict[str, Any]:
    rng = random.Random(cfg.seed)
    signer = DiscordSigner()
    slack = FakeSlack()
    await slack.start()
    hooks = FakeDiscordWebhooks()
    await hooks.start(free_port())
    began = time.monotonic()
    phases: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="saidbot-scale-") as tmp:
            async with fresh_database(cfg.server, cfg.pg_settings) as database_url:
                latency = await round_trip_ms(database_url, cfg.round_trips)
                try:
                    phases = await _phases(cfg, Path(tmp), database_url, slack, hooks, signer, rng)
                finally:
                    if cfg.keep_logs is not None:
                        _copy_logs(Path(tmp), cfg.keep_logs)
    finally:
        await hooks.close()
        await slack.close()
    return {
        "label": cfg.label, "rate": cfg.rate, "seconds": cfg.seconds, "instances": cfg.instances,
        "retry_fraction": cfg.retry_fraction, "drain": cfg.drain,
        "database": describe(make_url(cfg.server)), "pg_settings": cfg.pg_settings, "postgres_round_trip_ms": latency,
        "commit": _git("rev-parse", "--short", "HEAD"), "branch": _git("rev-parse", "--abbrev-ref", "HEAD"),
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": _machine(),
        "wall_seconds": round(time.monotonic() - began, 1), "phases": phases,
    }


def markdown(result: dict[str, Any]) -> str:
    head = ("| phase | sent/s (target) | deliveries | ack p50 ms | ack p99 ms | answered (told busy) "
            "| answer p50 / p99 ms | duplicates | lost | errors | PG statements/request "
            "| PG round trips/request (est.) |")
    lines = [head, "|" + "---|" * 12]
    for p in result["phases"]:
        if "skipped" in p:
            lines.append(f"| {p['phase']} | skipped: {p['skipped']} |" + " |" * 10)
            continue
        pg = p.get("postgres") or p["postgres_all_phases"]
        lines.append(
            f"| {p['phase']} | {p['achieved_rate']:.0f} ({result['rate']:.0f}) | {p['deliveries']:,} "
            f"| {p['ack_ms']['p50']:.1f} | {p['ack_ms']['p99']:.1f} | {p['answered']:,}/{p['questions']:,} "
            f"({p['told_busy']:,}) | {p['answer_ms']['p50']:,.0f} / {p['answer_ms']['p99']:,.0f} "
            f"| {p['duplicates']} | {p['lost']} | {p['errors']} | {pg['statements_per_request']} "
            f"| {pg['round_trips_per_request_est']} |")
    m = result["machine"]
    rt = result["postgres_round_trip_ms"]
    lines += ["", f"{result['instances']} instances, {result['seconds']:.0f} s per phase, retry/duplicate "
              f"fraction {result['retry_fraction']}, commit `{result['commit']}` ({result['branch']}), "
              f"{result['date']}; {m['cpu']}, {m['cpus']} CPUs, load average at start "
              f"{m['load_avg_at_start'][0]}. PostgreSQL loopback: `SELECT 1` p50 {rt['select1_p50']} ms, "
              f"one shared-state claim p50 {rt['claim_p50']} ms (p99 {rt['claim_p99']} ms)."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--rate", type=float, default=200.0, help="logical questions per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="seconds of sending per phase")
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--retry-fraction", type=float, default=0.2)
    parser.add_argument("--drain", type=float, default=60.0, help="seconds to wait for answers after sending")
    parser.add_argument("--phases", default="slack,discord")
    parser.add_argument("--database-url", default=os.environ.get("SAIDBOT_BENCH_DATABASE_URL", DEFAULT_SERVER),
                        help="a PostgreSQL server and a role that may create databases")
    parser.add_argument("--label", default="")
    parser.add_argument("--pg-set", action="append", default=[], metavar="NAME=VALUE",
                        help="a PostgreSQL parameter for the run's database (e.g. synchronous_commit=off)")
    parser.add_argument("--keep-logs", type=Path, default=None, help="copy the instances' logs here")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if args.instances < 1 or args.rate <= 0 or args.seconds <= 0 or not 0 <= args.retry_fraction <= 1:
        parser.error("--instances ≥ 1, --rate and --seconds > 0, --retry-fraction in [0, 1]")
    cfg = Config(rate=args.rate, seconds=args.seconds, instances=args.instances, retry_fraction=args.retry_fraction,
                 drain=args.drain, server=args.database_url, label=args.label, keep_logs=args.keep_logs,
                 pg_settings=dict(item.split("=", 1) for item in args.pg_set),
                 phases=tuple(p.strip() for p in args.phases.split(",") if p.strip()))
    result = asyncio.run(_main(cfg))
    text = json.dumps(result, indent=2)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        stem = f"scale-{args.label}" if args.label else "scale"
        (args.out / f"{stem}.json").write_text(text + "\n", encoding="utf-8")
        (args.out / f"{stem}.md").write_text(markdown(result), encoding="utf-8")
    print(text)
    print(markdown(result))


async def _main(cfg: Config) -> dict[str, Any]:
    # SIGTERM to the harness unwinds like Ctrl-C: instances stopped, database dropped.
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    return await run(cfg)


if __name__ == "__main__":
    main()
