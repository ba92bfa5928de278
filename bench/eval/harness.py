"""Run the labelled questions through saidbot and the baselines, on the same ingested segments.

The core is imported lazily so the scoring code (and its tests) work without it.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.eval.baselines import Baseline, SegmentRow, build_baselines
from bench.eval.metrics import (
    CUTOFF,
    LANGUAGES,
    TOLERANCE_SECONDS,
    Question,
    QuestionResult,
    Retrieved,
    Scores,
    describe_expectation,
    is_hit,
    score_by_language,
    video_id_from_url,
)

SAIDBOT = "saidbot"
QUESTIONS_FILE = Path(__file__).with_name("questions.yaml")
DEMO_QUESTIONS_FILE = Path(__file__).with_name("demo_questions.yaml")
HOLDOUT_FILE = Path(__file__).with_name("holdout.yaml")
# Where the clean originals of a chat-style set (its `clean_of` ids) are looked up by default.
CLEAN_SOURCE_FILES = (HOLDOUT_FILE, DEMO_QUESTIONS_FILE)


@dataclass
class SystemRun:
    name: str
    results: list[QuestionResult]

    def scores(self) -> dict[str, Scores]:
        return score_by_language(self.results)


@dataclass
class EvalRun:
    paths: list[str]
    questions: list[Question]
    systems: list[SystemRun]
    segments: int
    ingest_summary: str
    ingest_problems: list[str] = field(default_factory=list)
    # Answerable questions whose expected passage matches no stored segment: a label error or an ingest gap,
    # and a miss no ranking change can fix.
    unreachable: list[str] = field(default_factory=list)
    started: str = ""
    seconds: float = 0.0
    # For a set whose questions name a `clean_of` original: saidbot's answers to those originals, asked in
    # the same run over the same index, in the order of `questions` (only questions with a clean_of).
    clean_results: list[QuestionResult] = field(default_factory=list)
    # The embedder saidbot re-ranked with (bot/dense.py), or None for the lexical ranking alone.
    embedder: str | None = None

    def system(self, name: str) -> SystemRun:
        for system in self.systems:
            if system.name == name:
                return system
        raise KeyError(name)


# ---------------------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------------------


def load_clean_questions(paths: Sequence[Path]) -> dict[str, Question]:
    """The questions of `paths` by id, for looking up `clean_of`; an id in two files is an error."""
    from bench.eval.metrics import QuestionFileError, load_questions

    by_id: dict[str, Question] = {}
    for path in paths:
        for question in load_questions(path):
            if question.id in by_id:
                raise QuestionFileError(f"{path}: id {question.id} is also in another clean question file")
            by_id[question.id] = question
    return by_id


def missing_clean(questions: Sequence[Question], clean: Mapping[str, Question]) -> list[str]:
    """Questions whose `clean_of` names no clean question."""
    return [q.id for q in questions if q.clean_of is not None and q.clean_of not in clean]


def _citation_to_retrieved(citation: Any) -> Retrieved:
    # `video_id`/`transcript_url` are the citation's episode identity; older cores only had `url`, so fall
    # back to reading the id from a YouTube link, and treat any other link as the transcript page.
    url: str | None = getattr(citation, "url", None)
    video_id = getattr(citation, "video_id", None) or video_id_from_url(url)
    transcript_url = getattr(citation, "transcript_url", None)
    if transcript_url is None and url and video_id_from_url(url) is None:
        transcript_url = url
    return Retrieved(
        video_id=video_id,
        transcript_url=transcript_url,
        start_seconds=getattr(citation, "start_seconds", None),
        speaker=getattr(citation, "speaker", None),
        text=getattr(citation, "text", "") or "",
        kind=getattr(citation, "kind", None),
        source=getattr(citation, "source", None),
        episode_title=getattr(citation, "episode", None),
    )


def _segment_to_row(segment: Any) -> SegmentRow:
    return SegmentRow(
        id=int(segment.id),
        text=str(segment.text),
        start_seconds=getattr(segment, "start_seconds", None),
        video_id=getattr(segment, "video_id", None),
        transcript_url=getattr(segment, "transcript_url", None),
        speaker=getattr(segment, "speaker", None),
        lang=getattr(segment, "lang", None),
        kind=getattr(segment, "kind", None),
        source=getattr(segment, "source", None),
    )


async def run_eval(
    paths: Sequence[Path],
    questions: Sequence[Question],
    *,
    db: Path | None = None,
    limit: int = CUTOFF,
    baselines: bool = True,
    clean: Mapping[str, Question] | None = None,
    embedder: str | None = None,
) -> EvalRun:
    """Ingest `paths` into a fresh (or the given) database and answer every question with every system.

    `clean` maps ids to clean questions: every question with a `clean_of` id found there has its original
    asked too (saidbot only), so a chat-style set can be compared with the set it re-types.
    """
    from bot.present import ingest_summary
    from bot.service import SaidService
    from bot.settings import Settings

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="saidbot-eval-") as tmp:
        db_path = db if db is not None else Path(tmp) / "eval.db"
        service = await SaidService.open(Settings(db=db_path, notes=None, embedder=embedder))
        try:
            if embedder is not None and service.embedder is None:
                raise RuntimeError(f"the {embedder} embedder cannot be loaded (see the log line above)")
            # With an explicit db and no notes folder this indexes nothing; it only marks the service ready,
            # without which ask() answers "warming up".
            await service.ensure_index()
            report = await service.ingest([Path(p) for p in paths])
            # Every passage has its vector before the first question, or none would be re-ranked.
            await service.embed_pending()
            rows = [_segment_to_row(segment) async for segment in service.export_segments()]

            saidbot_results = [await _ask(service, question, limit) for question in questions]
            clean_results = [
                await _ask(service, clean[q.clean_of], limit)
                for q in questions if clean is not None and q.clean_of is not None and q.clean_of in clean
            ]
        finally:
            await service.close()

        systems = [SystemRun(SAIDBOT, saidbot_results)]
        if baselines:
            systems.extend(_run_baselines(build_baselines(rows), questions, limit))

    problems = [str(p) for p in getattr(report, "problems", [])]
    reachable = [segment.retrieved() for segment in rows]
    summary = ingest_summary(report)
    return EvalRun(
        paths=[str(p) for p in paths], questions=list(questions), systems=systems, segments=len(rows),
        ingest_summary=summary, ingest_problems=problems,
        unreachable=[q.id for q in questions if not q.none and not any(
            is_hit(expect, segment) for expect in q.expects for segment in reachable)],
        started=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), seconds=time.perf_counter() - started,
        clean_results=clean_results, embedder=embedder,
    )


async def _ask(service: Any, question: Question, limit: int) -> QuestionResult:
    # The speaker option is passed only when the question sets one, so other sets are asked exactly as
    # before.
    options: dict[str, Any] = {"speaker": question.speaker} if question.speaker else {}
    t0 = time.perf_counter()
    answer = await service.ask(question.question, lang=None, limit=limit, **options)
    elapsed = time.perf_counter() - t0
    status = getattr(answer.status, "value", answer.status)
    return QuestionResult(
        question=question, system=SAIDBOT, status=str(status), seconds=elapsed,
        results=[_citation_to_retrieved(c) for c in answer.citations[:limit]],
    )


def _run_baselines(baselines: list[Baseline], questions: Sequence[Question], limit: int) -> list[SystemRun]:
    runs: list[SystemRun] = []
    for baseline in baselines:
        results: list[QuestionResult] = []
        try:
            for question in questions:
                t0 = time.perf_counter()
                found = baseline.search(question.question, limit)
                results.append(QuestionResult(question=question, system=baseline.name, results=found,
                                              status="ok" if found else "not_found",
                                              seconds=time.perf_counter() - t0))
        finally:
            baseline.close()
        runs.append(SystemRun(baseline.name, results))
    return runs


# ---------------------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------------------

_HEADERS = (
    "lang", "system", "answerable", "hit@1", f"hit@{CUTOFF}", f"MRR@{CUTOFF}", "answered", "nothing found",
    "wrong speaker", "ms/q",
)


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def table_rows(run: EvalRun) -> list[tuple[str, ...]]:
    """One row per (language, system): saidbot first, then each baseline, for en, ja and all."""
    scores = {system.name: system.scores() for system in run.systems}
    rows: list[tuple[str, ...]] = []
    for lang in (*LANGUAGES, "all"):
        for system in run.systems:
            s = scores[system.name][lang]
            nothing = f"{s.none_correct}/{s.none_total}" if s.none_total else "—"
            if s.none_rate is not None:
                nothing += f" ({s.none_rate:.2f})"
            rows.append((lang, system.name, str(s.answerable), _fmt(s.hit_at_1), _fmt(s.hit_at_k),
                         _fmt(s.mrr), _fmt(s.answered_rate, 2), nothing, str(s.wrong_speaker),
                         _fmt(s.ms_per_question, 1)))
    return rows


def _counts(run: EvalRun) -> str:
    by_lang = ", ".join(f"{lang} {sum(q.lang == lang for q in run.questions)}" for lang in LANGUAGES)
    nones = sum(q.none for q in run.questions)
    return f"{len(run.questions)} questions ({by_lang}; {nones} should find nothing), {run.segments} segments"


@dataclass(frozen=True)
class CleanComparison:
    """saidbot on chat-typed questions next to saidbot on the clean questions they re-type."""

    pairs: list[tuple[QuestionResult, QuestionResult]]

    @property
    def answerable(self) -> list[tuple[QuestionResult, QuestionResult]]:
        return [(chat, clean) for chat, clean in self.pairs if not chat.question.none]

    @property
    def nothing(self) -> list[tuple[QuestionResult, QuestionResult]]:
        return [(chat, clean) for chat, clean in self.pairs if chat.question.none]

    def hit_at_1(self) -> tuple[float, float] | None:
        pairs = self.answerable
        if not pairs:
            return None
        return (sum(c.rank == 1 for c, _ in pairs) / len(pairs), sum(o.rank == 1 for _, o in pairs) / len(pairs))

    def lines(self) -> list[str]:
        lines: list[str] = []
        rates = self.hit_at_1()
        if rates is not None:
            chat, clean = rates
            lines.append(f"chat vs clean hit@1: {chat:.2f} vs {clean:.2f} (Δ {chat - clean:+.2f}) over "
                         f"{len(self.answerable)} pairs")
        nothing = self.nothing
        if nothing:
            lines.append(f"chat vs clean nothing found: {sum(c.correct for c, _ in nothing)}/{len(nothing)} vs "
                         f"{sum(o.correct for _, o in nothing)}/{len(nothing)} over {len(nothing)} pairs")
        worse = [(c, o) for c, o in self.pairs if o.correct and not c.correct]
        better = [(c, o) for c, o in self.pairs if c.correct and not o.correct]
        for label, group in (("right clean, wrong in chat", worse), ("wrong clean, right in chat", better)):
            if group:
                lines.append(f"{label}: " + ", ".join(f"{c.question.id} ({o.question.id})" for c, o in group))
        return lines


def clean_comparison(run: EvalRun) -> CleanComparison | None:
    """Pairs of (chat, clean) saidbot results, or None when the set names no clean originals."""
    if not run.clean_results:
        return None
    chat = [r for r in run.system(SAIDBOT).results if r.question.clean_of is not None]
    by_id = {r.question.id: r for r in run.clean_results}
    pairs = [(c, by_id[c.question.clean_of]) for c in chat if c.question.clean_of in by_id]
    return CleanComparison(pairs)


def render_text(run: EvalRun) -> str:
    rows = [_HEADERS, *table_rows(run)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADERS))]
    ranking = f"; saidbot re-ranks with the {run.embedder} embedder" if run.embedder else ""
    lines = [f"saidbot eval: {_counts(run)}{ranking}; ingest: {run.ingest_summary}", ""]
    if run.unreachable:
        lines[-1:-1] = [f"warning: no stored segment matches the label of {', '.join(run.unreachable)}"]
    for index, row in enumerate(rows):
        if index > 1 and row[0] != rows[index - 1][0]:
            lines.append("")
        lines.append("  ".join(cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i])
                               for i, cell in enumerate(row)).rstrip())
    comparison = clean_comparison(run)
    if comparison is not None:
        lines += ["", *comparison.lines()]
    return "\n".join(lines)


def render_markdown(run: EvalRun) -> str:
    lines = [
        f"Run of {run.started}: {_counts(run)}, over {', '.join(f'`{p}`' for p in run.paths)}"
        + (f", saidbot re-ranking with the `{run.embedder}` embedder." if run.embedder else "."),
        "",
        "| " + " | ".join(_HEADERS) + " |",
        "|" + "|".join(["---", "---"] + ["---:"] * (len(_HEADERS) - 2)) + "|",
    ]
    for row in table_rows(run):
        cells = list(row)
        if cells[1] == SAIDBOT:
            cells[1] = f"**{SAIDBOT}**"
        lines.append("| " + " | ".join(cells) + " |")
    comparison = clean_comparison(run)
    if comparison is not None:
        lines += ["", *(f"- {line}" for line in comparison.lines())]
    lines += [
        "",
        f"- hit@1 / hit@{CUTOFF}: share of answerable questions whose first / any of the first {CUTOFF} "
        f"citations is in the expected episode and starts within {TOLERANCE_SECONDS} s of the labelled "
        "range.",
        f"- MRR@{CUTOFF}: mean of 1/rank of the first such citation, 0 when none is in the top {CUTOFF} "
        "(the bot shows three).",
        "- answered: share of answerable questions that got at least one citation.",
        f"- wrong speaker: citations (of the first {CUTOFF}) that name a speaker at a labelled paragraph "
        "someone else speaks; only labels naming a speaker can be checked.",
        "- nothing found: should-find-nothing questions answered with no citation at all; a baseline "
        "finds nothing only when no segment matches any query token (read it together with answered).",
        "- Baselines index the same segments saidbot stored; the query is the raw question, each "
        "whitespace token quoted as a phrase and OR-joined (FTS5 unicode61 `bm25()`; tantivy default "
        "tokenizer and BM25).",
    ]
    return "\n".join(lines) + "\n"


def render_misses(run: EvalRun, system_names: Sequence[str]) -> str:
    """Every question a system got wrong (hit@1 missed, or answered a should-find-nothing question)."""
    lines: list[str] = []
    for system in run.systems:
        if system.name not in system_names:
            continue
        wrong = [r for r in system.results if not r.correct]
        lines.append(f"{system.name}: {len(wrong)} of {len(system.results)} questions not right at rank 1")
        for result in wrong:
            q = result.question
            rank = "-" if result.rank is None else str(result.rank)
            extra = "".join([f" (speaker option: {q.speaker})" if q.speaker else "",
                             f" (clean of {q.clean_of})" if q.clean_of else ""])
            lines.append(f"  {q.id} [{q.lang}] {q.question}{extra}")
            lines.append(f"      expected {describe_expectation(q)}; hit rank {rank}; status {result.status}")
            for index, item in enumerate(result.results, start=1):
                lines.append(f"      {index}. {item.describe()}")
        lines.append("")
    return "\n".join(lines)


def to_json(run: EvalRun) -> dict[str, Any]:
    per_question: list[dict[str, Any]] = []
    for index, question in enumerate(run.questions):
        entry: dict[str, Any] = {
            "id": question.id, "lang": question.lang, "question": question.question,
            "expected": describe_expectation(question), "systems": {},
        }
        for system in run.systems:
            result = system.results[index]
            entry["systems"][system.name] = {
                "rank": result.rank,
                "correct": result.correct,
                "status": result.status,
                "results": [
                    {"video_id": r.video_id, "transcript_url": r.transcript_url,
                     "start_seconds": r.start_seconds, "speaker": r.speaker, "kind": r.kind,
                     "source": r.source, "text": r.text[:300]}
                    for r in result.results
                ],
            }
        per_question.append(entry)
    data: dict[str, Any] = {
        "started": run.started,
        "paths": run.paths,
        "segments": run.segments,
        "ingest": run.ingest_summary,
        "ingest_problems": run.ingest_problems,
        "unreachable": run.unreachable,
        "cutoff": CUTOFF,
        "tolerance_seconds": TOLERANCE_SECONDS,
        "scores": {s.name: {lang: sc.as_dict() for lang, sc in s.scores().items()} for s in run.systems},
        "questions": per_question,
    }
    comparison = clean_comparison(run)
    if comparison is not None:
        rates = comparison.hit_at_1()
        data["clean_pairs"] = {
            "pairs": [{"id": c.question.id, "clean_of": o.question.id, "chat_rank": c.rank,
                       "clean_rank": o.rank, "chat_correct": c.correct, "clean_correct": o.correct}
                      for c, o in comparison.pairs],
            "chat_hit@1": rates[0] if rates else None,
            "clean_hit@1": rates[1] if rates else None,
        }
    return data
