"""A seeded fuzz of INTERACTION_CREATE (issue #16): 2,000 random and hostile interactions through
the fake gateway into the real client. None may leave a traceback in the log or post a message,
and a real /ask is answered afterwards."""

from __future__ import annotations

import copy
import logging
import random
import time
from typing import Any

import pytest

from bot.ratelimit import RateLimiter
from tests.adapters.discord.support import text_of
from tests.fakes.discord_server import FakeDiscord

SEED = 16
COUNT = 2000
QUESTION = "what did Dario Amodei say about talent density?"
WEIRD: list[Any] = [None, True, 0, -1, 2**70, 1.5, "", "x" * 5000, "@everyone", [], {}, [{"a": None}], "\u0000",
                    "saidbot:more:0123456789abcdef", "saidbot:share:zz", "スケーリング"]


def _mutate(rng: random.Random, payload: dict[str, Any]) -> dict[str, Any]:
    """A real interaction with some fields dropped, retyped or made huge."""
    out = copy.deepcopy(payload)
    for _ in range(rng.randint(1, 4)):
        key = rng.choice([*out.keys(), "data", "member", "type", "message"])
        roll = rng.random()
        if roll < 0.3:
            out.pop(key, None)
        elif roll < 0.7:
            out[key] = rng.choice(WEIRD)
        elif isinstance(out.get(key), dict):
            inner = out[key]
            sub = rng.choice([*inner.keys(), "custom_id", "options", "name", "user"])
            inner[sub] = rng.choice(WEIRD)
    if rng.random() < 0.3:
        out["type"] = rng.choice([1, 2, 3, 4, 5, 99, "2", None])
    # Never an interaction Discord could have sent: its token is unknown to the fake.
    out["token"] = "fuzz" + str(rng.getrandbits(64))
    return out


async def test_two_thousand_hostile_interactions_then_a_real_question(
    bot: FakeDiscord, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO)
    # The fuzz is about shapes; every payload comes from one member, whom the limit would stop.
    async def allowed(self: RateLimiter, key: str) -> bool:
        return True

    monkeypatch.setattr(RateLimiter, "allow", allowed)
    real = await bot.answered(await bot.slash("ask", question=QUESTION))
    template = real.payload
    click = {**template, "type": 3, "data": {"custom_id": "saidbot:more:0123456789abcdef", "component_type": 2},
             "message": bot.reply_message(real)}
    rng = random.Random(SEED)
    posted_before = len(bot.channel_messages())
    began = time.perf_counter()
    for n in range(COUNT):
        base = click if n % 2 else template
        payload = _mutate(rng, base) if rng.random() < 0.9 else rng.choice(WEIRD)
        await bot.dispatch_raw("INTERACTION_CREATE", payload if isinstance(payload, dict) else {"d": payload})
    it = await bot.answered(await bot.slash("ask", question=QUESTION), timeout=20)
    assert time.perf_counter() - began < 20
    assert "Dario Amodei" in text_of(bot.reply_message(it))
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    assert len(bot.channel_messages()) == posted_before
    # The fake refused every callback for an unknown token; those are not problems of the bot's making.
    bot.problems.clear()
