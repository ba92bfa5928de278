"""The performance benchmark: saidbot against plain FTS5 and tantivy on synthetic corpora.

    python -m bench.perf.run [--sizes 10k,100k,1m] [--quick] [--seed 1]
    python -m bench.perf.run --report-only --sizes 10k,100k,1m   # re-render docs from saved results

For each size: generate (or reuse) the corpus, ingest it with the core in a fresh process,
export the stored segments and build both baselines from them, then measure answer latency per
query class (median and p99, the three engines interleaved so machine noise hits all alike),
throughput at 1/10/100 concurrent questions, cold start to first answer, and peak RSS.
Each size's raw results go to bench/perf/out/results-<size>.json; docs/benchmarks.md and
docs/benchmarks-latency.png are rendered from the results of every size in `--sizes`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import datetime as dt
import gc
import io
import json
import os
import platform
import pstats
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Final

import numpy as np

from bench.perf import report
from bench.perf.baselines import BuildStats, Fts5Baseline, Row, TantivyBaseline
from bench.perf.corpus import Manifest, PlantedTerm, ensure_corpus, parse_size

REPO: Final = Path(__file__).resolve().parents[2]
PERF_DIR: Final = Path(__file__).resolve().parent
DEFAULT_DATA: Final = PERF_DIR / "data"
DEFAULT_OUT: Final = PERF_DIR / "out"
DEFAULT_DOCS: Final = REPO / "docs"
SYSTEMS: Final = ("saidbot", "fts5", "tantivy")
LANGS: Final = ("en", "ja")
CLASSES: Final = ("rare", "mid", "common")


@dataclass(frozen=True)
class Budget:
    """How hard to measure. Time budgets cap slow cases (baselines or saidbot at 1M)."""

    runs: int = 200
    min_runs: int = 20
    class_seconds: float = 30.0  # per engine and query class
    warmup: int = 3
    throughput_questions: int = 600
    throughput_seconds: float = 60.0
    concurrency: tuple[int, ...] = (1, 10, 100)
    cold_runs: int = 5
    rss_baselines: bool = True
    profile_asks: int = 40

    @classmethod
    def quick(cls) -> Budget:
        return cls(
            runs=5, min_runs=2, class_seconds=2.0, warmup=1, throughput_questions=24,
            throughput_seconds=5.0, concurrency=(1, 10), cold_runs=1, rss_baselines=False, profile_asks=0,
        )


@dataclass(frozen=True)
class QueryClass:
    lang: str
    klass: str
    speaker: str | None
    terms: tuple[PlantedTerm, ...]

    @property
    def key(self) -> str:
        return f"{self.lang}/{self.klass}/{'speaker' if self.speaker else 'any'}"

    def question(self, term: str) -> str:
        """A natural question the core must parse (the baselines get just the term).

        Forms the core parses today: "what was said about X" is read as a speaker "What Was", and
        "Mara Veldenは…" as the speaker "Mara" (a Latin name followed by kana), so Japanese
        speaker questions pass the speaker as the slash commands do, via `speaker=`.
        """
        if self.lang == "en":
            return f"what did {self.speaker or 'they'} say about {term}?"
        return f"{term}について何と言っていましたか？"


def query_classes(manifest: Manifest) -> list[QueryClass]:
    out = []
    for lang in LANGS:
        for klass in CLASSES:
            terms = tuple(manifest.terms_of(lang, klass))  # type: ignore[arg-type]
            for speaker in (None, manifest.star_guest):
                out.append(QueryClass(lang, klass, speaker, terms))
    return out


def log(message: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


def summarize(samples_s: Sequence[float]) -> dict[str, float]:
    if not samples_s:
        return {"n": 0}
    ms = np.asarray(samples_s) * 1000.0
    return {
        "n": len(ms),
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
        "mean_ms": float(ms.mean()),
        "min_ms": float(ms.min()),
        "max_ms": float(ms.max()),
    }


# ---------------------------------------------------------------------------------------------
# Machine and provenance


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gb = 0.0
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = int(line.split()[1]) / 1024 / 1024
    versions = {}
    for package in ("aiosqlite", "tantivy", "pydantic"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "?"
    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "memory_gb": round(mem_gb, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        **versions,
    }


def _git(*args: str) -> str:
    result = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
    return result.stdout.strip()


CORE_ENV: Final = "SAIDBOT_BENCH_CORE"


def git_commit() -> dict[str, Any]:
    """Which core is measured: a committed snapshot (`--core REF`) or the working tree."""
    snapshot = os.environ.get(CORE_ENV)
    if snapshot:
        return {"commit": snapshot, "core_dirty": False, "core": "snapshot"}
    dirty = bool(_git("status", "--porcelain", "--", "bot", "config"))
    return {"commit": _git("rev-parse", "--short", "HEAD"), "core_dirty": dirty, "core": "worktree"}


def use_core(ref: str, out: Path, paths: Sequence[str]) -> None:
    """Re-run this command against bot/ and config/ as committed at `ref`, not the working tree.

    The core is edited while benchmarks run; a half-saved file then skews or breaks a long run.
    The snapshot is `git archive REF bot config` under out/; the harness re-executes itself with
    the snapshot first on the import path and as its working directory (the directory `-m` puts
    first on sys.path), so the editable install's working-tree `bot` is shadowed everywhere.
    """
    sha = _git("rev-parse", "--short", ref)
    if not sha:
        raise SystemExit(f"--core {ref}: not a commit")
    if os.environ.get(CORE_ENV) == sha:
        return
    snap = (out / f"core-{sha}").resolve()
    if not (snap / "bot").is_dir():
        snap.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", sha, "bot", "config"], cwd=REPO, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(snap)], input=archive.stdout, check=True)
    env = dict(os.environ)
    env[CORE_ENV] = sha
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(snap), str(REPO), env.get("PYTHONPATH", "")]))
    log(f"measuring the core at {sha} (snapshot {snap})")
    os.chdir(snap)
    os.execve(sys.executable, [sys.executable, "-m", "bench.perf.run", *sys.argv[1:], *paths], env)


# ---------------------------------------------------------------------------------------------
# Child processes


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # After any snapshot already on the path (see use_core), so the snapshot's `bot` wins.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [env.get("PYTHONPATH", ""), str(REPO)]))
    # A .env in the working directory must not change the measured configuration.
    env.pop("SAIDBOT_DB", None)
    env.pop("SAIDBOT_NOTES", None)
    return env


def run_probe(*args: str, timeout: float = 3600) -> tuple[dict[str, Any], float]:
    """Run one probe mode in a fresh interpreter; (its JSON, wall seconds from spawn to exit)."""
    code = "from bench.perf.probe import main; main()"
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=tempfile.gettempdir(), env=_child_env(),
        capture_output=True, text=True, timeout=timeout, check=False,
    )
    wall = time.perf_counter() - started
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"probe {args[0]} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1]), wall


# ---------------------------------------------------------------------------------------------
# The in-process part: latency and throughput


async def open_service(db: Path) -> Any:
    from bot.service import SaidService
    from bot.settings import Settings

    service = await SaidService.open(Settings(db=db, notes=None))
    ensure = getattr(service, "ensure_index", None)
    if ensure is not None:
        await ensure()  # only marks the service ready: it manages no notes folder here
    return service


async def export_rows(service: Any) -> list[Row]:
    return [Row(int(seg.id), seg.text, seg.speaker) async for seg in service.export_segments()]


def sanity(cls: QueryClass, answer: Any, star: str) -> dict[str, Any]:
    """Does saidbot answer this class as the planted data says it should?"""
    cites = list(answer.citations)
    term = cls.terms[0].text
    return {
        "status": str(getattr(answer.status, "value", answer.status)),
        "topic": answer.topic,
        "speaker": answer.speaker,
        "citations": len(cites),
        "with_term": sum(1 for c in cites if term.lower() in c.text.lower()),
        "by_speaker": sum(1 for c in cites if c.speaker == star),
        "expected": min(3, cls.terms[0].df_star if cls.speaker else cls.terms[0].df),
    }


async def measure_latency(
    service: Any, fts: Fts5Baseline, tan: TantivyBaseline, classes: Sequence[QueryClass], budget: Budget
) -> tuple[dict[str, dict[str, dict[str, float]]], dict[str, Any]]:
    results: dict[str, dict[str, dict[str, float]]] = {}
    checks: dict[str, Any] = {}
    for cls in classes:
        terms = [t.text for t in cls.terms]
        questions = [cls.question(t) for t in terms]
        matches = [fts.match(t, cls.speaker) for t in terms]
        tqueries = [tan.query(t, cls.speaker) for t in terms]
        checks[cls.key] = sanity(cls, await service.ask(questions[0], speaker=cls.speaker, limit=3), cls.speaker or "")
        checks[cls.key]["fts5"] = len(fts.search(matches[0]))
        checks[cls.key]["tantivy"] = len(tan.search(tqueries[0]))

        async def saidbot(i: int, questions: list[str] = questions, speaker: str | None = cls.speaker) -> None:
            await service.ask(questions[i % len(questions)], speaker=speaker, limit=3)

        async def fts5(i: int, matches: list[str] = matches) -> None:
            fts.search(matches[i % len(matches)])

        async def tantivy(i: int, queries: list[Any] = tqueries) -> None:
            tan.search(queries[i % len(queries)])

        engines: dict[str, Callable[[int], Any]] = {"saidbot": saidbot, "fts5": fts5, "tantivy": tantivy}
        for run in engines.values():
            for i in range(budget.warmup):
                await run(i)
        samples: dict[str, list[float]] = {name: [] for name in engines}
        spent = dict.fromkeys(engines, 0.0)
        for i in range(budget.runs):
            active = [
                name for name in engines
                if len(samples[name]) < budget.min_runs or spent[name] < budget.class_seconds
            ]
            if not active:
                break
            # Interleaved: one query per engine per round, so a noisy moment hits all of them.
            for name in active:
                t0 = time.perf_counter()
                await engines[name](i + budget.warmup)
                elapsed = time.perf_counter() - t0
                samples[name].append(elapsed)
                spent[name] += elapsed
        results[cls.key] = {name: summarize(samples[name]) for name in engines}
        stats = results[cls.key]
        log(
            f"  {cls.key:<18} " + "  ".join(
                f"{name} p50 {stats[name]['p50_ms']:8.2f} p99 {stats[name]['p99_ms']:8.2f} ms (n={stats[name]['n']})"
                for name in engines
            )
        )
    return results, checks


def mixed_workload(classes: Sequence[QueryClass], total: int) -> list[tuple[QueryClass, str]]:
    """Every class in turn, cycling through its terms: the 'every kind of query' mix."""
    out: list[tuple[QueryClass, str]] = []
    i = 0
    while len(out) < total:
        for cls in classes:
            out.append((cls, cls.terms[i % len(cls.terms)].text))
        i += 1
    return out[:total]


async def measure_throughput(
    service: Any, fts: Fts5Baseline, tan: TantivyBaseline, classes: Sequence[QueryClass], budget: Budget
) -> dict[str, dict[str, dict[str, float]]]:
    work = mixed_workload(classes, budget.throughput_questions)
    out: dict[str, dict[str, dict[str, float]]] = {"saidbot": {}, "fts5": {}, "tantivy": {}}
    for level in budget.concurrency:
        latencies: list[float] = []
        # One shared iterator: each worker takes the next question when its previous one is answered,
        # so exactly `level` questions are in flight until the work (or the time budget) runs out.
        queue = iter(work)
        deadline = time.perf_counter() + budget.throughput_seconds

        async def worker(queue: Iterator[tuple[QueryClass, str]], latencies: list[float], deadline: float) -> None:
            for cls, term in queue:
                t0 = time.perf_counter()
                await service.ask(cls.question(term), speaker=cls.speaker, limit=3)
                latencies.append(time.perf_counter() - t0)
                if time.perf_counter() > deadline:
                    return

        started = time.perf_counter()
        await asyncio.gather(*(worker(queue, latencies, deadline) for _ in range(level)))
        wall = time.perf_counter() - started
        out["saidbot"][str(level)] = {"qps": len(latencies) / wall, "questions": len(latencies), "wall_s": wall,
                                      **summarize(latencies)}
        log(f"  saidbot x{level:<3} {len(latencies) / wall:9.1f} questions/s ({len(latencies)} in {wall:.1f}s)")
    # The baselines answer the same mix one at a time (their single-thread rate, for the ratio).
    for name, run in (
        ("fts5", lambda cls, term: fts.search(fts.match(term, cls.speaker))),
        ("tantivy", lambda cls, term: tan.search(tan.query(term, cls.speaker))),
    ):
        latencies = []
        deadline = time.perf_counter() + budget.throughput_seconds
        started = time.perf_counter()
        for cls, term in work:
            if time.perf_counter() > deadline:
                break
            t0 = time.perf_counter()
            run(cls, term)
            latencies.append(time.perf_counter() - t0)
        wall = time.perf_counter() - started
        out[name]["1"] = {"qps": len(latencies) / wall, "questions": len(latencies), "wall_s": wall,
                          **summarize(latencies)}
        log(f"  {name} x1   {len(latencies) / wall:9.1f} questions/s")
    return out


# ---------------------------------------------------------------------------------------------
# Where the time goes: cProfile on the event loop and on every thread the core starts

_WAITS: Final = ("acquire", "get' of '_queue", "select", "poll", "wait", "_run_once", "sleep")
_SQL_LISTS: Final = re.compile(r"\?(?:\s*,\s*\?)+")


@dataclass
class SqlTimes:
    """Time each SQLite call spends on its worker thread, by statement shape."""

    active: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    _cursors: dict[int, str] = field(default_factory=dict)

    @staticmethod
    def shape(sql: str) -> str:
        # `IN (?,?,…)` lists vary with the data; one shape per statement however long its list.
        return _SQL_LISTS.sub("?…", " ".join(sql.split()))

    def add(self, shape: str, seconds: float, *, new_call: bool) -> None:
        if self.active:
            self.seconds[shape] = self.seconds.get(shape, 0.0) + seconds
            if new_call:
                self.calls[shape] = self.calls.get(shape, 0) + 1


@contextlib.contextmanager
def time_sql() -> Iterator[SqlTimes]:
    """Wrap aiosqlite's hand-off so each statement's execute and fetches are timed on its thread.

    Specific to aiosqlite (what the core uses today); with anything else the table stays empty.
    """
    times = SqlTimes()
    try:
        import aiosqlite.core as core
    except ImportError:
        yield times
        return
    original = core.Connection._execute

    async def _execute(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        def timed() -> Any:
            started = time.perf_counter()
            result = fn(*args, **kwargs)
            elapsed = time.perf_counter() - started
            name = getattr(fn, "__name__", "")
            if name in ("execute", "executemany") and args and isinstance(args[0], str):
                shape = SqlTimes.shape(args[0])
                # Connection.execute returns the cursor; Cursor.execute is bound to it.
                cursor = result if isinstance(result, sqlite3.Cursor) else getattr(fn, "__self__", None)
                times._cursors[id(cursor)] = shape
                times.add(shape, elapsed, new_call=True)
            elif name.startswith("fetch"):
                times.add(times._cursors.get(id(getattr(fn, "__self__", None)), "(fetch)"), elapsed, new_call=False)
            return result

        return await original(self, timed)

    core.Connection._execute = _execute  # type: ignore[method-assign]
    try:
        yield times
    finally:
        core.Connection._execute = original  # type: ignore[method-assign]


@contextlib.contextmanager
def profile_threads() -> Iterator[list[cProfile.Profile]]:
    """Profile each thread started inside the block (aiosqlite runs one per connection).

    Every profiler here counts CPU time of its own thread (time.thread_time), not wall time: a
    thread blocked on a queue, on epoll or on the GIL then costs nothing, so the numbers say
    what each thread actually computed.
    """
    profiles: list[cProfile.Profile] = []
    original = threading.Thread.run

    def run(self: threading.Thread) -> None:
        prof = cProfile.Profile()
        profiles.append(prof)
        prof.enable()  # cProfile hooks only the calling thread
        try:
            original(self)
        finally:
            prof.disable()

    threading.Thread.run = run  # type: ignore[method-assign]
    try:
        yield profiles
    finally:
        threading.Thread.run = original  # type: ignore[method-assign]


def _rows(stats: pstats.Stats) -> list[dict[str, Any]]:
    rows = []
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in raw.items():
        label = f"{Path(filename).name}:{line}({name})" if filename != "~" else name
        rows.append({"function": label, "calls": calls, "tottime_s": tottime, "cumtime_s": cumtime})
    rows.sort(key=lambda r: r["tottime_s"], reverse=True)
    return rows


def _busy(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows that are work, not a thread waiting for work (queue get, epoll, lock waits)."""
    return [r for r in rows if not any(w in r["function"] for w in _WAITS)]


def _text(stats: pstats.Stats, limit: int) -> str:
    buffer = io.StringIO()
    stats.stream = buffer  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(limit)
    return buffer.getvalue()


async def profile_classes(db: Path, classes: Sequence[QueryClass], asks: int) -> tuple[dict[str, Any], str]:
    """Where an ask's time goes, per class, in two passes over the same questions.

    Pass 1 runs unprofiled: wall time, CPU of the event-loop thread (parsing, re-ranking,
    citations) and CPU of every other thread (SQLite on aiosqlite's connection threads), from
    thread_time/process_time deltas, plus each SQL statement's time on its thread. Pass 2 runs
    under cProfile to name the Python functions; cProfile slows Python down, so its numbers are
    for ranking functions, not for ms.
    """
    breakdown: dict[str, Any] = {}
    text_out = io.StringIO()
    for cls in classes:
        questions = [cls.question(t.text) for t in cls.terms]
        with time_sql() as sql_times:
            service = await open_service(db)
            await service.ask(questions[0], speaker=cls.speaker, limit=3)
            wall0, main0, proc0 = time.perf_counter(), time.thread_time(), time.process_time()
            sql_times.active = True
            for i in range(asks):
                await service.ask(questions[i % len(questions)], speaker=cls.speaker, limit=3)
            sql_times.active = False
            wall = time.perf_counter() - wall0
            main_cpu = time.thread_time() - main0
            other_cpu = time.process_time() - proc0 - main_cpu
            await service.close()
        with profile_threads() as thread_profiles:
            service = await open_service(db)
            main_prof = cProfile.Profile()
            await service.ask(questions[0], speaker=cls.speaker, limit=3)
            main_prof.enable()
            for i in range(asks):
                await service.ask(questions[i % len(questions)], speaker=cls.speaker, limit=3)
            main_prof.disable()
            await service.close()
        main_stats = pstats.Stats(main_prof)
        main_rows = _busy(_rows(main_stats))
        thread_text = ""
        if thread_profiles:
            thread_stats = pstats.Stats(thread_profiles[0])
            for prof in thread_profiles[1:]:
                thread_stats.add(prof)
            thread_text = _text(thread_stats, 15)
        per_ask = 1000 / asks
        breakdown[cls.key] = {
            "asks": asks,
            "wall_per_ask_ms": wall * per_ask,
            "loop_cpu_per_ask_ms": main_cpu * per_ask,
            "threads_cpu_per_ask_ms": other_cpu * per_ask,
            "top_loop": main_rows[:10],
            "sql": sorted(
                (
                    {"statement": shape, "calls_per_ask": sql_times.calls.get(shape, 0) / asks,
                     "ms_per_ask": seconds * per_ask}
                    for shape, seconds in sql_times.seconds.items()
                ),
                key=lambda r: -r["ms_per_ask"],
            ),
        }
        text_out.write(
            f"===== {cls.key}: {asks} asks, {wall * per_ask:.2f} ms/ask unprofiled "
            f"(event loop CPU {main_cpu * per_ask:.2f}, other threads CPU {other_cpu * per_ask:.2f})\n"
        )
        text_out.write("--- event loop thread under cProfile (tottime)\n" + _text(main_stats, 30))
        text_out.write("--- worker threads under cProfile, summed (tottime; incl. idle waits)\n" + thread_text + "\n")
    return breakdown, text_out.getvalue()


def remove_db(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


async def profile_ingest(db: Path, folder: Path) -> tuple[dict[str, Any], str]:
    """Ingest `folder` into a fresh `db` under cProfile (event loop and threads) and SQL timing.

    cProfile's clock is wall time, so a thread waiting for the GIL books that wait to the
    function it is in: thread totals can exceed the wall time; compare functions, not sums.
    The unprofiled ingest's CPU split comes from the ingest probe (main thread vs process CPU).
    """
    remove_db(db)
    with profile_threads() as thread_profiles, time_sql() as sql_times:
        service = await open_service(db)
        main_prof = cProfile.Profile()
        started = time.perf_counter()
        main_prof.enable()
        sql_times.active = True
        report = await service.ingest([folder], progress=None)
        sql_times.active = False
        main_prof.disable()
        wall = time.perf_counter() - started
        await service.close()
    segments = max(1, int(report.segments))
    main_stats = pstats.Stats(main_prof)
    main_rows = _busy(_rows(main_stats))
    thread_stats = pstats.Stats(thread_profiles[0]) if thread_profiles else None
    for prof in thread_profiles[1:]:
        assert thread_stats is not None
        thread_stats.add(prof)
    thread_rows = _busy(_rows(thread_stats)) if thread_stats is not None else []
    per_k = 1000 / segments * 1000  # ms per 1000 segments
    breakdown = {
        "segments": segments,
        "wall_s": wall,
        "segments_per_s": segments / wall,
        "threads_busy_s": sum(r["tottime_s"] for r in thread_rows),
        "python_loop_s": sum(r["tottime_s"] for r in main_rows),
        "top_loop": main_rows[:8],
        "top_threads": thread_rows[:10],
        "sql": sorted(
            ({"statement": shape, "calls": sql_times.calls.get(shape, 0), "seconds": seconds,
              "ms_per_1k_segments": seconds * per_k} for shape, seconds in sql_times.seconds.items()),
            key=lambda r: -r["seconds"],
        )[:8],
    }
    text = f"===== ingest {segments:,} segments: {wall:.1f}s (profiled)\n--- event loop thread (tottime)\n"
    text += _text(main_stats, 30)
    if thread_stats is not None:
        text += "--- worker threads, summed (tottime; includes idle waits)\n" + _text(thread_stats, 40)
    remove_db(db)
    return breakdown, text


# ---------------------------------------------------------------------------------------------
# One size


@dataclass
class SizeRun:
    label: str
    segments: int
    seed: int
    data_dir: Path
    out_dir: Path
    budget: Budget
    profile: bool = False
    results: dict[str, Any] = field(default_factory=dict)


def _store_bytes(db: Path) -> dict[str, int]:
    sizes = {suffix or "db": Path(f"{db}{suffix}").stat().st_size if Path(f"{db}{suffix}").exists() else 0
             for suffix in ("", "-wal", "-shm")}
    return {"db_bytes": sizes["db"], "wal_bytes": sizes["-wal"], "index_bytes": sizes["db"] + sizes["-wal"]}


def _build_stats(stats: BuildStats) -> dict[str, Any]:
    return {"seconds": stats.seconds, "segments": stats.segments, "segments_per_s": stats.segments_per_s,
            "index_bytes": stats.index_bytes}


async def _in_process(
    db: Path, classes: Sequence[QueryClass], budget: Budget,
    build: Callable[[list[Row]], tuple[Fts5Baseline, TantivyBaseline, dict[str, Any]]],
) -> dict[str, Any]:
    """Export, build the baselines, then latency and throughput, all on one open service."""
    service = await open_service(db)
    try:
        t = time.perf_counter()
        rows = await export_rows(service)
        core_path = str(Path(sys.modules["bot"].__file__ or "").parent)
        export_s = time.perf_counter() - t
        log(f"  baselines from {len(rows):,} exported segments")
        fts, tan, built = build(rows)
        del rows
        gc.collect()
        t = time.perf_counter()
        log(f"  latency ({len(classes)} classes)")
        latency, checks = await measure_latency(service, fts, tan, classes, budget)
        latency_s = time.perf_counter() - t
        t = time.perf_counter()
        log("  throughput")
        throughput = await measure_throughput(service, fts, tan, classes, budget)
        fts.close()
        tan.close()
        return {"export_seconds": export_s, "built": built, "core_path": core_path, "latency": latency,
                "sanity": checks, "throughput": throughput, "latency_seconds": latency_s,
                "throughput_seconds": time.perf_counter() - t}
    finally:
        await service.close()


def bench_size(run: SizeRun) -> dict[str, Any]:
    phase: dict[str, float] = {}
    total_start = time.perf_counter()
    res: dict[str, Any] = {"label": run.label, "segments": run.segments, "seed": run.seed,
                           "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                           "machine": machine(), **git_commit(), "quick": run.budget.runs < 50, "notes": []}
    t = time.perf_counter()
    log(f"[{run.label}] corpus: {run.segments:,} segments, seed {run.seed} -> {run.data_dir}")
    manifest = ensure_corpus(run.segments, run.seed, run.data_dir, log=True)
    phase["corpus"] = time.perf_counter() - t
    res["corpus"] = {
        "episodes": manifest.episodes, "bytes": manifest.bytes, "segments_by_lang": manifest.segments_by_lang,
        "star_segments_by_lang": manifest.star_segments_by_lang,
        "generate_seconds": manifest.generate_seconds, "star_episodes": manifest.star_episodes,
    }

    run.out_dir.mkdir(parents=True, exist_ok=True)
    db = run.out_dir / "saidbot.db"
    remove_db(db)

    # Ingest in a fresh process: its peak RSS is the ingest's own.
    t = time.perf_counter()
    log(f"[{run.label}] saidbot ingest")
    ingest, wall = run_probe("ingest", str(db), manifest.transcripts_dir)
    phase["ingest"] = time.perf_counter() - t
    ingest["segments_per_s"] = ingest["segments"] / ingest["seconds"] if ingest["seconds"] else 0.0
    ingest["process_wall_s"] = wall
    ingest.update(_store_bytes(db))
    if ingest["segments"] != manifest.segments:
        res["notes"].append(f"saidbot stored {ingest['segments']:,} segments from {manifest.segments:,} paragraphs")
    if ingest["failed"]:
        res["notes"].append(f"saidbot failed on {ingest['failed']} files: {ingest['problems'][:2]}")
    log(f"[{run.label}]   {ingest['segments']:,} segments in {ingest['seconds']:.1f}s = "
        f"{ingest['segments_per_s']:,.0f}/s, {ingest['index_bytes'] / 1e6:.1f} MB")

    def build(rows: list[Row]) -> tuple[Fts5Baseline, TantivyBaseline, dict[str, Any]]:
        fts, fts_stats = Fts5Baseline.build(run.out_dir / "fts5.db", rows)
        tan, tan_stats = TantivyBaseline.build(run.out_dir / "tantivy", rows)
        return fts, tan, {"fts5": _build_stats(fts_stats), "tantivy": _build_stats(tan_stats)}

    classes = query_classes(manifest)
    log(f"[{run.label}] in-process measurements")
    measured = asyncio.run(_in_process(db, classes, run.budget, build))
    res["ingest"] = {"saidbot": ingest, **measured["built"]}
    res["core_path"] = measured["core_path"]
    res["export_seconds"] = phase["export"] = measured["export_seconds"]
    phase["baselines"] = sum(measured["built"][b]["seconds"] for b in ("fts5", "tantivy"))
    phase["latency"] = measured["latency_seconds"]
    phase["throughput"] = measured["throughput_seconds"]
    res["latency"], res["sanity"], res["throughput"] = measured["latency"], measured["sanity"], measured["throughput"]

    # The slow in-process part is done: keep it even if a probe below fails.
    results_path(run.out_dir.parent, run.label).write_text(json.dumps(res, indent=1, ensure_ascii=False))

    t = time.perf_counter()
    log(f"[{run.label}] cold start x{run.budget.cold_runs}")
    cold_class = next(c for c in classes if c.lang == "en" and c.klass == "mid" and c.speaker)
    colds = []
    try:
        for _ in range(run.budget.cold_runs):
            spawned = time.time()
            data, wall = run_probe(
                "cold", str(db), cold_class.question(cold_class.terms[0].text), cold_class.speaker or "", timeout=300
            )
            data["first_answer_s"] = data["answered_at"] - spawned
            data["process_wall_s"] = wall
            colds.append(data)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        res["notes"].append(f"cold start probe failed: {str(exc).splitlines()[-1][:300]}")
    res["cold_start"] = {
        "runs": colds,
        "question": cold_class.question(cold_class.terms[0].text),
        **{f"{k}_median": float(np.median([c[k] for c in colds])) if colds else None
           for k in ("first_answer_s", "import_s", "open_s", "ask_s", "process_wall_s")},
    }
    phase["cold_start"] = time.perf_counter() - t

    t = time.perf_counter()
    log(f"[{run.label}] peak RSS")
    batch = [(c, term.text) for c in classes for term in c.terms[:5]]
    rss: dict[str, Any] = {}
    probes: list[tuple[str, str, str, list[list[str]]]] = [
        ("saidbot", "rss-saidbot", str(db), [[c.question(term), c.speaker or ""] for c, term in batch]),
    ]
    if run.budget.rss_baselines:
        probes += [
            ("fts5", "rss-fts5", str(run.out_dir / "fts5.db"),
             [[Fts5Baseline.match(term, c.speaker), ""] for c, term in batch]),
            ("tantivy", "rss-tantivy", str(run.out_dir / "tantivy"),
             [[term.lower(), c.speaker or ""] for c, term in batch]),
        ]
    with tempfile.TemporaryDirectory() as tmp:
        qfile = Path(tmp) / "q.json"
        for name, mode, target, questions in probes:
            qfile.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
            try:
                rss[name], _ = run_probe(mode, target, str(qfile), timeout=1800)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                res["notes"].append(f"{mode} probe failed: {str(exc).splitlines()[-1][:300]}")
    rss["questions"] = len(batch) + 100
    res["rss"] = rss
    phase["rss"] = time.perf_counter() - t

    if run.profile and run.budget.profile_asks:
        t = time.perf_counter()
        log(f"[{run.label}] profiling")
        slowest = sorted(classes, key=lambda c: res["latency"][c.key]["saidbot"].get("p50_ms", 0), reverse=True)
        picked = list(dict.fromkeys([*slowest[:2], *(c for c in classes if c.key in ("en/rare/any", "en/common/any"))]))
        res["profile"], text = asyncio.run(profile_classes(db, picked, run.budget.profile_asks))
        log(f"[{run.label}] profiling the ingest")
        res["profile_ingest"], ingest_text = asyncio.run(
            profile_ingest(run.out_dir / "profile-ingest.db", Path(manifest.transcripts_dir))
        )
        (run.out_dir.parent / f"profile-{run.label}.txt").write_text(text + "\n" + ingest_text, encoding="utf-8")
        phase["profile"] = time.perf_counter() - t

    phase["total"] = time.perf_counter() - total_start
    res["phase_seconds"] = phase
    return res


# ---------------------------------------------------------------------------------------------
# CLI


def _label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    if size >= 1_000 and size % 1_000 == 0:
        return f"{size // 1_000}k"
    return str(size)


def results_path(out: Path, label: str) -> Path:
    return out / f"results-{label}.json"


def run_sizes(
    sizes: Sequence[int], *, seed: int, quick: bool, data: Path, out: Path, docs: Path | None,
    profile: bool = False,
) -> list[dict[str, Any]]:
    budget = Budget.quick() if quick else Budget()
    all_results = []
    for size in sizes:
        label = _label(size)
        run = SizeRun(label, size, seed, data / f"{label}-s{seed}", out / label, budget, profile=profile)
        result = bench_size(run)
        results_path(out, label).write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
        log(f"[{label}] done in {result['phase_seconds']['total']:.0f}s -> {results_path(out, label)}")
        all_results.append(result)
    if docs is not None:
        report.write(all_results, docs)
    return all_results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.perf.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1m", help="comma-separated: 10k,100k,1m (default) or any count")
    parser.add_argument("--quick", action="store_true", help="a few runs per measurement (smoke test)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="where corpora are generated")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="raw results, databases, indexes")
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="where benchmarks.md and the plot go")
    parser.add_argument("--no-docs", action="store_true", help="do not render docs/")
    parser.add_argument("--profile", action="store_true", help="cProfile saidbot's slowest classes too")
    parser.add_argument("--report-only", action="store_true", help="render docs from saved results of --sizes")
    parser.add_argument("--core", default="worktree",
                        help="measure bot/ as committed at this git ref (e.g. HEAD) instead of the working tree")
    args = parser.parse_args(argv)
    # Paths given relative to the checkout must survive the re-exec into the snapshot directory.
    args.data, args.out, args.docs = args.data.resolve(), args.out.resolve(), args.docs.resolve()
    if args.core != "worktree" and not args.report_only:
        use_core(args.core, args.out, ["--data", str(args.data), "--out", str(args.out), "--docs", str(args.docs)])
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    docs = None if args.no_docs else args.docs
    if args.report_only:
        loaded = []
        for size in sizes:
            path = results_path(args.out, _label(size))
            if path.exists():
                loaded.append(json.loads(path.read_text(encoding="utf-8")))
            else:
                log(f"no results for {_label(size)} at {path}; skipped")
        if docs is not None and loaded:
            report.write(loaded, docs)
        return 0 if loaded else 1
    run_sizes(sizes, seed=args.seed, quick=args.quick, data=args.data, out=args.out, docs=docs, profile=args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
