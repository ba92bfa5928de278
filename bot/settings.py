"""One configuration model for the whole program, read from the environment and an optional `.env`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
DEMO_NOTES_DIR = PACKAGE_DIR / "demo"


def _default_config_dir() -> Path:
    # In a checkout (and an editable install) the project's config/ sits beside bot/;
    # an installed wheel carries a copy inside the package.
    beside = PACKAGE_DIR.parent / "config"
    return beside if beside.is_dir() else PACKAGE_DIR / "default_config"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "saidbot"


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Every knob saidbot has. `config/example.env` documents each variable."""

    model_config = SettingsConfigDict(
        env_prefix="SAIDBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    # Core
    notes: Path | None = Field(default=None, description="Folder (or file) of notes and transcripts")
    db: Path | None = Field(default=None, description="SQLite database file")
    config_dir: Path = Field(default_factory=_default_config_dir)
    default_lang: Literal["en", "ja"] = "en"
    read_connections: int = Field(default=4, ge=1, le=64)

    # Logging
    log_level: str = "INFO"
    log_format: Literal["auto", "json", "text"] = "auto"

    # Discord
    discord_token: SecretStr | None = Field(default=None, validation_alias=_env("DISCORD_TOKEN"))
    discord_guild_id: int | None = Field(default=None, validation_alias=_env("DISCORD_GUILD_ID"))
    # A Discord-compatible server instead of discord.com (self-hosted gateways, integration tests).
    discord_api_url: str | None = Field(default=None, validation_alias=_env("DISCORD_API_URL"))
    discord_gateway_url: str | None = Field(default=None, validation_alias=_env("DISCORD_GATEWAY_URL"))
    discord_admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, validation_alias=_env("SAIDBOT_DISCORD_ADMIN_IDS", "discord_admin_ids")
    )

    # Slack
    slack_bot_token: SecretStr | None = Field(default=None, validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_SIGNING_SECRET")
    )
    slack_app_token: SecretStr | None = Field(default=None, validation_alias=_env("SLACK_APP_TOKEN"))
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias=_env("SLACK_API_URL"))

    # Web process
    port: int = Field(default=3000, validation_alias=_env("PORT"))
    host: str = Field(default="0.0.0.0", validation_alias=_env("SAIDBOT_HOST", "host"))

    @field_validator("discord_admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @property
    def uses_demo_notes(self) -> bool:
        return self.notes is None

    @property
    def notes_path(self) -> Path:
        return self.notes if self.notes is not None else DEMO_NOTES_DIR

    @property
    def db_path(self) -> Path:
        return self.db if self.db is not None else default_data_dir() / "saidbot.db"
