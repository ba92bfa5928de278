"""Putting the program together: settings → the core (store and service) → the adapters a command runs.

This is the only module that constructs the real service. The CLI and the supervisor take what is
built here through a `CoreOpener`, so tests can hand in settings over a temp store (`open_core`)
or a fake core (`given_core`) and run the same paths. Which long-running adapters a command gets
is decided from the settings sections' `readiness`, never by checking variables here.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.dense import EmbedReport
from bot.ingest.runner import Progress
from bot.logs import register_secret
from bot.models import IngestReport, RemoteSource
from bot.port import Core
from bot.service import SaidService
from bot.settings import Readiness, Settings
from bot.shared_state import DeferredState, SharedState

log = logging.getLogger(__name__)


def load_settings(*, db: Path | None = None, notes: Path | None = None) -> Settings:
    """The configuration from the environment and `.env`, with the command line's overrides.

    Every configured secret is registered with the log scrubber before anything can log it.
    """
    overrides: dict[str, object] = {}
    if db is not None:
        overrides["db"] = db
    if notes is not None:
        overrides["notes"] = notes
    settings = Settings(**overrides)
    for secret in settings.secrets():
        register_secret(secret)
    return settings


class Indexer(Protocol):
    """What the front door drives itself beyond `Core`: reading notes into the store."""

    async def ensure_index(self, progress: Progress | None = None) -> IngestReport | None: ...

    async def ingest(
        self, paths: Iterable[Path], progress: Progress | None = None, *, urls: Iterable[str] = ()
    ) -> IngestReport: ...

    async def refresh(self) -> IngestReport | None: ...

    async def remote_sources(self) -> list[RemoteSource]: ...

    async def embed_pending(self, progress: Callable[[int, int], None] | None = None) -> EmbedReport | None: ...


@dataclass(frozen=True)
class OpenedCore:
    """A core for the adapters, its indexer (None for a core that keeps its own index, e.g. a fake), and
    the state every instance shares (deliveries answered, rate limits, button state, sources from chat)."""

    core: Core
    state: SharedState
    indexer: Indexer | None = None

    async def prepare(self, progress: Progress | None = None) -> IngestReport | None:
        """Build or refresh the index of the configured notes; nothing to do without an indexer."""
        if self.indexer is None:
            return None
        return await self.indexer.ensure_index(progress)

    async def ingest(
        self, paths: list[Path], progress: Progress | None = None, *, urls: list[str] | None = None
    ) -> IngestReport:
        if self.indexer is None:
            raise RuntimeError("this core cannot read files into a store")
        return await self.indexer.ingest(paths, progress, urls=urls or [])

    async def refresh(self) -> IngestReport | None:
        """Re-read the notes and re-fetch the remote sources (conditional requests); None when skipped."""
        if self.indexer is None:
            return None
        return await self.indexer.refresh()

    async def remote_sources(self) -> list[RemoteSource]:
        if self.indexer is None:
            raise RuntimeError("this core keeps no remote sources")
        return await self.indexer.remote_sources()

    async def embed_pending(self, progress: Callable[[int, int], None] | None = None) -> EmbedReport | None:
        """Wait for the ingested passages to be embedded (with an embedder configured); None otherwise."""
        if self.indexer is None:
            return None
        return await self.indexer.embed_pending(progress)


CoreOpener = Callable[[Settings], AbstractAsyncContextManager[OpenedCore]]


@asynccontextmanager
async def open_core(settings: Settings) -> AsyncIterator[OpenedCore]:
    """The real service over `settings.core.db_path`, closed (database and all) however the block ends."""
    # The store first: a database that cannot be opened is the error to report, with its path.
    service = await SaidService.open(settings)
    state = open_state(settings)
    # The service reads and keeps the sources added from chat (/add) through the same state.
    service.shared_state = state
    try:
        yield OpenedCore(core=service, state=state, indexer=service)
    finally:
        await service.close()
        await state.close()


def open_state(settings: Settings) -> DeferredState:
    """The shared state the settings name (DATABASE_URL, else the SQLite file beside the store), opened on first use."""

    def make() -> SharedState:
        # Imported on first use: SQLAlchemy costs `saidbot ask` a few hundred milliseconds it never needs.
        from bot.state_db import open_shared_state

        return open_shared_state(settings.core)

    return DeferredState(make)


def given_core(core: Core, indexer: Indexer | None = None, state: SharedState | None = None) -> CoreOpener:
    """An opener that hands out `core` as it is; its lifetime stays with whoever made it (tests, embedding).

    Without `state`, the shared state is the settings' own (a SQLite file beside the store), opened here.
    """

    @asynccontextmanager
    async def opener(settings: Settings) -> AsyncIterator[OpenedCore]:
        if state is not None:
            yield OpenedCore(core=core, state=state, indexer=indexer)
            return
        own = open_state(settings)
        try:
            yield OpenedCore(core=core, state=own, indexer=indexer)
        finally:
            await own.close()

    return opener


class AdapterMain(Protocol):
    def __call__(self, core: Core, settings: Settings, *, state: SharedState) -> Coroutine[Any, Any, None]: ...


@dataclass(frozen=True)
class Adapter:
    """A long-running adapter: runs until cancelled (which must close it cleanly) or until it fails."""

    name: str
    main: AdapterMain


@dataclass(frozen=True)
class Plan:
    """What a long-running command runs: the web process on $PORT (when `web`) and the adapters beside it."""

    web: bool
    adapters: tuple[Adapter, ...] = ()


class NotConfigured(Exception):
    """A command's adapter cannot start as configured; the message names the missing variables."""


def discord_adapter() -> Adapter:
    # Imported here: discord.py is heavy, and `saidbot ask` should not pay for it.
    from adapters.discord import run_discord

    return Adapter("discord", run_discord)


def slack_socket_adapter() -> Adapter:
    from adapters.slack import run_socket_mode

    return Adapter("slack-socket", run_socket_mode)


def _listed(names: Iterable[str]) -> str:
    return " and ".join(names)


def _not_set(readiness: Readiness) -> str:
    return f"{_listed(readiness.missing)} {'is' if len(readiness.missing) == 1 else 'are'} not set"


def plan_for(command: str, settings: Settings, *, socket: bool = False) -> Plan:
    """The plan for `serve`, `discord`, `slack [--socket]` or `run`; raises NotConfigured when it cannot start."""
    if command == "serve" or (command == "slack" and not socket):
        return Plan(web=True)
    if command == "discord":
        if settings.discord.over_http:
            raise NotConfigured("Discord is answered over HTTP by the web process (DISCORD_PUBLIC_KEY and "
                                "DISCORD_APPLICATION_ID are set), so no worker is needed: scale it to 0, and run "
                                "`saidbot discord-register` once to register the commands (see docs/discord.md)")
        ready = settings.discord.readiness
        if not ready.configured:
            raise NotConfigured(f"{_not_set(ready)} (see docs/discord.md; `saidbot doctor` checks it)")
        return Plan(web=False, adapters=(discord_adapter(),))
    if command == "slack":
        ready = settings.slack.socket_readiness
        if not ready.configured:
            raise NotConfigured(f"Socket Mode needs {_listed(ready.missing)} (see docs/slack.md)")
        return Plan(web=False, adapters=(slack_socket_adapter(),))
    if command == "run":
        if settings.discord.over_http:
            # The web process serves /discord/interactions itself; nothing connects to the gateway.
            return Plan(web=True)
        ready = settings.discord.readiness
        if ready.configured:
            return Plan(web=True, adapters=(discord_adapter(),))
        log.warning("running_without_discord", extra={"missing": list(ready.missing)})
        return Plan(web=True)
    raise ValueError(f"{command!r} is not a long-running command")
