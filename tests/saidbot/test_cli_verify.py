"""`saidbot verify` as a user runs it: a real process over a real database file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.saidbot.test_cli import _run


def test_verify_prints_the_verdict_and_json_in_the_ask_shape(tmp_path: Path, notes_dir: Path) -> None:
    db = tmp_path / "x.db"
    assert _run("ingest", str(notes_dir), "--db", str(db)).returncode == 0
    quote = "A hundred excellent people will beat a thousand average ones, every time!"
    found = _run("verify", "--db", str(db), "--json", "--speaker", "Amodei", quote)
    assert found.returncode == 0, found.stderr
    data = json.loads(found.stdout)
    assert data["verdict"] == "verbatim" and data["quote"] == quote and data["speaker"] == "Dario Amodei"
    citation = data["citations"][0]
    # The same keys as `saidbot ask --json`, and the match.
    assert {"text", "speaker", "episode", "start_seconds", "timestamp", "url", "source", "kind"} <= set(citation)
    assert citation["timestamp"] == "00:10:05" and "v=AbCdEfGhIjK&t=" in citation["url"]
    assert citation["match"] > 0.9 and citation["verbatim"] is True

    missing = _run("verify", "--db", str(db), "robots will bake all our bread", "--speaker", "Dario Amodei")
    assert missing.returncode == 0, missing.stderr
    assert missing.stdout.startswith("I found nothing close to that quote by Dario Amodei.")
    assert "Quote: “robots will bake all our bread”" in missing.stdout

    empty = _run("verify", "--db", str(db), " … ")
    assert empty.returncode == 2 and "give the words to check" in empty.stderr and not empty.stdout
