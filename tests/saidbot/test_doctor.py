"""`saidbot doctor` fails clearly on a missing or malformed token and passes on a complete configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pydantic import SecretStr

from bot.settings import DiscordSettings, Settings, SlackSettings
from saidbot.doctor import check_slack

SLACK_OK = {
    "SLACK_BOT_TOKEN": "xoxb-1234567890-abcdefghij",
    "SLACK_SIGNING_SECRET": "0123456789abcdef0123456789abcdef",
}
DISCORD_OK = {"DISCORD_TOKEN": "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"}


def _doctor(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("SAIDBOT_", "SLACK_", "DISCORD_"))
    }
    clean.update({"SAIDBOT_DB": str(tmp_path / "d.db"), "HOME": str(tmp_path)}, **env)
    return subprocess.run(
        [sys.executable, "-m", "saidbot", "doctor", *args], cwd=tmp_path, env=clean, capture_output=True, text=True,
        timeout=60,
    )


def test_doctor_fails_without_any_adapter(tmp_path: Path) -> None:
    result = _doctor(tmp_path, {})
    assert result.returncode == 1
    assert "no chat adapter can start" in result.stdout and "DISCORD_TOKEN" in result.stdout


def test_doctor_names_the_missing_slack_token(tmp_path: Path) -> None:
    result = _doctor(tmp_path, {"SLACK_SIGNING_SECRET": SLACK_OK["SLACK_SIGNING_SECRET"]})
    assert result.returncode == 1
    assert "SLACK_BOT_TOKEN is missing" in result.stdout


def test_doctor_rejects_a_malformed_token_without_printing_it(tmp_path: Path) -> None:
    result = _doctor(tmp_path, {"DISCORD_TOKEN": "not-a-token-secret-value"})
    assert result.returncode == 1
    assert "does not look like one" in result.stdout
    assert "not-a-token-secret-value" not in result.stdout + result.stderr


def test_doctor_passes_on_a_complete_configuration(tmp_path: Path) -> None:
    result = _doctor(tmp_path, {**SLACK_OK, **DISCORD_OK}, "--require", "discord", "--require", "slack")
    assert result.returncode == 0, result.stdout
    assert "All good." in result.stdout
    assert SLACK_OK["SLACK_BOT_TOKEN"] not in result.stdout


def test_doctor_requires_named_adapter(tmp_path: Path) -> None:
    result = _doctor(tmp_path, SLACK_OK, "--require", "discord")
    assert result.returncode == 1 and "DISCORD_TOKEN is not set" in result.stdout


def _settings(*, bot_token: str = "", signing_secret: str = "", app_token: str = "") -> Settings:
    def secret(value: str) -> SecretStr | None:
        return SecretStr(value) if value else None

    slack = SlackSettings(bot_token=secret(bot_token), signing_secret=secret(signing_secret),
                          app_token=secret(app_token))
    return Settings(discord=DiscordSettings(token=None), slack=slack)


def test_socket_mode_alone_needs_no_signing_secret() -> None:
    checks = check_slack(_settings(bot_token=SLACK_OK["SLACK_BOT_TOKEN"], app_token="xapp-1234567890-abcdef"))
    assert [c.level for c in checks] == ["ok", "ok"]
    assert not any("SLACK_SIGNING_SECRET" in c.what for c in checks)


def test_a_half_configured_slack_names_what_is_missing() -> None:
    checks = check_slack(_settings(signing_secret=SLACK_OK["SLACK_SIGNING_SECRET"]))
    assert [(c.level, c.what) for c in checks if c.level == "fail"] == [("fail", "SLACK_BOT_TOKEN is missing")]
    [untouched] = check_slack(_settings())
    assert untouched.level == "warn" and "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set" in untouched.what


def test_chat_added_sources_on_an_ephemeral_disk_are_warned_about(tmp_path: Path) -> None:
    from saidbot.doctor import check_chat_sources

    home = Path.home() / ".saidbot-doctor-test.db"
    kept = Settings(db=home, notes=None)
    assert [c.level for c in check_chat_sources(kept, {})] == ["ok"]
    [heroku] = check_chat_sources(kept, {"DYNO": "web.1"})
    assert heroku.level == "warn" and "on Heroku" in heroku.what and "DATABASE_URL" in heroku.fix
    assert "on Render" in check_chat_sources(kept, {"RENDER": "true"})[0].what
    assert "on Fly.io" in check_chat_sources(kept, {"FLY_APP_NAME": "saidbot"})[0].what
    [under_tmp] = check_chat_sources(Settings(db=Path("/tmp/said/said.db"), notes=None), {})
    assert under_tmp.level == "warn" and "is under /tmp" in under_tmp.what
    [database] = check_chat_sources(kept, {"DYNO": "web.1", "DATABASE_URL": "postgres://db.example/said"})
    assert database.level == "ok"
