"""A Podcasting 2.0 feed end to end against a loopback server: three episodes (a JSON transcript with
speakers, a VTT with voice tags, an SRT beside an audio enclosure) become quotes with the right speakers,
times and links; refreshes cost one conditional request per source; a new episode appears without a
restart; a feed gone hostile keeps what it gave."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.models import AnswerStatus
from bot.service import SaidService
from tests.bot.remote.test_remote_ingest import NOTE, settings_for
from tests.fakes.state import MemoryState
from tests.support.remote_server import RemoteServer, serving

EP1_JSON = {"version": "1.0.0", "segments": [
    {"speaker": "Hannah Host", "startTime": 10.0, "endTime": 11.0, "body": "What"},
    {"speaker": "Hannah Host", "startTime": 11.0, "endTime": 12.5, "body": "is the analytical engine for?"},
    {"speaker": "Ada Lovelace", "startTime": 125.0, "endTime": 126.0, "body": "The engine"},
    {"speaker": "Ada Lovelace", "startTime": 126.0, "endTime": 128.0, "body": "might compose elaborate pieces"},
    {"speaker": "Ada Lovelace", "startTime": 128.0, "endTime": 130.0, "body": "of music of any complexity."},
]}

EP2_VTT = """WEBVTT

00:00:05.000 --> 00:00:09.000
<v Hannah Host>Tell us about the Jacquard loom.

00:01:40.000 --> 00:01:46.000
<v Charles Babbage>The loom taught me that punched cards can carry a whole pattern of weaving.
"""

EP3_SRT = """1
00:00:02,000 --> 00:00:06,000
Hannah Host: Welcome back to the workshop.

2
00:03:20,000 --> 00:03:26,000
Mary Somerville: Connexion between the physical sciences is what I wrote about at length.
"""

CHAPTERS = {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Introductions"},
                                              {"startTime": 120, "title": "Music from machines"}]}

EP4_VTT = """WEBVTT

00:00:30.000 --> 00:00:36.000
<v Grace Hopper>A ship in port is safe, but that is not what ships are built for.
"""


def _item(base: str, n: int, *, link: str | None, transcripts: list[tuple[str, str]], guest: str,
          chapters: bool = False) -> str:
    refs = "".join(f'<podcast:transcript url="{base}{path}" type="{kind}" language="en"/>' for path, kind in transcripts)
    return f"""
    <item>
      <title>Episode {n}</title>
      <guid isPermaLink="false">loopback-{n}</guid>
      {f"<link>{link}</link>" if link else ""}
      <pubDate>Tue, 0{n} Dec 2026 10:00:00 GMT</pubDate>
      <enclosure url="{base}/audio/ep{n}.mp3" type="audio/mpeg" length="1000"/>
      <podcast:person role="guest">{guest}</podcast:person>
      {refs}
      {f'<podcast:chapters url="{base}/ep{n}-chapters.json" type="application/json+chapters"/>' if chapters else ""}
    </item>"""


def feed_xml(base: str, *, new_episode: bool = False) -> str:
    items = [
        _item(base, 1, link="https://www.youtube.com/watch?v=AbCdEfGhIjK", guest="Ada Lovelace", chapters=True,
              transcripts=[("/ep1.json", "application/json"), ("/ep1.vtt", "text/vtt")]),
        # The first transcript is gone: the next one is read instead.
        _item(base, 2, link=None, guest="Charles Babbage",
              transcripts=[("/ep2-missing.json", "application/json"), ("/ep2.vtt", "text/vtt")]),
        _item(base, 3, link=None, guest="Mary Somerville", transcripts=[("/ep3.srt", "application/x-subrip")]),
    ]
    if new_episode:
        items.insert(0, _item(base, 4, link=None, guest="Grace Hopper", transcripts=[("/ep4.vtt", "text/vtt")]))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0"
     xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
  <channel>
    <title>Loopback Radio</title>
    <link>{base}/</link>
    <language>en</language>
    <podcast:person role="host">Hannah Host</podcast:person>
    {"".join(items)}
  </channel>
</rss>
"""


@pytest.fixture
async def server() -> AsyncIterator[RemoteServer]:
    async with serving() as running:
        base = running.url("")
        running.put("/feed.xml", feed_xml(base), "application/rss+xml")
        running.put("/ep1.json", json.dumps(EP1_JSON), "application/json")
        running.put("/ep1-chapters.json", json.dumps(CHAPTERS), "application/json+chapters")
        running.put("/ep2.vtt", EP2_VTT, "text/vtt")
        running.put("/ep3.srt", EP3_SRT, "application/x-subrip")
        yield running


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[SaidService]:
    svc = await SaidService.open(settings_for(tmp_path), shared_state=MemoryState())
    yield svc
    await svc.close()


async def test_the_feed_becomes_quotes_with_speakers_times_and_links(
    service: SaidService, server: RemoteServer
) -> None:
    feed = server.url("/feed.xml")
    shown: list[tuple[int, int, str]] = []
    report = await service.ingest([], lambda done, total, what: shown.append((done, total, what)), urls=[feed])
    assert report.failed == 0, report.problems
    assert [(s.url, s.status, s.documents) for s in report.sources] == [(feed, "added", 3)]
    # Progress counts the feed and each episode read, as they come.
    assert sorted(what for _, _, what in shown) == sorted([feed, "Episode 1", "Episode 2", "Episode 3"])
    assert shown[-1][:2] == (4, 4)
    # ep1.vtt was never needed; the missing JSON of episode 2 was tried, then its VTT.
    assert server.requests_to("/ep1.vtt") == []
    assert [s.status for s in server.requests_to("/ep2-missing.json")] == [404]

    music = await service.ask("what did Ada Lovelace say about music?")
    assert music.status is AnswerStatus.OK, music
    ada = music.citations[0]
    assert ada.speaker == "Ada Lovelace" and ada.start_seconds == 125
    assert "compose elaborate pieces of music" in ada.text
    assert ada.url == "https://www.youtube.com/watch?v=AbCdEfGhIjK&t=122s"

    loom = await service.ask("what did Charles Babbage say about punched cards?")
    assert loom.status is AnswerStatus.OK, loom
    babbage = loom.citations[0]
    assert babbage.speaker == "Charles Babbage" and babbage.start_seconds == 100
    assert babbage.url == server.url("/audio/ep2.mp3") + "#t=97"

    sciences = await service.ask("what did Mary Somerville say about the physical sciences?")
    assert sciences.status is AnswerStatus.OK, sciences
    mary = sciences.citations[0]
    assert mary.speaker == "Mary Somerville" and mary.start_seconds == 200
    assert mary.url == server.url("/audio/ep3.mp3") + "#t=197"
    assert mary.text.startswith("Connexion between the physical sciences")

    # A second refresh: one conditional request for the one source, answered 304, nothing rewritten.
    server.seen.clear()
    again = await service.refresh()
    assert again is not None and [(s.status, s.documents) for s in again.sources] == [("unchanged", 0)]
    assert [(s.path, s.status, s.if_none_match is not None) for s in server.seen] == [("/feed.xml", 304, True)]


async def test_a_new_episode_appears_after_a_refresh_without_a_restart(
    service: SaidService, server: RemoteServer
) -> None:
    feed = server.url("/feed.xml")
    await service.ingest([], urls=[feed])
    hopper = "what did Grace Hopper say about ships?"
    assert (await service.ask(hopper)).status is not AnswerStatus.OK
    server.put("/feed.xml", feed_xml(server.url(""), new_episode=True), "application/rss+xml")
    server.put("/ep4.vtt", EP4_VTT, "text/vtt")
    server.seen.clear()
    report = await service.refresh()
    assert report is not None and [(s.status, s.documents) for s in report.sources] == [("changed", 1)]
    # The feed, and the new episode's transcript only: unchanged episodes are not fetched again.
    assert sorted(s.path for s in server.seen) == ["/ep4.vtt", "/feed.xml"]
    found = await service.ask(hopper)
    assert found.status is AnswerStatus.OK and found.citations[0].speaker == "Grace Hopper"
    assert "Grace Hopper" in service.known_speakers()
    # The earlier episodes still answer.
    assert (await service.ask("what did Ada Lovelace say about music?")).status is AnswerStatus.OK


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title></channel></rss>
"""


async def test_a_feed_gone_hostile_keeps_what_it_gave(service: SaidService, server: RemoteServer) -> None:
    feed = server.url("/feed.xml")
    await service.ingest([], urls=[feed])
    server.put("/feed.xml", BILLION_LAUGHS, "application/rss+xml")
    report = await service.refresh()
    assert report is not None
    [outcome] = report.sources
    assert outcome.status == "failed" and outcome.reason is not None
    assert "XML entities" in outcome.reason and "refused" in outcome.reason
    assert (await service.ask("what did Ada Lovelace say about music?")).status is AnswerStatus.OK
    # The next refresh reads the feed in full again (no validators of a failure are kept).
    server.put("/feed.xml", feed_xml(server.url("")), "application/rss+xml")
    server.seen.clear()
    healed = await service.refresh()
    assert healed is not None and healed.sources[0].status == "unchanged"
    assert [s.status for s in server.requests_to("/feed.xml")] == [200]


@pytest.mark.parametrize(("path", "content_type", "body", "reason"), [
    ("/page.html", "text/html", "<html><body><h1>Nothing here</h1><p>No transcript.</p></body></html>",
     "no transcript segments found (no div.ts-segment blocks and no timestamped paragraphs)"),
    ("/transcript.json", "application/json", json.dumps({"segments": "not a list"}),
     "JSON is not a transcript: expected a podcast transcript (`segments` of speaker/startTime/endTime/body), "
     "Whisper or WhisperX (`segments` of start/end/text), AssemblyAI (`utterances`), Deepgram "
     "(`results.utterances`) or Rev (`monologues`)"),
])
async def test_documents_of_the_wrong_shape_keep_what_was_there(
    service: SaidService, server: RemoteServer, path: str, content_type: str, body: str, reason: str
) -> None:
    url = server.put(path, NOTE, "text/markdown")
    assert (await service.ingest([], urls=[url])).sources[0].status == "added"
    server.put(path, body, content_type)
    report = await service.refresh()
    assert report is not None
    [outcome] = report.sources
    assert (outcome.status, outcome.reason) == ("failed", reason)
    assert [str(p) for p in report.problems] == [f"{url}: {reason}"]
    assert (await service.ask("what did Amodei say about scaling laws?")).status is AnswerStatus.OK


async def test_an_episode_whose_transcripts_all_fail_is_reported_and_tried_again(
    service: SaidService, server: RemoteServer
) -> None:
    feed = server.url("/feed.xml")
    del server.files["/ep3.srt"]
    report = await service.ingest([], urls=[feed])
    assert [(s.status, s.documents) for s in report.sources] == [("added", 2)]
    reasons = [p.reason for p in report.problems]
    assert any(r.startswith("episode 'Episode 3': no transcript could be read (") and "HTTP 404" in r
               for r in reasons), reasons
    server.put("/ep3.srt", EP3_SRT, "application/x-subrip")
    server.seen.clear()
    again = await service.refresh()
    assert again is not None and [(s.status, s.documents) for s in again.sources] == [("changed", 1)]
    # A full read of the feed (no validators were kept), then only the episode that was missing.
    assert sorted(s.path for s in server.seen) == ["/ep3.srt", "/feed.xml"]
    assert server.requests_to("/feed.xml")[0].if_none_match is None
