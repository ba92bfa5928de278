"""Misspelt topic words are read as the stored word meant; real words the store lacks are left alone."""

from __future__ import annotations

from pathlib import Path

from bot.models import AnswerStatus, Speaker
from bot.service import SaidService
from bot.speakers import SpeakerDirectory
from bot.spelling import english_correction
from tests.bot.test_pipeline import Write

SPELLING_NOTE = """\
---
title: Models
speakers: [Dario Amodei]
---
- [00:01:00] Dario Amodei: "Text diffusion models are getting good at writing whole paragraphs at once."
- [00:02:00] Dario Amodei: "We look for candidates who care about the mission."
- [00:03:00] Dario Amodei: "History will judge this decade by how we handled the transition."
"""


def test_an_english_misspelling_is_read_as_the_word_and_a_real_word_is_kept() -> None:
    assert english_correction("diffusoin") == "diffusion"
    assert english_correction("candiates") == "candidates"
    assert english_correction("historians") is None and english_correction("bread") is None


async def test_a_misspelt_topic_word_finds_the_passage_and_a_missing_real_word_still_finds_nothing(
    service: SaidService, tmp_path: Path, write: Write
) -> None:
    write(tmp_path / "notes" / "models.md", SPELLING_NOTE)
    await service.ingest([tmp_path / "notes"])
    for question, start in (("what did Dario say about text diffusoin models", 60),
                            ("what did Dario say about candiates", 120)):
        answer = await service.ask(question)
        assert answer.status is AnswerStatus.OK and answer.citations[0].start_seconds == start, question
    # "historians" is a word, not a misspelling of "history": the store does not hold it.
    missing = await service.ask("what did Dario say about historians of sourdough")
    assert missing.status is AnswerStatus.NOT_FOUND


def test_a_misspelt_name_is_the_one_person_it_is_spelt_like() -> None:
    speakers = SpeakerDirectory([
        Speaker(name="Dario Amodei", aliases=["Dario", "Amodei"]), Speaker(name="Daniela Amodei", aliases=["Daniela"]),
        Speaker(name="Chris Olah", aliases=["Olah"]),
    ])
    assert speakers.resolve_misspelt("amodie") == "Dario Amodei"
    assert speakers.resolve_misspelt("dario amodie") == "Dario Amodei"
    assert speakers.resolve_misspelt("daniella") == "Daniela Amodei"
    assert speakers.resolve_misspelt("chirs olah") == "Chris Olah"
    # Too short to tell, spelt like nobody, or two people's words.
    assert speakers.resolve_misspelt("dan") is None
    assert speakers.resolve_misspelt("the study") is None
    assert speakers.resolve_misspelt("daniela olah") is None


async def test_the_word_list_is_loaded_only_for_a_word_the_store_does_not_hold(
    service: SaidService, tmp_path: Path, write: Write
) -> None:
    from bot import spelling

    write(tmp_path / "notes" / "models.md", SPELLING_NOTE)
    await service.ingest([tmp_path / "notes"])
    spelling._english.cache_clear()
    await service.ask("what did Dario say about text diffusion models")
    assert spelling._english.cache_info().currsize == 0  # 35 MB a clean question does not need
    await service.ask("what did Dario say about text diffusoin models")
    assert spelling._english.cache_info().currsize == 1
