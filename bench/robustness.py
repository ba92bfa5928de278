"""Robustness trials: `python -m bench.robustness [--trials 30] [--questions 3000] [--seed 1]`.

1. kill -9 of an ingest at random moments. A database holding the "old" index of a generated corpus is
   re-ingested against a "new" version of every file, and the ingest is killed at a random moment.
   After each kill the database must open, pass `PRAGMA integrity_check`, and hold either the old
   index or the new one, never a mix; no parser worker may outlive the killed process.
2. Fuzzed questions through the core API (`SaidService.ask`): random unicode, huge strings, FTS5
   syntax, control characters, lone surrogates. Each must answer within a time bound without raising.

Prints crashes, hangs, exceptions and the worst latencies. The defaults finish in about two minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bot.service import SaidService
from bot.settings import Settings

HANG_SECONDS = 5.0
FTS_SYNTAX = ['"', '""', "NEAR(", "NEAR/2", "*", "^", "AND", "OR", "NOT", "(", ")", ":", "terms:", "-", "+", "{", "}"]
CONTROL = [chr(c) for c in (*range(0, 32), 127, 0x200B, 0x202E, 0xFEFF)]


def _corpus(root: Path, version: str, files: int, rng: random.Random) -> None:
    """`files` notes, every passage marked with `version` so a mixed index is visible."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    words = "engine loom pattern density talent export control scaling interpretability safety".split()
    for index in range(files):
        lines = [f"---\ntitle: Note {index}\nshow: Bench Show\nepisode: {index}\n---\n"]
        # About 12 KB a file: 400 files pass the 4 MB at which the ingest starts parser worker processes.
        for passage in range(rng.randint(30, 60)):
            said = " ".join(rng.choice(words) for _ in range(rng.randint(10, 50)))
            lines.append(f"**Speaker {index % 7} (00:{passage % 60:02d}:{index % 60:02d}):**\n“{version} {said}.”\n")
        (root / f"note-{index:04d}.md").write_text("\n".join(lines), encoding="utf-8")


def _ingest(notes: Path, db: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAIDBOT_", "SLACK_", "DISCORD_"))}
    env["SAIDBOT_LOG_LEVEL"] = "ERROR"
    return subprocess.Popen([sys.executable, "-m", "saidbot", "ingest", str(notes), "--db", str(db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) != "Z"
    except OSError:
        return False


def _state(db: Path) -> tuple[str, int, int]:
    """(integrity_check result, passages of the old version, passages of the new one)."""
    with sqlite3.connect(db) as conn:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        old = conn.execute("SELECT COUNT(*) FROM segments WHERE text LIKE 'old%'").fetchone()[0]
        new = conn.execute("SELECT COUNT(*) FROM segments WHERE text LIKE 'new%'").fetchone()[0]
    return str(check), int(old), int(new)


def kill_trials(work: Path, trials: int, files: int, rng: random.Random) -> dict[str, object]:
    old_notes, new_notes = work / "old", work / "new"
    base = work / "base.db"
    _corpus(old_notes, "old", files, random.Random(1))
    _corpus(new_notes, "new", files, random.Random(1))
    # Both versions live at the same path, as an edited folder would.
    notes = work / "notes"
    shutil.copytree(old_notes, notes)
    assert _ingest(notes, base).wait() == 0
    _, old_count, _ = _state(base)
    shutil.rmtree(notes)
    shutil.copytree(new_notes, notes)
    timing = work / "timing.db"
    shutil.copy(base, timing)
    began = time.perf_counter()
    assert _ingest(notes, timing).wait() == 0
    full = time.perf_counter() - began
    _, _, new_count = _state(timing)
    outcomes: Counter[str] = Counter()
    orphans = 0
    bad: list[str] = []
    for trial in range(trials):
        db = work / f"trial-{trial}.db"
        shutil.copy(base, db)
        proc = _ingest(notes, db)
        time.sleep(rng.uniform(0.05, full * 1.3))
        workers = [p for p in _children(proc.pid) if "spawn_main" in _cmdline(p)]
        outcomes["with parser workers"] += bool(workers)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            outcomes["killed while running"] += 1
        proc.wait()
        deadline = time.monotonic() + 5
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        orphans += sum(_alive(p) for p in workers)
        check, old, new = _state(db)
        if check != "ok":
            bad.append(f"trial {trial}: integrity_check {check}")
        if (old, new) == (old_count, 0):
            outcomes["old index"] += 1
        elif (old, new) == (0, new_count):
            outcomes["new index"] += 1
        else:
            outcomes["MIXED"] += 1
            bad.append(f"trial {trial}: {old} old and {new} new passages")
    return {"files": files, "old passages": old_count, "new passages": new_count, "full ingest s": round(full, 2),
            "outcomes": dict(outcomes), "orphan workers": orphans, "failures": bad}


def _question(rng: random.Random) -> str:
    kind = rng.randrange(7)
    if kind == 0:
        return "".join(chr(rng.randint(1, 0x10FFFF)) for _ in range(rng.randint(1, 80))).replace("\x00", "")
    if kind == 1:
        return rng.choice(["a-", "*", "[", "(", "  ", ":", "1:", "アモデイ", "what did "]) * rng.randint(1000, 50_000)
    if kind == 2:
        return " ".join(rng.choice([*FTS_SYNTAX, "engine", "loom", "talent"]) for _ in range(rng.randint(1, 30)))
    if kind == 3:
        return "".join(rng.choice([*CONTROL, "a", " "]) for _ in range(rng.randint(1, 200)))
    if kind == 4:
        return "what did Speaker 3 say about " + "".join(chr(rng.randint(0xD800, 0xDFFF)) for _ in range(3))
    if kind == 5:
        who = rng.choice(["Speaker 1", "Nobody Atall", "", "@everyone"])
        return f"what did {who} say about {rng.choice(FTS_SYNTAX)}"
    return rng.choice(["engine", "talent density", "タレント密度", "Speaker 2 on scaling", "help", ""])


async def fuzz(db: Path, count: int, rng: random.Random) -> dict[str, object]:
    service = await SaidService.open(Settings(db=db, notes=None))
    await service.ensure_index()  # no notes configured: marks it ready over what the database holds
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    hangs = 0
    try:
        for _ in range(count):
            question = _question(rng)
            began = time.perf_counter()
            try:
                await asyncio.wait_for(service.ask(question), HANG_SECONDS)
            except TimeoutError:
                hangs += 1
            except Exception as exc:  # counted and reported: that is what the fuzzing is for
                errors[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1
            latencies.append(time.perf_counter() - began)
    finally:
        await service.close()
    latencies.sort()
    return {
        "questions": count, "exceptions": sum(errors.values()), "hangs": hangs, "kinds": dict(errors.most_common(5)),
        "p50 ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p99 ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
        "worst ms": round(latencies[-1] * 1000, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--questions", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="saidbot-robustness-") as tmp:
        work = Path(tmp)
        began = time.perf_counter()
        killed = kill_trials(work, args.trials, args.files, rng)
        print("kill -9 trials:")
        for key, value in killed.items():
            print(f"  {key}: {value}")
        fuzzed = asyncio.run(fuzz(work / "base.db", args.questions, rng))
        print("fuzzed questions:")
        for key, value in fuzzed.items():
            print(f"  {key}: {value}")
        print(f"total: {time.perf_counter() - began:.1f} s")
    failed = killed["failures"] or killed["orphan workers"] or fuzzed["exceptions"] or fuzzed["hangs"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
