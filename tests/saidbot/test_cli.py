"""The command line as a user runs it: a real process, a real database file."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.console import chat
from bot.service import SaidService

ROOT = Path(__file__).resolve().parents[2]


def _run(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT, module: str = "bot"
) -> subprocess.CompletedProcess[str]:
    # The developer's own configuration must not leak into what the test sees.
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("SAIDBOT_", "SLACK_", "DISCORD_"))}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120
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
    assert "parser_process_died" not in result.stderr and "bootstrapping phase" not in result.stderr


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


def test_python_dash_m_saidbot_is_the_same_program(tmp_path: Path, notes_dir: Path) -> None:
    assert _run("--help", module="saidbot").stdout == _run("--help").stdout
    db = tmp_path / "z.db"
    assert _run("ingest", str(notes_dir), "--db", str(db), module="saidbot").returncode == 0
    asked = [_run("ask", "--db", str(db), "--json", "talent density", module=m).stdout for m in ("saidbot", "bot")]
    assert asked[0] == asked[1] and json.loads(asked[0])["citations"]


@pytest.mark.parametrize(
    ("name", "text", "line", "command"),
    [
        ("speakers.toml", '[[speaker]]\nname = "Dario Amodei"\naliases = ["Dario", oops]\n', 3, "ask"),
        ("shows.toml", '[[show]]\nname = "Decoder"\n\n[[show]\n', 4, "ingest"),
    ],
)
def test_a_broken_config_file_is_one_line_and_exit_2(
    tmp_path: Path, notes_dir: Path, name: str, text: str, line: int, command: str
) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / name).write_text(text, encoding="utf-8")
    args = ("ask", "talent density") if command == "ask" else ("ingest", str(notes_dir))
    result = _run(*args, "--db", str(tmp_path / "c.db"), cwd=tmp_path, env={"SAIDBOT_CONFIG_DIR": "config"})
    assert result.returncode == 2, result.stderr
    # Log lines (JSON, off a terminal) may come first; the error itself is one line.
    [error] = [text for text in result.stderr.splitlines() if not text.startswith("{")]
    assert error.startswith(f"saidbot: config/{name}:{line}: ") and len(error) > len(f"saidbot: config/{name}:{line}: ")
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_a_long_running_command_names_what_is_missing(tmp_path: Path) -> None:
    discord = _run("discord", cwd=tmp_path)
    assert discord.returncode == 2
    assert discord.stderr == "saidbot: DISCORD_TOKEN is not set (see docs/discord.md; `saidbot doctor` checks it)\n"
    both = _run("slack", "--socket", cwd=tmp_path)
    assert both.returncode == 2
    assert both.stderr == "saidbot: Socket Mode needs SLACK_APP_TOKEN and SLACK_BOT_TOKEN (see docs/slack.md)\n"
    app_only = _run("slack", "--socket", cwd=tmp_path, env={"SLACK_BOT_TOKEN": "xoxb-1234567890-abcdefghij"})
    assert app_only.returncode == 2
    assert app_only.stderr == "saidbot: Socket Mode needs SLACK_APP_TOKEN (see docs/slack.md)\n"
