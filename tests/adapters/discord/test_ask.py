"""/ask end to end: the real discord.py client, started as `saidbot discord` starts it, against the
fake Discord on loopback. The `bot` fixture also checks that nothing the bot sent broke Discord's
rules, could ping anyone, or lacked allowed_mentions=none."""

from __future__ import annotations

import re
from pathlib import Path

from adapters.discord.format import escape_user_text
from bot import i18n
from bot.service import SaidService
from tests.adapters.discord.conftest import VIDEO_ID
from tests.adapters.discord.support import button, is_ephemeral, text_of, timestamps
from tests.fakes.discord_server import AUTOCOMPLETE_RESULT, CHANNEL_MESSAGE, FakeDiscord, buttons

QUESTION = "what did Dario Amodei say about talent density?"


async def test_ask_in_english_answers_with_embeds_and_timestamp_links(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", question=QUESTION))

    assert it.callback_type == CHANNEL_MESSAGE and it.callback_delays[0] < 2.5
    message = bot.reply_message(it)
    assert not is_ephemeral(message)
    content = message["content"]
    assert "talent density" in content and "1–3 of " in content
    assert f"Question: {QUESTION}" in content

    embeds = message["embeds"]
    assert len(embeds) == 3
    for embed in embeds:
        assert embed["author"]["name"] == "Dario Amodei"
        assert embed["title"] == "Lex Fridman Podcast #452 — Dario Amodei"
        # The presenter's badges follow the show: a note's quotations, with no transcript to check them against.
        assert embed["footer"]["text"] == "Lex Fridman Podcast · from a note · no transcript to check against"
        assert embed["description"].startswith("> ")
        link = re.search(r"\[(\d\d):(\d\d):(\d\d)\]\((https://[^)]+)\)", embed["description"])
        assert link, embed["description"]
        # The deep link opens the video at that second (the core may start a moment earlier).
        second = int(link[1]) * 3600 + int(link[2]) * 60 + int(link[3])
        url = re.fullmatch(rf"https://www\.youtube\.com/watch\?v={VIDEO_ID}&t=(\d+)s", link[4])
        assert url and second - 10 <= int(url[1]) <= second, link[4]
    # Five passages match: the first page has a "More" button and no "Share" (it is public already).
    assert button(message, "more")["disabled"] is False
    assert [b["custom_id"].split(":")[1] for b in buttons(message)] == ["more"]


async def test_ask_with_japanese_locale_replies_in_japanese(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", locale="ja", question="アモデイはタレント密度について何と言った？"))
    message = bot.reply_message(it)
    content = message["content"]
    assert "質問: アモデイはタレント密度について何と言った？" in content
    assert "件中" in content  # the page label in Japanese
    assert button(message, "more")["label"] == "もっと見る"
    # The locale is passed to the core, which prefers the Japanese note for the passage it has in both.
    assert "全員が優秀な100人のチーム" in text_of(message)


async def test_japanese_locale_with_an_english_question(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", locale="ja", question=QUESTION))
    message = bot.reply_message(it)
    assert "質問:" in message["content"] and "Dario Amodei" in text_of(message)


async def test_private_answer_is_ephemeral_with_share_button(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", question=QUESTION, private=True))

    assert it.callbacks[0]["data"]["flags"] & 64
    message = bot.reply_message(it)
    assert is_ephemeral(message) and "Dario Amodei" in text_of(message)
    assert button(message, "share")["label"] == "Share"
    assert button(message, "more")["label"] == "More"


async def test_speaker_option_restricts_the_speaker(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", question="talent density", speaker="Dario Amodei"))
    message = bot.reply_message(it)
    assert message["content"].startswith("**What Dario Amodei said about")
    assert {e["author"]["name"] for e in message["embeds"]} == {"Dario Amodei"}


async def test_unknown_speaker_is_explained(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", question="talent density", speaker="Nobody Atall"))
    message = bot.reply_message(it)
    assert "Nobody Atall" in message["content"] and "Dario Amodei" in message["content"]
    assert message["embeds"] == [] and message["components"] == []


async def test_no_results_is_a_polite_sentence_without_buttons(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", question="what did Amodei say about sourdough baking?"))
    message = bot.reply_message(it)
    assert "found nothing" in message["content"] and "sourdough" in message["content"]
    assert message["embeds"] == [] and message["components"] == []


MENTIONS = "@everyone @here <@&712345678901234567> <@712345678901234568>"


async def test_mentions_in_a_question_are_escaped_and_never_ping(bot: FakeDiscord) -> None:
    # Echoed once in an answer ("Question: …"), once in the core's "found nothing about …".
    answer = "what did Amodei say about talent density @everyone <@&712345678901234567>"
    for question, found in ((answer, True), (f"{MENTIONS} sourdough", False)):
        it = await bot.answered(await bot.slash("ask", question=question))
        body = it.callbacks[0]["data"]
        assert bool(body["embeds"]) is found
        assert body["allowed_mentions"] == {"parse": []}
        content = body["content"]
        for raw in MENTIONS.split():
            assert raw not in content, (raw, content)
        # The core drops chat mention syntax from the question; whatever is echoed is escaped.
        assert "@everyone" not in content.replace("@\u200beveryone", "")
    # The fixture also fails the test if the fake saw a message that could ping anyone.


async def test_markdown_in_a_question_is_echoed_literally(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", question="**talent** density ||spoiler||"))
    content = bot.reply_message(it)["content"]
    # The core reads "**talent**" as the word (emphasis is no part of a topic); what it echoes is escaped.
    assert r"talent density \|\|spoiler\|\|" in content and "**" not in content


async def test_speaker_autocomplete_offers_speakers_from_the_store(bot: FakeDiscord) -> None:
    it = await bot.autocomplete("ask", "speaker", question="talent", speaker="Da")
    await bot.wait_for(lambda: it.choices is not None)
    assert it.callback_type == AUTOCOMPLETE_RESULT and it.callback_delays[0] < 1
    assert it.choices == [{"name": "Dario Amodei", "value": "Dario Amodei"}]

    everyone = await bot.autocomplete("ask", "speaker", speaker="")
    await bot.wait_for(lambda: everyone.choices is not None)
    assert everyone.choices is not None and 0 < len(everyone.choices) <= 25
    assert {c["name"] for c in everyone.choices} >= {"Dario Amodei", "Lex Fridman"}


async def test_about_lists_what_the_store_holds(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("about"))
    message = bot.reply_message(it)
    assert is_ephemeral(message)
    fields = {f["name"]: f["value"] for f in message["embeds"][0]["fields"]}
    assert "Dario Amodei" in fields["Speakers"] and "Lex Fridman" in fields["Speakers"]
    assert fields["Episodes"] == "1"
    assert "2 notes" in fields["Notes"]
    assert re.fullmatch(r"<t:\d+:f> \(<t:\d+:R>\)", fields["Last read"])


async def test_about_says_what_comes_from_outside_the_notes_folder(
    bot: FakeDiscord, service: SaidService, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "extra.md").write_text("---\ntitle: Extra\nlang: en\n---\n\n**Dario Amodei (00:01:00):**\n"
                                        "\"Extra words.\"\n", encoding="utf-8")
    await service.ingest([elsewhere])
    it = await bot.answered(await bot.slash("about"))
    fields = {f["name"]: f["value"] for f in bot.reply_message(it)["embeds"][0]["fields"]}
    assert fields["From outside the notes folder"] == "1 (sources ingested from elsewhere; a reload keeps them)"


async def test_about_in_japanese(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("about", locale="ja"))
    embed = bot.reply_message(it)["embeds"][0]
    assert embed["title"] == "登録内容" and "話者" in {f["name"] for f in embed["fields"]}


async def test_episodes_lists_episodes_with_video_links(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("episodes"))
    embed = bot.reply_message(it)["embeds"][0]
    assert embed["title"] == "Episodes (1)"
    assert f"[Lex Fridman Podcast #452 — Dario Amodei](https://www.youtube.com/watch?v={VIDEO_ID})" in (
        embed["description"]
    )


async def test_citations_follow_the_core_ranking(bot: FakeDiscord) -> None:
    # The adapter shows the core's order; it does not re-rank.
    it = await bot.answered(await bot.slash("ask", question=QUESTION))
    shown = timestamps(bot.reply_message(it))
    assert len(shown) == 3 and len(set(shown)) == 3


async def test_help_gets_the_cores_help_privately(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", question="help"))
    message = bot.reply_message(it)
    assert is_ephemeral(message) and message["embeds"] == [] and message["components"] == []
    assert message["content"] == escape_user_text(i18n.t("help", "en"))
    assert message["content"].startswith("Ask what someone said about a topic")


async def test_help_in_japanese(bot: FakeDiscord) -> None:
    for question in ("ヘルプ", "使い方"):
        it = await bot.answered(await bot.slash("ask", locale="ja", question=question))
        message = bot.reply_message(it)
        assert is_ephemeral(message) and message["content"] == escape_user_text(i18n.t("help", "ja"))


async def test_speaker_option_with_a_bare_name_searches_that_name_in_their_words(bot: FakeDiscord) -> None:
    """/ask question:"Lex Fridman" speaker:"Dario Amodei" is a topic for Dario, not the empty-question help."""
    it = await bot.answered(await bot.slash("ask", question="Lex Fridman", speaker="Dario Amodei"))
    content = bot.reply_message(it)["content"]
    assert i18n.t("empty_question", "en") not in content
    assert "Lex Fridman" in content and "Dario Amodei" in content
    it = await bot.answered(await bot.slash("ask", question="Lex talent density", speaker="Dario Amodei"))
    message = bot.reply_message(it)
    assert message["content"].startswith("**What Dario Amodei said about “Lex talent density”")
    assert {e["author"]["name"] for e in message["embeds"]} == {"Dario Amodei"}


async def test_a_bare_name_shows_what_they_talk_about(bot: FakeDiscord) -> None:
    it = await bot.answered(await bot.slash("ask", question="Dario Amodei"))
    message = bot.reply_message(it)
    assert message["content"].startswith("**What Dario Amodei talks about: ")
    assert message["embeds"] and {e["author"]["name"] for e in message["embeds"]} == {"Dario Amodei"}
