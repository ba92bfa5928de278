"""A seeded fuzz of /slack/events (issue #16): 2,000 random and hostile deliveries, signed and
unsigned, through the real HTTP endpoint. None may get a 5xx, leave a traceback in the log or
make the bot post; afterwards a real question is still answered."""

from __future__ import annotations

import json
import logging
import random
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import ClientSession

from tests.adapters.slack.conftest import Web, dm, sign
from tests.fakes.slack_api import BOT_USER, FakeSlack

SEED = 16
COUNT = 2000
EVENT_TYPES = ["app_mention", "message", "reaction_added", "team_join", "", None, 7]
WEIRD: list[Any] = [None, True, 0, -1, 1e308, "", "x" * 5000, "<!channel>", [], {}, [1, {"a": None}], "\u0000",
                    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"), "スケーリング"]


def _weird(rng: random.Random) -> Any:
    return rng.choice(WEIRD)


def _event(rng: random.Random) -> dict[str, Any]:
    # Never a delivery Slack would make for a real question: no usable channel.
    event: dict[str, Any] = {"type": rng.choice(EVENT_TYPES), "text": rng.choice([_weird(rng), f"<@{BOT_USER}> hi"]),
                             "user": _weird(rng), "ts": _weird(rng), "channel_type": rng.choice(["im", "x", None])}
    if rng.random() < 0.5:
        event["channel"] = rng.choice([None, 5, [], {}, ""])
    if rng.random() < 0.3:
        event["subtype"] = rng.choice(["file_share", "message_changed", None, 3])
    body: dict[str, Any] = {"type": rng.choice(["event_callback", "url_verification", "app_rate_limited", 4]),
                            "event_id": _weird(rng), "event": rng.choice([event, _weird(rng)])}
    if rng.random() < 0.2:
        body.pop("event")
    return body


def _form(rng: random.Random) -> str:
    if rng.random() < 0.5:
        fields = {"command": rng.choice(["/ask", "/other", ""]), "text": str(_weird(rng))[:3000]}
        if rng.random() < 0.5:
            fields["user_id"] = "UEN"
        return urlencode(fields)
    action = {"action_id": rng.choice(["saidbot_share", "other", ""]), "value": str(_weird(rng))[:2000]}
    payload = {"type": rng.choice(["block_actions", "view_submission", "shortcut", "x"]),
               "user": rng.choice([{"id": "UEN"}, _weird(rng)]), "actions": rng.choice([[action], _weird(rng)]),
               "channel": rng.choice([{"id": 3}, _weird(rng)]), "container": _weird(rng)}
    return urlencode({"payload": json.dumps(payload)})


def _delivery(rng: random.Random) -> tuple[bytes, str, dict[str, str]]:
    kind = rng.random()
    if kind < 0.45:
        body, content_type = json.dumps(_event(rng)), "application/json"
    elif kind < 0.8:
        body, content_type = _form(rng), "application/x-www-form-urlencoded"
    else:
        body = "".join(rng.choice("{}[]\":,ab=&%\\\u3042") for _ in range(rng.randint(0, 300)))
        content_type = rng.choice(["application/json", "application/x-www-form-urlencoded", "text/plain"])
    headers = sign(body) if rng.random() < 0.7 else {"X-Slack-Request-Timestamp": str(int(time.time())),
                                                     "X-Slack-Signature": f"v0={rng.getrandbits(256):064x}"}
    return body.encode(), content_type, headers


async def test_two_thousand_hostile_deliveries_then_a_real_question(
    web: Web, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    rng = random.Random(SEED)
    began = time.perf_counter()
    statuses: dict[int, int] = {}
    async with ClientSession() as session:
        for _ in range(COUNT):
            body, content_type, headers = _delivery(rng)
            async with session.post(f"{web.url}/slack/events", data=body,
                                    headers={"Content-Type": content_type, **headers}) as resp:
                await resp.read()
                statuses[resp.status] = statuses.get(resp.status, 0) + 1
    assert time.perf_counter() - began < 20
    assert not any(status >= 500 for status in statuses), statuses
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    posted = [c for c in slack.calls if c.method.startswith("chat.")]
    assert posted == [], posted[:3]
    assert await web.event(dm("scaling"), event_id="EvReal") == 200
    [post] = await slack.wait_for("chat.postMessage")
    assert "scaling" in post["text"].lower()
