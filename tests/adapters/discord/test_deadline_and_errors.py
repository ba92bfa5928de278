"""Discord's 3-second deadline with a slow core, and failures that must reach users only as a short
private apology (the details go to the log). The core here is `dario_core()` (support.py), a
`bot.port.Core` handed to `create_client`, that is slow or fails where a test says."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import pytest

from adapters.discord import serve
from bot.settings import Settings
from tests.adapters.discord.conftest import ADMIN_ID, assert_clean, create_client, running
from tests.adapters.discord.support import HELP, button, dario_core, followups, is_ephemeral, text_of
from tests.fakes.core import FakeCore
from tests.fakes.discord_server import (
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE,
    UPDATE_MESSAGE,
    FakeDiscord,
)

QUESTION = "what did Dario Amodei say about talent density?"
APOLOGY = "Sorry, something went wrong while answering. The error has been logged."


@contextlib.asynccontextmanager
async def serving(fake: FakeDiscord, settings: Settings, core: FakeCore) -> AsyncIterator[FakeDiscord]:
    client = create_client(core, settings)
    async with running(fake, lambda: serve(client, settings)):
        yield fake
    assert_clean(fake)  # among others: no callback arrived after Discord's 3 seconds


@pytest.fixture
async def slow(fake: FakeDiscord, settings: Settings) -> AsyncIterator[tuple[FakeDiscord, FakeCore]]:
    core = dario_core(delay=3.0)
    async with serving(fake, settings, core):
        yield fake, core


@pytest.fixture
async def broken(fake: FakeDiscord, settings: Settings) -> AsyncIterator[tuple[FakeDiscord, FakeCore]]:
    core = dario_core(failures={"ask", "more", "stats", "reload", "speaker_names"})
    async with serving(fake, settings, core):
        yield fake, core


async def test_a_slow_core_is_deferred_in_time_then_the_answer_edited_in(
    slow: tuple[FakeDiscord, FakeCore],
) -> None:
    fake, _ = slow
    it = await fake.answered(await fake.slash("ask", question=QUESTION), timeout=10)

    assert it.callback_type == DEFERRED_CHANNEL_MESSAGE
    assert 1.0 < it.callback_delays[0] < 1.8  # waited for the core, leaving room for a slow callback
    assert "flags" not in (it.callbacks[0].get("data") or {})  # public, like the answer will be
    [edit] = it.edits
    assert edit["allowed_mentions"] == {"parse": []}
    message = fake.reply_message(it)
    assert not is_ephemeral(message) and "Dario Amodei" in text_of(message)
    assert button(message, "more")["disabled"] is False


async def test_a_slow_private_answer_is_deferred_privately(slow: tuple[FakeDiscord, FakeCore]) -> None:
    fake, core = slow
    core.delay = 2.4
    it = await fake.answered(await fake.slash("ask", question=QUESTION, private=True), timeout=10)
    assert it.callback_type == DEFERRED_CHANNEL_MESSAGE and it.callbacks[0]["data"]["flags"] & 64
    message = fake.reply_message(it)
    assert is_ephemeral(message) and button(message, "share")


async def test_a_slow_more_click_is_deferred_then_the_message_edited(
    slow: tuple[FakeDiscord, FakeCore],
) -> None:
    fake, core = slow
    core.delay = 0
    it = await fake.answered(await fake.slash("ask", question=QUESTION))
    message = fake.reply_message(it)
    core.delay = 2.4
    click = await fake.answered(await fake.click(message, button(message, "more")["custom_id"]), timeout=10)
    assert click.callback_type == DEFERRED_UPDATE and click.callback_delays[0] < 2.5
    assert "4–" in fake.messages[int(message["id"])]["content"]


async def test_an_error_gets_a_private_apology_and_a_logged_traceback(
    broken: tuple[FakeDiscord, FakeCore], caplog: pytest.LogCaptureFixture
) -> None:
    fake, _ = broken
    with caplog.at_level(logging.ERROR, logger="adapters.discord"):
        it = await fake.answered(await fake.slash("ask", question=QUESTION))

    assert it.callback_type == CHANNEL_MESSAGE
    message = fake.reply_message(it)
    assert is_ephemeral(message) and message["content"] == APOLOGY and message["embeds"] == []
    failures = [r.exc_info[1] for r in caplog.records if r.exc_info]
    assert failures and "ask is on fire" in str(failures[0])


async def test_an_error_in_japanese(broken: tuple[FakeDiscord, FakeCore]) -> None:
    fake, _ = broken
    it = await fake.answered(await fake.slash("ask", locale="ja", question=QUESTION))
    assert fake.reply_message(it)["content"].startswith("申し訳ありません")


async def test_an_error_after_a_public_deferral_leaves_no_public_trace(
    broken: tuple[FakeDiscord, FakeCore],
) -> None:
    fake, core = broken
    core.delay = 2.3
    it = await fake.slash("ask", question=QUESTION)
    await fake.wait_for(lambda: bool(it.followup_ids), timeout=10)

    assert it.callback_type == DEFERRED_CHANNEL_MESSAGE
    # The public "thinking…" placeholder is deleted, and the apology goes privately.
    assert fake.requests_to("DELETE", rf"/webhooks/{fake.app_id}/{it.token}/messages/@original")
    assert it.original_id not in fake.messages
    [apology] = followups(fake, it)
    assert is_ephemeral(apology) and apology["content"] == APOLOGY


async def test_an_error_after_a_private_deferral_replaces_the_placeholder(
    broken: tuple[FakeDiscord, FakeCore],
) -> None:
    fake, core = broken
    core.delay = 2.3
    it = await fake.answered(await fake.slash("ask", question=QUESTION, private=True), timeout=10)
    message = fake.reply_message(it)
    assert is_ephemeral(message) and message["content"] == APOLOGY


async def test_a_failing_button_gets_a_private_apology(fake: FakeDiscord, settings: Settings) -> None:
    async with serving(fake, settings, dario_core(failures={"more"})):
        it = await fake.answered(await fake.slash("ask", question=QUESTION))
        message = fake.reply_message(it)
        click = await fake.answered(await fake.click(message, button(message, "more")["custom_id"]))
        note = fake.reply_message(click) if click.callback_type == CHANNEL_MESSAGE else None
        assert note is not None and is_ephemeral(note) and note["content"] == APOLOGY
        assert "Dario Amodei" in text_of(fake.messages[int(message["id"])])  # the answer stays


@pytest.mark.parametrize("command", ["about", "episodes"])
async def test_failing_stats_get_a_private_apology(broken: tuple[FakeDiscord, FakeCore], command: str) -> None:
    fake, core = broken
    it = await fake.answered(await fake.slash(command))
    message = fake.reply_message(it)
    assert is_ephemeral(message) and message["content"] == APOLOGY and message["embeds"] == []
    assert core.calls == ["stats"]


async def test_a_failing_reload_gets_a_private_apology(broken: tuple[FakeDiscord, FakeCore]) -> None:
    fake, core = broken
    it = await fake.answered(await fake.slash("reload", user_id=ADMIN_ID))
    message = fake.reply_message(it)
    assert is_ephemeral(message) and message["content"] == APOLOGY
    assert core.calls == ["reload"]


async def test_a_slow_reload_is_deferred_privately_then_reported(slow: tuple[FakeDiscord, FakeCore]) -> None:
    fake, _ = slow
    it = await fake.answered(await fake.slash("reload", user_id=ADMIN_ID), timeout=10)
    assert it.callback_type == DEFERRED_CHANNEL_MESSAGE and it.callbacks[0]["data"]["flags"] & 64
    message = fake.reply_message(it)
    assert is_ephemeral(message) and message["content"].startswith("Notes reloaded: added 1,")


async def test_slow_stats_are_deferred_privately_then_shown(slow: tuple[FakeDiscord, FakeCore]) -> None:
    fake, _ = slow
    it = await fake.answered(await fake.slash("about"), timeout=10)
    assert it.callback_type == DEFERRED_CHANNEL_MESSAGE
    message = fake.reply_message(it)
    assert is_ephemeral(message) and message["embeds"][0]["title"] == "What I know"


async def test_a_failing_autocomplete_offers_no_choices(broken: tuple[FakeDiscord, FakeCore]) -> None:
    fake, _ = broken
    it = await fake.autocomplete("ask", "speaker", speaker="Da")
    await fake.wait_for(lambda: it.choices is not None)
    assert it.callback_type == AUTOCOMPLETE_RESULT and it.choices == []


async def test_a_stale_command_discord_still_shows_gets_an_apology(bot: FakeDiscord) -> None:
    # Registered by an older version, not known to this one.
    bot.commands[bot.guild_id].append({"id": str(bot.snowflake()), "name": "legacy", "type": 1, "options": []})
    it = await bot.answered(await bot.slash("legacy"))
    message = bot.reply_message(it)
    assert is_ephemeral(message) and message["content"] == APOLOGY


async def test_callbacks_answered_without_a_body_still_work(bot: FakeDiscord) -> None:
    # Some Discord-compatible servers (and Discord itself without `with_response`) answer 204.
    bot.callback_bodies = False
    it = await bot.answered(await bot.slash("ask", question=QUESTION))
    message = bot.reply_message(it)
    assert "Dario Amodei" in text_of(message)
    assert followups(bot, it) == []  # no apology
    # The buttons still work: the view was re-attached through an edit.
    await bot.wait_for(lambda: bool(it.edits))
    click = await bot.answered(await bot.click(message, button(message, "more")["custom_id"]))
    assert click.callback_type == UPDATE_MESSAGE and "4–" in message["content"]
    private = await bot.answered(await bot.slash("ask", question=QUESTION, private=True))
    assert is_ephemeral(bot.reply_message(private)) and not followups(bot, private)


async def test_a_deferral_answered_without_a_body_still_completes(slow: tuple[FakeDiscord, FakeCore]) -> None:
    fake, core = slow
    fake.callback_bodies = False
    core.delay = 2.2
    it = await fake.answered(await fake.slash("ask", question=QUESTION), timeout=10)
    assert it.callback_type == DEFERRED_CHANNEL_MESSAGE and "Dario Amodei" in text_of(fake.reply_message(it))


async def test_lean_interaction_payloads_are_answered(bot: FakeDiscord) -> None:
    # Without attachment_size_limit, member flags/roles, user avatar... discord.py alone would crash.
    bot.lean_payloads = True
    it = await bot.answered(await bot.slash("ask", locale="ja", question=QUESTION))
    message = bot.reply_message(it)
    assert "質問:" in message["content"] and "Dario Amodei" in text_of(message)
    click = await bot.answered(await bot.click(message, button(message, "more")["custom_id"]))
    assert click.callback_type == UPDATE_MESSAGE
    choices = await bot.autocomplete("ask", "speaker", speaker="Da")
    await bot.wait_for(lambda: choices.choices is not None)


async def test_an_unreadable_interaction_is_dropped_and_the_bot_stays_up(
    bot: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.dispatch_raw("INTERACTION_CREATE", {"id": "1", "type": 2, "data": {"name": "ask"}})
    it = await bot.answered(await bot.slash("ask", question=QUESTION))
    assert "Dario Amodei" in text_of(bot.reply_message(it))
    [dropped] = [r for r in caplog.records if r.getMessage() == "discord_interaction_dropped"]
    assert dropped.interaction_id == "1" and not dropped.exc_info  # type: ignore[attr-defined]


async def test_help_after_a_public_deferral_goes_privately(slow: tuple[FakeDiscord, FakeCore]) -> None:
    fake, core = slow
    core.delay = 2.3
    it = await fake.slash("ask", question="help")
    await fake.wait_for(lambda: bool(it.followup_ids), timeout=10)
    assert it.callback_type == DEFERRED_CHANNEL_MESSAGE
    # The public "thinking…" placeholder goes; help is for the asker only.
    assert it.original_id not in fake.messages
    [note] = followups(fake, it)
    assert is_ephemeral(note) and note["content"] == HELP
