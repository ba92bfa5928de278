"""The adapter's log lines: a fixed event name with fields, never free text, never a token."""

from __future__ import annotations

import logging
import re

import pytest

from adapters.discord import serve
from bot.logs import JsonFormatter
from bot.settings import Settings
from tests.adapters.discord.conftest import create_client, running
from tests.adapters.discord.support import button, dario_core
from tests.fakes.discord_server import FakeDiscord

EVENT = re.compile(r"discord_[a-z_]+")


async def test_every_line_is_an_event_with_fields(
    fake: FakeDiscord, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    core = dario_core(delay=2.3, failures={"more"})
    client = create_client(core, settings)
    with caplog.at_level(logging.DEBUG, logger="adapters.discord"):
        async with running(fake, lambda: serve(client, settings)):
            it = await fake.answered(await fake.slash("ask", question="talent density"), timeout=10)
            message = fake.reply_message(it)
            await fake.answered(await fake.click(message, button(message, "more")["custom_id"]), timeout=10)

    ours = [r for r in caplog.records if r.name.startswith("adapters.discord")]
    for record in ours:
        assert EVENT.fullmatch(str(record.msg)) and not record.args, (record.msg, record.args)
    events: dict[str, logging.LogRecord] = {}
    for record in ours:
        events.setdefault(record.getMessage(), record)  # the first of each
    assert {"discord_commands_registered", "discord_connected", "discord_deferred", "discord_handler_failed",
            "discord_interaction"} <= set(events)
    deferred = events["discord_deferred"]  # the /ask's; the click was deferred too
    assert deferred.interaction_id == it.id and deferred.after_s == 1.2  # type: ignore[attr-defined]
    failed = events["discord_handler_failed"]
    assert failed.what == "button more" and failed.exc_info  # type: ignore[attr-defined]
    token = settings.discord.token.get_secret_value() if settings.discord.token else ""
    assert token and not any(token in JsonFormatter().format(r) for r in caplog.records)
