"""The Slack installation stores' tables made by several instances at once on one PostgreSQL database
(each instance its own engine, as separate processes have): none fails, and all see the same tables."""

from __future__ import annotations

import asyncio
import contextlib

from pydantic import SecretStr
from slack_sdk.oauth.installation_store import Installation

from adapters.slack.installations import Stores
from bot.settings import SlackSettings
from bot.shared_state import DeferredState
from bot.state_db import DatabaseState, async_url
from tests.support.postgres import fresh_database

SLACK = SlackSettings(client_id="5.6", client_secret=SecretStr("cs"), signing_secret=SecretStr("0" * 32))


async def test_four_instances_create_the_tables_together_and_share_an_installation() -> None:
    async with contextlib.asynccontextmanager(fresh_database)() as url:
        states = [DatabaseState(async_url(url)) for _ in range(4)]
        try:
            # One through a state made on first use, as the front door hands it over.
            stores = [Stores(SLACK, DeferredState(lambda s=state: s)) for state in states[:1]]
            stores += [Stores(SLACK, state) for state in states[1:]]
            await asyncio.gather(*(s.ready() for s in stores))
            await asyncio.gather(*(s.ready() for s in stores))  # idempotent
            await stores[0].installations.async_save(Installation(
                app_id="A1", team_id="T7", bot_token="xoxb-t7", bot_id="B7", bot_user_id="U7", user_id="U1"))
            bot = await stores[3].installations.async_find_bot(enterprise_id=None, team_id="T7")
            assert bot is not None and bot.bot_token == "xoxb-t7"
        finally:
            for state in states:
                await state.close()
