"""The configuration travels with the package, a deployment's folder is laid over it file by file, and a
`.env` copied from example.env works as it is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from bot.config_files import ConfigError
from bot.service import SaidService
from bot.settings import (
    PACKAGED_CONFIG_DIR,
    SECTIONS,
    CoreSettings,
    DiscordSettings,
    Settings,
    SlackSettings,
    WebSettings,
    environment_variables,
)
from bot.speakers import load_configured_speakers
from saidbot.doctor import check_config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_ENV = PACKAGED_CONFIG_DIR / "example.env"


def test_the_packaged_configuration_is_inside_the_package_and_the_checkout_points_at_it() -> None:
    assert PACKAGED_CONFIG_DIR.parent.name == "bot"
    for name in ("speakers.toml", "shows.toml", "aliases.toml", "glossary-ja-en.toml", "example.env",
                 "slack-manifest.yml"):
        assert (PACKAGED_CONFIG_DIR / name).is_file(), name
    assert (ROOT / "config").resolve() == PACKAGED_CONFIG_DIR
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"config/*"' in text, "pyproject.toml must ship bot/config/ as package data"
    assert Settings(notes=None, db=None).core.config_folder == PACKAGED_CONFIG_DIR


def test_a_deployment_folder_replaces_files_of_the_same_name_and_adds_new_ones(tmp_path: Path) -> None:
    own = tmp_path / "own"
    own.mkdir()
    (own / "speakers.toml").write_text('[[speaker]]\nname = "Ada Lovelace"\naliases = ["エイダ"]\n', encoding="utf-8")
    (own / "glossary-fr-en.toml").write_text("", encoding="utf-8")
    settings = Settings(notes=None, db=tmp_path / "x.db", config_dir=own)
    assert settings.core.config_dirs == (PACKAGED_CONFIG_DIR, own)
    folder = settings.core.config_folder
    names = {s.name for s in load_configured_speakers(folder)}
    assert names == {"Ada Lovelace"}  # replaced, not merged within the file
    assert (folder / "shows.toml").read_bytes() == (PACKAGED_CONFIG_DIR / "shows.toml").read_bytes()  # kept
    assert {"glossary-fr-en.toml", "glossary-ja-en.toml", "aliases.toml"} <= {p.name for p in folder.iterdir()}
    [packaged, mine] = check_config(settings)
    assert str(PACKAGED_CONFIG_DIR) in packaged.what
    assert "replaces: speakers.toml" in mine.what and "adds: glossary-fr-en.toml" in mine.what


async def test_a_broken_file_in_the_deployment_folder_is_reported(tmp_path: Path) -> None:
    own = tmp_path / "broken"
    own.mkdir()
    (own / "shows.toml").write_text("[[show]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"shows\.toml:1: "):
        await SaidService.open(Settings(notes=None, db=tmp_path / "b.db", config_dir=own))


def _names(section: type[BaseSettings]) -> set[str]:
    return set(environment_variables(section))


def test_example_env_loads_as_is_and_lists_every_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for section in SECTIONS:
        for name in _names(section):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    core = CoreSettings(_env_file=EXAMPLE_ENV)  # type: ignore[call-arg]
    discord = DiscordSettings(_env_file=EXAMPLE_ENV)  # type: ignore[call-arg]
    slack = SlackSettings(_env_file=EXAMPLE_ENV)  # type: ignore[call-arg]
    web = WebSettings(_env_file=EXAMPLE_ENV)  # type: ignore[call-arg]
    # Empty means unset: no guild id error, no database or notes in the current directory, no tokens.
    assert core.notes is None and core.db is None and core.config_dir is None
    assert discord.guild_id is None and not discord.readiness.configured and discord.readiness.missing
    assert not slack.readiness.configured and not slack.readiness.partly
    assert web.port == 3000
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", EXAMPLE_ENV.read_text(encoding="utf-8"), re.MULTILINE))
    every = set().union(*(_names(s) for s in SECTIONS))
    assert every == listed, f"missing from example.env: {every - listed}; not settings: {listed - every}"
    assert "SAIDBOT_DEFAULT_LANG" not in listed  # removed: nothing read it (README, Configuration)


def test_a_dotenv_copied_from_the_example_lets_every_command_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for section in SECTIONS:
        for name in _names(section):
            monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text(EXAMPLE_ENV.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.core.notes_path.name == "demo" and settings.core.db_path.name == "saidbot.db"
    assert settings.secrets() == []
