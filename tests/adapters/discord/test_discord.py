"""Discord end to end: the real discord.py client, started as `saidbot discord` starts it, against a
fake Discord on loopback (REST + websocket gateway)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from adapters.discord import run_discord
from bot.models import Answer
from bot.service import SaidService
from bot.settings import Settings
from tests.adapters.discord.conftest import ADMIN_ID, open_service, running
from tests.fakes.discord_server import (
    AUTOCOMPLETE_RESULT,
    DEFERRED_CHANNEL_MESSAGE,
    EPHEMERAL,
    MANAGE_GUILD,
    FakeDiscord,
    FakeInteraction,
    buttons,
)


def _text(message: dict[str, Any]) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or "",
                  (embed.get("author") or {}).get("name") or "", (embed.get("footer") or {}).get("text") or ""]
        parts += [f"{f.get('name')} {f.get('value')}" for f in embed.get("fields") or []]
    return "\n".join(parts)


def _button(message: dict[str, Any], action: str) -> str:
    for button in buttons(message):
        if str(button.get("custom_id", "")).startswith(f"saidbot:{action}:"):
            return str(button["custom_id"])
    raise AssertionError(f"no {action} button in {buttons(message)}")


def _first_callback(it: FakeInteraction) -> dict[str, Any]:
    return it.callbacks[0]


async def test_commands_are_synced_once(bot: FakeDiscord) -> None:
    names = {c["name"] for c in bot.commands[bot.guild_id]}
    assert {"ask", "episodes", "about", "reload"} <= names
    ask = next(c for c in bot.commands[bot.guild_id] if c["name"] == "ask")
    assert [o["name"] for o in ask["options"]] == ["question", "speaker", "private"]
    assert bot.identifies and not bot.identifies[0]["intents"] & ((1 << 1) | (1 << 8) | (1 << 15))


async def test_ask_in_english_with_timestamp_link(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", question="what did Amodei say about talent density?"))
    message = bot.reply_message(it)
    text = _text(message)
    assert "Dario Amodei" in text
    assert "[01:38:37](https://www.youtube.com/watch?v=ugvHCXCOmm4&t=5914s)" in text
    assert not message["flags"] & EPHEMERAL
    sent = it.callbacks[0]["data"] if it.callbacks[0].get("data") else it.edits[-1]
    assert sent["allowed_mentions"]["parse"] == []


async def test_ask_with_japanese_locale(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", locale="ja", question="タレント密度について"))
    text = _text(bot.reply_message(it))
    assert "タレント密度" in text and "100人" in text


async def test_private_answer_and_share_button(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", question="talent density", private=True))
    message = bot.reply_message(it)
    assert message["flags"] & EPHEMERAL
    click = await bot.answered(await bot.click(message, _button(message, "share")))
    assert click.callbacks
    await bot.wait_for(lambda: any("Dario Amodei" in _text(m) for m in bot.channel_messages()
                                   if not m["flags"] & EPHEMERAL) or any(
        not bot.messages[f]["flags"] & EPHEMERAL for f in click.followup_ids if f in bot.messages))
    public = [m for m in bot.messages.values() if not m["flags"] & EPHEMERAL and "Dario Amodei" in _text(m)]
    assert public, "sharing must post the answer where everyone sees it"


async def test_more_button_shows_next_citations(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", question="what did Amodei say about talent density?"))
    first = bot.reply_message(it)
    before = _text(first)
    click = await bot.answered(await bot.click(first, _button(first, "more")))
    after = _text(bot.messages[click.original_id]) if click.original_id else ""
    followups = "\n".join(_text(bot.messages[f]) for f in click.followup_ids if f in bot.messages)
    shown = after + followups
    assert "01:40:02" in shown or "01:41:30" in shown or "01:42:10" in shown
    assert shown != before


async def test_no_results_is_polite(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", question="what did Amodei say about sourdough baking?"))
    assert "found nothing" in _text(bot.reply_message(it))


async def test_mentions_in_a_question_never_ping(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash(
        "ask", question="@everyone @here <@&712345678901234567> <@712345678901234568> sourdough"))
    text = _text(bot.reply_message(it))
    for raw in ("@everyone", "@here", "<@&712345678901234567>", "<@712345678901234568>"):
        assert raw not in text, raw
    # The fixture also fails the test if the fake saw a message that could ping anyone.


async def test_speaker_autocomplete(bot: FakeDiscord) -> None:
    it = await bot.autocomplete("ask", "speaker", question="talent", speaker="Da")
    await bot.wait_for(lambda: it.choices is not None)
    assert _first_callback(it)["type"] == AUTOCOMPLETE_RESULT
    assert it.choices is not None and 0 < len(it.choices) <= 25
    assert "Dario Amodei" in [c["name"] for c in it.choices]
    assert it.callback_delays[0] < 3


async def test_reload_allowed_for_managers_and_admins(bot: FakeDiscord) -> None:
    manager = await bot.answered(await bot.slash("reload", permissions=MANAGE_GUILD | (1 << 31)))
    assert "reloaded" in _text(bot.reply_message(manager)).lower()
    admin = await bot.answered(await bot.slash("reload", user_id=ADMIN_ID))
    assert "reloaded" in _text(bot.reply_message(admin)).lower()


async def test_reload_refused_for_others(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("reload"))
    message = bot.reply_message(it)
    assert message["flags"] & EPHEMERAL and "only server managers" in _text(message)


async def test_about_and_episodes(bot: FakeDiscord) -> None:
    about = await bot.answered(await bot.slash("about"))
    assert "Dario Amodei" in _text(bot.reply_message(about))
    episodes = await bot.answered(await bot.slash("episodes"))
    assert "Lex Fridman Podcast #452" in _text(bot.reply_message(episodes))


class SlowService(SaidService):
    """A core held up (a re-index holding the database, a cold start)."""

    async def ask(self, question: str, **kwargs: Any) -> Answer:
        await asyncio.sleep(3.2)
        return await super().ask(question, **kwargs)


class BrokenService(SaidService):
    async def ask(self, question: str, **kwargs: Any) -> Answer:
        raise RuntimeError("database is on fire")


async def test_slow_core_defers_then_edits(fake: FakeDiscord, settings: Settings) -> None:
    service = await open_service(settings, SlowService)
    try:
        async with running(fake, lambda: run_discord(service, settings)):
            it = await fake.answered(await fake.slash("ask", question="talent density"), timeout=10)
            assert it.callback_type == DEFERRED_CHANNEL_MESSAGE and it.callback_delays[0] < 3
            assert it.edits and "Dario Amodei" in _text(fake.reply_message(it))
    finally:
        await service.close()
    assert fake.problems == []


async def test_errors_get_an_ephemeral_apology(fake: FakeDiscord, settings: Settings) -> None:
    service = await open_service(settings, BrokenService)
    try:
        async with running(fake, lambda: run_discord(service, settings)):
            it = await fake.answered(await fake.slash("ask", question="talent density"))
            replies = [fake.reply_message(it)] + [fake.messages[f] for f in it.followup_ids if f in fake.messages]
            apology = [m for m in replies if "Sorry" in _text(m)]
            assert apology and apology[-1]["flags"] & EPHEMERAL
            assert "database is on fire" not in "".join(_text(m) for m in replies)
            assert "Traceback" not in "".join(_text(m) for m in replies)
    finally:
        await service.close()


async def test_click_after_restart_is_answered_politely(
    fake: FakeDiscord, settings: Settings, tmp_path: Path
) -> None:
    service = await open_service(settings)
    try:
        async with running(fake, lambda: run_discord(service, settings)):
            it = await fake.answered(await fake.slash("ask", question="talent density"))
            message = fake.reply_message(it)
        # A new process: the view that owned the button is gone.
        async with running(fake, lambda: run_discord(service, settings)):
            click = await fake.answered(await fake.click(message, _button(message, "more")))
            replies = [fake.messages[i] for i in [click.original_id, *click.followup_ids] if i in fake.messages]
            assert any("expired" in _text(m) for m in replies)
        # The second start found the same command set and did not sync again.
        assert len(fake.command_puts) == 1
    finally:
        await service.close()
    assert fake.problems == []
