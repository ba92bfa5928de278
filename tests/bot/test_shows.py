"""Questions scoped to a show or an episode: "…on the Lex Fridman podcast", "in episode 452"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config_files import ConfigError
from bot.models import AnswerStatus, Episode, Speaker
from bot.query import clean_question, parse_question
from bot.service import SaidService
from bot.shows import Scope, Show, ShowDirectory, load_shows
from bot.speakers import SpeakerDirectory

Write = Callable[[Path, str], Path]


def _speakers() -> SpeakerDirectory:
    return SpeakerDirectory([
        Speaker(name="Dario Amodei", aliases=["Dario", "Amodei", "ダリオ", "アモデイ"]),
        Speaker(name="Lex Fridman", aliases=["Lex", "Fridman", "レックス", "レックス・フリードマン"]),
    ])


def _shows(speakers: SpeakerDirectory) -> ShowDirectory:
    lex = Show(name="Lex Fridman", aliases=("Lex Fridman Podcast",), hosts=("Lex Fridman",))
    return ShowDirectory([lex], ["Example Podcast"], {"Lex Fridman": speakers.forms_of("Lex Fridman")})


def test_scope_is_read_from_english_and_japanese_questions() -> None:
    speakers = _speakers()
    shows = _shows(speakers)
    cases = {
        "what did Dario say about scaling on the Lex Fridman podcast?": ("Dario Amodei", "scaling", "Lex Fridman", None),
        "Dario on Lex's show about scaling": ("Dario Amodei", "scaling", "Lex Fridman", None),
        "what did Dario say in his interview with Lex about dogs": ("Dario Amodei", "dogs", "Lex Fridman", None),
        "what did Dario say about scaling in episode 452": ("Dario Amodei", "scaling", None, 452),
        "Amodei on scaling in episode #7": ("Dario Amodei", "scaling", None, 7),
        "what did Amodei say about hiring on Example Podcast #7": ("Dario Amodei", "hiring", "Example Podcast", 7),
        "レックス・フリードマンのポッドキャストでダリオはスケーリングについて何と言った？":
            ("Dario Amodei", "スケーリング", "Lex Fridman", None),
        # Something said in one of the show's episodes, by nobody in particular.
        "レックスの回のスケーリングの話ってどうだった？": (None, "スケーリング", "Lex Fridman", None),
        # No "on"/"in": Lex is the one asked, or the topic, not a place.
        "what did Lex Fridman say about dogs": ("Lex Fridman", "dogs", None, None),
        "what did Dario say about Lex Fridman": ("Dario Amodei", "Lex Fridman", None, None),
        "Dario on AI safety": ("Dario Amodei", "AI safety", None, None),
    }
    for question, (speaker, topic, show, number) in cases.items():
        parsed = parse_question(question, speakers, shows=shows)
        assert (parsed.speaker, parsed.topic, parsed.show, parsed.episode_number) == (speaker, topic, show, number), (
            question
        )
        assert parsed.text == clean_question(question)  # the whole question, scope and all


def test_a_one_word_show_name_needs_a_show_word() -> None:
    """A show called "AI" must not swallow "on AI safety"; "on the AI podcast" names it."""
    speakers = _speakers()
    shows = ShowDirectory([], ["AI", "Decoder"])
    plain = parse_question("what did Dario say on AI safety", speakers, shows=shows)
    assert (plain.topic, plain.show) == ("AI safety", None)
    named = parse_question("what did Dario say about safety on the AI podcast", speakers, shows=shows)
    assert (named.topic, named.show) == ("safety", "AI")
    episode = parse_question("what did Dario say about chips on Decoder episode 12", speakers, shows=shows)
    assert (episode.topic, episode.show, episode.episode_number) == ("chips", "Decoder", 12)
    ja = parse_question("AIでダリオは安全性について何と言った？", speakers, shows=shows)
    assert ja.show is None


def test_a_number_sign_alone_is_no_episode() -> None:
    speakers = _speakers()
    parsed = parse_question("what did Dario say about the #1 risk", speakers, shows=_shows(speakers))
    assert parsed.episode_number is None and "#1" in parsed.topic
    scoped = parse_question("what did Dario say about risk on #452", speakers, shows=_shows(speakers))
    assert (scoped.topic, scoped.episode_number) == ("risk", 452)


def test_a_show_without_a_name_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "shows.toml").write_text('[[show]]\nkind = "interview"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="needs a name"):
        load_shows(tmp_path)


def test_a_scope_that_leaves_no_topic_is_the_topic() -> None:
    speakers = _speakers()
    parsed = parse_question("what did Dario say on Lex Fridman", speakers, shows=_shows(speakers))
    assert parsed.show is None and parsed.topic


def test_scope_holds_episodes_by_show_name_alias_and_number() -> None:
    shows = _shows(_speakers())
    lex_452 = Episode(id=1, show="Lex Fridman Podcast", number=452)
    other = Episode(id=2, show="Example Podcast", number=7)
    assert shows.holds(Scope(show="Lex Fridman"), lex_452)
    assert not shows.holds(Scope(show="Lex Fridman"), other)
    assert shows.holds(Scope(number=7), other) and not shows.holds(Scope(number=7), lex_452)
    assert shows.holds(Scope(show="Example Podcast", number=7), other)


OTHER_SHOW = """\
---
title: Other show
lang: en
show: Other Radio
episode: 3
youtube: ZyXwVuTsRqP
speakers: [Dario Amodei]
---

**Dario Amodei (00:02:00):**
"Talent density beats talent mass, I keep saying it: talent density, talent density, talent density."
"""


async def test_scoped_question_prefers_that_shows_episode(loaded: SaidService, notes_dir: Path, write: Write) -> None:
    write(notes_dir / "other.md", OTHER_SHOW)
    await loaded.ingest([notes_dir])
    other = await loaded.ask("what did Amodei say about talent density on Other Radio?")
    assert other.citations[0].video_id == "ZyXwVuTsRqP"
    scoped = await loaded.ask("what did Amodei say about talent density on Example Podcast?")
    assert scoped.status is AnswerStatus.OK and scoped.topic == "talent density"
    assert scoped.citations[0].video_id == "AbCdEfGhIjK"
    numbered = await loaded.ask("what did Amodei say about talent density in episode 3")
    assert numbered.citations[0].video_id == "ZyXwVuTsRqP"
    # Other recordings still answer when the named show has nothing.
    assert any(c.video_id == "ZyXwVuTsRqP" for c in scoped.citations)


def test_an_episode_described_in_japanese_and_a_show_question_without_a_topic() -> None:
    speakers = _speakers()
    shows = _shows(speakers)
    described = parse_question("レックス・フリードマンの2026年のAI回で、スケーリング則はもう終わったのかという話", speakers,
                               shows=shows)
    assert (described.speaker, described.show, described.topic) == (None, "Lex Fridman", "スケーリング則はもう終わった")
    # Called a podcast, the show is where; the one asked about is Dario, not its host.
    asked = parse_question("レックス・フリードマンのポッドキャストでダリオは何と言った？", speakers, shows=shows)
    assert (asked.speaker, asked.show, asked.topic) == ("Dario Amodei", "Lex Fridman", "")
