"""Transcript web pages, and fetched documents read by content type, URL suffix or sniffing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.ingest.document import ParseError
from bot.ingest.formats import parse_file, parse_remote

PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Transcript for Ada Host: Bees | Garden Talk</title></head>
<body><nav><h2>Table of Contents</h2><a href="#intro">Introduction</a></nav><article>
<h2>Introduction</h2>
<div class="ts-segment">
  <span class="ts-name">Ada Host</span>
  <span class="ts-timestamp"><a href="https://youtube.com/watch?v=AbCdEfGhIjK&amp;t=0">(00:00:00)</a> </span>
  <span class="ts-text">The following is a conversation with Bo Guest about bees.</span>
</div>
<div class="ts-segment">
  <span class="ts-name"></span>
  <span class="ts-timestamp"><a href="https://youtube.com/watch?v=AbCdEfGhIjK&amp;t=9">(00:00:09)</a> </span>
  <span class="ts-text">And now, dear friends, here's Bo.</span>
</div>
<h2>The waggle dance</h2>
<div class="ts-segment">
  <span class="ts-name">Bo Guest</span>
  <span class="ts-timestamp"><a href="https://youtube.com/watch?v=AbCdEfGhIjK&amp;t=3725">(01:02:05)</a> </span>
  <span class="ts-text">A bee dances <em>the distance</em> to the flowers.</span>
</div>
</article></body></html>
"""


def test_segments_speakers_times_chapters_and_video(tmp_path: Path) -> None:
    path = tmp_path / "bees-transcript.html"
    path.write_text(PAGE, encoding="utf-8")
    doc = parse_file(path, path.read_text())
    assert [(s.segment.speaker, s.segment.start, s.segment.heading, s.segment.text) for s in doc.segments] == [
        ("Ada Host", 0.0, "Introduction", "The following is a conversation with Bo Guest about bees."),
        # An empty name continues the previous speaker.
        ("Ada Host", 9.0, "Introduction", "And now, dear friends, here's Bo."),
        ("Bo Guest", 3725.0, "The waggle dance", "A bee dances the distance to the flowers."),
    ]
    assert doc.topics == ["Introduction", "The waggle dance"]
    episode = doc.episodes[0]
    assert episode.video_id == "AbCdEfGhIjK" and episode.speakers == ["Ada Host", "Bo Guest"]
    assert episode.link_at(3725.0) == "https://www.youtube.com/watch?v=AbCdEfGhIjK&t=3722s"


def test_html_without_segments_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "about.html"
    path.write_text("<html><body><p>We are a garden club.</p></body></html>", encoding="utf-8")
    with pytest.raises(ParseError, match="no transcript segments found"):
        parse_file(path, path.read_text())


def test_remote_page_by_content_type() -> None:
    doc = parse_remote("https://garden.example/bees", PAGE.encode(), "text/html; charset=utf-8")
    assert len(doc.segments) == 3 and doc.episodes[0].video_id == "AbCdEfGhIjK"


def test_remote_by_url_suffix_then_by_sniffing() -> None:
    vtt = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ada Host>Hello bees.\n"
    by_suffix = parse_remote("https://garden.example/ep1.vtt", vtt, "application/octet-stream")
    sniffed = parse_remote("https://garden.example/captions?id=1", vtt, None)
    for doc in (by_suffix, sniffed):
        assert [(s.segment.speaker, s.segment.text) for s in doc.segments] == [("Ada Host", "Hello bees.")]
    srt = "\ufeff1\r\n00:00:01,000 --> 00:00:02,500\r\nBo Guest: 花粉を運びます。\r\n".encode()
    doc = parse_remote("https://garden.example/download", srt, "text/plain")
    assert [(s.segment.speaker, s.segment.text) for s in doc.segments] == [("Bo Guest", "花粉を運びます。")]
    assert doc.lang == "ja"


def test_remote_json_transcripts_and_markdown_notes() -> None:
    podcast = json.dumps({"segments": [{"speaker": "Ada Host", "startTime": 1, "endTime": 2, "body": "Hi."}]})
    doc = parse_remote("https://garden.example/t.json", podcast.encode(), "application/json")
    assert [(s.segment.speaker, s.segment.start) for s in doc.segments] == [("Ada Host", 1.0)]
    note = b"---\ntitle: Garden notes\nspeakers: [Ada Host]\n---\n\nAda thinks mulch matters most.\n"
    doc = parse_remote("https://garden.example/notes.md", note, "text/markdown")
    assert doc.format == "note" and doc.title == "Garden notes"


@pytest.mark.parametrize("data, content_type, reason", [
    (b"<html><p>just a page</p></html>", "text/html", "no transcript segments found"),
    (b'{"foo": 1}', "application/json", "JSON is not a transcript"),
    (b"\xff\xfe\x00bad", "text/plain", "not UTF-8 text"),
    (b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', "application/rss+xml", "podcast feed"),
])
def test_remote_documents_that_cannot_be_read_say_why(data: bytes, content_type: str, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_remote("https://garden.example/x", data, content_type)
    assert reason in caught.value.reason
