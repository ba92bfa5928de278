"""The command line as a user runs it: a real process, a real database file."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from adapters.console import chat
from bot.service import SaidService

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # The developer's own configuration must not leak into what the test sees.
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SAIDBOT_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_ingest_then_ask_json(tmp_path: Path, notes_dir: Path) -> None:
    db = tmp_path / "x.db"
    ingest = _run("ingest", str(notes_dir), "--db", str(db))
    assert ingest.returncode == 0, ingest.stderr
    assert "added 2" in ingest.stdout
    ask = _run("ask", "--db", str(db), "--json", "what did Amodei say about talent density?")
    assert ask.returncode == 0, ask.stderr
    data = json.loads(ask.stdout)
    assert {"question", "speaker", "topic", "language", "citations"} <= set(data)
    citation = data["citations"][0]
    assert {"text", "speaker", "episode", "start_seconds", "timestamp", "url", "source", "kind"} <= set(citation)
    assert citation["speaker"] == "Dario Amodei" and citation["timestamp"] == "00:10:05"
    assert "v=AbCdEfGhIjK&t=" in citation["url"]


def test_large_ingest_from_python_dash_m_uses_worker_processes_cleanly(tmp_path: Path) -> None:
    """Worker processes import the main module; `python -m bot` must not run its command again in them."""
    notes = tmp_path / "big"
    notes.mkdir()
    paragraph = "Guest Person ({t}) Compute budgets grow every year and the models keep getting better. " * 1
    for n in range(60):
        turns = "\n\n".join(
            paragraph.format(t=f"00:{m // 60:02d}:{m % 60:02d}") + f"Episode {n} turn {m}." for m in range(0, 800, 1)
        )
        (notes / f"episode-{n:02d}.md").write_text(f"---\ntitle: Episode {n}\n---\n\n{turns}\n", encoding="utf-8")
    assert sum(f.stat().st_size for f in notes.iterdir()) > 4_000_000  # past the worker-process threshold
    result = _run("ingest", str(notes), "--db", str(tmp_path / "big.db"))
    assert result.returncode == 0, result.stderr
    assert "added 60" in result.stdout and "failed 0" in result.stdout
    assert "parser process died" not in result.stderr and "bootstrapping phase" not in result.stderr


def test_embedded_default_answers_from_demo_notes(tmp_path: Path) -> None:
    """No configuration at all: the bundled demo notes, indexed into a per-user data file on first use."""
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)}
    result = _run("ask", "what did Amodei say about talent density?", env=env)
    assert result.returncode == 0, result.stderr
    assert "Dario Amodei" in result.stdout and "ugvHCXCOmm4" in result.stdout
    assert (tmp_path / "data" / "saidbot" / "saidbot.db").exists()
    japanese = _run("ask", "--json", "アモデイはタレント密度について何と言った？", env=env)
    data = json.loads(japanese.stdout)
    assert data["language"] == "ja" and data["citations"][0]["language"] == "ja"


def test_malformed_note_reported_with_file_and_line(tmp_path: Path, notes_dir: Path) -> None:
    (notes_dir / "bad.md").write_text("---\ntitle: [oops\n---\ntext\n", encoding="utf-8")
    result = _run("ingest", str(notes_dir), "--db", str(tmp_path / "y.db"))
    assert result.returncode == 0
    assert f"{notes_dir / 'bad.md'}:" in result.stderr and "failed 1" in result.stdout
    assert "Traceback" not in result.stderr


async def test_console_chat_pages_with_more(loaded: SaidService) -> None:
    out = io.StringIO()
    await chat(loaded, stdin=io.StringIO("trust\nmore\nmore\nmore\nquit\n"), stdout=out)
    text = out.getvalue()
    assert "1. " in text and "2. " in text
    assert "That's everything I found." in text
