"""Podcasting 2.0 feeds: items, people, the best transcript, chapters, deep links; hostile XML refused."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.citations import to_citation
from bot.ingest.document import ParseError
from bot.ingest.podcast import Feed, FeedItem, Person, item_document, looks_like_feed, parse_feed
from bot.present import present_citation
from bot.scoring import Ranked
from tests.bot.ingest.test_transcript_page import PAGE
from tests.bot.test_scoring import _hit

FEED_URL = "https://garden.example/feed.xml"

FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0"
     xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Garden Talk</title>
  <link>https://garden.example/</link>
  <language>en-us</language>
  <podcast:person role="host" group="cast">Ada Host</podcast:person>
  <item>
    <title>Soil and compost</title>
    <guid isPermaLink="false">garden-ep-1</guid>
    <pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate>
    <itunes:episode>1</itunes:episode>
    <enclosure url="https://cdn.garden.example/ep1.mp3" type="audio/mpeg" length="1000"/>
    <podcast:person role="guest">Bo Guest</podcast:person>
    <podcast:person>Ada Host</podcast:person>
    <podcast:person role="producer" group="crew">Cy Crew</podcast:person>
    <podcast:person role="guest">danah boyd</podcast:person>
    <podcast:transcript url="https://garden.example/ep1.srt" type="application/srt"/>
    <podcast:transcript url="https://garden.example/ep1.es.json" type="application/json" language="es"/>
    <podcast:transcript url="https://garden.example/ep1-captions.vtt" type="text/vtt" rel="captions"/>
    <podcast:transcript url="https://garden.example/ep1.vtt" type="text/vtt"/>
    <podcast:transcript url="https://garden.example/ep1.pdf" type="application/pdf"/>
    <podcast:chapters url="https://garden.example/ep1.chapters.json" type="application/json+chapters"/>
  </item>
  <item>
    <title>Bees, on video</title>
    <link>https://garden.example/episodes/2</link>
    <pubDate>Tue, 12 Mar 2024 10:00:00 GMT</pubDate>
    <podcast:episode>2</podcast:episode>
    <enclosure url="https://cdn.garden.example/ep2.mp3" type="audio/mpeg" length="1000"/>
    <podcast:alternateEnclosure type="video/youtube">
      <podcast:source uri="https://www.youtube.com/watch?v=AbCdEfGhIjK"/>
    </podcast:alternateEnclosure>
  </item>
  <item><title>Nothing identifies me</title></item>
</channel>
</rss>
"""

JSON_TRANSCRIPT = {"version": "1.0.0", "segments": [
    {"speaker": "Ada Host", "startTime": 0.5, "endTime": 0.9, "body": "Welcome"},
    {"speaker": "Ada Host", "startTime": 0.9, "endTime": 1.2, "body": "to"},
    {"speaker": "Ada Host", "startTime": 1.2, "endTime": 1.8, "body": "Garden"},
    {"speaker": "Ada Host", "startTime": 1.8, "endTime": 2.2, "body": "Talk."},
    {"speaker": "Bo Guest", "startTime": 62.0, "endTime": 62.4, "body": "Compost"},
    {"speaker": "Bo Guest", "startTime": 62.4, "endTime": 62.9, "body": "feeds"},
    {"speaker": "Bo Guest", "startTime": 62.9, "endTime": 63.1, "body": "the"},
    {"speaker": "Bo Guest", "startTime": 63.1, "endTime": 63.8, "body": "soil."},
    {"speaker": "Dee Caller", "startTime": 70.0, "endTime": 71.0, "body": "Hello!"},
]}
CHAPTERS = {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Welcome"}, {"startTime": 60, "title": "Compost"}]}


def _feed() -> Feed:
    return parse_feed(FEED_URL, FEED)


def test_channel_items_people_and_numbers() -> None:
    feed = _feed()
    assert (feed.title, feed.link, feed.people) == ("Garden Talk", "https://garden.example/", (
        Person("Ada Host", "host", "cast"),))
    first, second = feed.items  # the item with no guid, link or enclosure cannot be kept across refreshes
    assert (first.key, first.title, first.published, first.number) == ("garden-ep-1", "Soil and compost", "2024-03-05", 1)
    assert first.link is None and first.enclosure_url == "https://cdn.garden.example/ep1.mp3"
    # The episode's own people replace the channel's; every repeated tag is kept.
    assert [p.name for p in first.people] == ["Bo Guest", "Ada Host", "Cy Crew", "danah boyd"]
    assert first.chapters_url == "https://garden.example/ep1.chapters.json"
    assert (second.key, second.number, second.video_id) == ("https://garden.example/episodes/2", 2, "AbCdEfGhIjK")
    assert second.people == feed.people


def test_best_transcript_first_and_unknown_types_dropped() -> None:
    refs = _feed().items[0].transcripts
    # The feed's language first, then the type that carries most, a full transcript before captions.
    assert [r.url.rsplit("/", 1)[1] for r in refs] == ["ep1.vtt", "ep1-captions.vtt", "ep1.srt", "ep1.es.json"]
    assert refs[2].type == "application/x-subrip" and refs[1].rel == "captions"


def test_json_transcript_words_merge_into_sentences_under_chapters() -> None:
    feed = _feed()
    item = feed.items[0]
    ref = next(r for r in item.transcripts if r.type == "application/json")
    doc = item_document(feed, item, (ref, json.dumps(JSON_TRANSCRIPT).encode()), json.dumps(CHAPTERS).encode())
    rows = [(s.segment.speaker, s.segment.speaker_verified, s.segment.start, s.segment.end, s.segment.text,
             s.segment.heading) for s in doc.segments]
    assert rows == [
        ("Ada Host", True, 0.5, 2.2, "Welcome to Garden Talk.", "Welcome"),
        ("Bo Guest", True, 62.0, 63.8, "Compost feeds the soil.", "Compost"),
        # Named only by the transcript, not by the feed: kept, never verified.
        ("Dee Caller", False, 70.0, 71.0, "Hello!", "Compost"),
    ]
    episode = doc.episodes[0]
    assert (episode.show, episode.title, episode.number, episode.date) == ("Garden Talk", "Soil and compost", 1, "2024-03-05")
    assert episode.speakers == ["Ada Host", "Bo Guest", "danah boyd"]  # the host first; the producer speaks no words
    assert doc.topics == ["Welcome", "Compost"]
    # No video: the audio file, from the passage's second (less the lead-in).
    assert episode.link_at(62.0) == "https://cdn.garden.example/ep1.mp3#t=59"


def test_vtt_voice_tags_give_speakers() -> None:
    feed = _feed()
    item = feed.items[0]
    vtt = (
        b"WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Ada Host>Welcome back.</v>\n\n"
        b"00:00:03.500 --> 00:00:06.000 align:start\n<v Bo Guest>Thanks, Ada.</v>\n<v Ada Host>So, bees?\n"
    )
    doc = item_document(feed, item, (item.transcripts[0], vtt), None)
    assert [(s.segment.speaker, s.segment.start, s.segment.text) for s in doc.segments] == [
        ("Ada Host", 1.0, "Welcome back."), ("Bo Guest", 3.5, "Thanks, Ada."), ("Ada Host", 3.5, "So, bees?"),
    ]
    assert all(s.segment.speaker_verified for s in doc.segments)


def test_srt_name_prefix_and_video_link_when_the_item_has_one() -> None:
    feed = _feed()
    item = feed.items[1]
    srt = "1\r\n00:00:05,000 --> 00:00:08,000\r\nAda Host: Bees need water too.\r\n\r\n2\r\n00:00:09,000 --> 00:00:11,000\r\nSome words without a name.\r\n"
    ref = next(r for r in _feed().items[0].transcripts if r.type == "application/x-subrip")
    doc = item_document(feed, item, (ref, srt.encode()), None)
    first = doc.segments[0].segment
    assert (first.speaker, first.speaker_verified, first.start) == ("Ada Host", True, 5.0)
    lower = item_document(feed, feed.items[0], (ref, b"1\n00:00:01,000 --> 00:00:02,000\ndanah boyd: Networks matter.\n"), None)
    assert [(s.segment.speaker, s.segment.speaker_verified, s.segment.text) for s in lower.segments] == [
        ("danah boyd", True, "Networks matter.")]
    assert doc.episodes[0].link_at(9.0) == "https://www.youtube.com/watch?v=AbCdEfGhIjK&t=6s"


def test_item_without_transcript_is_an_episode_with_no_passages() -> None:
    feed = _feed()
    doc = item_document(feed, feed.items[1], None, None)
    assert doc.segments == [] and doc.episodes[0].title == "Bees, on video"


def test_audio_fragment_link_seeks_and_the_presenter_shows_its_time() -> None:
    feed = _feed()
    item = feed.items[0]
    episode = item_document(feed, item, None, None).episodes[0].model_copy(update={"id": 1})
    ranked = Ranked(replace(_hit(1, "compost feeds the soil", start=876.0), episode=episode), 1.0, 1.0, "Bo Guest", True)
    citation = to_citation(ranked, set())
    assert citation.url == "https://cdn.garden.example/ep1.mp3#t=873" and citation.link_seeks
    assert present_citation(citation, 1, "en").timestamp == "00:14:36"


def test_looks_like_feed() -> None:
    assert looks_like_feed(FEED, None) and looks_like_feed(FEED, "application/rss+xml")
    assert looks_like_feed(FEED, "text/xml; charset=utf-8")
    assert not looks_like_feed(b"WEBVTT\n\n", "text/vtt") and not looks_like_feed(FEED, "text/html")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
<rss><channel><title>&lol2;</title></channel></rss>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss><channel><title>&secret;</title></channel></rss>"""


@pytest.mark.parametrize("data, reason", [
    (BILLION_LAUGHS, "declares XML entities ('lol'); refused, they can expand without bound"),
    (EXTERNAL, "declares an external XML entity ('secret'); refused"),
    (FEED[: len(FEED) // 2], "the feed is not well-formed XML"),
    (b"<html><body>not a feed</body></html>", "not an RSS feed: no <rss><channel> element"),
    (b"", "the feed is not well-formed XML"),
])
def test_hostile_or_broken_feeds_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_feed(FEED_URL, data)
    assert reason in caught.value.reason


def test_a_json_transcript_of_the_wrong_shape_is_a_parse_error() -> None:
    feed = _feed()
    item: FeedItem = feed.items[0]
    ref = next(r for r in item.transcripts if r.type == "application/json")
    with pytest.raises(ParseError) as caught:
        item_document(feed, item, (ref, b'{"words": []}'), None)
    assert "JSON is not a transcript" in caught.value.reason


def test_html_transcript_gives_its_video_and_bad_chapters_are_only_a_warning() -> None:
    feed = _feed()
    item = feed.items[0]
    ref = replace(item.transcripts[0], url="https://garden.example/ep1.html", type="text/html")
    doc = item_document(feed, item, (ref, PAGE.encode()), b'{"chapters": "soon"}')
    episode = doc.episodes[0]
    assert episode.video_id == "AbCdEfGhIjK" and episode.transcript_url == "https://garden.example/ep1.html"
    assert [s.segment.heading for s in doc.segments][-1] == "The waggle dance"  # the page's own chapters
    assert [w.reason for w in doc.warnings] == ["chapters JSON must hold a `chapters` list of {startTime, title}"]


def test_html_entity_names_and_an_old_rss_doctype_are_read_without_fetching_anything() -> None:
    old = (b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
           b'"http://127.0.0.1:9/rss-0.91.dtd">\n<rss version="0.91"><channel><title>Caf&eacute;&nbsp;Talk &amp; more</title>'
           b"<item><title>One&hellip;</title><guid>1</guid></item></channel></rss>")
    feed = parse_feed(FEED_URL, old)
    assert feed.title == "Café Talk & more" and feed.items[0].title == "One…"
    with pytest.raises(ParseError, match="undefined entity"):
        parse_feed(FEED_URL, b"<rss><channel><title>&bogus;</title></channel></rss>")
