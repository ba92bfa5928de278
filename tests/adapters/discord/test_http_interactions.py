"""Discord over HTTP: the Interactions Endpoint on the real web app, signed with a real Ed25519 key,
delivered and completed through the fake Discord on loopback (its REST API takes the webhook calls).

The fake takes the endpoint's HTTP answers as the interactions' callbacks under Discord's rules (the
3-second deadline, acknowledging once, message limits), so `assert_clean` holds for HTTP as for the
gateway."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from adapters.discord import register_commands, serve
from adapters.discord.commands import build_commands
from adapters.discord.deps import build_deps
from adapters.discord.interactions_http import InteractionHandlers
from adapters.discord.webhook import Webhook
from bot.settings import Settings
from bot.state_db import DatabaseState, async_url
from tests.adapters.discord.conftest import ADMIN_ID, assert_clean, create_client, running
from tests.adapters.discord.http_support import Instance, http_settings, web_instance
from tests.adapters.discord.support import button, dario_core, followups, is_ephemeral, text_of, timestamps
from tests.fakes.core import FakeCore
from tests.fakes.discord_server import (
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    UPDATE_MESSAGE,
    FakeDiscord,
    buttons,
)
from tests.support.postgres import fresh_database

QUESTION = "what did Dario Amodei say about talent density?"
ASKER = 700000000000000001


@pytest.fixture
def http(fake: FakeDiscord, tmp_path: Path) -> Settings:
    return http_settings(fake, tmp_path)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", "postgresql"])
async def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """One database for every instance of a test: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.db'}"
        return
    async for database in fresh_database():
        yield database


@pytest.fixture
async def states(state_url: str, clock: Clock) -> AsyncIterator[tuple[DatabaseState, DatabaseState]]:
    """The shared state as two instances see it: each its own engine on the one database."""
    made = (DatabaseState(async_url(state_url), clock=clock), DatabaseState(async_url(state_url), clock=clock))
    yield made
    for state in made:
        await state.close()


@pytest.fixture
async def state(tmp_path: Path, clock: Clock) -> AsyncIterator[DatabaseState]:
    """One instance's shared state, on a SQLite file (the cross-instance tests also run on PostgreSQL)."""
    made = DatabaseState(async_url(f"sqlite:///{tmp_path / 'own-state.db'}"), clock=clock)
    yield made
    await made.close()


@pytest.fixture
async def core(fake: FakeDiscord, http: Settings, state: DatabaseState) -> FakeCore:
    """The fake core, with the commands registered over REST as `saidbot discord-register` does."""
    core = dario_core()
    assert await register_commands(core, http, state=state) == "registered"
    return core


@pytest.fixture
async def instance(fake: FakeDiscord, core: FakeCore, http: Settings, state: DatabaseState) -> AsyncIterator[Instance]:
    async with web_instance(core, http, state) as served:
        fake.interactions_url = served.endpoint
        yield served
    assert_clean(fake)


async def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as response:
        return response.status, await response.text()


def _ping(fake: FakeDiscord) -> bytes:
    return json.dumps({"id": str(fake.snowflake()), "application_id": str(fake.app_id), "type": 1,
                       "token": "t", "version": 1}).encode()


async def test_ping_gets_pong(fake: FakeDiscord, instance: Instance) -> None:
    body = _ping(fake)
    status, text = await _post(instance.endpoint, body, fake.signed_headers(body))
    assert (status, json.loads(text)) == (200, {"type": 1})


async def test_unsigned_forged_and_stale_requests_get_401(fake: FakeDiscord, instance: Instance) -> None:
    body = _ping(fake)
    good = fake.signed_headers(body)
    forger = Ed25519PrivateKey.generate()
    forged = {**good, "X-Signature-Ed25519": forger.sign(good["X-Signature-Timestamp"].encode() + body).hex()}
    stale = fake.signed_headers(body, timestamp=int(good["X-Signature-Timestamp"]) - 600)
    cases = [
        {},  # no headers at all
        {"X-Signature-Timestamp": good["X-Signature-Timestamp"]},
        {"X-Signature-Ed25519": good["X-Signature-Ed25519"]},
        forged,
        stale,
        {**good, "X-Signature-Ed25519": "zz" * 64},
        {**good, "X-Signature-Ed25519": good["X-Signature-Ed25519"][:-2]},
        {**good, "X-Signature-Timestamp": "１２３"},  # digits, but not ASCII ones
        {**good, "X-Signature-Timestamp": "9" * 400},
    ]
    for headers in cases:
        status, _ = await _post(instance.endpoint, body, headers)
        assert status == 401, headers
    # The body is signed too: the same headers over another body are refused.
    status, _ = await _post(instance.endpoint, body.replace(b'"type": 1', b'"type": 2'), good)
    assert status == 401


@pytest.mark.parametrize("body", [
    b"", b"not json", b"\xff\xfe", b"[]", b"null", b"{}", b'{"type": 2}', b'{"type": "1"}',
    b"[" * 5000 + b"]" * 5000, json.dumps({"id": "1", "token": "t", "type": 2, "user": {"id": "x"}}).encode(),
    json.dumps({"id": "123", "token": "t", "type": 3, "user": {"id": "5"}, "data": {"custom_id": 7}}).encode(),
])
async def test_a_signed_body_that_is_no_interaction_gets_400(fake: FakeDiscord, instance: Instance, body: bytes) -> None:
    status, _ = await _post(instance.endpoint, body, fake.signed_headers(body))
    assert status == 400


async def test_a_huge_body_gets_413_signed_or_not(fake: FakeDiscord, instance: Instance) -> None:
    body = b'{"type": 1, "pad": "' + b"x" * 300_000 + b'"}'
    for headers in ({}, fake.signed_headers(body)):
        status, _ = await _post(instance.endpoint, body, headers)
        assert status == 413


async def test_ask_answers_inline_with_the_gateway_bots_reply(
    fake: FakeDiscord, instance: Instance, settings: Settings
) -> None:
    it = await fake.answered(await fake.slash("ask", question=QUESTION))
    assert it.http_status == 200 and it.callback_type == CHANNEL_MESSAGE and it.callback_delays[0] < 2.5
    over_http = copy.deepcopy(fake.reply_message(it))
    assert timestamps(over_http) == ["01:38:37", "01:39:15", "01:40:02"]

    # The gateway bot, same core answer: the same message, to the button.
    fake.interactions_url = None
    client = create_client(dario_core(), settings)
    async with running(fake, lambda: serve(client, settings)):
        gateway = fake.reply_message(await fake.answered(await fake.slash("ask", question=QUESTION)))
    assert over_http["content"] == gateway["content"]
    assert over_http["embeds"] == gateway["embeds"]
    assert len(over_http["embeds"]) == 3

    def shape(message: dict[str, Any]) -> list[dict[str, Any]]:
        return [{k: v for k, v in b.items() if k != "custom_id"} | {"action": b["custom_id"].split(":")[1]}
                for b in buttons(message)]

    assert shape(over_http) == shape(gateway) != []


async def test_a_slow_core_is_deferred_then_the_answer_patched_in(
    fake: FakeDiscord, http: Settings, state: DatabaseState, core: FakeCore
) -> None:
    core.delay = 1.6
    async with web_instance(core, http, state) as served:
        fake.interactions_url = served.endpoint
        it = await fake.answered(await fake.slash("ask", question=QUESTION, private=True), timeout=6)
    assert it.callback_type == DEFERRED_CHANNEL_MESSAGE and it.callbacks[0]["data"]["flags"] & 64
    assert 1.0 < it.callback_delays[0] < 2.0
    [patch] = fake.requests_to("PATCH", rf"/webhooks/{fake.app_id}/{it.token}/messages/@original")
    assert timestamps(patch.body) == ["01:38:37", "01:39:15", "01:40:02"]
    message = fake.reply_message(it)
    assert is_ephemeral(message) and button(message, "share")["disabled"] is False
    assert_clean(fake)


async def test_autocomplete_offers_the_same_speaker_choices(fake: FakeDiscord, instance: Instance) -> None:
    it = await fake.autocomplete("ask", "speaker", speaker="Da")
    assert it.callback_type == AUTOCOMPLETE_RESULT
    assert it.choices == [{"name": "Dario Amodei", "value": "Dario Amodei"}]
    nothing = await fake.autocomplete("ask", "speaker", speaker="Zz")
    assert nothing.choices == []


async def test_about_episodes_and_reload_for_admins_only(fake: FakeDiscord, instance: Instance, core: FakeCore) -> None:
    about = fake.reply_message(await fake.answered(await fake.slash("about")))
    assert is_ephemeral(about) and about["embeds"][0]["title"] == "What I know"
    episodes = fake.reply_message(await fake.answered(await fake.slash("episodes")))
    assert is_ephemeral(episodes) and episodes["embeds"]
    refused = fake.reply_message(await fake.answered(await fake.slash("reload")))
    assert is_ephemeral(refused) and "reload" not in core.calls
    reloaded = fake.reply_message(await fake.answered(await fake.slash("reload", user_id=ADMIN_ID)))
    assert reloaded["content"].startswith("Notes reloaded:") and core.calls.count("reload") == 1


async def test_more_on_one_instances_message_clicked_on_another(
    fake: FakeDiscord, core: FakeCore, http: Settings, states: tuple[DatabaseState, DatabaseState]
) -> None:
    async with web_instance(core, http, states[0]) as a, web_instance(core, http, states[1]) as b:
        it = await fake.answered(await fake.slash("ask", question=QUESTION, via=a.endpoint))
        message = copy.deepcopy(fake.reply_message(it))
        click = await fake.answered(await fake.click(message, button(message, "more")["custom_id"], via=b.endpoint))
        assert click.callback_type == UPDATE_MESSAGE
        updated = fake.messages[int(message["id"])]
        assert timestamps(updated) == ["01:41:30", "01:42:10"]
        assert "4–5 of 5" in updated["content"] and button(updated, "more")["disabled"] is True
        # Someone else's More, on A again: their own private page from where the message is now.
        other = await fake.answered(await fake.click(copy.deepcopy(message), button(message, "more")["custom_id"],
                                                     via=a.endpoint, user_id=fake.second_member_id))
        assert other.callback_type == CHANNEL_MESSAGE and "That's everything" in text_of(fake.reply_message(other))
    assert_clean(fake)


async def test_a_double_share_on_two_instances_is_one_public_post(
    fake: FakeDiscord, core: FakeCore, http: Settings, states: tuple[DatabaseState, DatabaseState]
) -> None:
    async with web_instance(core, http, states[0]) as a, web_instance(core, http, states[1]) as b:
        it = await fake.answered(await fake.slash("ask", question=QUESTION, private=True, via=a.endpoint))
        private = copy.deepcopy(fake.reply_message(it))
        share = button(private, "share")["custom_id"]
        clicks = await asyncio.gather(fake.click(private, share, via=a.endpoint), fake.click(private, share, via=b.endpoint))
        for click in clicks:
            await fake.answered(click)
        posts = [m for click in clicks for m in followups(fake, click) if not is_ephemeral(m)]
        assert len(posts) == 1
        [post] = posts
        assert post["content"].startswith(f"Shared by <@{ASKER}>") and post["embeds"] == private["embeds"]
        await fake.wait_for(lambda: button(fake.messages[int(private["id"])], "share")["disabled"] is True)
        # And a third click, later, anywhere: still one post.
        again = await fake.answered(await fake.click(private, share, via=b.endpoint))
        assert followups(fake, again) == [] and again.callback_type == UPDATE_MESSAGE
        # A new page is something new to share.
        await fake.answered(await fake.click(private, button(private, "more")["custom_id"], via=b.endpoint))
        assert button(fake.messages[int(private["id"])], "share")["disabled"] is False
    assert_clean(fake)


async def test_an_interaction_delivered_twice_is_answered_once(
    fake: FakeDiscord, core: FakeCore, http: Settings, states: tuple[DatabaseState, DatabaseState]
) -> None:
    async with web_instance(core, http, states[0]) as a, web_instance(core, http, states[1]) as b:
        it = await fake.answered(await fake.slash("ask", question=QUESTION, via=a.endpoint))
        again = await fake.deliver(b.endpoint, it.payload)
        assert again.http_status == 409 and len(it.callbacks) == 1
        assert core.calls.count("ask") == 1
    assert_clean(fake)


async def test_a_click_whose_state_expired_gets_the_expired_note(
    fake: FakeDiscord, core: FakeCore, http: Settings, state: DatabaseState, clock: Clock
) -> None:
    async with web_instance(core, http, state) as served:
        fake.interactions_url = served.endpoint
        it = await fake.answered(await fake.slash("ask", question=QUESTION))
        message = copy.deepcopy(fake.reply_message(it))
        clock.now += 601  # past the view timeout
        click = await fake.answered(await fake.click(message, button(message, "more")["custom_id"]))
        assert click.callback_type == CHANNEL_MESSAGE
        assert click.callbacks[0]["data"]["content"] == "This button has expired. Ask again to get a fresh answer."
        assert fake.messages[int(message["id"])] == message
    assert_clean(fake)


async def test_registering_twice_puts_the_commands_once(
    fake: FakeDiscord, core: FakeCore, http: Settings, state: DatabaseState
) -> None:
    # Every command of the gateway bot's tree, and nothing else.
    gateway = {command.name for command in build_commands(build_deps(core, http, state=state))}
    assert {c["name"] for c in fake.commands[fake.guild_id]} == gateway
    assert {"ask", "about", "episodes", "reload", "Find who said this"} <= gateway
    # And the endpoint answers each of them.
    handlers = InteractionHandlers(build_deps(core, http, state=state), Webhook(fake.api_base, fake.app_id))
    assert set(handlers.routes()) == gateway
    assert await register_commands(core, http, state=state) == "unchanged"
    assert fake.command_puts == [fake.guild_id]
    assert fake.sessions_ready == 0  # REST only: no gateway connection


@pytest.mark.parametrize("status", [429, 502])
async def test_a_refused_webhook_edit_is_retried(
    fake: FakeDiscord, http: Settings, state: DatabaseState, core: FakeCore, status: int
) -> None:
    core.delay = 1.3
    fake.webhook_failures, fake.webhook_failure_status = 2, status
    async with web_instance(core, http, state) as served:
        fake.interactions_url = served.endpoint
        it = await fake.answered(await fake.slash("ask", question=QUESTION), timeout=6)
    assert it.deferred and len(fake.requests_to("PATCH", rf"/webhooks/{fake.app_id}/{it.token}/messages/@original")) == 3
    assert timestamps(fake.reply_message(it)) == ["01:38:37", "01:39:15", "01:40:02"]
    assert_clean(fake)


async def test_a_share_post_is_not_repeated_after_a_discord_error(
    fake: FakeDiscord, instance: Instance
) -> None:
    it = await fake.answered(await fake.slash("ask", question=QUESTION, private=True))
    private = copy.deepcopy(fake.reply_message(it))
    fake.webhook_failures, fake.webhook_failure_status = 1, 502
    click = await fake.click(private, button(private, "share")["custom_id"])
    # The post may or may not have reached the channel: a retry could post twice, so there is none,
    # and the clicker is told privately that it failed.
    await fake.wait_for(lambda: len(fake.requests_to("POST", rf"/webhooks/{fake.app_id}/{click.token}")) >= 2)
    posts = fake.requests_to("POST", rf"/webhooks/{fake.app_id}/{click.token}")
    assert [bool(int(p.body.get("flags") or 0) & 64) for p in posts] == [False, True]
    assert posts[1].body["content"].startswith("Sorry, something went wrong")


async def test_timeline_verify_and_find_who_said_this_as_the_gateway_answers_them(
    fake: FakeDiscord, instance: Instance, core: FakeCore, settings: Settings
) -> None:
    timeline = fake.reply_message(await fake.answered(await fake.slash("timeline", topic="talent density")))
    verify = fake.reply_message(await fake.answered(await fake.slash("verify", quote="talent beats mass")))
    found = fake.reply_message(await fake.answered(await fake.message_command("Find who said this", "he said X")))
    assert not is_ephemeral(timeline) and not is_ephemeral(verify) and is_ephemeral(found)
    assert core.verified == [("talent beats mass", None, False), ("he said X", None, True)]

    fake.interactions_url = None
    client = create_client(dario_core(), settings)
    async with running(fake, lambda: serve(client, settings)):
        gateway = [fake.reply_message(await fake.answered(it)) for it in (
            await fake.slash("timeline", topic="talent density"), await fake.slash("verify", quote="talent beats mass"),
            await fake.message_command("Find who said this", "he said X"))]
    for over_http, by_gateway in zip((timeline, verify, found), gateway, strict=True):
        assert (over_http["content"], over_http["embeds"]) == (by_gateway["content"], by_gateway["embeds"])
        assert over_http["embeds"]


class SlowState:
    """The shared state behind a slow database: every call takes `delay` seconds more."""

    def __init__(self, inner: DatabaseState, delay: float) -> None:
        self.inner = inner
        self.delay = delay

    async def claim(self, key: str, *, ttl_seconds: float = 600.0) -> bool:
        await asyncio.sleep(self.delay)
        return await self.inner.claim(key, ttl_seconds=ttl_seconds)

    async def put(self, kind: str, key: str, value: Any, *, ttl_seconds: float) -> None:
        await asyncio.sleep(self.delay)
        await self.inner.put(kind, key, value, ttl_seconds=ttl_seconds)

    async def get(self, kind: str, key: str) -> dict[str, Any] | None:
        await asyncio.sleep(self.delay)
        return await self.inner.get(kind, key)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def test_a_slow_shared_state_still_answers_within_the_deadline(
    fake: FakeDiscord, core: FakeCore, http: Settings, state: DatabaseState
) -> None:
    slow = SlowState(state, 0.65)
    async with web_instance(core, http, slow) as served:  # type: ignore[arg-type]
        fake.interactions_url = served.endpoint
        it = await fake.answered(await fake.slash("ask", question=QUESTION), timeout=6)
        # The claim and keeping the buttons' state took 1.3 s: deferred, publicly, then edited in.
        assert it.callback_type == DEFERRED_CHANNEL_MESSAGE and not it.callbacks[0]["data"]["flags"] & 64
        message = fake.reply_message(it)
        assert not is_ephemeral(message) and timestamps(message) == ["01:38:37", "01:39:15", "01:40:02"]
        assert button(message, "more")["disabled"] is False
    assert_clean(fake)


async def test_add_is_for_admins_as_on_the_gateway(
    fake: FakeDiscord, instance: Instance, core: FakeCore, settings: Settings
) -> None:
    url = "https://example.org/feed.xml"
    refused = fake.reply_message(await fake.answered(await fake.slash("add", url=url)))
    assert is_ephemeral(refused) and "add_source" not in core.calls
    added = fake.reply_message(await fake.answered(await fake.slash("add", url=url, user_id=ADMIN_ID)))
    assert is_ephemeral(added) and core.calls.count("add_source") == 1

    fake.interactions_url = None
    client = create_client(dario_core(), settings)
    async with running(fake, lambda: serve(client, settings)):
        by_gateway = fake.reply_message(await fake.answered(await fake.slash("add", url=url, user_id=ADMIN_ID)))
        not_allowed = fake.reply_message(await fake.answered(await fake.slash("add", url=url)))
    assert added["content"] == by_gateway["content"] and refused["content"] == not_allowed["content"]
