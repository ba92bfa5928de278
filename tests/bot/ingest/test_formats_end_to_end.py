"""Every local source format ingested into a real store, then asked about: the right speaker and a deep link."""

from __future__ import annotations

import json
from pathlib import Path

from bot.models import Citation
from bot.service import SaidService
from tests.bot.ingest.test_transcript_page import PAGE
from tests.bot.ingest.test_ytdlp import INFO, ROLLING

VIDEO = "https://www.youtube.com/watch?v=AbCdEfGhIjK"


async def _ask(service: SaidService, folder: Path, question: str) -> list[Citation]:
    report = await service.ingest([folder])
    assert report.failed == 0 and report.added >= 1, report.problems
    answer = await service.ask(question)
    assert answer.citations, answer
    return answer.citations


async def test_podcast_json_transcript(service: SaidService, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    words = "Sourdough needs a lively starter and patience.".split()
    segments = [{"speaker": "Ada Host", "startTime": 100 + i, "endTime": 101 + i, "body": w} for i, w in enumerate(words)]
    (folder / "bread.json").write_text(json.dumps({"version": "1.0.0", "segments": segments}), encoding="utf-8")
    (folder / "bread.meta.yaml").write_text(
        "title: Bread basics\nshow: Kitchen Talk\naudio_url: https://cdn.kitchen.example/bread.mp3\n", encoding="utf-8"
    )
    top = (await _ask(service, folder, "what did Ada Host say about sourdough?"))[0]
    assert (top.speaker, top.speaker_verified, top.start_seconds) == ("Ada Host", True, 100)
    assert top.text == "Sourdough needs a lively starter and patience."
    # Stored with its episode and read back: the audio file, playing from the passage's second.
    assert top.url == "https://cdn.kitchen.example/bread.mp3#t=97" and top.link_seeks
    assert any(e.audio_url for e in (await service.stats()).episodes)


async def test_whisperx_with_sidecar_names(service: SaidService, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "hives.json").write_text(json.dumps({"segments": [
        {"start": 3.0, "end": 6.0, "text": "Why keep bees in the city?", "speaker": "SPEAKER_00"},
        {"start": 6.0, "end": 12.0, "text": "City hives often thrive because of the variety of flowers.", "speaker": "SPEAKER_01"},
        {"start": 12.0, "end": 16.0, "text": "Rooftop hives need shade from the afternoon sun.", "speaker": "SPEAKER_02"},
    ]}), encoding="utf-8")
    (folder / "hives.meta.yaml").write_text(
        "title: Urban bees\nvideo_id: AbCdEfGhIjK\nspeaker_names:\n  SPEAKER_00: Ada Host\n  SPEAKER_01: Bo Guest\n",
        encoding="utf-8",
    )
    top = (await _ask(service, folder, "what did Bo Guest say about city hives?"))[0]
    assert (top.speaker, top.speaker_verified) == ("Bo Guest", True)
    assert top.url == f"{VIDEO}&t=3s"
    answer = await service.ask("what did Bo Guest say about rooftop shade?")
    # SPEAKER_02 was never named: its words are nobody's named words, least of all the asked guest's.
    assert all(c.speaker != "Bo Guest" or "Rooftop" not in c.text for c in answer.citations)
    unasked = await service.ask("rooftop hives shade")
    rooftop = next(c for c in unasked.citations if "Rooftop" in c.text)
    assert rooftop.speaker == "SPEAKER_02" and not rooftop.speaker_verified


async def test_transcript_page(service: SaidService, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "bees.html").write_text(PAGE, encoding="utf-8")
    top = (await _ask(service, folder, "what did Bo Guest say about the distance to the flowers?"))[0]
    assert (top.speaker, top.start_seconds, top.url) == ("Bo Guest", 3725, f"{VIDEO}&t=3722s")


async def test_ytdlp_captions_with_info_json(service: SaidService, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "Why bees dance [AbCdEfGhIjK].info.json").write_text(json.dumps(INFO), encoding="utf-8")
    (folder / "Why bees dance [AbCdEfGhIjK].en.vtt").write_text(ROLLING, encoding="utf-8")
    report = await service.ingest([folder])
    assert (report.added, report.failed) == (1, 0), report.problems  # the info.json is metadata, not a document
    answer = await service.ask("where the flowers are")
    top = answer.citations[0]
    assert top.speaker is None and top.url == f"{VIDEO}&t=0s" and top.episode == "Why bees dance"
    assert top.text.count("flowers") == 1


async def test_otter_export(service: SaidService, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "otter-export.txt").write_text(
        "Ada Host  0:05\nWelcome to the show about orchards.\n\n"
        "Bo Guest  2:10\nApple trees need a pollination partner nearby.\n\n"
        "Speaker 3  3:00\nPear trees do too, mostly.\n",
        encoding="utf-8",
    )
    (folder / "otter-export.meta.yaml").write_text("title: Orchards\nvideo_id: AbCdEfGhIjK\n", encoding="utf-8")
    top = (await _ask(service, folder, "what did Bo Guest say about apple trees?"))[0]
    assert (top.speaker, top.speaker_verified, top.url) == ("Bo Guest", True, f"{VIDEO}&t=127s")


async def test_ytdlp_json3_captions_and_an_srt_with_a_japanese_speaker(service: SaidService, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "Why bees dance [AbCdEfGhIjK].info.json").write_text(json.dumps(INFO), encoding="utf-8")
    events = [{"tStartMs": 4000, "dDurationMs": 3000, "segs": [{"utf8": "the"}, {"utf8": " waggle"}, {"utf8": " dance"}]},
              {"tStartMs": 7000, "aAppend": 1, "segs": [{"utf8": "\n"}]},
              {"tStartMs": 7010, "dDurationMs": 2000, "segs": [{"utf8": "points"}, {"utf8": " at the sun."}]}]
    (folder / "Why bees dance [AbCdEfGhIjK].en.json3").write_text(json.dumps({"events": events}), encoding="utf-8")
    (folder / "mitsubachi.srt").write_text(
        "1\n00:10:00,000 --> 00:10:04,000\n山田花子: ミツバチの八の字ダンスは太陽の方向を示します。\n", encoding="utf-8"
    )
    (folder / "mitsubachi.meta.yaml").write_text("title: ミツバチ\nvideo_id: ZyXwVuTsRqP\n", encoding="utf-8")
    top = (await _ask(service, folder, "waggle dance points at the sun"))[0]
    assert top.text == "the waggle dance points at the sun." and top.url == f"{VIDEO}&t=1s"
    japanese = (await service.ask("山田花子は八の字ダンスについて何と言った？")).citations[0]
    assert japanese.speaker == "山田花子" and japanese.url == "https://www.youtube.com/watch?v=ZyXwVuTsRqP&t=597s"


async def test_an_unnamed_diarization_label_is_never_offered_as_a_speaker(service: SaidService, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "hives.json").write_text(json.dumps({"segments": [
        {"start": 6.0, "end": 12.0, "text": "City hives often thrive on varied flowers.", "speaker": "SPEAKER_01"},
        {"start": 12.0, "end": 16.0, "text": "Rooftop hives need shade from the afternoon sun.", "speaker": "SPEAKER_02"},
    ]}), encoding="utf-8")
    (folder / "hives.meta.yaml").write_text("title: Urban bees\nspeaker_names:\n  SPEAKER_01: Bo Guest\n",
                                            encoding="utf-8")
    await service.ingest([folder])
    # Autocomplete and the "I know: …" list name people, not a tool's label for a voice.
    assert "Bo Guest" in service.speaker_names("")
    assert not [n for n in service.speaker_names("") if n.upper().startswith("SPEAKER")]
    assert "SPEAKER_02" not in service.speaker_names("SPEA")
    unknown = await service.ask("what did Zed Nobody say about hives?")
    assert "Bo Guest" in unknown.known_speakers and "SPEAKER_02" not in unknown.known_speakers
