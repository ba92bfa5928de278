"""/verify and the "Find who said this" message command end to end: the real discord.py client against
the fake Discord on loopback, answered by a real SaidService over the notes the conftest writes."""

from __future__ import annotations

from tests.adapters.discord.support import is_ephemeral, text_of, timestamps
from tests.fakes.discord_server import CHANNEL_MESSAGE, FakeDiscord

QUOTE = "talent density beats talent mass"


async def test_both_commands_are_registered(bot: FakeDiscord) -> None:
    commands = {c["name"]: c for c in bot.commands[bot.guild_id]}
    verify = commands["verify"]
    assert verify["type"] == 1
    options = {o["name"]: o for o in verify["options"]}
    assert options["quote"]["required"] and not options["speaker"].get("required", False)
    assert options["speaker"]["autocomplete"]
    menu = commands["Find who said this"]
    assert menu["type"] == 3 and menu["name_localizations"]["ja"] == "誰の発言か調べる"


async def test_verify_finds_the_passage_with_its_match(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("verify", quote=f"“{QUOTE.capitalize()}!”", speaker="Dario Amodei"))
    assert it.callback_type == CHANNEL_MESSAGE
    message = bot.reply_message(it)
    assert not is_ephemeral(message)
    assert message["content"].startswith("**A note quotes Dario Amodei with these words; no transcript in the store holds them** · 1–1 of 1")
    assert f"Quote: “{QUOTE.capitalize()}!”" in message["content"]
    embed = message["embeds"][0]
    assert embed["author"]["name"] == "Dario Amodei"
    assert "% match" in embed["description"]
    assert timestamps(message) == ["01:38:37"]


async def test_verify_a_fabricated_quote_says_what_the_store_covers(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("verify", quote="robots will bake our bread", speaker="Dario Amodei"))
    content = bot.reply_message(it)["content"]
    assert "I found nothing close to that quote by Dario Amodei." in content
    assert "passages of Dario Amodei's own words" in content


async def test_verify_speaker_autocomplete(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.autocomplete("verify", "speaker", quote=QUOTE, speaker="dar"))
    assert [c["value"] for c in it.choices or []] == ["Dario Amodei"]


async def test_find_who_said_this_checks_a_message_privately(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.message_command("Find who said this", f"Amodei said “{QUOTE}”, right?"))
    message = bot.reply_message(it)
    assert is_ephemeral(message)
    assert "A note quotes Dario Amodei with these words; no transcript in the store holds them" in message["content"]
    assert f"Quote: “{QUOTE}”" in message["content"]


async def test_find_who_said_this_in_japanese(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.message_command("Find who said this", "lol", locale="ja"))
    message = bot.reply_message(it)
    assert is_ephemeral(message)
    assert "その発言に近いものは記録に見つかりませんでした" in text_of(message)
