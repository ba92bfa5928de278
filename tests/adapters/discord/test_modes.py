"""Which Discord mode a configuration runs: HTTP (the web process answers, no worker) or the gateway
(plain or sharded), as the settings' readiness, the bootstrap's plan and `saidbot doctor` say it."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from bot.settings import DiscordSettings, Settings, SlackSettings
from saidbot.bootstrap import NotConfigured, Plan, plan_for
from saidbot.doctor import check_discord

KEY = "ab" * 32
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"


def _settings(**discord: object) -> Settings:
    return Settings(discord=DiscordSettings(_env_file=None, **discord), slack=SlackSettings(_env_file=None))


def test_http_mode_needs_the_public_key_and_the_application_id() -> None:
    assert _settings(public_key=KEY, application_id=1).discord.http_readiness.configured
    half = _settings(public_key=KEY).discord.http_readiness
    assert (half.configured, half.partly, half.missing) == (False, True, ("DISCORD_APPLICATION_ID",))
    assert _settings(token=SecretStr(TOKEN)).discord.http_readiness.missing == (
        "DISCORD_PUBLIC_KEY", "DISCORD_APPLICATION_ID")


@pytest.mark.parametrize("key", ["ab" * 31, "zz" * 32, "ab" * 33, "0x" + "ab" * 31])
def test_a_public_key_that_is_not_64_hex_characters_is_refused(key: str) -> None:
    with pytest.raises(ValidationError, match="DISCORD_PUBLIC_KEY"):
        DiscordSettings(_env_file=None, public_key=key)


def test_a_public_key_is_read_whatever_its_case_and_spacing() -> None:
    assert DiscordSettings(_env_file=None, public_key=f"  {KEY.upper()} ").public_key == KEY


def test_in_http_mode_the_web_process_answers_discord_and_no_worker_runs() -> None:
    http = _settings(public_key=KEY, application_id=1, token=SecretStr(TOKEN))
    assert plan_for("run", http) == Plan(web=True)
    assert plan_for("serve", http) == Plan(web=True)
    with pytest.raises(NotConfigured, match="no worker is needed"):
        plan_for("discord", http)


def test_gateway_mode_still_runs_the_worker() -> None:
    gateway = _settings(token=SecretStr(TOKEN))
    assert [a.name for a in plan_for("discord", gateway).adapters] == ["discord"]
    assert [a.name for a in plan_for("run", gateway).adapters] == ["discord"]


def test_doctor_reports_the_mode() -> None:
    http = [c.what for c in check_discord(_settings(public_key=KEY, application_id=1))]
    assert http[0].startswith("Discord over HTTP") and any("discord-register" in w for w in http)
    sharded = [c.what for c in check_discord(_settings(token=SecretStr(TOKEN), shard_count=4, shard_ids=[1, 3]))]
    assert "Discord over the gateway, sharded: this process runs shard(s) 1, 3 of 4" in sharded
    plain = [c.what for c in check_discord(_settings(token=SecretStr(TOKEN)))]
    assert any(w.startswith("Discord over the gateway (") for w in plain)
    half = check_discord(_settings(application_id=1))
    assert half[0].level == "fail" and "DISCORD_PUBLIC_KEY" in half[0].what
