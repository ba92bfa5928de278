"""The presenter decides what every adapter shows: who-labels, badges, header, page, status and help."""

from __future__ import annotations

import pytest

from bot.models import Answer, AnswerStatus, Citation, IngestReport
from bot.present import Badge, ingest_summary, is_help_request, present_answer
from bot.service import SaidService


def _citation(**fields: object) -> Citation:
    base: dict[str, object] = {
        "text": "A hundred excellent people will beat a thousand average ones.", "speaker": "Dario Amodei",
        "speaker_verified": True, "episode": "Example Podcast #7", "show": "Example Podcast", "start_seconds": 605,
        "timestamp": "00:10:05", "url": "https://www.youtube.com/watch?v=AbCdEfGhIjK&t=602s",
        "source": "talk.md", "kind": "quote", "language": "en",
    }
    return Citation(**(base | fields))


def _answer(*citations: Citation, total: int | None = None, offset: int = 0, speaker: str | None = None) -> Answer:
    return Answer(question="what about talent density?", speaker=speaker, topic="talent density", language="en",
                  citations=list(citations), total=total if total is not None else len(citations), offset=offset)


@pytest.mark.parametrize(("fields", "who", "badges"), [
    ({}, "Dario Amodei", (Badge.VERBATIM,)),
    ({"speaker_verified": False}, "Dario Amodei", (Badge.VERBATIM, Badge.UNLABELLED)),
    ({"speaker": None, "speaker_verified": False}, "Unknown speaker", (Badge.VERBATIM, Badge.UNLABELLED)),
    ({"kind": "note", "speaker": None, "speaker_verified": False}, "Note summary", (Badge.NOTE,)),
    ({"kind": "note"}, "Dario Amodei", (Badge.NOTE,)),
])
def test_each_kind_of_citation_gets_one_who_label_and_its_badges(
    fields: dict[str, object], who: str, badges: tuple[Badge, ...]
) -> None:
    [view] = present_answer(_answer(_citation(**fields))).citations
    assert (view.who, view.badges) == (who, badges)
    assert len(view.badge_texts) == len(badges)


def test_header_page_and_what_is_left() -> None:
    view = present_answer(_answer(_citation(), _citation(), total=7, offset=3, speaker="Dario Amodei"))
    assert view.header == "What Dario Amodei said about “talent density”"
    assert view.page == "4–5 of 7" and view.remaining == 2 and view.remaining_text == "2 more found."
    assert [c.number for c in view.citations] == [4, 5]
    japanese = present_answer(_answer(_citation(), total=3), lang="ja")
    assert japanese.header == "「talent density」について" and japanese.page == "3 件中 1–1 件目"


def test_answers_without_citations_show_one_sentence() -> None:
    not_found = _answer().model_copy(update={"status": AnswerStatus.NOT_FOUND})
    assert present_answer(not_found).message == "I found nothing about “talent density” in the notes."
    past_the_end = _answer(total=3, offset=3)
    assert present_answer(past_the_end).message == "That's everything I found."
    assert present_answer(past_the_end).header is None


@pytest.mark.parametrize("text", ["help", "HELP", " help? ", "ヘルプ", "使い方", "", "?"])
def test_help_requests(text: str) -> None:
    assert is_help_request(text)


@pytest.mark.parametrize("text", ["helpful robots", "help with hiring", "使い方について"])
def test_questions_that_mention_help_are_questions(text: str) -> None:
    assert not is_help_request(text)


async def test_the_core_answers_help_in_the_askers_language(loaded: SaidService) -> None:
    english = await loaded.ask("help")
    assert english.status is AnswerStatus.HELP and english.message and english.message.startswith("Ask what")
    japanese = await loaded.ask("使い方")
    assert japanese.status is AnswerStatus.HELP and japanese.language == "ja"
    assert japanese.message and japanese.message.startswith("誰かが")
    assert present_answer(japanese).message == japanese.message


def test_ingest_summary_in_both_languages() -> None:
    report = IngestReport(added=2, segments=40, seconds=0.5)
    assert ingest_summary(report) == "added 2, changed 0, removed 0, skipped 0, failed 0; 40 segments in 0.50s"
    assert ingest_summary(report, "ja").startswith("追加 2、")


def test_commentary_on_a_person_is_badged_in_both_languages() -> None:
    """A commentary show's paraphrase of Amodei: labelled as commentary on him, never as his words."""
    citation = _citation(speaker=None, speaker_verified=False, show="Turing Post", commentary_on="Dario Amodei")
    answer = _answer(citation).model_copy(update={"show": "Turing Post", "topic": "Amodei"})
    view = present_answer(answer)
    [shown] = view.citations
    assert shown.who == "Unknown speaker" and Badge.COMMENTARY in shown.badges
    assert "commentary on Dario Amodei" in shown.badge_texts
    assert view.header == "What Turing Post said about “Amodei”"
    [shown_ja] = present_answer(answer, lang="ja").citations
    assert "Dario Amodeiについての論評" in shown_ja.badge_texts
    # A labelled speaker's own words are never commentary, whatever the field says.
    [own] = present_answer(_answer(_citation(commentary_on="Dario Amodei"))).citations
    assert Badge.COMMENTARY not in own.badges


def test_a_bare_name_header_lists_their_topics_in_the_askers_language() -> None:
    answer = _answer(_citation(), speaker="Amanda Askell").model_copy(
        update={"about_speaker": True, "topics": ["character", "honesty"], "topic": ""}
    )
    assert present_answer(answer).header == "What Amanda Askell talks about: character, honesty"
    assert present_answer(answer, lang="ja").header == "Amanda Askellがよく話す話題: character、honesty"
    plain = answer.model_copy(update={"topics": []})
    assert present_answer(plain).header == "What Amanda Askell talks about"
