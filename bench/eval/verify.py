"""`python -m bench.eval.verify CORPUS... [--json] [--markdown OUT] [--core REF] [--per-language N]`.

Quote verification measured on cases made at run time from the passages the corpus stores (no corpus
text is kept in the project): for each sampled passage with a verified speaker, an exact slice and
variants a user would paste (punctuation, case and fillers changed; one word misspelt; clauses swapped
with synonyms and "X said that" in front), and fabrications (a number changed, a negation inserted, the
words asked as another speaker of the episode, words of two passages spliced, an invented sentence).
Each kind has the verdicts it may get; accuracy per kind and a confusion matrix are reported per
language. `--core REF` also runs the same cases against bot/ as committed at REF (before/after).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

REPO: Final = Path(__file__).resolve().parents[2]
SEED: Final = 7
PER_LANGUAGE: Final = 40
VERDICTS: Final = ("verbatim", "close", "other_speaker", "not_found")
# What each kind may be answered with. A misspelt word is verbatim for English (a transcription variant)
# and close for Japanese (a changed character is a changed word); a fabrication is never verbatim.
EXPECTED: Final[dict[str, tuple[str, ...]]] = {
    "exact": ("verbatim",),
    "punctuation_fillers": ("verbatim",),
    "misspelt": ("verbatim", "close"),
    "paraphrase": ("close",),
    "number_changed": ("not_found",),
    "negation": ("not_found",),
    "other_speaker": ("other_speaker",),
    "spliced": ("not_found",),
    "invented": ("not_found",),
}
KINDS: Final = tuple(EXPECTED)
# A small synonym table for paraphrases: common words people swap when they retell.
SYNONYMS: Final[dict[str, str]] = {
    "big": "large", "large": "big", "small": "little", "little": "small", "smart": "clever", "think": "believe",
    "believe": "think", "important": "crucial", "really": "truly", "very": "extremely", "fast": "quick",
    "quickly": "rapidly", "people": "folks", "company": "firm", "companies": "firms", "start": "begin",
    "hard": "difficult", "difficult": "hard", "good": "great", "great": "good", "huge": "enormous",
    "maybe": "perhaps", "perhaps": "maybe", "get": "obtain", "make": "create", "build": "construct",
    "problem": "issue", "problems": "issues", "world": "planet", "job": "work", "idea": "notion",
    "model": "system", "models": "systems", "lot": "ton", "want": "wish", "need": "require",
    "because": "since", "always": "invariably", "often": "frequently", "help": "assist", "see": "notice",
}
JA_SYNONYMS: Final[dict[str, str]] = {
    "大事": "重要", "重要": "大事", "思う": "考える", "考え": "思い", "人": "人間", "会社": "企業", "大きな": "巨大な",
    "小さな": "小規模な", "とても": "非常に", "早く": "速く", "良い": "優れた",
}
AUXILIARIES: Final = frozenset("is are was were will can do does did would could should has have".split())
FILLERS: Final = ("um,", "uh,", "you know,", "like,")
PLAUSIBLE_EN: Final = "I think the {0} of {1} will {2} the {3} long before anyone {4} the {5}"
PLAUSIBLE_JA: Final = "{0}の{1}は{2}よりも{3}が先に来ると思います"


@dataclass(frozen=True)
class Case:
    kind: str
    lang: str
    quote: str
    speaker: str | None
    expected: tuple[str, ...]
    segment: int


@dataclass(frozen=True)
class Outcome:
    case: Case
    verdict: str

    @property
    def right(self) -> bool:
        return self.verdict in self.case.expected


@dataclass(frozen=True)
class Source:
    id: int
    text: str
    lang: str
    speaker: str
    episode_id: int | None
    people: tuple[str, ...]


# ---------------------------------------------------------------------------------------------
# Cases


def _words(text: str) -> list[str]:
    return text.split()


def _slice_en(text: str, rng: random.Random) -> str | None:
    words = _words(text)
    if len(words) < 10:
        return None
    size = min(len(words), rng.randint(10, 16))
    start = rng.randint(0, len(words) - size)
    return " ".join(words[start : start + size]).strip(" ,;:-")


def _slice_ja(text: str, rng: random.Random) -> str | None:
    body = re.sub(r"\s+", "", text)
    if len(body) < 16:
        return None
    size = min(len(body), rng.randint(16, 28))
    start = rng.randint(0, len(body) - size)
    return body[start : start + size]


def _punctuation_fillers(text: str, lang: str, rng: random.Random) -> str:
    if lang == "ja":
        plain = re.sub(r"[、。,.!?！？「」]", "", text)
        cut = rng.randint(1, max(1, len(plain) - 1))
        return plain[:cut] + "、えーと、" + plain[cut:] + "。"
    words = [re.sub(r"[^\w'%-]", "", w) for w in _words(text)]
    words = [w for w in words if w and w.lower() not in {"um", "uh"}]
    at = rng.randint(1, max(1, len(words) - 1))
    words.insert(at, rng.choice(FILLERS))
    out = " ".join(words)
    return (out.upper() if rng.random() < 0.3 else out.lower()) + "!"


def _misspelt(text: str, lang: str, rng: random.Random) -> str | None:
    if lang == "ja":
        spots = [i for i, c in enumerate(text) if "\u3041" <= c <= "\u309f"]
        if not spots:
            return None
        i = rng.choice(spots)
        return text[:i] + ("が" if text[i] != "が" else "は") + text[i + 1 :]
    words = _words(text)
    spots = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not spots:
        return None
    i = rng.choice(spots)
    word = words[i]
    j = rng.randint(2, len(word) - 2)
    # One letter doubled or dropped: the kind of slip a transcriber or a quoter makes.
    words[i] = word[:j] + word[j] + word[j:] if rng.random() < 0.5 else word[:j] + word[j + 1 :]
    return " ".join(words)


def _surname(speaker: str) -> str:
    return speaker.split()[-1] if " " in speaker else speaker


def _paraphrase(text: str, lang: str, speaker: str, rng: random.Random) -> str:
    if lang == "ja":
        parts = re.split(r"(?<=[、。])", text)
        parts = [p for p in parts if p]
        if len(parts) < 2:
            half = len(text) // 2
            parts = [text[:half], text[half:]]
        cut = len(parts) // 2
        swapped = "".join(parts[cut:]) + "、" + "".join(parts[:cut])
        for word, other in JA_SYNONYMS.items():
            if word in swapped:
                swapped = swapped.replace(word, other, 1)
                break
        return f"{speaker}によると、{swapped.strip('、。')}"
    words = [w.strip(",.;:!?\"“”") for w in _words(text)]
    words = [w for w in words if w]
    commas = [i for i, w in enumerate(_words(text)[:-1]) if w.endswith(",") and 2 <= i < len(words) - 2]
    cut = rng.choice(commas) + 1 if commas else len(words) // 2
    swapped = words[cut:] + words[:cut]
    replaced = 0
    for i, w in enumerate(swapped):
        other = SYNONYMS.get(w.lower())
        if other is not None and replaced < 2:
            swapped[i], replaced = other, replaced + 1
    return f"{_surname(speaker)} said that " + " ".join(swapped)


def _number_changed(text: str, rng: random.Random) -> str | None:
    found = list(re.finditer(r"\d[\d,]*", text))
    if not found:
        return None
    m = rng.choice(found)
    value = int(m.group(0).replace(",", "") or 0)
    changed = value * 5 if value else 7
    return text[: m.start()] + str(changed) + text[m.end() :]


def _negation(text: str, lang: str) -> str | None:
    if lang == "ja":
        # "…です" / "…ます" turned negative; otherwise "…ではない".
        endings = (("です", "ではありません"), ("ます", "ません"), ("だ", "ではない"), ("る", "らない"))
        for positive, negative in endings:
            if positive in text:
                at = text.rfind(positive)
                return text[:at] + negative + text[at + len(positive) :]
        return text + "ではない"
    words = _words(text)
    for i, w in enumerate(words):
        if w.lower() in AUXILIARIES and i + 1 < len(words) and words[i + 1].lower() not in {"not", "n't", "never"}:
            return " ".join([*words[: i + 1], "not", *words[i + 1 :]])
    return None


def _spliced(a: str, b: str, lang: str) -> str:
    if lang == "ja":
        return a[: len(a) // 2] + b[len(b) // 2 :]
    wa, wb = _words(a), _words(b)
    return " ".join(wa[: len(wa) // 2] + wb[len(wb) // 2 :])


def _invented(vocabulary: Sequence[str], lang: str, rng: random.Random) -> str:
    picked = rng.sample(list(vocabulary), 6)
    return (PLAUSIBLE_JA if lang == "ja" else PLAUSIBLE_EN).format(*picked)


def _vocabulary(sources: Sequence[Source], lang: str) -> list[str]:
    if lang == "ja":
        found = (r for s in sources if s.lang == "ja" for r in re.findall(r"[\u30a0-\u30ff\u4e00-\u9fff]{2,4}", s.text))
        runs = Counter(found)
        return sorted(w for w, _ in runs.most_common(60))
    words = Counter(w.lower() for s in sources if s.lang == "en" for w in re.findall(r"[A-Za-z]{6,}", s.text))
    return sorted(w for w, _ in words.most_common(120))


def make_cases(sources: Sequence[Source], *, seed: int = SEED, per_language: int = PER_LANGUAGE) -> list[Case]:
    """The cases for these passages: the same passages and seed give the same cases."""
    rng = random.Random(seed)
    labelled = {s.speaker for s in sources}
    cases: list[Case] = []
    for lang in ("en", "ja"):
        pool = sorted((s for s in sources if s.lang == lang), key=lambda s: s.id)
        if not pool:
            continue
        vocabulary = _vocabulary(pool, lang)
        chosen = rng.sample(pool, min(per_language, len(pool)))
        for source in chosen:
            cut = _slice_ja(source.text, rng) if lang == "ja" else _slice_en(source.text, rng)
            if cut is None:
                continue

            # (kind, quote, speaker asked): the speaker is the passage's unless the kind says otherwise.
            made: list[tuple[str, str | None, str | None]] = [
                ("exact", cut, source.speaker),
                ("punctuation_fillers", _punctuation_fillers(cut, lang, rng), source.speaker),
                ("misspelt", _misspelt(cut, lang, rng), source.speaker),
                # The speaker is named in the quote ("X said that …"), not given separately.
                ("paraphrase", _paraphrase(cut, lang, source.speaker, rng), None),
            ]
            numbered = re.search(r"\d", cut) is not None
            changed = _number_changed(cut if numbered else source.text[:400], rng)
            made.append(("number_changed", changed, source.speaker))
            made.append(("negation", _negation(cut, lang), source.speaker))
            others = [p for p in source.people if p != source.speaker and p in labelled]
            if others:
                made.append(("other_speaker", cut, rng.choice(sorted(others))))
            unrelated = [s for s in pool if s.id != source.id
                         and (s.episode_id != source.episode_id or s.episode_id is None)]
            if unrelated:
                other = rng.choice(unrelated)
                second = _slice_ja(other.text, rng) if lang == "ja" else _slice_en(other.text, rng)
                if second:
                    made.append(("spliced", _spliced(cut, second, lang), source.speaker))
            if len(vocabulary) >= 6:
                made.append(("invented", _invented(vocabulary, lang, rng), source.speaker))
            cases += [Case(kind, lang, quote, asked, EXPECTED[kind], source.id) for kind, quote, asked in made if quote]
    return cases


# ---------------------------------------------------------------------------------------------
# Running


async def _sources(service: Any) -> list[Source]:
    from bot.weights import VERBATIM_FORMATS

    out = []
    async for hit in service.store.all_hits():
        if hit.kind != "quote" or hit.speaker is None or not hit.speaker_verified or hit.lang not in ("en", "ja"):
            continue
        # English from recordings' transcripts; Japanese from whatever verbatim-labelled quotations exist.
        if hit.lang == "en" and hit.source_format not in VERBATIM_FORMATS:
            continue
        people = tuple(hit.episode.speakers) if hit.episode is not None else ()
        out.append(Source(hit.id, hit.text, hit.lang, hit.speaker, hit.episode_id, people))
    return out


async def run(paths: Sequence[Path], *, seed: int, per_language: int) -> dict[str, Any]:
    from bot.service import SaidService
    from bot.settings import Settings

    with tempfile.TemporaryDirectory(prefix="saidbot-verify-") as tmp:
        service = await SaidService.open(Settings(db=Path(tmp) / "verify.db", notes=None))
        try:
            await service.ensure_index()
            await service.ingest([Path(p) for p in paths])
            cases = make_cases(await _sources(service), seed=seed, per_language=per_language)
            outcomes = [
                Outcome(c, (await service.verify(c.quote, speaker=c.speaker, lang=c.lang)).verdict) for c in cases
            ]
        finally:
            await service.close()
    return summarise(outcomes)


def summarise(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    by_lang: dict[str, Any] = {}
    for lang in sorted({o.case.lang for o in outcomes}):
        mine = [o for o in outcomes if o.case.lang == lang]
        per_kind: dict[str, dict[str, int]] = {}
        confusion: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(VERDICTS, 0))
        for kind in KINDS:
            of_kind = [o for o in mine if o.case.kind == kind]
            if of_kind:
                per_kind[kind] = {"cases": len(of_kind), "right": sum(o.right for o in of_kind)}
            for o in of_kind:
                confusion[kind][o.verdict] += 1
        by_lang[lang] = {
            "cases": len(mine), "right": sum(o.right for o in mine), "kinds": per_kind, "confusion": dict(confusion),
            "fabrications_verbatim": sum(
                1 for o in mine if o.verdict == "verbatim" and "verbatim" not in o.case.expected
            ),
        }
    misses = [{**asdict(o.case), "verdict": o.verdict} for o in outcomes if not o.right]
    return {"languages": by_lang, "misses": misses}


def _pct(right: int, cases: int) -> str:
    return f"{right}/{cases} ({100 * right / cases:.0f}%)" if cases else "—"


def render_markdown(after: dict[str, Any], before: dict[str, Any] | None, before_ref: str | None) -> str:
    lines: list[str] = []
    for lang, result in after["languages"].items():
        old = before["languages"].get(lang) if before else None
        lines.append(f"**{lang}** ({result['cases']} cases)\n")
        head = "| kind | expected |" + (f" before ({before_ref}) |" if old else "") + " after |"
        lines += [head, "|" + "---|" * (head.count("|") - 1)]
        for kind, counts in result["kinds"].items():
            cells = [kind, " / ".join(EXPECTED[kind])]
            if old:
                prev = old["kinds"].get(kind, {"right": 0, "cases": 0})
                cells.append(_pct(prev["right"], prev["cases"]))
            cells.append(_pct(counts["right"], counts["cases"]))
            lines.append("| " + " | ".join(cells) + " |")
        total = ["**all**", ""] + ([_pct(old["right"], old["cases"])] if old else []) + [
            _pct(result["right"], result["cases"])
        ]
        lines.append("| " + " | ".join(total) + " |")
        lines.append("")
        for label, res in (("before", old), ("after", result)):
            if res is None:
                continue
            lines.append(f"Confusion ({label}; rows = kind, columns = verdict):\n")
            lines.append("| kind | " + " | ".join(VERDICTS) + " |")
            lines.append("|---|" + "---|" * len(VERDICTS))
            for kind, row in res["confusion"].items():
                lines.append(f"| {kind} | " + " | ".join(str(row[v]) for v in VERDICTS) + " |")
            lines.append(f"\nFabrications answered verbatim: {res['fabrications_verbatim']}\n")
    return "\n".join(lines)


def _snapshot(ref: str, out: Path) -> Path:
    sha = subprocess.run(["git", "rev-parse", "--short", ref], cwd=REPO, capture_output=True, text=True).stdout.strip()
    if not sha:
        raise SystemExit(f"--core {ref}: not a commit")
    snap = out / f"core-{sha}"
    if not (snap / "bot").is_dir():
        snap.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", sha, "bot", "config"], cwd=REPO, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(snap)], input=archive.stdout, check=True)
    return snap


def _run_core(ref: str, paths: Sequence[Path], seed: int, per_language: int) -> dict[str, Any]:
    """The same cases against bot/ as committed at `ref`, in a child process with that snapshot first
    on the import path (the editable install's working-tree `bot` is shadowed)."""
    with tempfile.TemporaryDirectory(prefix="saidbot-verify-core-") as tmp:
        snap = _snapshot(ref, Path(tmp))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(snap), str(REPO), env.get("PYTHONPATH", "")]))
        env["SAIDBOT_LOG_LEVEL"] = "WARNING"
        done = subprocess.run(
            [sys.executable, "-m", "bench.eval.verify", *[str(Path(p).resolve()) for p in paths], "--json",
             "--seed", str(seed), "--per-language", str(per_language)],
            cwd=snap, env=env, capture_output=True, text=True, check=True,
        )
    result: dict[str, Any] = json.loads(done.stdout)["after"]
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval.verify", description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="corpus folders to ingest")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--markdown", type=Path, default=None, metavar="OUT", help="write the tables as markdown")
    parser.add_argument("--core", default=None, metavar="REF", help="also run against bot/ as committed at REF")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--per-language", type=int, default=PER_LANGUAGE, help="passages sampled per language")
    args = parser.parse_args(argv)
    os.environ.setdefault("SAIDBOT_LOG_LEVEL", "WARNING")
    before = _run_core(args.core, args.paths, args.seed, args.per_language) if args.core else None
    after = asyncio.run(run(args.paths, seed=args.seed, per_language=args.per_language))
    table = render_markdown(after, before, args.core)
    if args.markdown is not None:
        args.markdown.write_text(table + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps({"before": before, "after": after, "core": args.core}, ensure_ascii=False, indent=1))
    else:
        print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
