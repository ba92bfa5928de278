"""What one instance's own copy of the note index costs: `python -m bench.scale_index [--segments 100k] [--runs 3]`.

docs/scaling.md argues that every instance builds its own read-only index rather than sharing one
over the network. This measures the price of that choice: the perf benchmark's synthetic corpus
(`bench.perf.corpus`, same generator and seed) ingested into a fresh store by a fresh process
(`bench.perf.probe`'s ingest mode, as the perf benchmark does), `--runs` times; build seconds and
index size (db + WAL), each run and the medians. Prints JSON; `--out DIR` also writes it there.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.perf.corpus import ensure_corpus, parse_size
from bench.perf.run import _store_bytes, remove_db, run_probe


def measure(segments: int, runs: int, work: Path, seed: int = 1) -> dict[str, Any]:
    manifest = ensure_corpus(segments, seed, work / f"corpus-{segments}")
    results: list[dict[str, Any]] = []
    for run in range(runs):
        db = work / f"index-{run}.db"
        remove_db(db)
        ingest, wall = run_probe("ingest", str(db), manifest.transcripts_dir)
        sizes = _store_bytes(db)
        results.append({"seconds": round(ingest["seconds"], 2), "process_wall_s": round(wall, 2),
                        "segments": ingest["segments"], "failed": ingest["failed"], **sizes})
        remove_db(db)
    per_100k = 100_000 / segments
    seconds = statistics.median(r["seconds"] for r in results)
    size = statistics.median(r["index_bytes"] for r in results)
    return {
        "segments": segments, "seed": seed, "runs": results,
        "median_seconds": seconds, "median_index_mb": round(size / 1e6, 1),
        "per_100k_segments": {"seconds": round(seconds * per_100k, 2), "index_mb": round(size * per_100k / 1e6, 1)},
        "machine": {"cpus": _cpus(), "python": platform.python_version(), "system": platform.platform()},
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--segments", type=parse_size, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None, help="where the corpus is kept (default: a temp dir)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if args.work is not None:
        args.work.mkdir(parents=True, exist_ok=True)
        result = measure(args.segments, args.runs, args.work)
    else:
        with tempfile.TemporaryDirectory(prefix="saidbot-index-") as tmp:
            result = measure(args.segments, args.runs, Path(tmp))
    text = json.dumps(result, indent=2)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "index.json").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
