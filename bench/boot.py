"""Boot-to-ready and memory of the PaaS process: `python -m bench.boot NOTES [--command run] [--runs 3]`.

Starts the real process on a free port with a fresh database (a dyno's empty disk), then times
how long until the port answers and until /healthz turns 200, and reads the process's peak RSS.
A second boot over the same database (a restart that only checks freshness) is timed too.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> tuple[float, float]:
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def boot(notes: Path, db: Path, command: str) -> dict[str, float]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAIDBOT_", "SLACK_", "DISCORD_"))}
    env.update({"PORT": str(port), "SAIDBOT_NOTES": str(notes), "SAIDBOT_DB": str(db), "SAIDBOT_HOST": "127.0.0.1",
                "SAIDBOT_LOG_LEVEL": "WARNING"})
    began = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bot", command], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    bound = ready = None
    try:
        while time.perf_counter() - began < 900:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        ready = time.perf_counter() - began
                        bound = bound or ready
                        break
            except urllib.error.HTTPError as exc:
                bound = bound or (time.perf_counter() - began)
                exc.close()
            except OSError:
                pass
            time.sleep(0.02)
        rss, peak = _rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(15)
    if ready is None or bound is None:
        raise SystemExit("the process never became ready")
    return {"bound_s": bound, "ready_s": ready, "rss_mb": rss, "peak_rss_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notes", type=Path)
    parser.add_argument("--command", default="run", choices=["run", "serve"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cold, warm = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "boot.db"
            cold.append(boot(args.notes, db, args.command))
            warm.append(boot(args.notes, db, args.command))
    for label, runs in (("fresh disk", cold), ("restart", warm)):
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(f"{label:10}  port bound {med['bound_s']:.2f}s  ready {med['ready_s']:.2f}s  "
              f"RSS {med['rss_mb']:.0f} MB (peak {med['peak_rss_mb']:.0f} MB)  [median of {len(runs)}]")


if __name__ == "__main__":
    main()
