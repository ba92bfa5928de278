"""`saidbot ingest URL… --db FILE` and `saidbot sources [--json]` as a user runs them: a real process
fetching from a loopback server the test starts."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from tests.bot.remote.test_remote_ingest import NOTE
from tests.support.remote_server import serving

ROOT = Path(__file__).resolve().parents[2]


async def _saidbot(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("SAIDBOT_", "SLACK_", "DISCORD_"))}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "saidbot", *args, cwd=ROOT, env={**full, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_ingest_urls_beside_paths_then_list_the_sources(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "local.md").write_text("---\ntitle: Local\n---\n\n**Ada Lovelace (00:01:00):**\n\"Local words.\"\n")
    allow = {"SAIDBOT_ALLOW_PRIVATE_URLS": "1", "SAIDBOT_FETCH_TIMEOUT_SECONDS": "5"}
    async with serving() as server:
        url = server.put("/scaling.md", NOTE)
        missing = server.url("/missing.md")
        code, out, err = await _saidbot("ingest", str(notes), url, missing, "--db", str(db), env=allow)
        assert code == 0, err
        assert f"{url}: added (1 document(s) written, 1 segments)" in out
        assert f"{missing}: failed: HTTP 404 (what it gave before keeps serving)" in out
        assert "added 2," in out and "failed 1" in out
        assert f"{missing}: HTTP 404" in err

        code, out, err = await _saidbot("sources", "--db", str(db), env=allow)
        assert code == 0, err
        assert out.splitlines()[0] == missing and f"\n{url}\n" in out
        assert "listed in: command line" in out and "conditional requests: ETag and Last-Modified" in out

        code, out, err = await _saidbot("sources", "--json", "--db", str(db), env=allow)
        listed = {s["url"]: s for s in json.loads(out)}
        assert listed[url]["status"] == "ok" and listed[url]["documents"] == 1 and listed[url]["etag"] is True
        assert listed[missing]["status"] == "failed" and listed[missing]["reason"] == "HTTP 404"

        # Without the variable, loopback is refused and the server sees nothing.
        seen = len(server.seen)
        code, out, err = await _saidbot("ingest", url, "--db", str(tmp_path / "strict.db"), env={})
        assert code == 1
        assert "refused: 127.0.0.1 is a private address (set SAIDBOT_ALLOW_PRIVATE_URLS=1" in out
        assert len(server.seen) == seen
