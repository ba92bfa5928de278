"""Answers end to end: the asked speaker's own words, translations shown once, honest misses, deep links."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.models import AnswerStatus, Speaker
from bot.pipeline import Knowledge, _named_person, _people_units
from bot.service import SaidService
from bot.shows import ShowDirectory
from bot.speakers import SpeakerDirectory
from bot.topics import AliasTable, cjk_compounds, topic_units

Write = Callable[[Path, str], Path]

# An unlabelled interview on a show with a host (Dwarkesh Patel, shows.toml): the host's question at 0:00;
# each test adds the answer at 0:30.
COMPUTE_INTERVIEW = (
    "---\nvideo_id: AbCdEfGhIjK\ntitle: Dario Amodei on compute\nchannel: Dwarkesh Patel\nspeakers: [Dario Amodei]\n---\n\n"
    "## Transcript\n\n[0:00](https://www.youtube.com/watch?v=AbCdEfGhIjK&t=0s) Why buy so much compute?\n\n"
)


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
        COMPUTE_INTERVIEW +
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


async def test_speaker_option_with_a_bare_name_is_a_topic_not_the_help(loaded: SaidService) -> None:
    answer = await loaded.ask("Hannah Host", speaker="Dario Amodei")
    assert answer.status is not AnswerStatus.EMPTY and answer.topic == "Hannah Host"
    assert answer.speaker == "Dario Amodei"
    assert all(c.speaker in (None, "Dario Amodei") for c in answer.citations)
    japanese = await loaded.ask("ハンナのタレント密度", speaker="アモデイ")
    assert japanese.status is not AnswerStatus.EMPTY and japanese.topic == "ハンナのタレント密度"


COMMENTARY = """\
---
video_id: ZyXwVuTsRqP
title: What Dario Amodei gets wrong about trust
channel: Turing Post
---

## Transcript

[0:10](https://www.youtube.com/watch?v=ZyXwVuTsRqP&t=10s) Amodei says trust comes for free in a small team. I doubt that trust scales this way.

[0:40](https://www.youtube.com/watch?v=ZyXwVuTsRqP&t=40s) His essay on trust skips the incentives of a company selling models.
"""


async def test_a_commentary_show_as_who_speaks_answers_from_its_episodes_only(
    loaded: SaidService, tmp_path: Path, write: Write
) -> None:
    """The critic's words answer, labelled as commentary on Amodei; never Amodei's own words, never as his."""
    write(tmp_path / "tp" / "turing.md", COMMENTARY)
    await loaded.ingest([tmp_path / "tp"])
    for question in ("what did the Turing Post critic say about Amodei?", "Turing Postの批評家はアモデイについて何と言った？",
                     "what does Turing Post think of Dario's essay?"):
        answer = await loaded.ask(question)
        assert answer.status is AnswerStatus.OK, question
        assert answer.show == "Turing Post" and answer.speaker is None
        assert answer.citations and all(c.show == "Turing Post" for c in answer.citations), question
        assert all(c.speaker is None and c.commentary_on == "Dario Amodei" for c in answer.citations), question
    # Asking Amodei himself still gives his words, and the commentary is never shown as his.
    own = await loaded.ask("what did Amodei say about trust?")
    assert own.citations[0].speaker == "Dario Amodei" and own.citations[0].show == "Example Podcast"
    assert all(c.speaker != "Dario Amodei" for c in own.citations if c.show == "Turing Post")


async def test_paging_never_shows_a_translation_of_a_passage_again(service: SaidService, tmp_path: Path) -> None:
    """Notes kept in en/ and ja/ folders: one entry per passage on every page, in the asker's language."""
    from tests.conftest import NOTE_EN, NOTE_JA

    root = tmp_path / "notes"
    (root / "en").mkdir(parents=True)
    (root / "ja").mkdir()
    (root / "en" / "team.md").write_text(NOTE_EN, encoding="utf-8")
    (root / "ja" / "team.md").write_text(NOTE_JA, encoding="utf-8")
    await service.ingest([root])
    for question, language in (("trust interpretability talent density", "en"), ("信頼 解釈可能性 タレント密度", "ja")):
        pages = [await service.ask(question, limit=2, offset=offset) for offset in (0, 2, 4, 6)]
        shown = [c for page in pages for c in page.citations]
        assert shown and all(c.language == language for c in shown), [(c.language, c.text) for c in shown]
        assert pages[0].total == len(shown)


async def test_the_header_topic_comes_from_the_cleaned_question(loaded: SaidService) -> None:
    from bot.present import present_answer

    english = await loaded.ask(":fire: hey, what did Amodei say about **talent density**? :pray: thanks!")
    assert present_answer(english).header == "What Dario Amodei said about “talent density”"
    japanese = await loaded.ask("ねえ、アモデイはタレント密度について何と言った？🙏 お願いします")
    assert present_answer(japanese).header == "Dario Amodeiの「タレント密度」についての発言"


async def test_a_bare_name_answers_with_what_they_talk_about_from_the_store(loaded: SaidService) -> None:
    """"Dario", "アモデイ": their top topics (headings of their passages) and a few of their own passages."""
    from bot.present import present_answer

    english = await loaded.ask("Dario Amodei")
    assert english.status is AnswerStatus.OK and english.about_speaker and english.speaker == "Dario Amodei"
    assert english.topics[0] == "Talent density"
    assert english.citations and all(c.speaker == "Dario Amodei" for c in english.citations)
    assert all(c.language == "en" for c in english.citations)
    assert present_answer(english).header == "What Dario Amodei talks about: " + ", ".join(english.topics)
    japanese = await loaded.ask("アモデイ")
    assert japanese.about_speaker and japanese.topics[0] == "タレント密度（talent density）"
    assert japanese.citations[0].text.startswith("優秀な100人")
    assert present_answer(japanese).header.startswith("Dario Amodeiがよく話す話題: タレント密度")
    # Every topic listed is stored text: a heading or a word of their passages, never made up.
    stored = " ".join(c.text for c in english.citations) + " Talent density"
    assert all(t.lower() in stored.lower() for t in english.topics), english.topics
    # Chat noise around a name is no topic either.
    assert (await loaded.ask("hey Dario :wave:")).about_speaker


async def test_a_bare_name_with_no_passages_of_their_own_says_so(loaded: SaidService) -> None:
    answer = await loaded.ask("Sam Altman")
    assert answer.status is AnswerStatus.NOT_FOUND and "Sam Altman" in (answer.message or "")
    japanese = await loaded.ask("アルトマン")
    assert japanese.status is AnswerStatus.NOT_FOUND and "本人の発言" in (japanese.message or "")


async def test_help_asked_with_chat_noise_is_still_help(loaded: SaidService) -> None:
    for question in ("@saidbot help", "hey, help? :pray:", "ねえ、ヘルプ お願いします", ":wave:"):
        assert (await loaded.ask(question)).status is AnswerStatus.HELP, question


async def test_a_host_asked_about_gets_their_questions_never_the_guests_answers(
    service: SaidService, tmp_path: Path, write: Write
) -> None:
    """The host of the show (shows.toml) is in every episode, listed or not: an unlabelled question is theirs,
    unverified; an unlabelled answer is shown as nobody's rather than as the host's words."""
    write(
        tmp_path / "iv" / "talk.md",
        COMPUTE_INTERVIEW +
        "[0:30](https://www.youtube.com/watch?v=AbCdEfGhIjK&t=30s) Compute is the bottleneck for everything we do.\n",
    )
    await service.ingest([tmp_path / "iv"])
    answer = await service.ask("on the Dwarkesh podcast, what did Dwarkesh say about compute?")
    assert answer.status is AnswerStatus.OK and answer.speaker == "Dwarkesh Patel"
    by_start = {c.start_seconds: c for c in answer.citations}
    assert by_start[0].speaker == "Dwarkesh Patel" and not by_start[0].speaker_verified
    assert all(c.speaker != "Dwarkesh Patel" for c in answer.citations if c.start_seconds == 30)
    guest = await service.ask("what did Dario say about compute?")
    assert guest.citations[0].start_seconds == 30 and guest.citations[0].speaker == "Dario Amodei"


async def test_a_speaker_on_a_named_show_without_a_topic_answers_about_them(loaded: SaidService) -> None:
    answer = await loaded.ask("on the Example Podcast, what did Dario say?")
    assert answer.status is AnswerStatus.OK and answer.about_speaker and answer.speaker == "Dario Amodei"
    assert answer.citations and all(c.speaker == "Dario Amodei" for c in answer.citations)


def test_names_written_against_japanese_are_people_not_topic_words() -> None:
    """ダリオの子供時代: ダリオ is who the topic is about, in every spelling the person alternatives use,
    so only 子供時代 counts when judging whether the store holds the topic at all."""
    speakers = SpeakerDirectory([Speaker(name="Dario Amodei", aliases=["ダリオ", "アモデイ"])], [])
    knowledge = Knowledge(speakers=speakers, shows=ShowDirectory([]), aliases=AliasTable(), speaker_ids={},
                          episodes=(), hosts=frozenset(), interview_shows=frozenset(), featuring={}, segments=10)
    people = _people_units("ダリオの子供時代", knowledge)
    for word in ("ダリオ", "dario", "amodei", "dario amodei"):
        assert set(topic_units(word)) <= people, word
    assert not set(topic_units("子供時代")) & people


def test_the_person_whose_thing_the_topic_is_must_be_named_only_when_it_is_theirs() -> None:
    speakers = SpeakerDirectory([Speaker(name="Sam Altman", aliases=["サム・アルトマン"])], ["Dario Amodei", "Dwarkesh Patel"])
    assert _named_person("Sam Altman's essay", None, speakers) is not None
    assert _named_person("サム・アルトマンのエッセイ", None, speakers) is not None
    # Who else was there is not what the passage is about.
    assert _named_person("since his last Dwarkesh Patel interview", "Dario Amodei", speakers) is None
    assert _named_person("Dwarkesh Patelとの対談での見立て", "Dario Amodei", speakers) is None
    assert _named_person("Sam Altman's essay", "Sam Altman", speakers) is None  # the one asked


def test_a_possessive_typed_without_its_apostrophe_still_names_the_person() -> None:
    speakers = SpeakerDirectory([Speaker(name="Dario Amodei", aliases=["ダリオ"])], [])
    knowledge = Knowledge(speakers=speakers, shows=ShowDirectory([]), aliases=AliasTable(), speaker_ids={},
                          episodes=(), hosts=frozenset(), interview_shows=frozenset(), featuring={}, segments=10)
    assert set(topic_units("dario")) <= _people_units("darios essay", knowledge)
    assert not set(topic_units("essay")) & _people_units("darios essay", knowledge)


ONE_TERM_NOTE = """\
---
title: Travel and density
speakers: [Dario Amodei]
---
- [00:01:00] Dario Amodei: "I want to travel the world and meet everyone, and I never have the time."
- [00:02:00] Dario Amodei: "Talent density beats talent mass."
- [00:03:00] Dario Amodei: "優秀な人材の密度が大事だ。"
- [00:04:00] Dario Amodei: "The population of the team doubled this year."
"""


async def test_two_words_written_as_one_term_need_a_passage_holding_them_together(
    service: SaidService, tmp_path: Path, write: Write
) -> None:
    """"time travel" is not answered by a passage on travelling the world that also mentions time, nor
    人口密度 (population density) by one on talent density; "talent density" itself still is."""
    write(tmp_path / "notes" / "travel.md", ONE_TERM_NOTE)
    await service.ingest([tmp_path / "notes"])
    for question in ("what did Dario say about time travel?", "what did Dario say about population density?",
                     "ダリオは人口密度について何か言ってた？"):
        answer = await service.ask(question)
        assert answer.status is AnswerStatus.NOT_FOUND, (question, [c.text for c in answer.citations])
    for question in ("what did Dario say about talent density?", "ダリオは人材の密度について何と言った？",
                     "what did Dario say about travel and time?"):
        answer = await service.ask(question)
        assert answer.status is AnswerStatus.OK and answer.citations, question


async def test_a_japanese_compound_inside_a_longer_topic_counts_as_unknown_when_its_words_never_meet(
    service: SaidService, tmp_path: Path, write: Write
) -> None:
    """チームの人口密度: the store holds チーム (team), 人口 (population) and 密度 (density), but never
    population density, so most of the topic is unknown to it; チームの人材密度 (talent density) is known."""
    write(tmp_path / "notes" / "travel.md", ONE_TERM_NOTE)
    await service.ingest([tmp_path / "notes"])
    missing = await service.ask("ダリオはチームの人口密度について何か言ってた？")
    assert missing.status is AnswerStatus.NOT_FOUND, [c.text for c in missing.citations]
    found = await service.ask("ダリオはチームの人材密度について何と言った？")
    assert found.status is AnswerStatus.OK and found.citations


def test_japanese_compounds_are_runs_without_a_particle_of_two_words() -> None:
    aliases = AliasTable()
    for english, japanese in (("population", "人口"), ("density", "密度"), ("city", "都市")):
        aliases.add(english, japanese)
    pairs = cjk_compounds("都市の人口密度", aliases)
    assert pairs == [(topic_units("人口", aliases)[0], topic_units("密度", aliases)[0])]
    assert cjk_compounds("都市の人口", aliases) == [] and cjk_compounds("population density", aliases) == []


async def test_a_topic_of_nothing_but_framing_answers_about_the_person(loaded: SaidService) -> None:
    for question in ("what did Amodei say about the?", "アモデイの話"):
        answer = await loaded.ask(question)
        assert answer.status is AnswerStatus.OK and answer.about_speaker and answer.speaker == "Dario Amodei", question
