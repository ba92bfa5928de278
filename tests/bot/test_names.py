"""A name the question asks about that no passage holds is answered as nothing found, in both languages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.models import AnswerStatus
from bot.names import name_words
from bot.service import SaidService
from bot.topics import AliasTable

Write = Callable[[Path, str], Path]


def _aliases() -> AliasTable:
    table = AliasTable()
    table.add("日本", "Japan", both_ways=False)
    table.add("採用", "hiring", both_ways=False)
    return table


def test_name_words_are_capitalised_words_and_japanese_words_translated_as_names() -> None:
    aliases = _aliases()
    # A year or a figure is as specific as a name; one digit is not.
    assert name_words("Anthropic's revenue in 2019", "what did Dario say about Anthropic's revenue in 2019?",
                      aliases) == ["2019", "Anthropic's"]
    assert name_words("72-hour weeks", "72-hour weeks?", aliases) == ["72"]
    assert name_words("3 labs and 1.5 models", "x", aliases) == []
    assert name_words("Texas AI law", "what did Dario say about the Texas AI law?", aliases) == ["Texas", "AI"]
    # The question's own first word is capitalised only because it comes first.
    assert name_words("Scaling laws", "Scaling laws?", aliases) == []
    assert name_words("日本の採用", "日本の採用についてダリオは？", aliases) == ["日本"]
    # A company naming who is described is not a name the topic asks about: the passage need not hold it.
    assert name_words("Vercel founder who rebuilt his website", "the Vercel founder who rebuilt his website", aliases) == []
    assert name_words("Anthropic's CEO on Texas", "x", aliases) == ["Texas"]
    # Chat types the acronyms of countries and public bodies in lowercase; everyday words stay words.
    assert name_words("eu ai act", "dario on the eu ai act", aliases) == ["eu"]
    assert name_words("the us and china", "dario on the us and china", aliases) == []
    assert name_words("ppl working 72 hr weeks", "x", aliases) == ["72"]
    # A Latin word written straight against Japanese is a word of its own.
    assert name_words("EUのAI規制法", "ネイサンはEUのAI規制法をどう見ている？", aliases) == ["EU", "AI"]
    # Katakana spells loanwords as often as names.
    assert name_words("エッセイ", "エッセイについて", aliases) == []


async def test_an_unseen_name_is_nothing_found_even_with_everyday_words_beside_it(loaded: SaidService) -> None:
    # "talent" and "density" are in the notes; "Texas" is not: a passage on talent density is not about Texas.
    answer = await loaded.ask("what did Amodei say about Texas talent density?")
    assert answer.status is AnswerStatus.NOT_FOUND and not answer.citations
    assert "Nothing in the notes mentions “Texas”." in (answer.message or "")
    # Without the name, the same words find the passage.
    found = await loaded.ask("what did Amodei say about talent density?")
    assert found.status is AnswerStatus.OK and found.citations


async def test_an_unseen_name_in_japanese(loaded: SaidService) -> None:
    answer = await loaded.ask("アモデイは日本のタレント密度について何と言った？")
    assert answer.status is AnswerStatus.NOT_FOUND and not answer.citations
    assert "「日本」への言及がありません" in (answer.message or "")
    glued = await loaded.ask("アモデイはEUのタレント密度について何と言った？")
    assert glued.status is AnswerStatus.NOT_FOUND and "「EU」への言及がありません" in (glued.message or "")


async def test_names_the_store_holds_or_knows_are_not_unseen(loaded: SaidService) -> None:
    # "Interpretability" is capitalised but stored; "Hannah" is a speaker's name; "Example" names the show.
    for question in (
        "what did Amodei say about Interpretability?",
        "what did Amodei say to Hannah about talent density?",
        "what did Amodei say on Example Podcast about talent density?",
    ):
        answer = await loaded.ask(question)
        assert answer.status is AnswerStatus.OK, (question, answer.message)


async def test_a_misspelt_name_is_not_taken_for_an_unknown_one(loaded: SaidService) -> None:
    # "Interpretabilty" is one letter off a stored word: not a name nobody mentions.
    answer = await loaded.ask("what did Amodei say about Interpretabilty?")
    assert "Nothing in the notes mentions" not in (answer.message or "")


async def test_a_rare_name_must_be_in_the_passage(service: SaidService, tmp_path: Path, write: Write) -> None:
    """A name the store holds only in somebody else's words: the asked speaker's passages on the other words are
    not about it."""
    lines = [
        "---\ntitle: Notes\nyoutube: AbCdEfGhIjK\nspeakers: [Hannah Host, Dario Amodei]\n---\n\n## Talk\n",
        "**Dario Amodei (00:02:00):**\n\"Policy circles should think about compute and about talent.\"\n",
    ]
    # Filler passages, so that one mention is rare in the store (as it is in any real one).
    lines += [f"**Dario Amodei (00:{10 + i}:00):**\n\"Passage {i} about weather and tea.\"\n" for i in range(40)]
    lines += ["## Later\n", "**Hannah Host (01:30:00):**\n\"The Manhattan Project comparison keeps coming up in "
              "policy circles.\"\n"]
    write(tmp_path / "n" / "talk.md", "\n".join(lines))
    await service.ingest([tmp_path / "n"])
    dario = await service.ask("what did Dario say about the Manhattan Project in policy circles?")
    assert dario.status is AnswerStatus.NOT_FOUND and not dario.citations
    anyone = await service.ask("what was said about the Manhattan Project in policy circles?")
    assert anyone.citations and "Manhattan" in anyone.citations[0].text
    # Without the name the asked speaker's words on the rest are found.
    assert (await service.ask("what did Dario say about policy circles?")).citations


async def test_a_topic_mostly_in_words_no_passage_holds_finds_nothing(service: SaidService, tmp_path: Path,
                                                                      write: Write) -> None:
    """Word weights as in a real store (a few hundred passages): "2024" is held, "presidential" and "election"
    are not, so a passage on 2024 is not about the 2024 presidential election."""
    lines = ["---\ntitle: Notes\nyoutube: AbCdEfGhIjK\nspeakers: [Hannah Host, Dario Amodei]\n---\n\n## Talk\n",
             "**Dario Amodei (00:01:00):**\n\"In 2024 our revenue grew tenfold, and talent density held.\"\n"]
    lines += [f"**Dario Amodei (01:{i:02d}:00):**\n\"Passage {i} about weather, tea and gardens.\"\n" for i in range(60)]
    write(tmp_path / "n" / "talk.md", "\n".join(lines))
    await service.ingest([tmp_path / "n"])
    answer = await service.ask("what did Dario say about the 2024 presidential election?")
    assert answer.status is AnswerStatus.NOT_FOUND and not answer.citations
    # One word the notes never use among telling ones they do is a paraphrase, and still answered.
    assert (await service.ask("what did Dario say about revenue in 2024 growing tenfold-ish?")).citations
    assert (await service.ask("what did Dario say about 2024 revenue?")).citations
    # A year no passage holds is asked about as a name is: nothing mentions it.
    other_year = await service.ask("what did Dario say about revenue in 2019?")
    assert other_year.status is AnswerStatus.NOT_FOUND and "“2019”" in (other_year.message or "")


async def test_a_katakana_name_is_not_found_inside_a_longer_word(service: SaidService, tmp_path: Path,
                                                                 write: Write) -> None:
    """インド (India) is spelt inside マインド (mind): a passage about the mind does not mention India."""
    write(tmp_path / "n" / "ja.md", "---\ntitle: メモ\nlang: ja\nyoutube: AbCdEfGhIjK\nspeakers: [Dario Amodei]\n---\n\n"
          "## 話\n\n**Dario Amodei (00:01:00):**\n「オープンなマインドでAIの政策を考えるべきです。」\n")
    await service.ingest([tmp_path / "n"])
    answer = await service.ask("インドのAI政策についてダリオは何と言った？")
    assert answer.status is AnswerStatus.NOT_FOUND and "「インド」への言及がありません" in (answer.message or "")
    assert (await service.ask("AIの政策についてダリオは何と言った？")).citations
