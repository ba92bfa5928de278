"""Quote verification end to end on a store the test writes: verdicts, attribution, translation, coverage."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.models import AnswerStatus, QuoteDifference
from bot.present import present_verification
from bot.service import SaidService
from bot.settings import Settings

Write = Callable[[Path, str], Path]

INTERVIEW = """\
Hannah Host (00:09:50) Is it true that a small team of great people always beats a big team of average ones?
Dario Amodei (00:10:05) Well, um, I think a hundred excellent people will beat a thousand average ones, you know, every single time. Talent density matters more than headcount.
Hannah Host (00:11:00) And what about the compute budgets for the next model?
Dario Amodei (00:11:10) We will spend more on compute each year, because the returns keep coming and the curve has not bent.
Dario Amodei (00:11:40) The curve will bend one day,
Dario Amodei (00:11:45) but nobody I trust can tell you the year it happens.
"""
META = """\
title: Talent and teams
show: Example Podcast
episode: 7
date: 2025-01-02
video_id: AbCdEfGhIjK
speakers: [Hannah Host, Dario Amodei]
lang: en
"""
# A panel with no speaker labels: its words are nobody's in particular.
PANEL = """\
[00:00:30] Welcome back to the panel, everyone.
[00:01:00] Safety research sets the pace for the whole field, whatever the labs announce.
[00:01:30] That is a strong claim, and I half agree with it.
"""
PANEL_META = """\
title: Panel on safety
show: Another Show
date: 2025-03-04
video_id: ZyXwVuTsRqP
speakers: [Hannah Host, Dario Amodei, Chris Olah]
lang: en
"""
# A note on the same episode quoting words the transcript at that time does not hold.
NOTE = """\
---
title: Notes on talent and teams
show: Example Podcast
episode: 7
youtube: AbCdEfGhIjK
speakers: [Hannah Host, Dario Amodei]
lang: en
---

**Dario Amodei (00:10:05):**
"Hiring slowly is how we keep the bar where it belongs."
"""
GLOSSARY = """\
[terms]
"優秀" = ["excellent"]
"人材" = ["people"]
"平凡" = ["average"]
"毎回" = ["every time"]
"勝つ" = ["beat"]
"""


@pytest.fixture
async def verifier(tmp_path: Path, write: Write) -> AsyncIterator[SaidService]:
    config = tmp_path / "config"
    write(config / "glossary-test.toml", GLOSSARY)
    write(tmp_path / "notes" / "talent.txt", INTERVIEW)
    write(tmp_path / "notes" / "talent.meta.yaml", META)
    write(tmp_path / "notes" / "panel.txt", PANEL)
    write(tmp_path / "notes" / "panel.meta.yaml", PANEL_META)
    write(tmp_path / "notes" / "talent-notes.md", NOTE)
    service = await SaidService.open(Settings(db=tmp_path / "store.db", notes=None, config_dir=config))
    try:
        report = await service.ingest([tmp_path / "notes"])
        assert report.failed == 0, report.problems
        yield service
    finally:
        await service.close()


async def test_an_exact_quote_is_verbatim_with_speaker_time_and_link(verifier: SaidService) -> None:
    found = await verifier.verify(
        "a hundred excellent people will beat a thousand average ones", speaker="Amodei"
    )
    assert found.verdict == "verbatim" and found.attributed and not found.translated
    assert found.speaker == "Dario Amodei"
    first = found.citations[0]
    assert first.speaker == "Dario Amodei" and first.speaker_verified
    assert first.episode == "Talent and teams" and first.timestamp == "00:10:05"
    assert first.url is not None and "AbCdEfGhIjK" in first.url and "t=" in first.url
    assert first.match == 1.0 and first.verbatim and first.differences == []


async def test_changed_punctuation_and_a_dropped_filler_are_still_verbatim(verifier: SaidService) -> None:
    found = await verifier.verify(
        "I think 100 excellent people will beat 1,000 average ones every single time!", speaker="Dario Amodei"
    )
    assert found.verdict == "verbatim"
    assert found.citations[0].timestamp == "00:10:05"
    assert 0.9 < found.citations[0].match < 1.0


async def test_a_paraphrase_is_close_and_shows_what_differs(verifier: SaidService) -> None:
    found = await verifier.verify(
        "a hundred brilliant people will defeat a thousand average ones every single time", speaker="Dario Amodei"
    )
    assert found.verdict == "close"
    first = found.citations[0]
    assert first.timestamp == "00:10:05" and not first.verbatim
    assert QuoteDifference(quoted="brilliant", stored="excellent") in first.differences
    assert QuoteDifference(quoted="defeat", stored="beat") in first.differences
    lines = present_verification(found).citations[0].notes
    assert "quoted: “brilliant” — said: “excellent”" in lines


async def test_a_fabricated_quote_is_not_found_and_names_what_the_store_covers(verifier: SaidService) -> None:
    found = await verifier.verify("robots will bake all our bread by next spring", speaker="Dario Amodei")
    assert found.verdict == "not_found" and not found.citations
    assert found.covered is not None and found.covered.passages == 5  # four transcript turns and a note quotation
    assert found.covered.episodes == ["Talent and teams"]
    assert found.coverage is not None and "5 passages of Dario Amodei's own words" in found.coverage
    assert "Talent and teams" in found.coverage


async def test_the_hosts_words_asked_as_the_guests_are_someone_elses(verifier: SaidService) -> None:
    found = await verifier.verify("what about the compute budgets for the next model", speaker="Dario Amodei")
    assert found.verdict == "other_speaker"
    assert found.citations[0].speaker == "Hannah Host"
    view = present_verification(found)
    assert view.header == "These words were said, but not by Dario Amodei"


async def test_a_japanese_rendering_of_an_english_passage_is_translated_never_verbatim(
    verifier: SaidService,
) -> None:
    found = await verifier.verify("百人の優秀な人材は千人の平凡な人材に毎回勝つ", speaker="Dario Amodei")
    assert found.translated and found.verdict == "close"
    first = found.citations[0]
    assert first.timestamp == "00:10:05" and first.translated and not first.verbatim
    view = present_verification(found, "ja")
    assert view.translated_label == "翻訳による照合: 言い回しは確認できません"
    english = present_verification(found, "en")
    assert english.citations[0].notes == ("translated: wording cannot be verified",)


async def test_unlabelled_words_are_never_credited_to_the_asked_speaker(verifier: SaidService) -> None:
    found = await verifier.verify("safety research sets the pace for the whole field", speaker="Dario Amodei")
    assert found.verdict == "verbatim" and not found.attributed
    assert found.citations[0].speaker is None
    assert found.citations[0].people == ["Hannah Host", "Dario Amodei", "Chris Olah"]
    assert "not labelled; the recording's people: Hannah Host, Dario Amodei, Chris Olah" in (
        present_verification(found).citations[0].notes
    )
    assert present_verification(found).header == "These words are in a transcript, but it does not say who said them"


async def test_a_quote_running_across_two_segments(verifier: SaidService) -> None:
    found = await verifier.verify("the curve will bend one day, but nobody I trust can tell you the year")
    assert found.verdict == "verbatim"
    assert found.citations[0].timestamp == "00:11:40"


async def test_asking_did_x_say_returns_the_verification(verifier: SaidService) -> None:
    answer = await verifier.ask("did Dario really say 'talent density matters more than headcount'?")
    assert answer.verification is not None
    assert answer.verification.verdict == "verbatim" and answer.verification.speaker == "Dario Amodei"
    assert answer.status is AnswerStatus.OK
    japanese = await verifier.ask("アモデイは本当に「百人の優秀な人材は千人の平凡な人材に毎回勝つ」と言った？")
    assert japanese.verification is not None and japanese.verification.translated


async def test_an_empty_quote_says_what_to_give(verifier: SaidService) -> None:
    found = await verifier.verify(" “” ")
    assert found.verdict == "not_found" and found.message and not found.citations


async def test_an_unknown_speaker_is_said_and_every_speaker_is_checked(verifier: SaidService) -> None:
    found = await verifier.verify("talent density matters more than headcount", speaker="Elon Musk")
    assert found.verdict == "other_speaker" and found.unknown_speaker == "Elon Musk"
    assert found.citations[0].speaker == "Dario Amodei"


async def test_a_notes_quotation_the_transcript_lacks_is_shown_as_the_notes(verifier: SaidService) -> None:
    found = await verifier.verify("hiring slowly is how we keep the bar where it belongs", speaker="Dario Amodei")
    assert found.verdict == "verbatim"
    first = found.citations[0]
    assert first.kind == "note" and first.timestamp == "00:10:05"
    assert present_verification(found).header == (
        "A note quotes Dario Amodei with these words; no transcript in the store holds them"
    )


async def test_a_notes_quotation_the_transcript_holds_is_cited_from_the_transcript(verifier: SaidService) -> None:
    found = await verifier.verify("talent density matters more than headcount", speaker="Dario Amodei")
    assert found.verdict == "verbatim" and found.citations[0].kind == "quote"


# A thought experiment told with numbers, and a host's question on the same topic: a retelling that
# swaps its clauses must be close; the same retelling with another number, or a claim it never made
# on the same topic, must not.
LABS = """\
Theo Host (00:19:30) How big should a research lab be, in your view?
Mara Lind (00:20:00) Picture two labs. One has 40 researchers who are all excellent and care about the work. The other hires 400 people, and only 60 of them are that good. I am convinced the lab of 40 will outrun the lab of 400 on every hard problem.
Mara Lind (00:21:00) Hiring fast feels safe, but a big lab spends its days in meetings about meetings.
"""
LABS_META = """\
title: Small labs
show: Lab Talk
episode: 3
date: 2025-05-06
video_id: LmNoPqRsTuV
speakers: [Theo Host, Mara Lind]
lang: en
"""


@pytest.fixture
async def labs(tmp_path: Path, write: Write) -> AsyncIterator[SaidService]:
    write(tmp_path / "notes" / "labs.txt", LABS)
    write(tmp_path / "notes" / "labs.meta.yaml", LABS_META)
    service = await SaidService.open(Settings(db=tmp_path / "store.db", notes=None, config_dir=tmp_path / "config"))
    try:
        report = await service.ingest([tmp_path / "notes"])
        assert report.failed == 0, report.problems
        yield service
    finally:
        await service.close()


async def test_a_reordered_paraphrase_with_numbers_is_close_and_names_what_it_lacks(labs: SaidService) -> None:
    found = await labs.verify("Lind said the 40-person lab outruns the 400-person one on every hard problem")
    assert found.verdict == "close"
    # "Lind said" names the speaker: it is not part of the quote.
    assert found.speaker == "Mara Lind" and found.quote.startswith("the 40-person lab")
    first = found.citations[0]
    assert first.timestamp == "00:20:00" and not first.verbatim
    assert first.differences and all(d.stored == "" for d in first.differences)
    assert {d.quoted for d in first.differences} <= {"person", "outruns", "one"}


async def test_the_same_paraphrase_with_a_changed_number_is_not_close(labs: SaidService) -> None:
    found = await labs.verify("Lind said the 40-person lab outruns the 900-person one on every hard problem")
    assert found.verdict == "not_found" and not found.citations


async def test_an_inserted_negation_is_not_close(labs: SaidService) -> None:
    found = await labs.verify("the lab of 40 will not outrun the lab of 400 on every hard problem", speaker="Mara Lind")
    assert found.verdict == "not_found"


async def test_a_fabrication_on_the_same_topic_is_not_found(labs: SaidService) -> None:
    found = await labs.verify("Mara Lind said that a lab of 40 researchers will always lose money on hiring")
    assert found.verdict == "not_found" and found.speaker == "Mara Lind"


async def test_a_said_that_prefix_goes_to_the_speaker_slot(labs: SaidService) -> None:
    found = await labs.verify("According to Mara Lind, hiring fast feels safe")
    assert found.verdict == "verbatim" and found.attributed and found.speaker == "Mara Lind"
    assert found.quote == "hiring fast feels safe"
    # An unknown name before "said" is part of the quote, not a speaker.
    plain = await labs.verify("Nobody said that hiring fast feels safe")
    assert plain.speaker is None and plain.quote.startswith("Nobody said")


async def test_two_of_her_sentences_spliced_into_one_claim_are_not_close(labs: SaidService) -> None:
    # Half of one sentence and half of another, sharing a word: the alignment finds the real half, and the
    # claim as a whole (the small lab stuck in meetings) is one she never made.
    found = await labs.verify("I am convinced the lab of 40 will spend its days in meetings about meetings")
    assert found.verdict == "not_found"
