"""Multi-workspace mode: Bolt's OAuth flow, with installations and OAuth state in the shared database.

A public (distributed) app is installed by each workspace's admin through /slack/install →
Slack → /slack/oauth_redirect; Bolt exchanges the code (`oauth.v2.access`, through the app's
client, so SLACK_API_URL) and keeps the workspace's bot token in slack_sdk's installation store.
Every request is then authorized from that store (each workspace answered with its own token),
and `app_uninstalled` / `tokens_revoked` delete the workspace's tokens (Bolt's listeners).

The stores are slack_sdk's own SQLAlchemy ones on the shared state's engine (PostgreSQL with
DATABASE_URL, else the SQLite file), so an install started on one instance finishes on another.
This is the one place they are built.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy.exc import DBAPIError

from bot.settings import SlackSettings
from bot.shared_state import DeferredState, SharedState
from bot.state_db import DatabaseState

log = logging.getLogger(__name__)

# An install link is good for this long (Slack's own authorize page takes a minute or two).
STATE_SECONDS: Final = 600
# Instances booting together may race to create the tables; the loser sees them on its next try.
CREATE_ATTEMPTS: Final = 5


class Stores:
    """The installation and OAuth-state stores of one app, on one engine."""

    def __init__(self, slack: SlackSettings, state: SharedState) -> None:
        database = state.resolve() if isinstance(state, DeferredState) else state
        if not isinstance(database, DatabaseState) or slack.client_id is None:
            raise ValueError("Slack's multi-workspace mode needs SLACK_CLIENT_ID and the shared database")
        self.installations = AsyncSQLAlchemyInstallationStore(client_id=slack.client_id, engine=database.engine,
                                                              logger=log)
        self.states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=database.engine,
                                                     logger=log)
        self._state = database
        self._ready: asyncio.Task[None] | None = None

    async def ready(self) -> None:
        """Create the stores' tables once (idempotent: `create_all` skips tables that exist)."""
        if self._ready is None or (self._ready.done() and self._ready.exception() is not None):
            # A database that was down at startup is tried again by the next request.
            self._ready = asyncio.create_task(self._create(), name="slack-stores")
        await asyncio.shield(self._ready)

    async def _create(self) -> None:
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                await self.installations.create_tables()  # type: ignore[no-untyped-call]
                await self.states.create_tables()  # type: ignore[no-untyped-call]
            except DBAPIError as exc:
                # Two instances creating the same table at once: PostgreSQL refuses the second with a
                # duplicate table or type; by then the table exists and the next check finds it.
                if attempt == CREATE_ATTEMPTS:
                    raise
                log.info("slack_stores_retry", extra={"attempt": attempt, "error_type": type(exc).__name__})
                await asyncio.sleep(0.05 * attempt)
            else:
                log.info("slack_stores_ready", extra={"backend": self._state.backend})
                return


def oauth_settings(slack: SlackSettings, stores: Stores) -> AsyncOAuthSettings:
    """Bolt's OAuth settings for `slack` (multi-workspace mode only)."""
    assert slack.client_id is not None and slack.client_secret is not None
    return AsyncOAuthSettings(
        client_id=slack.client_id,
        client_secret=slack.client_secret.get_secret_value(),
        scopes=slack.scopes,
        redirect_uri=slack.redirect_uri,
        install_path=slack.install_path,
        redirect_uri_path=slack.redirect_path,
        # Straight on to Slack's consent page: the link in the docs is the install button.
        install_page_rendering_enabled=False,
        installation_store=stores.installations,
        # saidbot acts only as its bot (no user scopes): see `authorize`.
        installation_store_bot_only=True,
        state_store=stores.states,
        state_expiration_seconds=STATE_SECONDS,
        logger=log,
    )


def authorize(slack: SlackSettings, stores: Stores) -> AsyncInstallationStoreAuthorize:
    """Each request's bot token from the installation store.

    Bot-only: the token comes from the store's bot rows, which `tokens_revoked` deletes (the
    installation rows keep a copy of the bot token that Bolt's listener leaves behind). The auth.test
    result is cached per token in this process (one Slack round trip per workspace, not per event); a
    removed workspace has no bot left to find, so nothing stale is used.
    """
    return AsyncInstallationStoreAuthorize(
        installation_store=stores.installations, client_id=slack.client_id,
        client_secret=slack.client_secret.get_secret_value() if slack.client_secret else None,
        logger=log, cache_enabled=True, bot_only=True,
    )
