"""Fixtures shared by every test: small notes written on the spot and a service over a temp database."""

from __future__ import annotations

import logging
import textwrap
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from bot.service import SaidService
from bot.settings import Settings
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.slack_api import FakeSlack

NOTE_EN = """\
---
title: Team notes
lang: en
show: Example Podcast
episode: 7
youtube: AbCdEfGhIjK
speakers: [Hannah Host, Dario Amodei]
---

# Team notes

Dario Amodei spoke about hiring at the 0:10:00 mark of Example Podcast #7.

## Talent density

**Hannah Host (00:09:50):**
"Why do you keep saying that talent density beats talent mass?"

**Dario Amodei (00:10:05):**
"A hundred excellent people will beat a thousand average ones every time. When everyone around you is excellent, trust comes for free."

**Dario Amodei (continued):**
"Large teams need process and guardrails because people stop trusting each other."

## Other topics

- **Interpretability**: Amodei wants to see inside the networks we build.
- **Safety**: he argues that safety work sets the pace of the field.
"""

NOTE_JA = """\
---
title: チームのノート
lang: ja
show: Example Podcast
episode: 7
youtube: AbCdEfGhIjK
speakers: [Hannah Host, Dario Amodei]
---

# チームのノート

ダリオ・アモデイは第7回の10分00秒あたりで採用について話しました。

## タレント密度（talent density）

**Hannah Host (00:09:50):**
「なぜタレント密度はタレント量に勝ると言い続けるのですか？」

**Dario Amodei (00:10:05):**
「優秀な100人は平凡な1,000人に毎回勝ちます。周りが皆優秀なら、信頼は自然に生まれます。」

**Dario Amodei (続き):**
「大きなチームでは互いを信頼できなくなるので、手続きとガードレールが必要になります。」

## 他の話題

- **解釈可能性**: アモデイは作ったネットワークの内部を見たいと考えています。
- **天気**: 今日の天気の話はしていません。
"""


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """Each test leaves logging as it found it: a command run in a test (`saidbot doctor`) sets up logging for
    the process, and a later test that logs thousands of lines would otherwise write them all through it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    noisy = {name: logging.getLogger(name).level for name in ("discord.gateway", "discord.client", "aiohttp.access")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, was in noisy.items():
        logging.getLogger(name).setLevel(was)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    """A fake Slack Web API on loopback (tests/adapters/slack overrides it with one that can fail)."""
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    """A fake Discord (HTTP API and gateway) on loopback."""
    fake = FakeDiscord()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
def write() -> Callable[[Path, str], Path]:
    def _write(path: Path, text: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def notes_dir(tmp_path: Path, write: Callable[[Path, str], Path]) -> Path:
    root = tmp_path / "notes"
    write(root / "team-en.md", NOTE_EN)
    write(root / "team-ja.md", NOTE_JA)
    return root


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db=tmp_path / "store.db", notes=None, config_dir=Path(__file__).parents[1] / "config")


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[SaidService]:
    svc = await SaidService.open(settings)
    await svc.ensure_index()
    try:
        yield svc
    finally:
        await svc.close()


@pytest.fixture
async def loaded(service: SaidService, notes_dir: Path) -> SaidService:
    report = await service.ingest([notes_dir])
    assert report.failed == 0, report.problems
    return service
