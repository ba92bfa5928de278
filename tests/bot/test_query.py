"""Understanding a question: speaker and topic in English and Japanese, chat syntax left out."""

from __future__ import annotations

from bot.models import Speaker
from bot.query import parse_question
from bot.speakers import SpeakerDirectory


def _directory() -> SpeakerDirectory:
    return SpeakerDirectory(
        [Speaker(name="Dario Amodei", aliases=["Dario", "Amodei", "ダリオ", "アモデイ"])], ["Chris Olah"]
    )


def test_question_forms() -> None:
    """English and Japanese phrasings all yield speaker and topic."""
    speakers = _directory()
    cases = {
        "what did Amodei say about talent density?": ("Dario Amodei", "talent density"),
        "What does Dario think of scaling laws": ("Dario Amodei", "scaling laws"),
        "Amodei on export controls": ("Dario Amodei", "export controls"),
        "talent density": (None, "talent density"),
        "アモデイはタレント密度について何と言った？": ("Dario Amodei", "タレント密度"),
        "タレント密度について": (None, "タレント密度"),
        "quotes from Olah about neurons": ("Chris Olah", "neurons"),
        "what is Dario's view on China?": ("Dario Amodei", "China"),
    }
    for question, expected in cases.items():
        parsed = parse_question(question, speakers)
        assert (parsed.speaker, parsed.topic) == expected, question
    assert parse_question("アモデイはタレント密度について何と言った？", speakers).language == "ja"
    unknown = parse_question("what did Elon Musk say about rockets?", speakers)
    assert unknown.speaker is None and unknown.unknown_speaker == "Elon Musk"


def test_what_was_said_is_no_speaker_and_latin_names_before_kana() -> None:
    speakers = SpeakerDirectory([], ["Mara Velden"])
    generic = parse_question("what was said about scaling?", speakers)
    assert (generic.speaker, generic.unknown_speaker, generic.topic) == (None, None, "scaling")
    japanese = parse_question("Mara Veldenは翡翠について何と言っていましたか？", speakers)
    assert (japanese.speaker, japanese.topic) == ("Mara Velden", "翡翠")


def test_chat_mention_syntax_is_not_part_of_the_topic() -> None:
    speakers = SpeakerDirectory([Speaker(name="Dario Amodei", aliases=["Amodei"])])
    parsed = parse_question("@everyone <@&712345678901234567> <!channel> what did Amodei say about scaling?", speakers)
    assert (parsed.speaker, parsed.topic) == ("Dario Amodei", "scaling")
