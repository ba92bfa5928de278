"""`python -m bench.eval.chatter PATH... [--affixes FILE] [--sets NAME...] [--per-side N] [--json]`.

How much chatter around a question costs: each clean question of the sets is asked as written and again
with chatter typed before it and after it (N pieces per side, drawn with a fixed seed from an affix file:
`chatter_dev.json` was tuned on, `chatter_holdout.json` only measured). Reported per language and side:
how often the answer is right (the first citation for an answerable question, no citation for one that
should find nothing) with the chatter and without it, and how often the parse (speaker and topic) changed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from bench.eval.harness import _citation_to_retrieved
from bench.eval.metrics import Question, QuestionFileError, is_hit, load_questions

EVAL_DIR: Final = Path(__file__).resolve().parent
DEFAULT_AFFIXES: Final = EVAL_DIR / "chatter_holdout.json"
# The development sets: chatter is measured on questions the ranking was tuned on, so that what changes
# is the chatter alone.
DEFAULT_SETS: Final = ("questions", "dev", "dev2", "dev4", "dev6", "dev3_ja", "dev5_chat")
SIDES: Final = ("before", "after")
SEED: Final = 7
PER_SIDE: Final = 5


@dataclass(frozen=True)
class SideScore:
    language: str
    side: str
    asks: int
    right_clean: float
    right_chatter: float
    parse_changed: float

    @property
    def drop(self) -> float:
        return self.right_clean - self.right_chatter


def load_affixes(path: Path) -> dict[str, list[str]]:
    """The affix file: `{lang}_{side}` lists of strings (other keys, such as `about`, are ignored)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a JSON object")
    out: dict[str, list[str]] = {}
    for lang in ("en", "ja"):
        for side in SIDES:
            items = data.get(f"{lang}_{side}", [])
            if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
                raise ValueError(f"{path}: {lang}_{side} must be a list of non-empty strings")
            out[f"{lang}_{side}"] = items
    return out


def with_chatter(question: str, affix: str, *, lang: str, side: str) -> str:
    """The question typed with `affix` before or after it, as people join them in each language."""
    if side == "before":
        if lang == "ja":
            return f"{affix}{question}"
        return f"{affix} {question[:1].lower()}{question[1:]}"
    bare = question.rstrip("?？")
    return f"{bare}{affix}" if lang == "ja" else f"{bare} {affix}"


async def measure(
    paths: Sequence[Path], questions: Sequence[Question], affixes: dict[str, list[str]], *, per_side: int = PER_SIDE,
    seed: int = SEED, db: Path | None = None,
) -> list[SideScore]:
    from bot.query import parse_question
    from bot.service import SaidService
    from bot.settings import Settings

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="saidbot-chatter-") as tmp:
        service = await SaidService.open(Settings(db=db or Path(tmp) / "eval.db", notes=None))
        try:
            await service.ensure_index()
            await service.ingest(list(paths))
            knowledge = service.knowledge

            async def right(text: str, question: Question) -> bool:
                answer = await service.ask(text, lang=None, limit=1)
                found = [_citation_to_retrieved(c) for c in answer.citations[:1]]
                if question.none:
                    return not found
                return bool(found) and any(is_hit(e, found[0]) for e in question.expects)

            def reading(text: str) -> tuple[object, ...]:
                parsed = parse_question(text, knowledge.speakers, shows=knowledge.shows)
                topic = " ".join(parsed.topic.lower().strip(" ?？!！.。、,").split())
                return parsed.speaker, parsed.unknown_speaker, parsed.show, topic

            scores: list[SideScore] = []
            for lang in ("en", "ja"):
                asked = [q for q in questions if q.lang == lang and not q.speaker]
                clean = [await right(q.question, q) for q in asked]
                readings = [reading(q.question) for q in asked]
                for side in SIDES:
                    pool = affixes[f"{lang}_{side}"]
                    if not asked or not pool:
                        continue
                    asks = ok = ok_clean = changed = 0
                    for question, was_right, was_read in zip(asked, clean, readings, strict=True):
                        for affix in rng.sample(pool, min(per_side, len(pool))):
                            text = with_chatter(question.question, affix, lang=lang, side=side)
                            asks += 1
                            ok += await right(text, question)
                            ok_clean += was_right
                            changed += reading(text) != was_read
                    scores.append(SideScore(lang, side, asks, ok_clean / asks, ok / asks, changed / asks))
        finally:
            await service.close()
    return scores


def render(scores: Sequence[SideScore], affixes: Path) -> str:
    lines = [f"chatter from {affixes.name}", "",
             "| lang | chatter | asks | right, clean | right, with chatter | drop | parse changed |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for s in scores:
        lines.append(f"| {s.language} | {s.side} | {s.asks} | {s.right_clean:.3f} | {s.right_chatter:.3f} | "
                     f"{s.drop:+.3f} | {s.parse_changed:.3f} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval.chatter", description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="notes/transcript files or folders to ingest")
    parser.add_argument("--affixes", type=Path, default=DEFAULT_AFFIXES,
                        help="chatter file (default: chatter_holdout.json beside this module)")
    parser.add_argument("--sets", nargs="+", default=list(DEFAULT_SETS), help="question sets (names in bench/eval)")
    parser.add_argument("--per-side", type=int, default=PER_SIDE, help="chatter pieces per question per side")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = parser.parse_args(argv)
    try:
        affixes = load_affixes(args.affixes)
        questions = [q for name in args.sets for q in load_questions(EVAL_DIR / f"{name}.yaml")]
    except (OSError, ValueError, QuestionFileError) as error:
        print(f"cannot read the inputs: {error}", file=sys.stderr)
        return 2
    scores = asyncio.run(measure(args.paths, questions, affixes, per_side=max(1, args.per_side), seed=args.seed))
    if args.json:
        payload: dict[str, Any] = {"affixes": str(args.affixes), "sets": args.sets,
                                   "scores": [asdict(s) | {"drop": s.drop} for s in scores]}
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(render(scores, args.affixes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
