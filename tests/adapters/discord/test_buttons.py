"""The More and Share buttons (component interactions), their timeout, and clicks after a restart."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from adapters.discord import serve
from bot.service import SaidService
from bot.settings import Settings
from bot.state_db import DatabaseState, async_url
from tests.adapters.discord.conftest import assert_clean, create_client, open_service, run_discord, running
from tests.adapters.discord.support import button, followups, is_ephemeral, text_of, timestamps
from tests.fakes.discord_server import CHANNEL_MESSAGE, UPDATE_MESSAGE, FakeDiscord, buttons

QUESTION = "what did Dario Amodei say about talent density?"
ASKER = 700000000000000001


async def test_more_replaces_the_page_with_the_next_citations(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", question=QUESTION))
    message = copy.deepcopy(bot.reply_message(it))
    first_page = timestamps(message)
    total = int(message["content"].split(" of ", 1)[1].split()[0])
    assert total > 3

    click = await bot.answered(await bot.click(message, button(message, "more")["custom_id"]))

    assert click.callback_type == UPDATE_MESSAGE and click.callback_delays[0] < 2.5
    updated = bot.messages[int(message["id"])]  # the same message, edited in place
    second_page = timestamps(updated)
    assert second_page and not set(second_page) & set(first_page)
    assert f"4–{3 + len(second_page)} of {total}" in updated["content"]
    assert f"Question: {QUESTION}" in updated["content"]
    # All citations are shown now, so More is disabled.
    assert 3 + len(second_page) == total
    assert button(updated, "more")["disabled"] is True


async def test_more_on_a_private_answer_stays_private(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", question=QUESTION, private=True))
    message = bot.reply_message(it)
    await bot.answered(await bot.click(message, button(message, "more")["custom_id"]))
    updated = bot.messages[int(message["id"])]
    assert is_ephemeral(updated) and updated["content"].startswith("**")
    assert button(updated, "share")["disabled"] is False  # the new page can still be shared


async def test_share_posts_the_private_answer_publicly(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", question=QUESTION, private=True))
    private = copy.deepcopy(bot.reply_message(it))  # as it was before the click
    click = await bot.answered(await bot.click(private, button(private, "share")["custom_id"]))

    posts = bot.requests_to("POST", rf"/channels/{bot.channel_id}/messages")
    assert len(posts) == 1
    body = posts[0].body
    assert body["allowed_mentions"] == {"parse": []}
    assert body["content"].startswith(f"Shared by <@{ASKER}>")  # shown as a mention, pings nobody
    assert body["embeds"] == private["embeds"]
    assert not body.get("components") and not int(body.get("flags") or 0) & 64
    public = bot.channel_messages()
    assert len(public) == 1 and not is_ephemeral(public[0]) and "Dario Amodei" in text_of(public[0])

    # The private copy stays, with Share disabled: one public copy is enough.
    assert click.callback_type == UPDATE_MESSAGE
    updated = bot.messages[int(private["id"])]
    assert button(updated, "share")["disabled"] is True
    assert updated["embeds"] == private["embeds"]


async def test_share_without_send_messages_falls_back_to_a_public_reply(bot: FakeDiscord) -> None:
    bot.bot_can_post = False
    it = await bot.answered(await bot.slash("ask", question=QUESTION, private=True))
    private = copy.deepcopy(bot.reply_message(it))
    click = await bot.answered(await bot.click(private, button(private, "share")["custom_id"]))

    assert bot.channel_messages() == []
    [public] = followups(bot, click)
    assert not is_ephemeral(public) and public["content"].startswith(f"Shared by <@{ASKER}>")
    assert public["embeds"] == private["embeds"]
    await bot.wait_for(lambda: bool(click.edits))  # then the private copy's Share is disabled
    assert button(bot.messages[int(private["id"])], "share")["disabled"] is True


async def test_share_in_japanese(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", locale="ja", question=QUESTION, private=True))
    private = bot.reply_message(it)
    assert button(private, "share")["label"] == "共有"
    await bot.answered(await bot.click(private, button(private, "share")["custom_id"], locale="ja"))
    assert bot.channel_messages()[0]["content"].startswith(f"<@{ASKER}> さんが共有")


async def test_views_time_out_by_disabling_their_buttons(
    fake: FakeDiscord, service: SaidService, settings: Settings
) -> None:
    client = create_client(service, settings, view_timeout=0.3)
    async with running(fake, lambda: serve(client, settings)):
        it = await fake.answered(await fake.slash("ask", question=QUESTION, private=True))
        message = copy.deepcopy(fake.reply_message(it))
        assert not any(b["disabled"] for b in buttons(message))
        await fake.wait_for(lambda: len(it.edits) == 1)
        edited = fake.messages[int(message["id"])]
        assert buttons(edited) and all(b["disabled"] for b in buttons(edited))
        assert edited["embeds"] == message["embeds"]  # only the buttons changed
        assert len(client.views) == 0
    assert_clean(fake)


async def test_a_click_after_a_restart_gets_a_polite_expired_note(
    fake: FakeDiscord, settings: Settings
) -> None:
    service = await open_service(settings)
    try:
        async with running(fake, lambda: run_discord(service, settings)):
            it = await fake.answered(await fake.slash("ask", question=QUESTION))
            message = copy.deepcopy(fake.reply_message(it))
        # A new process: the view that owned the buttons is gone.
        async with running(fake, lambda: run_discord(service, settings)):
            click = await fake.answered(await fake.click(message, button(message, "more")["custom_id"]))
            # One private note as the click's own response; the old message stays as it was.
            assert click.callback_type == CHANNEL_MESSAGE and click.callback_delays[0] < 2.5
            note = fake.reply_message(click)
            assert is_ephemeral(note) and "expired" in note["content"] and note["components"] == []
            assert fake.messages[int(message["id"])] == message
    finally:
        await service.close()
    assert_clean(fake)


@pytest.mark.parametrize("custom_id", ["other", "saidbot:more:zz", "saidbot:v1:more:0123", "saidbot", "saidbot:share:"])
async def test_a_click_no_view_serves_gets_the_expired_note(bot: FakeDiscord, custom_id: str) -> None:
    # Discord only sends us clicks on our own messages, so a custom id no live view serves is one
    # an older version (or a broken client) wrote: silence would show "This interaction failed".
    it = await bot.answered(await bot.slash("ask", question=QUESTION))
    message = dict(bot.reply_message(it))
    message["components"] = [{"type": 1, "components": [{"type": 2, "style": 1, "label": "x",
                                                         "custom_id": custom_id}]}]
    click = await bot.answered(await bot.click(message, custom_id))
    assert click.callbacks[0]["data"]["content"] == "This button has expired. Ask again to get a fresh answer."
    assert click.callbacks[0]["data"]["flags"] & 64


async def test_share_is_offered_again_for_the_next_page(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", question=QUESTION, private=True))
    message = bot.reply_message(it)
    await bot.answered(await bot.click(copy.deepcopy(message), button(message, "share")["custom_id"]))
    assert button(message, "share")["disabled"] is True
    await bot.answered(await bot.click(copy.deepcopy(message), button(message, "more")["custom_id"]))
    assert button(message, "share")["disabled"] is False


def _state(tmp_path: Path) -> DatabaseState:
    """One process's view of the shared state: its own engine on the one database file."""
    return DatabaseState(async_url(f"sqlite:///{tmp_path / 'state.db'}"))


async def test_a_click_after_a_restart_is_answered_from_the_shared_state(
    fake: FakeDiscord, settings: Settings, tmp_path: Path
) -> None:
    first, second = _state(tmp_path), _state(tmp_path)
    service = await open_service(settings)
    try:
        async with running(fake, lambda: run_discord(service, settings, state=first)):
            it = await fake.answered(await fake.slash("ask", question=QUESTION, private=True))
            message = copy.deepcopy(fake.reply_message(it))
        # Another client (a restart, another shard or process), the same shared state.
        async with running(fake, lambda: run_discord(service, settings, state=second)):
            click = await fake.answered(await fake.click(message, button(message, "more")["custom_id"]))
            assert click.callback_type == UPDATE_MESSAGE
            updated = copy.deepcopy(fake.messages[int(message["id"])])
            assert timestamps(updated) and not set(timestamps(updated)) & set(timestamps(message))
            # The rebuilt view now serves the message: Share posts the page shown, once.
            for _ in range(2):
                await fake.answered(await fake.click(updated, button(updated, "share")["custom_id"]))
            [public] = fake.channel_messages()
            assert public["embeds"] == updated["embeds"]
    finally:
        await service.close()
        await first.close()
        await second.close()
    assert_clean(fake)


async def test_a_share_claimed_by_another_instance_posts_nothing_more(
    fake: FakeDiscord, settings: Settings, tmp_path: Path
) -> None:
    first, second = _state(tmp_path), _state(tmp_path)
    service = await open_service(settings)
    try:
        async with running(fake, lambda: run_discord(service, settings, state=first)):
            it = await fake.answered(await fake.slash("ask", question=QUESTION, private=True))
            message = copy.deepcopy(fake.reply_message(it))
            await fake.answered(await fake.click(message, button(message, "share")["custom_id"]))
        async with running(fake, lambda: run_discord(service, settings, state=second)):
            again = await fake.answered(await fake.click(message, button(message, "share")["custom_id"]))
            assert again.callback_type == UPDATE_MESSAGE
            assert len(fake.channel_messages()) == 1
            assert button(fake.messages[int(message["id"])], "share")["disabled"] is True
    finally:
        await service.close()
        await first.close()
        await second.close()
    assert_clean(fake)
