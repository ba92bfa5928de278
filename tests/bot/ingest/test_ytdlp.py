"""yt-dlp output: captions beside their info.json; rolling auto-captions come out once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.ingest.document import ParseError
from bot.ingest.formats import parse_file

INFO = {
    "id": "AbCdEfGhIjK", "title": "Why bees dance", "channel": "Garden Talk", "uploader": "garden",
    "upload_date": "20240312", "extractor_key": "Youtube", "description": "We talk about bees.",
    "webpage_url": "https://www.youtube.com/watch?v=AbCdEfGhIjK",
    "chapters": [{"start_time": 0.0, "end_time": 4.0, "title": "Intro"},
                 {"start_time": 4.0, "end_time": 99.0, "title": "The waggle dance"}],
}

# Written the way YouTube's auto-captions are: each cue shows the previous line again above the new one
# (with word timings in <c> tags), and a 10 ms cue repeats the finished line.
ROLLING = """WEBVTT
Kind: captions
Language: en

00:00:00.160 --> 00:00:02.869 align:start position:0%
\x20
bees<00:00:00.480><c> dance</c><00:00:00.960><c> to</c><00:00:01.200><c> tell</c><00:00:01.500><c> each</c><00:00:01.800><c> other</c>

00:00:02.869 --> 00:00:02.879 align:start position:0%
bees dance to tell each other
\x20

00:00:02.879 --> 00:00:05.190 align:start position:0%
bees dance to tell each other
where<00:00:03.200><c> the</c><00:00:03.500><c> flowers</c><00:00:03.900><c> are</c>

00:00:05.190 --> 00:00:05.200 align:start position:0%
where the flowers are
\x20

00:00:05.200 --> 00:00:08.000 align:start position:0%
where the flowers are
and<00:00:05.600><c> how</c><00:00:06.000><c> far</c><00:00:06.400><c> away.</c>
"""
SPOKEN = "bees dance to tell each other where the flowers are and how far away."


def _write(folder: Path, name: str, text: str, info: dict[str, object] | None = INFO) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if info is not None:
        (folder / "Why bees dance [AbCdEfGhIjK].info.json").write_text(json.dumps(info), encoding="utf-8")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_rolling_auto_captions_come_out_once_with_the_info_json_metadata(tmp_path: Path) -> None:
    path = _write(tmp_path, "Why bees dance [AbCdEfGhIjK].en.vtt", ROLLING)
    doc = parse_file(path, path.read_text())
    text = " ".join(s.segment.text for s in doc.segments)
    assert len(text.split()) == len(SPOKEN.split()), text  # not doubled by the repeated lines
    assert text == SPOKEN
    assert doc.lang == "en" and doc.segments[0].segment.start == 0.16
    episode = doc.episodes[0]
    assert (episode.video_id, episode.show, episode.date, episode.title) == (
        "AbCdEfGhIjK", "Garden Talk", "2024-03-12", "Why bees dance")
    assert episode.link_at(4.0) == "https://www.youtube.com/watch?v=AbCdEfGhIjK&t=1s"
    assert doc.segments[0].segment.heading == "Intro" and "The waggle dance" in doc.topics


def test_json3_captions_with_appended_line_breaks(tmp_path: Path) -> None:
    json3 = {"wireMagic": "pb3", "events": [
        {"tStartMs": 0, "dDurationMs": 5000, "id": 1, "wpWinPosId": 1, "wsWinStyleId": 1},
        {"tStartMs": 160, "dDurationMs": 2700, "wWinId": 1, "segs": [
            {"utf8": "bees", "acAsrConf": 0}, {"utf8": " dance", "tOffsetMs": 320}, {"utf8": " to", "tOffsetMs": 800}]},
        {"tStartMs": 2869, "wWinId": 1, "aAppend": 1, "segs": [{"utf8": "\n"}]},
        {"tStartMs": 2879, "dDurationMs": 2300, "wWinId": 1, "segs": [
            {"utf8": "tell"}, {"utf8": " each", "tOffsetMs": 300}, {"utf8": " other.", "tOffsetMs": 600}]},
    ]}
    path = _write(tmp_path, "Why bees dance [AbCdEfGhIjK].en.json3", json.dumps(json3))
    doc = parse_file(path, path.read_text())
    assert [(s.segment.start, s.segment.text) for s in doc.segments] == [(0.16, "bees dance to tell each other.")]
    assert doc.episodes[0].video_id == "AbCdEfGhIjK" and doc.segments[0].segment.heading == "Intro"


def test_japanese_manual_captions_without_info_json(tmp_path: Path) -> None:
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nミツバチは踊りで\n\n00:00:03.000 --> 00:00:05.000\n花の場所を伝えます。\n"
    path = _write(tmp_path, "mitsubachi.ja.vtt", vtt, info=None)
    doc = parse_file(path, path.read_text())
    assert doc.lang == "ja"
    assert [s.segment.text for s in doc.segments] == ["ミツバチは踊りで花の場所を伝えます。"]


def test_a_broken_info_json_is_blamed_by_its_own_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "Why bees dance [AbCdEfGhIjK].en.vtt", ROLLING, info=None)
    (tmp_path / "Why bees dance [AbCdEfGhIjK].info.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        parse_file(path, path.read_text())
    assert caught.value.path is not None and caught.value.path.endswith(".info.json")


def test_json3_without_events_is_a_parse_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.en.json3", '{"wireMagic": "pb3"}', info=None)
    with pytest.raises(ParseError, match="events"):
        parse_file(path, path.read_text())
