"""Answers: the asked speaker's own words, translations shown once, honest misses, deep links."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.models import AnswerStatus, Speaker
from bot.query import parse_question
from bot.service import SaidService
from bot.speakers import SpeakerDirectory
from bot.topics import AliasTable, load_aliases, topic_units

Write = Callable[[Path, str], Path]


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


async def test_asked_speakers_words_first_never_the_hosts(loaded: SaidService) -> None:
    answer = await loaded.ask("what did Amodei say about talent density?")
    assert answer.status is AnswerStatus.OK
    first = answer.citations[0]
    assert first.speaker == "Dario Amodei" and first.kind == "quote"
    assert first.start_seconds == 605 and first.timestamp == "00:10:05"
    assert first.url == "https://www.youtube.com/watch?v=AbCdEfGhIjK&t=602s"
    assert first.text.startswith("A hundred excellent people")
    assert all(c.speaker != "Hannah Host" for c in answer.citations)


async def test_translation_shows_once_in_askers_language(loaded: SaidService) -> None:
    english = await loaded.ask("what did Amodei say about talent density?")
    texts = [c.text for c in english.citations]
    assert not any("優秀な100人" in t for t in texts), "the Japanese copy of the same passage must not repeat"
    japanese = await loaded.ask("アモデイはタレント密度について何と言った？")
    assert japanese.language == "ja"
    assert japanese.citations[0].text.startswith("優秀な100人")
    assert japanese.citations[0].speaker == "Dario Amodei"


async def test_two_character_japanese_word_is_found(loaded: SaidService) -> None:
    answer = await loaded.ask("天気")
    assert answer.status is AnswerStatus.OK
    assert "天気" in answer.citations[0].text


async def test_nothing_found_is_honest_and_suggests_topics(loaded: SaidService) -> None:
    answer = await loaded.ask("what did Amodei say about sourdough baking?")
    assert answer.status is AnswerStatus.NOT_FOUND and not answer.citations
    assert answer.suggestions and "sourdough baking" in (answer.message or "")


async def test_unknown_speaker_lists_known_ones(loaded: SaidService) -> None:
    answer = await loaded.ask("what did Elon Musk say about rockets?")
    assert answer.status is AnswerStatus.UNKNOWN_SPEAKER
    assert "Dario Amodei" in answer.known_speakers and "Elon Musk" in (answer.message or "")


async def test_speaker_option_and_paging(loaded: SaidService) -> None:
    page1 = await loaded.ask("trust", speaker="Amodei", limit=1)
    assert page1.speaker == "Dario Amodei" and len(page1.citations) == 1 and page1.total >= 2
    page2 = await loaded.ask("trust", speaker="Amodei", limit=1, offset=1)
    assert page2.citations and page2.citations[0].text != page1.citations[0].text


async def test_unlabelled_transcript_is_attributed_but_unverified(
    service: SaidService, tmp_path: Path, write: Write
) -> None:
    """An interview with no labels: the guest's words are marked unverified; a host question is never theirs."""
    write(
        tmp_path / "iv" / "talk.md",
        "---\nvideo_id: AbCdEfGhIjK\ntitle: Dario Amodei on compute\nchannel: Dwarkesh Patel\nspeakers: [Dario Amodei]\n---\n\n"
        "## Transcript\n\n[0:00](https://www.youtube.com/watch?v=AbCdEfGhIjK&t=0s) Why buy so much compute?\n\n"
        "[0:30](https://www.youtube.com/watch?v=AbCdEfGhIjK&t=30s) So what about compute? Compute is the bottleneck for everything we do.\n",
    )
    await service.ingest([tmp_path / "iv"])
    answer = await service.ask("what did Dario say about compute?")
    attributed = [c for c in answer.citations if c.speaker == "Dario Amodei"]
    assert attributed and all(not c.speaker_verified for c in attributed)
    assert attributed[0].text.startswith("… Compute is the bottleneck")
    assert all("Why buy so much compute" not in c.text for c in attributed)


async def test_stats_and_autocomplete(loaded: SaidService) -> None:
    stats = await loaded.stats()
    assert stats.sources == 2 and stats.segments > 10 and "Dario Amodei" in stats.speakers
    assert stats.last_ingest is not None and stats.episodes[0].video_id == "AbCdEfGhIjK"
    assert loaded.speaker_names("da") == ["Dario Amodei"]
    assert loaded.speaker_names("アモ") == ["Dario Amodei"]
    assert len(loaded.speaker_names("")) <= 25


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


def test_unknown_japanese_compound_splits_into_known_words() -> None:
    """独裁国家 is not in the table but 独裁 and 国家 are: each part matches in either language."""
    aliases = AliasTable()
    aliases.add("dictatorship", "独裁")
    aliases.add("state", "国家")
    units = topic_units("独裁国家の維持", aliases)
    assert units == [(("独裁",), ("dictatorship",)), (("国家",), ("state",)), (("維持",),)]
    # A compound the table knows whole stays whole.
    aliases.add("authoritarian state", "独裁国家")
    assert topic_units("独裁国家", aliases)[0][0] == ("独裁", "裁国", "国家")


def test_glossary_translates_japanese_questions_one_way(tmp_path: Path) -> None:
    (tmp_path / "aliases.toml").write_text('[terms]\n"talent density" = ["タレント密度"]\n', encoding="utf-8")
    (tmp_path / "glossary-ja-en.toml").write_text('[terms]\n"蒸留" = ["distillation", "distill"]\n', encoding="utf-8")
    table = load_aliases(tmp_path)
    assert table.translations("蒸留") == ["distill", "distillation"]
    assert table.translations("distillation") == []  # English questions stay English
    assert table.translations("talent density") == ["タレント密度"]  # the maintained table works both ways
    assert table.translations("タレント密度") == ["talent density"]


async def test_japanese_question_finds_an_english_only_passage_through_the_glossary(
    service: SaidService, tmp_path: Path, write: Write
) -> None:
    write(tmp_path / "notes" / "talk.md", """\
        ---
        title: A talk
        lang: en
        youtube: AbCdEfGhIjK
        speakers: [Dario Amodei]
        ---

        **Dario Amodei (00:03:00):**
        "Distillation lets a small model learn from a large one."
        """)
    await service.ingest([tmp_path / "notes"])
    answer = await service.ask("アモデイは蒸留について何と言った？")
    assert answer.status is AnswerStatus.OK
    assert answer.citations[0].text.startswith("Distillation")


def test_japanese_verb_is_its_kanji_and_first_kana_when_the_glossary_knows_it() -> None:
    aliases = AliasTable()
    aliases.add("勧め", "recommend", both_ways=False)
    units = topic_units("学生に何を勧めた", aliases)
    assert (("勧め",), ("recommend",)) in units
    assert topic_units("学生に何を勧めた")[-1] == (("学生",),)  # without the table the lone kanji stays out


def test_topic_expansions_do_not_depend_on_hash_order() -> None:
    """Sets iterate in a per-process order; the same question must rank the same in every process."""
    aliases = AliasTable()
    for other in ("zeta", "alpha", "mu"):
        aliases.add("データ", other)
    assert aliases.expansions("データ") == ["alpha", "mu", "zeta"]
