"""What the benchmark runs in fresh child processes: ingest, cold start, and peak RSS.

A fresh process is the only honest way to measure cold start and peak memory: the harness
itself holds the exported corpus and both baseline indexes, which would swamp its own
`ru_maxrss`. Each mode prints one JSON object on its last stdout line.

This module imports only the standard library at the top, so a child's import cost and
memory are saidbot's (or the baseline's), not the harness's (numpy, matplotlib).

    python -c "from bench.perf.probe import main; main()" MODE ARGS...
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import time
import traceback
from pathlib import Path
from typing import Any


def _status_kb(field: str) -> int | None:
    """VmRSS / VmHWM from /proc (Linux); None elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _peak_rss_kb() -> int:
    """This process's peak RSS in kB.

    VmHWM first: `ru_maxrss` survives execve on Linux, so a child spawned (vfork + exec) by a big
    harness process reports the *harness's* RSS when that is higher than its own.
    """
    hwm = _status_kb("VmHWM")
    if hwm is not None:
        return hwm
    # ru_maxrss is kilobytes on Linux (bytes on macOS; the benchmark runs on Linux).
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _emit(data: dict[str, Any]) -> None:
    print(json.dumps(data, ensure_ascii=False), flush=True)


async def _open(db: str) -> Any:
    from bot.service import SaidService
    from bot.settings import Settings

    service = await SaidService.open(Settings(db=Path(db), notes=None))
    # With `db` set and no notes folder the service manages no folder; ensure_index only marks
    # it ready (ask() answers "warming up" until then). Older cores lack it: nothing to do.
    ensure = getattr(service, "ensure_index", None)
    if ensure is not None:
        await ensure()
    return service


async def _ingest(db: str, folder: str) -> None:
    service = await _open(db)
    started, main0, proc0 = time.perf_counter(), time.thread_time(), time.process_time()
    report = await service.ingest([Path(folder)], progress=None)
    seconds = time.perf_counter() - started
    # The event-loop thread vs everything else (parse/tokenize workers, SQLite threads).
    main_cpu, proc_cpu = time.thread_time() - main0, time.process_time() - proc0
    await service.close()
    _emit(
        {
            "seconds": seconds,
            "report_seconds": float(getattr(report, "seconds", 0.0)),
            "segments": int(report.segments),
            "loop_cpu_s": main_cpu,
            "threads_cpu_s": proc_cpu - main_cpu,
            "added": int(report.added),
            "failed": int(report.failed),
            "problems": [str(p) for p in list(report.problems)[:5]],
            "problem_count": len(report.problems),
            "peak_rss_kb": _peak_rss_kb(),
        }
    )


async def _cold(db: str, question: str, speaker: str) -> None:
    # Everything below counts: imports, opening the store and its caches, the first answer.
    t0 = time.perf_counter()
    from bot.service import SaidService  # noqa: F401  (timed import)

    t_import = time.perf_counter()
    service = await _open(db)
    t_open = time.perf_counter()
    answer = await service.ask(question, speaker=speaker or None, limit=3)
    t_answer = time.perf_counter()
    answered_at = time.time()
    await service.close()
    _emit(
        {
            "import_s": t_import - t0,
            "open_s": t_open - t_import,
            "ask_s": t_answer - t_open,
            "answered_at": answered_at,
            "status": str(getattr(answer.status, "value", answer.status)),
            "citations": len(answer.citations),
            "core_path": str(Path(sys.modules["bot"].__file__ or "").parent),
            "peak_rss_kb": _peak_rss_kb(),
        }
    )


def _questions(path: str) -> list[list[str]]:
    loaded: list[list[str]] = json.loads(Path(path).read_text(encoding="utf-8"))
    return loaded


async def _rss_saidbot(db: str, questions: list[list[str]]) -> None:
    service = await _open(db)
    after_open = _status_kb("VmRSS")
    for question, speaker in questions:
        await service.ask(question, speaker=speaker or None, limit=3)
    # And the concurrent case: 100 questions in flight at once.
    batch = (questions * (100 // max(1, len(questions)) + 1))[:100]
    await asyncio.gather(*(service.ask(q, speaker=s or None, limit=3) for q, s in batch))
    await service.close()
    _emit({"rss_after_open_kb": after_open, "peak_rss_kb": _peak_rss_kb()})


def _rss_fts5(db: str, questions: list[list[str]]) -> None:
    import sqlite3

    conn = sqlite3.connect(db)
    after_open = _status_kb("VmRSS")
    for match, _ in questions:
        conn.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY rank LIMIT 3", (match,)).fetchall()
    conn.close()
    _emit({"rss_after_open_kb": after_open, "peak_rss_kb": _peak_rss_kb()})


def _rss_tantivy(index_dir: str, questions: list[list[str]]) -> None:
    import tantivy

    index = tantivy.Index.open(index_dir)
    searcher = index.searcher()
    after_open = _status_kb("VmRSS")
    for term, speaker in questions:
        query = tantivy.Query.term_query(index.schema, "text", term)
        if speaker:
            only = tantivy.Query.term_query(index.schema, "speaker", speaker)
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), (tantivy.Occur.Must, tantivy.Query.const_score_query(only, 0.0))]
            )
        searcher.search(query, 3, count=False)
    _emit({"rss_after_open_kb": after_open, "peak_rss_kb": _peak_rss_kb()})


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    try:
        _run(args[0], args[1:])
    except BaseException:
        # If opening or ingesting raises, the store's connection threads (not daemons) would keep
        # this process alive forever; report and leave at once so the harness sees the failure.
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)


def _run(mode: str, rest: list[str]) -> None:
    if mode == "ingest":
        asyncio.run(_ingest(*rest))
    elif mode == "cold":
        asyncio.run(_cold(*rest))
    elif mode == "rss-saidbot":
        asyncio.run(_rss_saidbot(rest[0], _questions(rest[1])))
    elif mode == "rss-fts5":
        _rss_fts5(rest[0], _questions(rest[1]))
    elif mode == "rss-tantivy":
        _rss_tantivy(rest[0], _questions(rest[1]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main()
