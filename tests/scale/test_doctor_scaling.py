"""`saidbot doctor` on scaling: where the shared state lives (password hidden), a scaled web process
without DATABASE_URL, and which Slack mode wins when both are configured."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.settings import Settings, SlackSettings
from saidbot.doctor import check_shared_state, check_slack

SECRET = "0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def _no_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WEB_CONCURRENCY", "DYNO"):
        monkeypatch.delenv(name, raising=False)


def test_postgres_is_named_without_its_password(tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "s.db", database_url=SecretStr("postgres://app:hunter2@db.internal:5432/said"))
    [check] = check_shared_state(settings)
    assert check.level == "ok" and "PostgreSQL" in check.what and "db.internal" in check.what
    assert "hunter2" not in check.what


@pytest.mark.parametrize(("name", "value"), [("WEB_CONCURRENCY", "2"), ("DYNO", "web.2")])
def test_a_scaled_web_process_without_database_url_is_warned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    ok, warn = check_shared_state(Settings(db=tmp_path / "s.db"))
    assert ok.level == "ok" and "SQLite" in ok.what and str(tmp_path) in ok.what
    assert warn.level == "warn" and f"{name}={value}" in warn.what and "DATABASE_URL" in warn.what


def test_one_process_on_sqlite_is_fine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    assert [c.level for c in check_shared_state(Settings(db=tmp_path / "s.db"))] == ["ok"]


def test_a_database_url_of_another_kind_fails(tmp_path: Path) -> None:
    [check] = check_shared_state(Settings(db=tmp_path / "s.db", database_url=SecretStr("mysql://u:p@h/d")))
    assert check.level == "fail" and "PostgreSQL" in check.fix


def test_multi_workspace_wins_over_a_bot_token_and_says_so() -> None:
    both = Settings(slack=SlackSettings(client_id="1.2", client_secret=SecretStr("cs"), signing_secret=SecretStr(SECRET),
                                        bot_token=SecretStr("xoxb-1234567890-abcdefghij")))
    checks = check_slack(both)
    assert checks[0].level == "ok" and "multi-workspace" in checks[0].what and "/slack/install" in checks[0].fix
    assert any(c.level == "warn" and "SLACK_BOT_TOKEN" in c.what and "wins" in c.what for c in checks)
    assert both.slack.readiness.configured and both.slack.multi_workspace


def test_half_an_oauth_setup_names_what_it_lacks() -> None:
    half = SlackSettings(client_id="1.2", signing_secret=SecretStr(SECRET))
    assert not half.readiness.configured and half.readiness.partly
    assert half.readiness.missing == ("SLACK_CLIENT_SECRET",)
    single = SlackSettings(bot_token=SecretStr("xoxb-1234567890-abcdefghij"), signing_secret=SecretStr(SECRET))
    assert single.readiness.configured and not single.multi_workspace
