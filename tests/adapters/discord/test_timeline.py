"""/timeline end to end: the real discord.py client against the fake Discord, over a real service
holding three dated episodes (files out of date order), one undated, and a host-only one."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.discord import serve
from bot.models import Citation
from bot.settings import Settings
from tests.adapters.discord.conftest import assert_clean, create_client, running
from tests.adapters.discord.support import is_ephemeral, text_of
from tests.fakes.core import FakeCore
from tests.fakes.discord_server import AUTOCOMPLETE_RESULT, FakeDiscord
from tests.support.timeline import EPISODES


@pytest.fixture
def notes_dir(tmp_path: Path) -> Path:
    notes = tmp_path / "notes"
    notes.mkdir()
    for name, text in EPISODES.items():
        (notes / name).write_text(text, encoding="utf-8")
    return notes


def _dates(message: dict[str, object]) -> list[str]:
    embeds = message["embeds"]
    assert isinstance(embeds, list)
    return [re.match(r"\*\*(.+?)\*\*\n", e["description"])[1] for e in embeds]  # type: ignore[index]


async def test_timeline_lists_each_episode_once_oldest_first_with_its_date(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("timeline", topic="scaling", speaker="Dario Amodei"))
    message = bot.reply_message(it)
    assert not is_ephemeral(message)
    assert message["content"].startswith(
        "**How Dario Amodei's view on “scaling” changed — 4 episodes, 2023–2025** · 1–4 of 4"
    )
    assert _dates(message) == ["2023-03-01", "2024-09-15", "2025-06-01", "undated (listed last)"]
    assert [e["title"] for e in message["embeds"]] == ["Early days", "Surprises", "Compute and energy", "A conversation"]
    # Dario's words only: the host's "scaling, scaling" turn and the host-only episode are not his view.
    assert {e["author"]["name"] for e in message["embeds"]} == {"Dario Amodei"}
    assert "Everyone asks me about scaling" not in text_of(message) and "Host monologue" not in text_of(message)


async def test_timeline_in_japanese_and_without_a_speaker(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("timeline", locale="ja", topic="スケーリング", speaker="Dario Amodei",
                                            private=True))
    message = bot.reply_message(it)
    assert is_ephemeral(message)
    assert message["content"].startswith("**Dario Amodeiの「スケーリング」についての考えの変化 — 4件のエピソード、2023〜2025年**")
    assert _dates(message)[-1] == "日付不明（最後に表示）"

    anyone = bot.reply_message(await bot.answered(await bot.slash("timeline", topic="scaling")))
    assert anyone["content"].startswith("**How views on “scaling” changed — 5 episodes, 2022–2025**")


async def test_ask_with_a_timeline_question_gives_the_same_timeline(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", question="how has Dario's view on scaling changed?"))
    message = bot.reply_message(it)
    assert _dates(message) == ["2023-03-01", "2024-09-15", "2025-06-01", "undated (listed last)"]


async def test_timeline_speaker_autocomplete_offers_speakers_from_the_store(bot: FakeDiscord) -> None:
    it = await bot.autocomplete("timeline", "speaker", topic="scaling", speaker="Da")
    await bot.wait_for(lambda: it.choices is not None)
    assert it.callback_type == AUTOCOMPLETE_RESULT
    assert it.choices == [{"name": "Dario Amodei", "value": "Dario Amodei"}]


async def test_timeline_of_nothing_says_so_plainly(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("timeline", topic="sourdough", speaker="Dario Amodei"))
    message = bot.reply_message(it)
    assert "sourdough" in message["content"] and not message["embeds"]


APOLOGY = "Sorry, something went wrong while answering. The error has been logged."


@contextlib.asynccontextmanager
async def serving(fake: FakeDiscord, settings: Settings, core: FakeCore) -> AsyncIterator[FakeDiscord]:
    client = create_client(core, settings)
    async with running(fake, lambda: serve(client, settings)):
        yield fake
    assert_clean(fake)


async def test_timeline_is_one_call_on_the_core_and_a_failure_a_private_apology(
    fake: FakeDiscord, settings: Settings
) -> None:
    core = FakeCore(citations=[
        Citation(text="Early words.", speaker="Dario Amodei", episode="Early days", start_seconds=72,
                 timestamp="00:01:12", url="https://www.youtube.com/watch?v=AAAAAAAAAA1&t=72s", source="a.txt",
                 kind="quote", language="en", date="2023-03-01"),
    ], failures={"ask"})
    async with serving(fake, settings, core):
        it = await fake.answered(await fake.slash("timeline", locale="ja", topic="scaling", speaker="Dario Amodei"))
        assert core.timelines == [("scaling", "Dario Amodei", "ja")] and "ask" not in core.calls
        assert _dates(fake.reply_message(it)) == ["2023-03-01"]
        core.failures = {"timeline"}
        failed = await fake.answered(await fake.slash("timeline", topic="scaling"))
        message = fake.reply_message(failed)
        assert is_ephemeral(message) and message["content"] == APOLOGY and message["embeds"] == []
