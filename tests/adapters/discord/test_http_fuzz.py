"""Any signed body is safe to receive: interactions with fields of every wrong type, missing or absurd,
get a 4xx or an answer, never a 5xx, and nothing in the handlers fails on them."""

from __future__ import annotations

import copy
import json
import logging
import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.discord import register_commands
from bot.state_db import DatabaseState, async_url
from tests.adapters.discord.http_support import Instance, http_settings, web_instance
from tests.adapters.discord.support import button, dario_core
from tests.fakes.discord_server import FakeDiscord

ODD: list[Any] = [None, 0, -1, 2**70, 1.5, True, "", "x" * 3000, "123", "\u0000", [], {}, [{}], {"id": "1"}]


@pytest.fixture
async def served(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[Instance]:
    settings = http_settings(fake, tmp_path)
    state = DatabaseState(async_url(f"sqlite:///{tmp_path / 'state.db'}"))
    core = dario_core()
    assert await register_commands(core, settings, state=state) == "registered"
    async with web_instance(core, settings, state) as instance:
        fake.interactions_url = instance.endpoint
        yield instance
    await state.close()


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            yield (*prefix, n)
            yield from _paths(inner, (*prefix, n))


def _mutated(payload: dict[str, Any], path: tuple[Any, ...], value: Any, fresh_id: int) -> dict[str, Any]:
    copied = copy.deepcopy(payload)
    if path != ("id",):
        copied["id"] = str(fresh_id)
    target: Any = copied
    for step in path[:-1]:
        target = target[step]
    if value is _DROP and isinstance(target, dict):
        target.pop(path[-1], None)
    else:
        target[path[-1]] = None if value is _DROP else value
    return copied


_DROP = object()


async def test_mutated_interactions_never_get_a_5xx(
    fake: FakeDiscord, served: Instance, caplog: pytest.LogCaptureFixture
) -> None:
    ask = await fake.answered(await fake.slash("ask", question="talent density", private=True))
    message = fake.reply_message(ask)
    click = await fake.answered(await fake.click(message, button(message, "more")["custom_id"]))
    complete = await fake.autocomplete("ask", "speaker", speaker="Da")
    samples = [ask.payload, click.payload, complete.payload]
    rng = random.Random(14)
    statuses: dict[int, int] = {}
    caplog.set_level(logging.INFO)
    async with aiohttp.ClientSession() as session:
        for _ in range(240):
            payload = rng.choice(samples)
            path = rng.choice(list(_paths(payload)))
            body = json.dumps(_mutated(payload, path, rng.choice([*ODD, _DROP]), fake.snowflake())).encode()
            async with session.post(served.endpoint, data=body, headers=fake.signed_headers(body)) as response:
                assert response.status < 500, (path, body[:300])
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if response.status == 200:
                    assert isinstance(json.loads(await response.text())["type"], int)
    assert statuses.get(400, 0) > 0 and statuses.get(200, 0) > 0, statuses
    failures = [r for r in caplog.records if r.getMessage() == "discord_handler_failed"]
    assert failures == [], [r.__dict__.get("what") for r in failures]
