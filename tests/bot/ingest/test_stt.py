"""Speech-to-text JSON and Otter exports: speakers, times, and diarization labels that never become names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.ingest.document import ParseError
from bot.ingest.formats import is_ingestible, parse_file

Row = tuple[str | None, bool, float | None, str]


def _rows(path: Path) -> list[Row]:
    doc = parse_file(path, path.read_text(encoding="utf-8"))
    return [(s.segment.speaker, s.segment.speaker_verified, s.segment.start, s.segment.text) for s in doc.segments]


def _json(path: Path, data: object, sidecar: str | None = None) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    if sidecar is not None:
        path.with_name(path.stem + ".meta.yaml").write_text(sidecar, encoding="utf-8")
    return path


def test_whisper_segments_merge_into_sentences_without_speakers(tmp_path: Path) -> None:
    path = _json(tmp_path / "talk.json", {"text": "…", "language": "en", "segments": [
        {"id": 0, "start": 0.0, "end": 2.1, "text": " Mulching keeps the soil"},
        {"id": 1, "start": 2.1, "end": 4.0, "text": " cool in summer."},
        {"id": 2, "start": 4.0, "end": 6.5, "text": " Water early in the morning."},
    ]})
    rows = _rows(path)
    assert rows == [(None, False, 0.0, "Mulching keeps the soil cool in summer. Water early in the morning.")]


def test_whisperx_labels_map_through_the_sidecar_and_unmapped_ones_stay_unverified(tmp_path: Path) -> None:
    path = _json(tmp_path / "garden.json", {"segments": [
        {"start": 0.0, "end": 3.0, "text": "Welcome to the garden hour.", "speaker": "SPEAKER_00"},
        {"start": 3.0, "end": 7.0, "text": "Thanks. Compost is the heart of it.", "speaker": "SPEAKER_01"},
        {"start": 7.0, "end": 9.0, "text": "I agree with that.", "speaker": "SPEAKER_02"},
    ]}, "title: Garden hour\nspeaker_names:\n  SPEAKER_00: Ada Host\n  SPEAKER_01: Bo Guest\n")
    doc = parse_file(path, path.read_text())
    rows = [(s.segment.speaker, s.segment.speaker_verified, s.segment.start) for s in doc.segments]
    assert rows == [("Ada Host", True, 0.0), ("Bo Guest", True, 3.0), ("SPEAKER_02", False, 7.0)]
    # Only named people are the episode's speakers; a bare label is nobody the bot can be asked about.
    assert doc.episodes[0].speakers == ["Ada Host", "Bo Guest"]
    assert doc.episodes[0].title == "Garden hour"


def test_whisperx_label_without_any_sidecar_is_never_a_verified_name(tmp_path: Path) -> None:
    path = _json(tmp_path / "x.json", {"segments": [{"start": 1, "end": 2, "text": "Hello.", "speaker": "SPEAKER_00"}]})
    assert _rows(path) == [("SPEAKER_00", False, 1.0, "Hello.")]


def test_assemblyai_milliseconds_and_letter_labels(tmp_path: Path) -> None:
    path = _json(tmp_path / "aai.json", {"id": "t1", "status": "completed", "utterances": [
        {"speaker": "A", "start": 1200, "end": 4000, "text": "Seeds need light to sprout.", "confidence": 0.9},
        {"speaker": "B", "start": 4100, "end": 9000, "text": "Some need darkness.", "words": [
            {"text": "Some", "start": 4100, "end": 4400, "speaker": "B"},
            {"text": "need", "start": 4400, "end": 4700, "speaker": "B"},
            {"text": "darkness.", "start": 4700, "end": 5200, "speaker": "B"},
        ]},
    ]}, "speaker_names:\n  A: Ada Host\n")
    assert _rows(path) == [
        ("Ada Host", True, 1.2, "Seeds need light to sprout."),
        ("Speaker B", False, 4.1, "Some need darkness."),
    ]


def test_deepgram_integer_speakers(tmp_path: Path) -> None:
    path = _json(tmp_path / "dg.json", {"metadata": {}, "results": {"channels": [], "utterances": [
        {"start": 0.5, "end": 2.0, "speaker": 0, "transcript": "Prune in late winter.", "words": [
            {"word": "prune", "punctuated_word": "Prune", "start": 0.5, "end": 0.8, "speaker": 0},
            {"word": "in", "punctuated_word": "in", "start": 0.8, "end": 0.9, "speaker": 0},
            {"word": "late", "punctuated_word": "late", "start": 0.9, "end": 1.2, "speaker": 0},
            {"word": "winter", "punctuated_word": "winter.", "start": 1.2, "end": 2.0, "speaker": 0},
        ]},
        {"start": 2.5, "end": 4.0, "speaker": 1, "transcript": "Why then?"},
    ]}}, "speaker_names:\n  0: Ada Host\n")
    assert _rows(path) == [("Ada Host", True, 0.5, "Prune in late winter."), ("Speaker 1", False, 2.5, "Why then?")]


def test_rev_monologues_of_elements_with_punctuation(tmp_path: Path) -> None:
    path = _json(tmp_path / "rev.json", {"monologues": [
        {"speaker": 1, "speaker_name": "Bo Guest", "elements": [
            {"type": "text", "value": "Tomatoes", "ts": 10.0, "end_ts": 10.5},
            {"type": "punct", "value": " "},
            {"type": "text", "value": "love", "ts": 10.5, "end_ts": 10.8},
            {"type": "punct", "value": " "},
            {"type": "text", "value": "heat", "ts": 10.8, "end_ts": 11.2},
            {"type": "punct", "value": "."},
        ]},
        {"speaker": 2, "elements": [{"type": "text", "value": "Really", "ts": 12.0, "end_ts": 12.4},
                                    {"type": "punct", "value": "?"}]},
    ]})
    assert _rows(path) == [("Bo Guest", True, 10.0, "Tomatoes love heat."), ("Speaker 2", False, 12.0, "Really?")]


def test_japanese_whisper_output_joins_without_spaces(tmp_path: Path) -> None:
    path = _json(tmp_path / "niwa.json", {"language": "ja", "segments": [
        {"start": 0.0, "end": 2.0, "text": "土づくりが", "speaker": "SPEAKER_00"},
        {"start": 2.0, "end": 4.0, "text": "一番大切です。", "speaker": "SPEAKER_00"},
    ]}, "speaker_names:\n  SPEAKER_00: 山田花子\n")
    doc = parse_file(path, path.read_text())
    assert doc.lang == "ja"
    assert [(s.segment.speaker, s.segment.text) for s in doc.segments] == [("山田花子", "土づくりが一番大切です。")]


@pytest.mark.parametrize("data, expected", [
    ({"items": [1, 2]}, "JSON is not a transcript: expected a podcast transcript"),
    ([1, 2, 3], "JSON is not a transcript"),
    ({"segments": [{"text": "no time"}]}, "segment 1 has no numeric `start`"),
    ({"utterances": "nope"}, "`utterances` must be a list of objects"),
    ({"results": {"utterances": [{"speaker": 0, "transcript": "x"}]}}, "utterance 1 has no numeric `start`"),
])
def test_a_json_of_the_wrong_shape_says_what_was_expected(tmp_path: Path, data: object, expected: str) -> None:
    path = _json(tmp_path / "bad.json", data)
    with pytest.raises(ParseError) as caught:
        parse_file(path, path.read_text())
    assert expected in caught.value.reason


def test_broken_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"segments": [\n{"start": 1,\n', encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        parse_file(path, path.read_text())
    assert caught.value.reason.startswith("not valid JSON") and caught.value.line == 3


def test_otter_export_names_and_labels(tmp_path: Path) -> None:
    path = tmp_path / "otter.txt"
    path.write_text(
        "Ada Host  0:03\nWelcome back to the show. Today we talk about bees.\n\n"
        "Speaker 2  1:05\nBees pollinate a third of what we eat.\n\n"
        "Ada Host  1:02:10\nThat is a lot.\n\nTranscribed by https://otter.ai\n",
        encoding="utf-8",
    )
    assert _rows(path) == [
        ("Ada Host", True, 3.0, "Welcome back to the show. Today we talk about bees."),
        ("Speaker 2", False, 65.0, "Bees pollinate a third of what we eat."),
        ("Ada Host", True, 3730.0, "That is a lot."),
    ]


def test_metadata_files_are_not_documents(tmp_path: Path) -> None:
    assert is_ingestible(tmp_path / "talk.json") and is_ingestible(tmp_path / "talk.en.json3")
    assert is_ingestible(tmp_path / "page.html") and is_ingestible(tmp_path / "page.htm")
    for name in ("talk.info.json", "talk.meta.json", "talk.chapters.json"):
        assert not is_ingestible(tmp_path / name)


def test_tools_run_without_diarization_options(tmp_path: Path) -> None:
    """AssemblyAI without speaker labels, Deepgram without utterances, a bare list of faster-whisper segments."""
    aai = _json(tmp_path / "aai.json", {"utterances": None, "text": "Dig deep.", "words": [
        {"text": "Dig", "start": 500, "end": 700}, {"text": "deep.", "start": 700, "end": 900}]})
    assert _rows(aai) == [(None, False, 0.5, "Dig deep.")]
    dg = _json(tmp_path / "dg.json", {"results": {"channels": [{"alternatives": [{"transcript": "…", "words": [
        {"word": "water", "punctuated_word": "Water", "start": 1.0, "end": 1.3, "speaker": 0},
        {"word": "daily", "punctuated_word": "daily.", "start": 1.3, "end": 1.6, "speaker": 0},
        {"word": "no", "punctuated_word": "No!", "start": 2.0, "end": 2.2, "speaker": 1}]}]}]}})
    assert _rows(dg) == [("Speaker 0", False, 1.0, "Water daily."), ("Speaker 1", False, 2.0, "No!")]
    bare = _json(tmp_path / "fw.json", [{"start": 3.0, "end": 4.0, "text": " Mulch in spring."}])
    assert _rows(bare) == [(None, False, 3.0, "Mulch in spring.")]
