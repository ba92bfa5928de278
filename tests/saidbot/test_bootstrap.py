"""The front door over a fake core: the CLI's `ask` and the supervisor run against whatever core they are handed."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import ClientSession
from pydantic import SecretStr

from bot.config_files import ConfigError
from bot.port import Core
from bot.settings import DiscordSettings, Settings, SlackSettings
from bot.shared_state import SharedState
from saidbot.bootstrap import Adapter, NotConfigured, Plan, given_core, open_core, plan_for
from saidbot.cli import main
from saidbot.supervisor import supervise
from tests.fakes.core import FakeCore, as_core
from tests.support.net import free_port


@pytest.fixture
def restore_logging() -> Iterator[None]:
    # main() installs its own handler on the root logger; later tests must not write to this one's stderr.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_the_cli_asks_the_core_it_is_handed(capsys: pytest.CaptureFixture[str], restore_logging: None) -> None:
    fake = FakeCore(speaker="Fake Person")
    code = main(["ask", "--json", "talent", "density"], opener=given_core(as_core(fake)))
    assert code == 0
    assert fake.asked == [("talent density", None)]
    assert json.loads(capsys.readouterr().out)["status"] == "not_found"


def test_ingest_needs_a_core_that_can_ingest(capsys: pytest.CaptureFixture[str], restore_logging: None,
                                             tmp_path: Path) -> None:
    assert main(["ingest", str(tmp_path)], opener=given_core(FakeCore())) == 1
    assert capsys.readouterr().err == "saidbot: this core cannot read files into a store\n"


async def test_the_supervisor_serves_and_runs_adapters_over_a_fake_core(settings: Settings) -> None:
    fake = FakeCore(segments=42)
    port = free_port()
    started: list[Core] = []
    shared: list[SharedState] = []

    async def adapter(core: Core, _: Settings, *, state: SharedState) -> None:
        started.append(core)
        shared.append(state)
        await asyncio.Event().wait()  # like a gateway: runs until cancelled

    stop = asyncio.Event()
    plan = Plan(web=True, adapters=(Adapter("fake", adapter),))
    running = asyncio.create_task(supervise(settings.updated(web={"host": "127.0.0.1", "port": port}), plan,
                                            opener=given_core(fake), stop=stop))
    async with ClientSession() as session:
        for _ in range(200):
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
                    status, body = resp.status, await resp.json()
                break
            except OSError:
                await asyncio.sleep(0.02)
        else:
            pytest.fail("the supervisor never bound its port")
    assert status == 200 and body["segments"] == 42
    assert started == [fake]
    assert len(shared) == 1 and await shared[0].claim("k") and not await shared[0].claim("k")
    stop.set()
    assert await asyncio.wait_for(running, 10) == 0


async def test_a_failing_adapter_ends_the_process_with_1(settings: Settings) -> None:
    async def broken(core: Core, _: Settings, *, state: SharedState) -> None:
        raise ValueError("token rejected")

    plan = Plan(web=False, adapters=(Adapter("broken", broken),))
    assert await asyncio.wait_for(supervise(settings, plan, opener=given_core(FakeCore())), 10) == 1


async def test_open_core_over_a_temp_store(settings: Settings, notes_dir: Path) -> None:
    async with open_core(settings) as opened:
        report = await opened.ingest([notes_dir])
        assert report.added == 2
        answer = await opened.core.ask("what did Amodei say about talent density?")
        assert answer.citations and answer.citations[0].speaker == "Dario Amodei"


async def test_open_core_reports_a_broken_config_file(settings: Settings, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "shows.toml").write_text('[[show]]\nname = "x"\nhosts = [\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"shows\.toml:\d+: "):
        async with open_core(settings.updated(core={"config_dir": config})):
            pass


def _sections(*, discord: str | None = None, bot: str | None = None, app: str | None = None) -> Settings:
    def secret(value: str | None) -> SecretStr | None:
        return SecretStr(value) if value else None

    return Settings(discord=DiscordSettings(token=secret(discord)),
                    slack=SlackSettings(bot_token=secret(bot), app_token=secret(app), signing_secret=None))


def test_plans_follow_the_sections_readiness() -> None:
    assert plan_for("serve", _sections()) == Plan(web=True)
    assert plan_for("slack", _sections()) == Plan(web=True)
    assert plan_for("run", _sections()) == Plan(web=True)
    assert [a.name for a in plan_for("run", _sections(discord="t" * 30)).adapters] == ["discord"]
    assert [a.name for a in plan_for("slack", _sections(bot="b" * 20, app="a" * 20), socket=True).adapters] == [
        "slack-socket"
    ]
    with pytest.raises(NotConfigured, match=r"^DISCORD_TOKEN is not set \(see docs/discord\.md"):
        plan_for("discord", _sections())
    with pytest.raises(NotConfigured, match=r"^Socket Mode needs SLACK_APP_TOKEN \(see docs/slack\.md\)$"):
        plan_for("slack", _sections(bot="b" * 20), socket=True)
    with pytest.raises(NotConfigured, match=r"^Socket Mode needs SLACK_APP_TOKEN and SLACK_BOT_TOKEN "):
        plan_for("slack", _sections(), socket=True)
