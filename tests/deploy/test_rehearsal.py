"""A PaaS rehearsal: build the wheel, install it the way a platform does, run the Procfile's lines.

The wheel goes into a fresh virtualenv (no editable install, no dev extras) with the pins of
requirements.txt; each process runs from a folder outside the repository with an empty HOME, so it
can use nothing but what the wheel carries. The question names its speaker in Japanese (ダリオ), which
only the packaged speakers.toml maps to Dario Amodei: an install that lost its configuration would
answer "nothing found". Run by .ci/run (`-m rehearsal`); timings and sizes are printed.
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import ClientError, ClientSession

from bot.deeplinks import deep_link
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.slack_api import BOT_USER, FakeSlack, signed_headers
from tests.support.net import free_port
from tests.support.processes import stop_process

pytestmark = pytest.mark.rehearsal

ROOT = Path(__file__).resolve().parents[2]
SECRET = "0123456789abcdef0123456789abcdef"
BOT_TOKEN = "xoxb-rehearsal-token-123456"
QUESTION = "ダリオは中国について何と言った？"
VIDEO_ID = "ugvHCXCOmm4"
START = 2 * 3600 + 10 * 60 + 5  # 02:10:05
QUOTE = "China is the one country that could match us on compute"
NOTE = f"""\
---
title: Dario Amodei on export controls
lang: en
show: Lex Fridman Podcast
episode: 452
youtube: {VIDEO_ID}
speakers: [Lex Fridman, Dario Amodei]
---

# Export controls

**Lex Fridman (02:09:40):**
Lex asks about chips and geopolitics.

**Dario Amodei (02:10:05):**
"{QUOTE}, which is why export controls on chips matter so much."
"""
# Filled in by the tests; tests/deploy/conftest.py prints them at the end of the run.
TIMINGS: dict[str, float] = {}


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


@dataclass
class Installed:
    """The wheel installed in a fresh virtualenv, and a place outside the repository to run it from."""

    venv: Path
    app: Path
    home: Path
    procfile: dict[str, str] = field(default_factory=dict)

    def env(self, **extra: str) -> dict[str, str]:
        keep = {k: os.environ[k] for k in ("LANG", "LC_ALL", "TMPDIR") if k in os.environ}
        return {**keep, "PATH": f"{self.venv / 'bin'}:/usr/bin:/bin", "HOME": str(self.home),
                "SAIDBOT_LOG_FORMAT": "json", "SAIDBOT_NOTES": str(self.app / "notes"), **extra}

    def argv(self, process: str) -> list[str]:
        words = shlex.split(self.procfile[process])
        return [str(self.venv / "bin" / words[0]), *words[1:]]


def _run(argv: list[str], **kwargs: object) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, timeout=300, **kwargs)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{argv}: {result.stderr[-3000:]}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("paas")
    began = time.perf_counter()
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(ROOT), "-w", str(base / "wheels")],
         cwd=base)
    TIMINGS["wheel build s"] = time.perf_counter() - began
    [wheel] = (base / "wheels").glob("saidbot-*.whl")
    TIMINGS["wheel size KB"] = wheel.stat().st_size / 1024

    began = time.perf_counter()
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    constraints = base / "constraints.txt"
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    constraints.write_text("\n".join(line for line in lines if line.strip() != ".") + "\n", encoding="utf-8")
    home = base / "home"
    home.mkdir()
    # Only pip's download cache is shared with this machine, so the rehearsal does not fetch everything anew.
    pip_env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    cache = subprocess.run([sys.executable, "-m", "pip", "cache", "dir"], capture_output=True, text=True, timeout=60)
    if cache.returncode == 0 and cache.stdout.strip():
        pip_env["PIP_CACHE_DIR"] = cache.stdout.strip()
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-c", str(constraints), str(wheel)],
         cwd=base, env=pip_env)
    TIMINGS["install s"] = time.perf_counter() - began
    TIMINGS["installed env MB"] = _size(venv) / 1e6

    app = base / "app"
    (app / "notes").mkdir(parents=True)
    (app / "notes" / "dario-china.md").write_text(NOTE, encoding="utf-8")
    procfile = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines() if line.strip()
    )
    return Installed(venv=venv, app=app, home=home, procfile={k.strip(): v.strip() for k, v in procfile.items()})


def test_the_installed_program_is_the_wheel_not_the_checkout(installed: Installed) -> None:
    found = subprocess.run(
        [str(installed.venv / "bin" / "python"), "-c", "import bot.settings as s; print(s.PACKAGED_CONFIG_DIR)"],
        cwd=installed.app, env=installed.env(), capture_output=True, text=True, timeout=60,
    )
    config = Path(found.stdout.strip())
    assert config.is_relative_to(installed.venv) and (config / "speakers.toml").is_file(), found.stderr
    listed = subprocess.run([str(installed.venv / "bin" / "python"), "-m", "pip", "list", "--format=json"],
                            env=installed.env(), capture_output=True, text=True, timeout=60)
    names = {p["name"].lower() for p in json.loads(listed.stdout)}
    assert "saidbot" in names and not names & {"pytest", "mypy", "ruff", "hypothesis"}  # no dev extras




async def _bound(port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.02)
            continue
        writer.close()
        await writer.wait_closed()
        return True
    return False




async def test_web_line_binds_serves_a_japanese_question_and_stops(
    installed: Installed, slack: FakeSlack, tmp_path: Path
) -> None:
    port = free_port()
    env = installed.env(PORT=str(port), SAIDBOT_DB=str(tmp_path / "web.db"), SLACK_BOT_TOKEN=BOT_TOKEN,
                        SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=slack.api_url)
    began = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        *installed.argv("web"), cwd=installed.app, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert await _bound(port, began + 5), "the web process must bind $PORT within 5 s"
        TIMINGS["web bind s"] = time.monotonic() - began
        url = f"http://127.0.0.1:{port}"
        async with ClientSession() as session:
            for _ in range(600):
                try:
                    async with session.get(f"{url}/healthz") as resp:
                        if resp.status == 200:
                            break
                except (ClientError, OSError):
                    pass
                await asyncio.sleep(0.05)
            else:
                pytest.fail("/healthz never turned 200")
            TIMINGS["web ready s"] = time.monotonic() - began
            event = json.dumps({
                "type": "event_callback", "event_id": "EvRehearsal", "team_id": "T1", "api_app_id": "A1",
                "authorizations": [{"user_id": BOT_USER, "is_bot": True, "team_id": "T1"}],
                "event": {"type": "app_mention", "user": "U1", "channel": "C1", "ts": "1.1",
                          "text": f"<@{BOT_USER}> {QUESTION}"},
            }, ensure_ascii=False)
            asked = time.monotonic()
            async with session.post(f"{url}/slack/events", data=event.encode(), headers=signed_headers(event, secret=SECRET, content_type="application/json")) as resp:
                assert resp.status == 200
            [post] = await slack.wait_for("chat.postMessage", timeout=30)
            TIMINGS["web answer s"] = time.monotonic() - asked
        reply = json.dumps(post, ensure_ascii=False)
        assert QUOTE in reply, reply
        assert str(deep_link(VIDEO_ID, None, START)) in reply, reply
    finally:
        stopped = await stop_process(proc)
    stopped.assert_clean()
    TIMINGS["web shutdown s"] = stopped.seconds
    assert BOT_TOKEN not in stopped.stderr.decode() and SECRET not in stopped.stderr.decode()


async def test_worker_line_answers_a_japanese_question_and_stops(
    installed: Installed, discord_fake: FakeDiscord, tmp_path: Path
) -> None:
    env = installed.env(SAIDBOT_DB=str(tmp_path / "worker.db"), DISCORD_TOKEN=discord_fake.token,
                        DISCORD_GUILD_ID=str(discord_fake.guild_id), DISCORD_API_URL=discord_fake.api_base,
                        DISCORD_GATEWAY_URL=discord_fake.gateway_url)
    began = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        *installed.argv("worker"), cwd=installed.app, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        await discord_fake.wait_ready(1, timeout=30)
        TIMINGS["worker connected s"] = time.monotonic() - began
        asked = time.monotonic()
        it = await discord_fake.answered(await discord_fake.slash("ask", question=QUESTION), timeout=30)
        TIMINGS["worker answer s"] = time.monotonic() - asked
        message = discord_fake.reply_message(it)
        reply = json.dumps(message, ensure_ascii=False)
        assert QUOTE in reply, reply
        assert str(deep_link(VIDEO_ID, None, START)) in reply, reply
    finally:
        stopped = await stop_process(proc)
    stopped.assert_clean()
    TIMINGS["worker shutdown s"] = stopped.seconds
    assert discord_fake.token not in stopped.stderr.decode()
    assert discord_fake.problems == []
