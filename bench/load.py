"""Load on the web process: `python -m bench.load [--mentions 2000] [--in-flight 100] [--probe-ms 50]`.

Starts the real web process (`saidbot serve` as a subprocess on a free loopback port, over the bundled
demo notes in a temporary database) with Slack configured against a loopback fake Slack run in this
process, sends signed `app_mention` events with a bounded number in flight, probes /healthz every
50 ms meanwhile, waits for every mention to be answered (or told "busy"), and stops the process with
SIGTERM. Prints /healthz p50/p99/max, the acknowledgement p50/p99, how many were told "busy", and
how the process stopped. Network only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import ClientError, ClientSession, ClientTimeout, TCPConnector

from tests.fakes.slack_api import BOT_USER, FakeSlack, signed_headers
from tests.support.net import free_port

DEMO = Path(__file__).parents[1] / "bot" / "demo"
SECRET = "0123456789abcdef0123456789abcdef"
BUSY_WORDS = "busy answering other questions"




def _mention(i: int) -> str:
    return json.dumps({
        "type": "event_callback", "event_id": f"EvLoad{i}", "team_id": "T1", "api_app_id": "A1",
        "authorizations": [{"user_id": BOT_USER, "is_bot": True, "team_id": "T1"}],
        "event": {"type": "app_mention", "user": f"U{i % 50}", "channel": f"C{i % 10}", "ts": f"{10_000 + i}.0001",
                  "text": f"<@{BOT_USER}> what did Amodei say about talent density?"},
    })


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _start(tmp: Path, slack: FakeSlack, log_path: Path) -> tuple[asyncio.subprocess.Process, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAIDBOT_", "SLACK_", "DISCORD_"))}
    env.update({
        "PORT": str(port), "SAIDBOT_NOTES": str(DEMO), "SAIDBOT_DB": str(tmp / "load.db"),
        "SLACK_BOT_TOKEN": "xoxb-load-token-123456", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url,
        "SAIDBOT_HOST": "127.0.0.1", "SAIDBOT_LOG_FORMAT": "json",
        # The bench measures the web process, not the per-user limit: every mention is a different question.
        "SAIDBOT_RATE_LIMIT_PER_MINUTE": "100000",
    })
    with log_path.open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "saidbot", "serve", cwd=tmp, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=err,
        )
    return proc, f"http://127.0.0.1:{port}"


async def _wait_ready(session: ClientSession, url: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            async with session.get(f"{url}/healthz") as resp:
                if resp.status == 200:
                    return
        except (ClientError, OSError):
            pass
        await asyncio.sleep(0.1)
    raise SystemExit("saidbot serve never became ready")


async def run(mentions: int, in_flight: int, probe_ms: float) -> dict[str, object]:
    slack = FakeSlack()
    await slack.start()
    with tempfile.TemporaryDirectory(prefix="saidbot-load-") as tmp_name:
        tmp = Path(tmp_name)
        log_path = tmp / "serve.log"
        proc, url = await _start(tmp, slack, log_path)
        try:
            async with ClientSession(connector=TCPConnector(limit=in_flight + 10),
                                     timeout=ClientTimeout(total=30)) as session:
                await _wait_ready(session, url)
                health: list[float] = []
                health_failed = 0
                acks: list[float] = []
                statuses: dict[int, int] = {}
                sending = True

                async def probe() -> None:
                    nonlocal health_failed
                    async with ClientSession(timeout=ClientTimeout(total=5)) as probes:
                        while sending:
                            began = time.perf_counter()
                            try:
                                async with probes.get(f"{url}/healthz") as resp:
                                    await resp.read()
                                    ok = resp.status == 200
                            except (ClientError, OSError, TimeoutError):
                                ok = False
                            if ok:
                                health.append((time.perf_counter() - began) * 1000)
                            else:
                                health_failed += 1
                            await asyncio.sleep(probe_ms / 1000)

                gate = asyncio.Semaphore(in_flight)

                async def send(i: int) -> None:
                    body = _mention(i)
                    headers = signed_headers(body, secret=SECRET, content_type="application/json")
                    async with gate:
                        began = time.perf_counter()
                        try:
                            async with session.post(f"{url}/slack/events", data=body, headers=headers) as resp:
                                await resp.read()
                                status = resp.status
                        except (ClientError, OSError, TimeoutError):
                            status = 0
                        acks.append((time.perf_counter() - began) * 1000)
                        statuses[status] = statuses.get(status, 0) + 1

                prober = asyncio.create_task(probe())
                began = time.perf_counter()
                await asyncio.gather(*(send(i) for i in range(mentions)))
                sent_seconds = time.perf_counter() - began

                def replied() -> int:
                    return len({str(c.get("thread_ts")) for m in ("chat.postMessage", "chat.postEphemeral")
                                for c in slack.of(m)})

                deadline = time.monotonic() + 120
                while replied() < mentions and time.monotonic() < deadline:  # noqa: ASYNC110 - polls the fake
                    await asyncio.sleep(0.1)
                answered_seconds = time.perf_counter() - began
                sending = False
                await prober
        finally:
            stop_began = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            try:
                code = await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                code = await proc.wait()
            stop_seconds = time.monotonic() - stop_began
        busy = sum(1 for c in slack.of("chat.postEphemeral") if BUSY_WORDS in str(c.get("text")))
        posted = len(slack.of("chat.postMessage"))
        log_lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    await slack.close()
    return {
        "mentions": mentions, "in_flight": in_flight, "ack_statuses": statuses,
        "healthz_ms": {"probes": len(health), "failed": health_failed, "p50": round(_pct(health, 0.5), 1),
                       "p99": round(_pct(health, 0.99), 1), "max": round(max(health, default=float("nan")), 1),
                       "mean": round(statistics.fmean(health), 1) if health else None,
                       "slowest": [round(v, 1) for v in sorted(health)[-5:]]},
        "ack_ms": {"p50": round(_pct(acks, 0.5), 1), "p99": round(_pct(acks, 0.99), 1),
                   "max": round(max(acks, default=float("nan")), 1)},
        "answered": posted, "busy": busy, "replied": replied(),
        "seconds": {"sending": round(sent_seconds, 1), "all_replied": round(answered_seconds, 1),
                    "sigterm_to_exit": round(stop_seconds, 1)},
        "exit_code": code, "log_lines": len(log_lines),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mentions", type=int, default=2000)
    parser.add_argument("--in-flight", type=int, default=100)
    parser.add_argument("--probe-ms", type=float, default=50.0)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.mentions, args.in_flight, args.probe_ms)), indent=2))


if __name__ == "__main__":
    main()
