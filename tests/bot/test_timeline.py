"""A timeline of a speaker's view: parsed in the core, one best passage per episode, oldest first.

The fixture's three dated episodes are written to files whose names sort in another order than their
dates, and a fourth has no date; the host of one episode says "scaling" more often than the guest does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.console import format_answer
from bot.models import AnswerStatus
from bot.present import present_answer
from bot.service import SaidService
from bot.timeline import TimelineAsk, date_key, read_timeline
from tests.support.timeline import EPISODES


@pytest.fixture
async def dated(service: SaidService, tmp_path: Path, write: Callable[[Path, str], Path]) -> SaidService:
    for name, text in EPISODES.items():
        write(tmp_path / "timeline" / name, text)
    report = await service.ingest([tmp_path / "timeline"])
    assert report.failed == 0 and report.added == len(EPISODES), report.problems
    return service


@pytest.mark.parametrize(("question", "speaker", "topic"), [
    ("how has Dario's view on scaling changed?", "Dario", "scaling"),
    ("How did Dario's thinking on AI safety evolve", "Dario", "AI safety"),
    ("Amodei on export controls over time", "Amodei", "export controls"),
    ("has Dario changed his mind about open source?", "Dario", "open source"),
    ("how have Amodei's views about scaling shifted over the years?", "Amodei", "scaling"),
    ("アモデイのスケーリングについての考えの変化", "アモデイ", "スケーリング"),
    ("スケーリングについてのアモデイの意見の変遷", "アモデイ", "スケーリング"),
    ("アモデイの安全性に対する見解はどう変わった？", "アモデイ", "安全性"),
])
def test_timeline_questions_are_read_as_who_and_what(question: str, speaker: str, topic: str) -> None:
    found = read_timeline(question)
    assert found is not None and (found.speaker, found.topic) == (speaker, topic)


async def test_words_before_on_that_name_nobody_are_the_topic(dated: SaidService) -> None:
    answer = await dated.ask("energy and chips on scaling over time")
    assert answer.timeline and answer.speaker is None and answer.topic == "energy and chips scaling"
    assert read_timeline("energy and chips on scaling over time") == TimelineAsk(
        speaker="energy and chips", topic="scaling", loose=True
    )


@pytest.mark.parametrize("question", [
    "what did Amodei say about scaling?", "Amodei on scaling", "scaling", "アモデイはスケーリングについて何と言った？",
    "how did Dario say scaling works?",
])
def test_other_questions_are_no_timeline(question: str) -> None:
    assert read_timeline(question) is None


def test_dates_sort_by_year_month_day_and_undated_is_none() -> None:
    assert date_key("2024-11-11") == (2024, 11, 11)
    assert date_key("2024-11") == (2024, 11, 0) and date_key("2024") == (2024, 0, 0)
    assert date_key(None) is None and date_key("someday") is None


@pytest.mark.parametrize("question", [
    "how has Dario's view on scaling changed?",
    "Amodei on scaling over time",
    "アモデイのスケーリングについての考えの変化",
    "スケーリングについてのアモデイの意見の変遷",
])
async def test_a_timeline_is_the_best_passage_per_episode_oldest_first(dated: SaidService, question: str) -> None:
    answer = await dated.ask(question)
    assert answer.status is AnswerStatus.OK and answer.timeline
    assert answer.speaker == "Dario Amodei"
    assert [c.date for c in answer.citations] == ["2023-03-01", "2024-09-15", "2025-06-01", None]
    # Never the host's words as Dario's, even where they say "scaling" more often; the episode where
    # only the host spoke of it is not in his timeline at all.
    assert [c.speaker for c in answer.citations] == ["Dario Amodei"] * 4
    assert answer.citations[2].text.startswith("By now scaling laws hold")
    assert "Host monologue" not in {c.episode for c in answer.citations}
    assert answer.total == 4 and answer.years == (2023, 2025)


async def test_the_presenter_dates_each_entry_and_says_the_undated_come_last(dated: SaidService) -> None:
    english = present_answer(await dated.ask("how has Dario's view on scaling changed?"))
    assert english.header == "How Dario Amodei's view on “scaling” changed — 4 episodes, 2023–2025"
    assert [c.date_label for c in english.citations] == [
        "2023-03-01", "2024-09-15", "2025-06-01", "undated (listed last)"
    ]
    japanese = present_answer(await dated.ask("アモデイのスケーリングについての考えの変化"))
    assert japanese.header == "Dario Amodeiの「スケーリング」についての考えの変化 — 4件のエピソード、2023〜2025年"
    assert japanese.citations[-1].date_label == "日付不明（最後に表示）"
    shown = format_answer(await dated.ask("Amodei on scaling over time"))
    assert "1. 2023-03-01 · Dario Amodei — Early days" in shown and "4. undated (listed last) · " in shown


async def test_core_timeline_takes_the_topic_and_speaker_apart(dated: SaidService) -> None:
    answer = await dated.timeline("scaling", speaker="Dario Amodei")
    assert answer.timeline and [c.date for c in answer.citations][:3] == ["2023-03-01", "2024-09-15", "2025-06-01"]
    # Without a speaker every episode counts, the host's monologue (the oldest) included.
    anyone = await dated.timeline("scaling")
    assert anyone.citations[0].episode == "Host monologue" and anyone.speaker is None
    assert present_answer(anyone).header.startswith("How views on “scaling” changed — 5 episodes, 2022–2025")


async def test_a_timeline_of_nothing_says_so(dated: SaidService) -> None:
    answer = await dated.ask("how has Dario's view on sourdough changed?")
    assert answer.status is AnswerStatus.NOT_FOUND and answer.citations == []
    unknown = await dated.ask("how has Zed Nobody's view on scaling changed?")
    assert unknown.status is AnswerStatus.UNKNOWN_SPEAKER
