"""Render docs/benchmarks.md and docs/benchmarks-latency.png from the harness results."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import matplotlib

matplotlib.use("Agg")  # no display on servers, and deterministic output

import matplotlib.pyplot as plt

LANGS: Final = ("en", "ja")
CLASSES: Final = ("rare", "mid", "common")
FILTERS: Final = ("any", "speaker")
BASELINES: Final = ("fts5", "tantivy")
COLORS: Final = {"saidbot": "#d62728", "fts5": "#1f77b4", "tantivy": "#2ca02c"}
P99_TARGET_MS: Final = 10.0
INGEST_TARGET: Final = 50_000
COLD_TARGET_S: Final = 1.0
RSS_TARGET_MB: Final = 150.0
COMMAND: Final = "python -m bench.perf.run --sizes {sizes} --core HEAD --profile"


def _keys() -> list[str]:
    return [f"{lang}/{klass}/{flt}" for lang in LANGS for klass in CLASSES for flt in FILTERS]


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b <= 0:
        return "–"
    r = a / b
    return f"{r:.0f}×" if r >= 100 else f"{r:.1f}×" if r >= 10 else f"{r:.2f}×"


def _get(res: dict[str, Any], key: str, engine: str, stat: str) -> float | None:
    value = res.get("latency", {}).get(key, {}).get(engine, {}).get(stat)
    return float(value) if value is not None else None


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


def _size(res: dict[str, Any]) -> str:
    """10k, 100k, 1M: the label with a capital M (labels stay lower-case in file names)."""
    label = str(res["label"])
    return label[:-1] + "M" if label.endswith("m") else label


def _label_desc(res: dict[str, Any]) -> str:
    return f"{_size(res)} ({res['segments']:,} segments)"


def _miss(value: float, target: float, *, lower_is_better: bool) -> str:
    met = value <= target if lower_is_better else value >= target
    if met:
        return "met"
    factor = value / target if lower_is_better else target / value
    return f"**missed** ({factor:.1f}× {'over' if lower_is_better else 'under'})"


# ---------------------------------------------------------------------------------------------


def targets_table(results: Sequence[dict[str, Any]]) -> list[str]:
    largest = max(results, key=lambda r: r["segments"])
    small = min(results, key=lambda r: r["segments"])
    lines = ["| target (issue 7) | measured | status |", "|---|---|---|"]
    worst_key = max(_keys(), key=lambda k: _get(largest, k, "saidbot", "p99_ms") or 0.0)
    worst = _get(largest, worst_key, "saidbot", "p99_ms") or 0.0
    scope = "" if largest["segments"] >= 1_000_000 else f" (1M not run; largest run: {_label_desc(largest)})"
    lines.append(
        f"| answer p99 < 10 ms at 1M, every class{scope} | worst class `{worst_key}`: p99 {_ms(worst)} ms | "
        f"{_miss(worst, P99_TARGET_MS, lower_is_better=True)} |"
    )
    over = [k for k in _keys() if (_get(largest, k, "saidbot", "p99_ms") or 0) > P99_TARGET_MS]
    if over:
        lines.append(f"| … classes over 10 ms at {_size(largest)} | {', '.join(f'`{k}`' for k in over)} | |")
    tp = largest.get("throughput", {}).get("saidbot", {})
    if "1" in tp and "100" in tp:
        scale = tp["100"]["qps"] / tp["1"]["qps"]
        verdict = "scales" if scale >= 1.3 else "small gain" if scale >= 1.05 else "no gain over serial"
        lines.append(
            f"| 100 concurrent questions do not queue behind one connection ({_size(largest)}) | "
            f"{tp['1']['qps']:,.0f} q/s at 1, {tp['100']['qps']:,.0f} q/s at 100 ({scale:.2f}× of serial; "
            f"p99 under load {_ms(tp['100'].get('p99_ms'))} ms) | {verdict} ({largest['machine']['cores']} cores) |"
        )
    for res in results:
        rate = res["ingest"]["saidbot"]["segments_per_s"]
        lines.append(
            f"| ingest ≥ 50k segments/s ({_size(res)}) | {rate:,.0f}/s | "
            f"{_miss(rate, INGEST_TARGET, lower_is_better=False)} |"
        )
    cold = small["cold_start"].get("first_answer_s_median")
    if cold is not None:
        lines.append(
            f"| cold start to first answer < 1 s on 10k ({_size(small)}) | {cold:.2f} s | "
            f"{_miss(cold, COLD_TARGET_S, lower_is_better=True)} |"
        )
    if "saidbot" in largest["rss"]:
        rss = largest["rss"]["saidbot"]["peak_rss_kb"] / 1024
        lines.append(
            f"| RSS < 150 MB at 1M{scope} | {rss:,.0f} MB peak serving; ingest peak "
            f"{largest['ingest']['saidbot']['peak_rss_kb'] / 1024:,.0f} MB | "
            f"{_miss(rss, RSS_TARGET_MB, lower_is_better=True)} |"
        )
    return lines


def ratio_table(results: Sequence[dict[str, Any]]) -> list[str]:
    head = "| query class | " + " | ".join(
        f"{_size(r)} vs FTS5 p50 / p99 | {_size(r)} vs tantivy p50 / p99" for r in results
    ) + " |"
    lines = [head, "|---|" + "---|---|" * len(results)]
    for key in _keys():
        cells = []
        for res in results:
            for base in BASELINES:
                p50 = _ratio(_get(res, key, "saidbot", "p50_ms"), _get(res, key, base, "p50_ms"))
                p99 = _ratio(_get(res, key, "saidbot", "p99_ms"), _get(res, key, base, "p99_ms"))
                cells.append(f"{p50} / {p99}")
        lines.append(f"| `{key}` | " + " | ".join(cells) + " |")
    return lines


def latency_table(res: dict[str, Any]) -> list[str]:
    lines = [
        "| query class | saidbot p50 | saidbot p99 | n | FTS5 p50 | FTS5 p99 | n | tantivy p50 | tantivy p99 | n "
        "| ÷FTS5 p50 | ÷FTS5 p99 | ÷tantivy p50 | ÷tantivy p99 |",
        "|---|" + "---:|" * 13,
    ]
    for key in _keys():
        row = [f"`{key}`"]
        for engine in ("saidbot", *BASELINES):
            row += [
                _ms(_get(res, key, engine, "p50_ms")),
                _ms(_get(res, key, engine, "p99_ms")),
                str(int(_get(res, key, engine, "n") or 0)),
            ]
        for base in BASELINES:
            for stat in ("p50_ms", "p99_ms"):
                row.append(_ratio(_get(res, key, "saidbot", stat), _get(res, key, base, stat)))
        lines.append("| " + " | ".join(row) + " |")
    return lines


def size_section(res: dict[str, Any]) -> list[str]:
    corpus = res["corpus"]
    by_lang = corpus["segments_by_lang"]
    phases = res.get("phase_seconds", {})
    out = [
        f"## {_label_desc(res)}",
        "",
        f"Run {res['date']}, commit `{res.get('commit', '?')}`"
        + (" (bot/ had uncommitted changes)" if res.get("core_dirty") else "")
        + (", **quick mode** (few runs: not for conclusions)" if res.get("quick") else "")
        + f"; the whole size took {phases.get('total', 0) / 60:.1f} min "
        + "(" + ", ".join(f"{k} {v:.0f}s" for k, v in phases.items() if k != "total") + ").",
        "",
        f"Corpus: {corpus['episodes']:,} episodes ({corpus['star_episodes']:,} with the star guest), "
        f"{by_lang['en']:,} English + {by_lang['ja']:,} Japanese segments, {_mb(corpus['bytes'])} of Markdown, "
        f"generated in {corpus['generate_seconds']:.1f}s.",
        "",
    ]
    for note in res.get("notes", []):
        out.append(f"> Note: {note}")
        out.append("")
    out += ["### Answer latency (ms) and ratios saidbot ÷ baseline", "", *latency_table(res), ""]

    ing = res["ingest"]
    said = ing["saidbot"]
    out += [
        "### Ingest and index size",
        "",
        "| engine | segments/s | seconds | index size | saidbot ÷ engine (time) | saidbot ÷ engine (size) |",
        "|---|---:|---:|---:|---:|---:|",
        f"| saidbot (files → store) | {said['segments_per_s']:,.0f} | {said['seconds']:.1f} | "
        f"{_mb(said['index_bytes'])} (db {_mb(said['db_bytes'])} + wal {_mb(said['wal_bytes'])}) | | |",
    ]
    for base in BASELINES:
        b = ing[base]
        out.append(
            f"| {base} (exported texts → index) | {b['segments_per_s']:,.0f} | {b['seconds']:.1f} | "
            f"{_mb(b['index_bytes'])} | "
            f"{_ratio(said['seconds'], b['seconds'])} | {_ratio(said['index_bytes'], b['index_bytes'])} |"
        )
    out.append("")

    tp = res["throughput"]
    out += [
        "### Throughput (mixed workload: every class in turn)",
        "",
        "| engine | concurrent | questions/s | p50 ms | p99 ms | questions | ÷ FTS5 serial | ÷ tantivy serial |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for engine in ("saidbot", *BASELINES):
        for level, t in tp.get(engine, {}).items():
            ratios = " | ".join(
                _ratio(t["qps"], tp[b]["1"]["qps"]) if engine == "saidbot" and "1" in tp.get(b, {}) else ""
                for b in BASELINES
            )
            if engine != "saidbot":
                ratios = " | "
            out.append(
                f"| {engine} | {level} | {t['qps']:,.1f} | {_ms(t.get('p50_ms'))} | {_ms(t.get('p99_ms'))} | "
                f"{t['questions']} | {ratios} |"
            )
    out.append("")

    cold = res["cold_start"]
    rss = res["rss"]
    out += ["### Cold start and memory", ""]
    if cold["runs"]:
        out += [
            f"Cold start (fresh `python -c`, median of {len(cold['runs'])}; question `{cold['question']}`): "
            f"**{cold['first_answer_s_median']:.2f} s to the first answer** (import {cold['import_s_median']:.2f} s, "
            f"open {cold['open_s_median']:.2f} s, first ask {cold['ask_s_median'] * 1000:.0f} ms; "
            f"process exit at {cold['process_wall_s_median']:.2f} s). "
            "The OS page cache is warm (the store was just used).",
            "",
        ]
    out += [
        "| process | peak RSS | RSS after open |",
        "|---|---:|---:|",
        f"| saidbot ingest | {said['peak_rss_kb'] / 1024:,.0f} MB | |",
    ]
    for engine in ("saidbot", *BASELINES):
        if engine in rss:
            r = rss[engine]
            out.append(
                f"| {engine} answering {rss['questions']} questions | {r['peak_rss_kb'] / 1024:,.0f} MB | "
                f"{(r.get('rss_after_open_kb') or 0) / 1024:,.0f} MB |"
            )
    out.append("")

    checks = res.get("sanity", {})
    bad = [
        f"`{k}` ({c['status']}, {c['with_term']}/{c['citations']} cite the term, expected {c['expected']})"
        for k, c in checks.items()
        # A citation may lack the term itself when the core matched it through its context.
        if c["citations"] < c["expected"] or (c["expected"] and not c["with_term"])
        or (k.endswith("speaker") and c["by_speaker"] < c["citations"])
    ]
    out.append(
        "Answer check (first term of each class, top 3): "
        + ("every class answered with as many citations as planted, containing the term "
           "(and by the speaker, when filtered)."
           if not bad else "**not as planted:** " + "; ".join(bad))
    )
    out.append("")

    prof = res.get("profile")
    if prof:
        out += [
            "### Where saidbot's time goes (sequential asks)",
            "",
            "Wall time per ask, CPU of the event-loop thread (question parsing, re-ranking, citations: Python) and "
            "CPU of the other threads (SQLite on aiosqlite's connection threads), from an unprofiled pass; "
            "the functions come from a second pass under cProfile (which inflates Python, so rank, don't add).",
            "",
            "| class | ms/ask | event-loop CPU | other threads CPU (SQLite) | top event-loop functions "
            "(cProfile tottime, ms/ask) |",
            "|---|---:|---:|---:|---|",
        ]
        for key, p in prof.items():
            top = ", ".join(
                f"`{r['function']}` {r['tottime_s'] / p['asks'] * 1000:.1f}" for r in p["top_loop"][:4]
            )
            wall = p["wall_per_ask_ms"] or 1.0
            loop = p.get("loop_cpu_per_ask_ms", p.get("python_loop_per_ask_ms", 0.0))
            threads = p.get("threads_cpu_per_ask_ms", p.get("threads_busy_per_ask_ms", 0.0))
            out.append(
                f"| `{key}` | {wall:.1f} | {loop:.1f} ({loop / wall:.0%}) | {threads:.1f} ({threads / wall:.0%}) "
                f"| {top} |"
            )
        out += ["", "SQL statements (time on the connection's thread, execute + fetch, per ask; `?…` = an IN list):",
                "", "| class | statement | calls/ask | ms/ask |", "|---|---|---:|---:|"]
        for key, p in prof.items():
            for row in p.get("sql", [])[:4]:
                out.append(f"| `{key}` | `{_statement(row['statement'])}` | {row['calls_per_ask']:.1f} | "
                           f"{row['ms_per_ask']:.1f} |")
        out.append("")
    ing = res.get("profile_ingest")
    if ing:
        said = res["ingest"]["saidbot"]
        split = ""
        if "loop_cpu_s" in said:
            split = (f" Unprofiled: {said['seconds']:.1f} s wall, event-loop CPU {said['loop_cpu_s']:.1f} s, "
                     f"other threads CPU {said['threads_cpu_s']:.1f} s (parse/tokenize workers and SQLite).")
        out += [
            "### Where the ingest's time goes",
            "",
            f"Profiled ingest of the same corpus: {ing['wall_s']:.1f} s for {ing['segments']:,} segments.{split} "
            "cProfile's clock is wall time, so threads waiting for the GIL book the wait to the function they are "
            "in: compare functions, do not add them up.",
            "",
            "| where | function or statement | calls | seconds |",
            "|---|---|---:|---:|",
        ]
        for row in ing["top_threads"][:8]:
            out.append(f"| worker threads | `{row['function']}` | {row['calls']:,} | {row['tottime_s']:.2f} |")
        for row in ing["top_loop"][:3]:
            out.append(f"| event loop | `{row['function']}` | {row['calls']:,} | {row['tottime_s']:.2f} |")
        for row in ing["sql"][:4]:
            out.append(f"| SQL | `{_statement(row['statement'])}` | {row['calls']:,} | {row['seconds']:.2f} |")
        out.append("")
    if prof or ing:
        out += [f"Full profiles: `bench/perf/out/profile-{res['label']}.txt` (not committed).", ""]
    return out


def _statement(sql: str) -> str:
    # The column list of a wide SELECT says nothing about its cost; the FROM/WHERE does.
    short = re.sub(r"^SELECT (.{50,}?) FROM ", "SELECT … FROM ", sql)
    short = re.sub(r"^(INSERT INTO \w+)\(.{40,}?\)", r"\1(…)", short)
    return short if len(short) <= 160 else short[:160] + " …"


def render(results: Sequence[dict[str, Any]]) -> str:
    results = sorted(results, key=lambda r: r["segments"])
    m = results[-1]["machine"]
    sizes = ",".join(r["label"] for r in results)
    lines = [
        "# Benchmarks",
        "",
        "<!-- Generated by bench/perf/run.py; edit the generator, not this file. -->",
        "",
        f"saidbot against plain SQLite FTS5 (`bm25`, `ORDER BY rank LIMIT 3`) and tantivy (default BM25, top 3) on "
        f"synthetic transcripts of {', '.join(_label_desc(r) for r in results)}. "
        "Ratios are saidbot ÷ baseline on the same data in the same run (> 1× means saidbot is slower); "
        "the machine is shared and noisy, so compare ratios more than absolute times.",
        "",
        f"**Machine:** {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, {m['os']}; Python {m['python']}, "
        f"SQLite {m['sqlite']}, aiosqlite {m.get('aiosqlite')}, tantivy {m.get('tantivy')}, "
        f"pydantic {m.get('pydantic')}. "
        f"**Date:** {results[-1]['date'][:10]}.",
        "",
        "**Regenerate:** `" + COMMAND.format(sizes=sizes) + "` (`--core HEAD` measures bot/ and config/ as "
        "committed, not a working tree being edited; `--profile` adds the time breakdown; `--report-only` "
        "re-renders from `bench/perf/out/results-*.json`). "
        "Corpora: `python -m bench.perf.corpus --segments 100k --seed 1 --out DIR`.",
        "",
        "## What is measured",
        "",
        "- **Corpus**: one Markdown transcript per episode (YAML front matter, `Speaker (hh:mm:ss) text` paragraphs), "
        "8 shows (5 English, 3 Japanese), Zipf-distributed vocabulary. Query terms are planted with exact document "
        "frequencies: **rare** = 5 segments, **mid** = 1% and **common** = 50% of the language's segments; 50/10/4 "
        "distinct terms per class and language, rotated so no single question repeats back to back. "
        "**speaker** = filtered to the star guest who appears in ~20% of episodes "
        "(2 of a rare term's 5 segments are hers).",
        "- **Latency**: `await service.ask(question, speaker=…, limit=3)` with a natural question "
        "(`what did Mara Velden say about zivumix?`, `what did they say about zivumix?`, "
        "`翡翠について何と言っていましたか？` with `speaker=\"Mara Velden\"` when filtered); the baselines "
        "get the bare term (Japanese pre-split into bigrams as saidbot does, since `unicode61` cannot segment it) and "
        "the speaker as a conjunct on a second field. The three engines are interleaved query by query. Up to 200 "
        "runs per class and engine; slow cases stop after 30 s of measured time (column n).",
        "- **Ratios compare answer time, not identical work**: saidbot re-ranks its candidates (speaker, coverage, "
        "language, dedupe) and, for very common terms, ranks a sample of the matches instead of scoring all of them; "
        "the answer check below only verifies that its top 3 hold the term (and speaker). Answer quality is "
        "measured separately (`docs/quality.md`).",
        "- **Ingest**: saidbot reads the files in a fresh process (`service.ingest([dir])`); the baselines index "
        "the texts saidbot exported (no file parsing), so the ingest ratio flatters the baselines. "
        "Index size is db + WAL.",
        "- **Throughput**: a mixed workload (each class in turn) with 1, 10 and 100 questions in flight "
        "(`asyncio.gather` workers); baselines answer the same mix serially.",
        "- **Cold start**: a fresh `python -c` that imports the core, opens the store and answers one question. "
        "**Peak RSS**: peak resident memory (`VmHWM`; `ru_maxrss` is not used because Linux carries it over "
        "from the spawning harness through exec) of a fresh process that opens the store and answers a batch "
        "(plus 100 at once).",
        "",
        "## Targets",
        "",
        *targets_table(results),
        "",
        "## Ratios across sizes (saidbot ÷ baseline, answer latency)",
        "",
        *ratio_table(results),
        "",
        "![latency vs corpus size](benchmarks-latency.png)",
        "",
    ]
    for res in results:
        lines += size_section(res)
    lines += SCALING_SECTION
    return "\n".join(lines).rstrip() + "\n"


# The load benchmark writes its own page; this file (regenerated by every perf run) points to it.
SCALING_SECTION = [
    "## Scaling out",
    "",
    "Two `saidbot serve` instances on one PostgreSQL database under open-loop Slack and Discord load",
    "(acknowledgements, answers, duplicates and losses across instances, PostgreSQL statements per request),",
    "and the index build time and size per 100k segments that justify a per-instance index copy:",
    "[scaling.md](scaling.md) (`python -m bench.scale`, `python -m bench.scale_index`).",
    "",
]


def plot(results: Sequence[dict[str, Any]], path: Path) -> None:
    results = sorted(results, key=lambda r: r["segments"])
    xs = [r["segments"] for r in results]
    fig, axes = plt.subplots(2, 3, figsize=(14, 8.5), sharex=True, sharey=True)
    for row, lang in enumerate(LANGS):
        for col, klass in enumerate(CLASSES):
            ax = axes[row][col]
            for engine in ("saidbot", *BASELINES):
                style = "-" if engine == "saidbot" else "--"
                for flt, marker in (("any", "o"), ("speaker", "s")):
                    key = f"{lang}/{klass}/{flt}"
                    ys = [_get(r, key, engine, "p50_ms") for r in results]
                    if any(y is None for y in ys):
                        continue
                    ax.plot(xs, ys, style, marker=marker, color=COLORS[engine],
                            alpha=1.0 if flt == "any" else 0.6, label=f"{engine} p50 ({flt})")
                    if engine == "saidbot":
                        p99 = [_get(r, key, engine, "p99_ms") for r in results]
                        ax.plot(xs, p99, ":", marker=marker, color=COLORS[engine], alpha=0.5, markersize=3,
                                label=f"saidbot p99 ({flt})")
            ax.axhline(P99_TARGET_MS, color="grey", linewidth=0.8, linestyle="-.", label="10 ms p99 target")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_title(f"{lang} · {klass} term")
            ax.grid(True, which="both", alpha=0.25)
            if row == 1:
                ax.set_xlabel("segments in the store")
            if col == 0:
                ax.set_ylabel("answer latency (ms)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=5, fontsize=8, frameon=False)
    fig.suptitle("saidbot (solid) vs FTS5 bm25 and tantivy (dashed): latency vs corpus size")
    fig.tight_layout(rect=(0, 0.07, 1, 0.96))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)


def write(results: Sequence[dict[str, Any]], docs: Path) -> None:
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "benchmarks.md").write_text(render(results), encoding="utf-8")
    plot(results, docs / "benchmarks-latency.png")
