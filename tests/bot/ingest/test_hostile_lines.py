"""Every parser stays linear on long adversarial lines (a quadratic regex made 32 KB of `a-a-…` take 18 s)."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ingest import runner

# Runs of these made one regex or another rescan the rest of the line at every character.
PIECES = [
    "a-", "A-", "*", " *a", "[", "(", "**", "**a ", "__a ", "  ", ":", "1:", "12:3", "<", "`", "![", "[a](",
    '[a](b "', "#", "タ(", "タタ ", "Ab ", "youtube.com/watch?a&", "A. ", "&t=", "> -- ", "1h 2m ", "1時間2分", " on ",
    "a (", "9" * 7,
]

# One template per format: where a long line lands in a markdown note, transcript, VTT, SRT, quotes collection
# and YouTube transcript.
FORMATS: dict[str, tuple[str, Callable[[str], str]]] = {
    "note": ("n.md", lambda s: f"---\ntitle: t\n---\n\n# {s}\n\n{s}\n\n- **{s}\n\n**Dario Amodei (00:01:02):** {s}\n"),
    "transcript": (
        "t.txt", lambda s: f"A B (00:00:01) hi\nA B (00:00:02) hi\nA B (00:00:03) {s}\n{s}\n[00:00:05] {s}\n"
    ),
    "vtt": ("c.vtt", lambda s: f"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n{s}\n\n"),
    "srt": ("c.srt", lambda s: f"1\n00:00:01,000 --> 00:00:02,000\n{s}\n\n"),
    "quotes": ("q.md", lambda s: f"## A B on x\n(00:01) a\n\n## C D on y\n(00:02) {s}\n## {s} on {s}\n"),
    "youtube": (
        "y.md",
        lambda s: f"---\nvideo_id: abcdefghijk\ntitle: t\n---\n## Transcript\n[00:01](http://x?t=1s) {s}\n"
        f"## Highlights\n> {s}\n> -- {s}\n## Key points\n- **{s}\n",
    ),
    "otter": ("o.txt", lambda s: f"Ada Host  0:01\n{s}\n\nBo Guest  0:02\n{s}\n{s}  0:03\n{s}  0:04\n"),
    "page": (
        "p.html",
        lambda s: f'<h2>{s}</h2><div class="ts-segment"><span class="ts-name">{s}</span><span class="ts-timestamp">'
        f'<a href="https://youtube.com/watch?v=abcdefghijk&t={s}">({s})</a></span><span class="ts-text">{s}</span></div>',
    ),
    "stt": ("w.json", lambda s: json.dumps({"segments": [{"start": 1, "end": 2, "text": s, "speaker": s}]})),
    "json3": ("c.en.json3", lambda s: json.dumps({"events": [{"tStartMs": 1, "segs": [{"utf8": s}]}]})),
}

LINE_CHARS = 50_000
BOUND_SECONDS = 2.0


def _parse_seconds(name: str, text: str) -> float:
    data = text.encode()
    candidate = runner._Candidate(Path("/nonexistent") / name, name, len(data), 0.0)
    began = time.perf_counter()
    with contextlib.suppress(Exception):  # a refusal is fine; only the time is measured
        runner._parse(candidate, data)
    return time.perf_counter() - began


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_known_adversarial_lines_parse_in_linear_time(fmt: str) -> None:
    name, template = FORMATS[fmt]
    for piece in PIECES:
        line = (piece * (LINE_CHARS // len(piece) + 1))[:LINE_CHARS]
        seconds = _parse_seconds(name, template(line))
        assert seconds < BOUND_SECONDS, f"{fmt}: a {LINE_CHARS}-char line of {piece!r} took {seconds:.2f} s"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fmt=st.sampled_from(sorted(FORMATS)),
    mix=st.lists(st.sampled_from(PIECES) | st.text(min_size=1, max_size=3), min_size=1, max_size=4),
)
def test_any_mix_of_adversarial_pieces_parses_in_linear_time(fmt: str, mix: list[str]) -> None:
    name, template = FORMATS[fmt]
    unit = "".join(mix).replace("\n", " ").replace("\r", " ")
    line = (unit * (LINE_CHARS // len(unit) + 1))[:LINE_CHARS]
    assert _parse_seconds(name, template(line)) < BOUND_SECONDS
