"""WebVTT and SRT as real files come: BOM, CRLF, cue settings, several voices in a cue, a malformed cue."""

from __future__ import annotations

from pathlib import Path

from bot.ingest.formats import parse_file


def _parse(path: Path, raw: bytes) -> tuple[list[tuple[str | None, float | None, str]], list[str]]:
    path.write_bytes(raw)
    doc = parse_file(path, raw.decode("utf-8-sig"))
    return ([(s.segment.speaker, s.segment.start, s.segment.text) for s in doc.segments],
            [str(w) for w in doc.warnings])


def test_vtt_with_bom_crlf_settings_voices_and_a_malformed_cue(tmp_path: Path) -> None:
    raw = (
        "\ufeffWEBVTT - garden talk\r\n\r\nNOTE written by hand\r\nstill the note\r\n\r\n"
        "intro\r\n00:00:01.000 --> 00:00:04.000 line:0 position:20% align:start\r\n"
        "<v.loud Ada Host>Welcome, everyone.</v>\r\n<v Bo Guest>Glad to be here.</v>\r\n\r\n"
        "00:00:0x.000 --> 00:00:05.000\r\nthis cue cannot be placed\r\n\r\n"
        "00:00:06.000 --> 00:00:09.000\r\n<v Ada Host><i>Let's</i> talk about seeds.\r\n"
    ).encode()
    rows, warnings = _parse(tmp_path / "talk.vtt", raw)
    assert rows == [
        ("Ada Host", 1.0, "Welcome, everyone."),
        ("Bo Guest", 1.0, "Glad to be here."),
        ("Ada Host", 6.0, "Let's talk about seeds."),
    ]
    # The bad cue is named by file and line; the rest of the file still ingests.
    assert warnings == [f"{tmp_path / 'talk.vtt'}:11: cannot read the cue timing; cue skipped"]


def test_srt_with_name_prefixes_and_a_multiline_cue(tmp_path: Path) -> None:
    raw = (
        "1\r\n00:01:00,000 --> 00:01:03,000\r\nBo Guest: Plant garlic\r\nin the autumn.\r\n\r\n"
        "2\r\n00:01:04,000 --> 00:01:06,000\r\n- Why then?\r\n\r\n"
        "3\r\n00:01:07,000 --> 00:01:07,500\r\n山田花子: 冬の寒さが必要です。\r\n"
    ).encode()
    rows, warnings = _parse(tmp_path / "garlic.srt", raw)
    assert rows == [
        ("Bo Guest", 60.0, "Plant garlic in the autumn. - Why then?"),
        ("山田花子", 67.0, "冬の寒さが必要です。"),
    ]
    assert warnings == []


def test_diarization_labels_in_captions_are_named_by_the_sidecar_or_stay_unverified(tmp_path: Path) -> None:
    (tmp_path / "hives.meta.yaml").write_text("speaker_names:\n  SPEAKER_00: Ada Host\n", encoding="utf-8")
    raw = (
        b"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v SPEAKER_00>Why keep bees?\n\n"
        b"00:00:03.000 --> 00:00:06.000\n<v SPEAKER_01>For the honey, mostly.\n"
    )
    path = tmp_path / "hives.vtt"
    path.write_bytes(raw)
    doc = parse_file(path, raw.decode())
    assert [(s.segment.speaker, s.segment.speaker_verified) for s in doc.segments] == [
        ("Ada Host", True), ("SPEAKER_01", False)]
    assert doc.episodes[0].speakers == ["Ada Host"]
