"""The program's configuration in sections (core, discord, slack, web), read from the environment and `.env`.

Each section reads only its own variables and says whether it is configured and what is missing, so
the CLI, the supervisor, the web process and doctor ask the section instead of checking variables
themselves. The variable names are the ones `config/example.env` documents.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator, model_validator
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


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value().strip() if value is not None else ""


@dataclass(frozen=True)
class Readiness:
    """Whether a section can be used as configured, and which variables it still needs."""

    configured: bool
    missing: tuple[str, ...] = ()
    # Some of the section's variables are set, but not enough to use it (worth a warning).
    partly: bool = False


def _readiness(needed: tuple[tuple[str, SecretStr | None], ...]) -> Readiness:
    missing = tuple(name for name, value in needed if not _secret(value))
    return Readiness(configured=not missing, missing=missing, partly=0 < len(missing) < len(needed))


def _section_config(prefix: str = "") -> SettingsConfigDict:
    return SettingsConfigDict(
        env_prefix=prefix, env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )


class CoreSettings(BaseSettings):
    """The note store, the notes it keeps indexed, the configuration folder and logging."""

    model_config = _section_config("SAIDBOT_")

    notes: Path | None = Field(default=None, description="Folder (or file) of notes and transcripts")
    db: Path | None = Field(default=None, description="SQLite database file")
    config_dir: Path = Field(default_factory=_default_config_dir)
    default_lang: Literal["en", "ja"] = "en"
    read_connections: int = Field(default=4, ge=1, le=64)
    log_level: str = "INFO"
    log_format: Literal["auto", "json", "text"] = "auto"
    # Questions one chat user may ask a minute (0: no limit); admins are exempt.
    rate_limit_per_minute: int = Field(default=10, ge=0)

    @property
    def uses_demo_notes(self) -> bool:
        return self.notes is None

    @property
    def notes_path(self) -> Path:
        return self.notes if self.notes is not None else DEMO_NOTES_DIR

    @property
    def db_path(self) -> Path:
        return self.db if self.db is not None else default_data_dir() / "saidbot.db"


class DiscordSettings(BaseSettings):
    """The Discord gateway bot."""

    model_config = _section_config()

    token: SecretStr | None = Field(default=None, validation_alias=_env("DISCORD_TOKEN", "token"))
    guild_id: int | None = Field(default=None, validation_alias=_env("DISCORD_GUILD_ID", "guild_id"))
    # A Discord-compatible server instead of discord.com (self-hosted gateways, integration tests).
    api_url: str | None = Field(default=None, validation_alias=_env("DISCORD_API_URL", "api_url"))
    gateway_url: str | None = Field(default=None, validation_alias=_env("DISCORD_GATEWAY_URL", "gateway_url"))
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, validation_alias=_env("SAIDBOT_DISCORD_ADMIN_IDS", "admin_ids")
    )

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @property
    def readiness(self) -> Readiness:
        return _readiness((("DISCORD_TOKEN", self.token),))

    @property
    def configured(self) -> bool:
        return self.readiness.configured


class SlackSettings(BaseSettings):
    """The Slack app: the Events API over HTTP (bot token + signing secret) or Socket Mode (bot + app token)."""

    model_config = _section_config()

    bot_token: SecretStr | None = Field(default=None, validation_alias=_env("SLACK_BOT_TOKEN", "bot_token"))
    signing_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_SIGNING_SECRET", "signing_secret")
    )
    app_token: SecretStr | None = Field(default=None, validation_alias=_env("SLACK_APP_TOKEN", "app_token"))
    api_url: str = Field(default="https://slack.com/api/", validation_alias=_env("SLACK_API_URL", "api_url"))
    # Slack user ids exempt from the per-user question limit.
    admin_ids: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_env("SAIDBOT_SLACK_ADMIN_IDS", "admin_ids")
    )

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @property
    def readiness(self) -> Readiness:
        """The HTTP mode (`saidbot serve`): POST /slack/events."""
        return _readiness((("SLACK_BOT_TOKEN", self.bot_token), ("SLACK_SIGNING_SECRET", self.signing_secret)))

    @property
    def socket_readiness(self) -> Readiness:
        """Socket Mode (`saidbot slack --socket`)."""
        return _readiness((("SLACK_APP_TOKEN", self.app_token), ("SLACK_BOT_TOKEN", self.bot_token)))

    @property
    def configured(self) -> bool:
        return self.readiness.configured


class WebSettings(BaseSettings):
    """The web process: where it listens."""

    model_config = _section_config()

    port: int = Field(default=3000, validation_alias=_env("PORT", "port"))
    host: str = Field(default="0.0.0.0", validation_alias=_env("SAIDBOT_HOST", "host"))


_CORE_FIELDS = frozenset(CoreSettings.model_fields)


class Settings(BaseModel):
    """Every section, each read from the environment when not given.

    `Settings(db=..., notes=None)` is shorthand for overriding fields of the core section, which is
    what tests, benchmarks and the CLI's `--db` do.
    """

    core: CoreSettings = Field(default_factory=CoreSettings)
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    web: WebSettings = Field(default_factory=WebSettings)

    @model_validator(mode="before")
    @classmethod
    def _core_shorthand(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        flat = {k: v for k, v in data.items() if k in _CORE_FIELDS}
        if not flat:
            return data
        rest = {k: v for k, v in data.items() if k not in _CORE_FIELDS}
        core = rest.get("core")
        if isinstance(core, CoreSettings):
            rest["core"] = core.model_copy(update=flat)
        else:
            rest["core"] = CoreSettings(**{**(core or {}), **flat})
        return rest

    def secrets(self) -> list[str]:
        """Every configured secret, for the log scrubber."""
        values = (self.discord.token, self.slack.bot_token, self.slack.signing_secret, self.slack.app_token)
        return [s for s in (_secret(v) for v in values) if s]

    def updated(self, **sections: dict[str, Any]) -> Settings:
        """A copy with fields of the named sections replaced: `settings.updated(core={"db": path})`."""
        changes: dict[str, BaseSettings] = {}
        for name, fields in sections.items():
            section = getattr(self, name)
            if not isinstance(section, BaseSettings):
                raise TypeError(f"no settings section called {name!r}")
            changes[name] = section.model_copy(update=fields)
        return self.model_copy(update=changes)
