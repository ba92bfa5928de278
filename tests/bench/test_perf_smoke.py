"""The performance benchmark still runs end to end on a tiny corpus, so the instrument cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("tantivy")
pytest.importorskip("matplotlib")
pytest.importorskip("numpy")

from bench.perf.corpus import Manifest, generate
from bench.perf.run import run_sizes

SEGMENTS = 300
_TURN = re.compile(r"^(?P<speaker>[^\n(]+?) \(\d\d:\d\d:\d\d\) (?P<text>.+)$", re.M)


def _segments(manifest: Manifest) -> list[tuple[str, str]]:
    out = []
    for path in sorted(Path(manifest.transcripts_dir).rglob("*.md")):
        out += [(m.group("speaker"), m.group("text")) for m in _TURN.finditer(path.read_text(encoding="utf-8"))]
    return out


def test_corpus_is_reproducible_and_plants_exact_frequencies(tmp_path: Path) -> None:
    """Same seed, same bytes (in one process or two); planted terms sit exactly where the manifest says."""
    first = generate(1000, 5, tmp_path / "a", workers=1)
    second = generate(1000, 5, tmp_path / "b", workers=2)
    files_a = sorted(Path(first.transcripts_dir).rglob("*.md"))
    files_b = sorted(Path(second.transcripts_dir).rglob("*.md"))
    assert [p.name for p in files_a] == [p.name for p in files_b]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(files_a, files_b, strict=True))

    segments = _segments(first)
    assert len(segments) == first.segments == 1000
    for term in first.terms:
        holders = [(speaker, text) for speaker, text in segments if term.text in text.lower()]
        assert len(holders) == term.df, term
        assert sum(1 for speaker, _ in holders if speaker == first.star_guest) == term.df_star, term
    # Every paragraph ends a sentence, so the core neither merges nor splits segments.
    assert all(text.endswith(("。", "？", "！", ".", "?", "!")) for _, text in segments)


def test_harness_quick_mode_produces_results_and_docs(tmp_path: Path) -> None:
    """Quick mode ingests through the core, times every class on all three engines and renders the docs."""
    [result] = run_sizes(
        [SEGMENTS], seed=1, quick=True, data=tmp_path / "data", out=tmp_path / "out", docs=tmp_path / "docs"
    )
    assert result["ingest"]["saidbot"]["segments"] == SEGMENTS
    assert result["ingest"]["saidbot"]["failed"] == 0
    assert len(result["latency"]) == 12
    for key, engines in result["latency"].items():
        for engine in ("saidbot", "fts5", "tantivy"):
            assert engines[engine]["n"] >= 1, (key, engine)
            assert engines[engine]["p99_ms"] >= engines[engine]["p50_ms"] > 0
    assert result["throughput"]["saidbot"]["1"]["qps"] > 0
    assert result["cold_start"]["first_answer_s_median"] > 0
    assert result["rss"]["saidbot"]["peak_rss_kb"] > 0
    assert (tmp_path / "out" / "results-300.json").exists()
    text = (tmp_path / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert "## Targets" in text and "`ja/common/speaker`" in text
    assert (tmp_path / "docs" / "benchmarks-latency.png").stat().st_size > 10_000
