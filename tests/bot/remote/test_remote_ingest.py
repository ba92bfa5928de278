"""Remote sources in an ingest run, end to end: loopback servers, a real SQLite store, questions answered."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.models import AnswerStatus
from bot.service import SaidService
from bot.settings import CoreSettings, Settings
from tests.fakes.state import MemoryState
from tests.support.remote_server import RemoteServer, serving

NOTE = """\
---
title: Scaling notes
lang: en
show: Remote Show
episode: 3
youtube: AbCdEfGhIjK
speakers: [Dario Amodei]
---

**Dario Amodei (00:12:00):**
"Scaling laws have held across many orders of magnitude of compute."
"""

SECOND = """\
---
title: Hiring notes
lang: en
show: Remote Show
episode: 4
youtube: ZyXwVuTsRqP
speakers: [Dario Amodei]
---

**Dario Amodei (00:05:00):**
"Talent density beats talent mass every single time."
"""

VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Ada Lovelace>The engine might compose elaborate pieces of music.

00:00:05.000 --> 00:00:08.000
<v Ada Lovelace>It weaves algebraic patterns as the loom weaves flowers.
"""


def settings_for(tmp_path: Path, notes: Path | None = None, **core: object) -> Settings:
    return Settings(core=CoreSettings(_env_file=None, notes=notes, db=tmp_path / "said.db",  # type: ignore[call-arg]
                                      allow_private_urls=True, fetch_timeout_seconds=1.0, **core))


@pytest.fixture
async def server() -> AsyncIterator[RemoteServer]:
    async with serving() as running:
        yield running


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[SaidService]:
    svc = await SaidService.open(settings_for(tmp_path), shared_state=MemoryState())
    yield svc
    await svc.close()


async def test_a_url_is_ingested_and_answered(service: SaidService, server: RemoteServer) -> None:
    url = server.put("/scaling.md", NOTE)
    vtt = server.put("/lovelace.vtt", VTT, "text/vtt")
    report = await service.ingest([], urls=[url, vtt])
    assert report.failed == 0, report.problems
    assert [(s.url, s.status, s.documents) for s in report.sources] == [(url, "added", 1), (vtt, "added", 1)]
    answer = await service.ask("what did Amodei say about scaling laws?")
    assert answer.status is AnswerStatus.OK
    assert "Scaling laws have held" in answer.citations[0].text
    assert answer.citations[0].url is not None and "AbCdEfGhIjK" in answer.citations[0].url
    lovelace = await service.ask("what did Ada Lovelace say about music?")
    assert lovelace.status is AnswerStatus.OK and lovelace.citations[0].speaker == "Ada Lovelace"
    with sqlite3.connect(service.settings.core.db_path) as conn:
        rows = conn.execute("SELECT url, origin, status, etag IS NOT NULL FROM remote_sources ORDER BY url").fetchall()
    assert rows == [(vtt, "command line", "ok", 1), (url, "command line", "ok", 1)]


async def test_a_second_run_is_one_conditional_request_and_rewrites_nothing(
    service: SaidService, server: RemoteServer
) -> None:
    url = server.put("/scaling.md", NOTE)
    await service.ingest([], urls=[url])
    with sqlite3.connect(service.settings.core.db_path) as conn:
        before = conn.execute("SELECT id, ingested_at FROM sources").fetchall()
    server.seen.clear()
    report = await service.refresh()
    assert report is not None
    assert [(s.status, s.documents) for s in report.sources] == [("unchanged", 0)]
    assert [(s.path, s.status, s.if_none_match is not None) for s in server.seen] == [("/scaling.md", 304, True)]
    with sqlite3.connect(service.settings.core.db_path) as conn:
        assert conn.execute("SELECT id, ingested_at FROM sources").fetchall() == before


async def test_sources_txt_lists_urls_and_reports_bad_lines(tmp_path: Path, server: RemoteServer) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    first = server.put("/scaling.md", NOTE)
    second = server.put("/hiring.md", SECOND)
    (notes / "sources.txt").write_text(
        f"# podcast feeds\n\n{first}\nftp://example.com/feed.xml\n{second}  # hiring\n", encoding="utf-8"
    )
    service = await SaidService.open(settings_for(tmp_path, notes))
    try:
        report = await service.ensure_index()
        assert report is not None
        assert [str(p) for p in report.problems] == [
            f"{notes}/sources.txt:4: not a source URL: only http and https URLs are fetched, not 'ftp'"
        ]
        assert [s.url for s in report.sources] == [first, second]
        assert (await service.ask("what did Amodei say about talent density?")).status is AnswerStatus.OK
        listed = {s.url: s for s in await service.remote_sources()}
        assert listed[first].listed_in == [f"{notes}/sources.txt"] and listed[first].documents == 1
        assert listed[first].status == "ok" and listed[first].etag
        # A line taken out of the list takes its source's passages out with it.
        (notes / "sources.txt").write_text(f"{first}\n", encoding="utf-8")
        again = await service.reload()
        assert again.report is not None and again.report.removed == 1
        assert (await service.ask("what did Amodei say about talent density?")).status is AnswerStatus.NOT_FOUND
        assert (await service.ask("what did Amodei say about scaling laws?")).status is AnswerStatus.OK
    finally:
        await service.close()


async def test_a_changed_source_replaces_its_passages(service: SaidService, server: RemoteServer) -> None:
    url = server.put("/notes.md", NOTE)
    await service.ingest([], urls=[url])
    server.put("/notes.md", SECOND)
    report = await service.refresh()
    assert report is not None and [(s.status, s.documents) for s in report.sources] == [("changed", 1)]
    assert (await service.ask("what did Amodei say about talent density?")).status is AnswerStatus.OK
    assert (await service.ask("what did Amodei say about scaling laws?")).status is AnswerStatus.NOT_FOUND


async def _hostile(server: RemoteServer, path: str) -> None:
    async def route(request: web.Request) -> web.StreamResponse:
        if path == "/500":
            return web.Response(status=500)
        if path == "/drip":
            return await server.drip(request)
        if path == "/huge":
            return await server.endless(request)
        if path == "/loop":
            raise web.HTTPFound("/loop2")
        raise web.HTTPFound("/loop")

    server.routes[path] = route
    if path == "/loop":
        server.routes["/loop2"] = route


@pytest.mark.parametrize(("path", "reason"), [
    ("/500", "HTTP 500"),
    ("/gone", "HTTP 404"),
    ("/drip", "timed out after 1 s"),
    ("/huge", "larger than 20 MB (2.05e+03 MB announced)"),
    ("/loop", "redirect loop"),
    ("/empty.md", "no passages found in it"),
])
async def test_a_source_that_fails_keeps_what_it_gave_before(
    service: SaidService, server: RemoteServer, path: str, reason: str
) -> None:
    url = server.put(path, NOTE)
    assert (await service.ingest([], urls=[url])).sources[0].status == "added"
    del server.files[path]
    if path == "/empty.md":
        server.put(path, "---\ntitle: nothing\n---\n")
    elif path != "/gone":
        await _hostile(server, path)
    report = await service.refresh()
    assert report is not None
    assert [(s.url, s.status, s.reason) for s in report.sources] == [(url, "failed", reason)]
    assert [str(p) for p in report.problems] == [f"{url}: {reason}"]
    # Still answered from what it gave before.
    assert (await service.ask("what did Amodei say about scaling laws?")).status is AnswerStatus.OK
    listed = {s.url: s for s in await service.remote_sources()}
    assert listed[url].status == "failed" and listed[url].reason == reason and listed[url].documents == 1


async def test_loopback_without_the_variable_is_refused_and_nothing_is_requested(
    tmp_path: Path, server: RemoteServer
) -> None:
    url = server.put("/scaling.md", NOTE)
    settings = settings_for(tmp_path).updated(core={"allow_private_urls": False})
    service = await SaidService.open(settings)
    try:
        report = await service.ingest([], urls=[url, f"http://localhost:{server.port}/scaling.md"])
    finally:
        await service.close()
    assert [s.status for s in report.sources] == ["failed", "failed"]
    assert report.sources[0].reason == (
        "refused: 127.0.0.1 is a private address (set SAIDBOT_ALLOW_PRIVATE_URLS=1 for intranet feeds)"
    )
    assert report.sources[1].reason is not None and "is a private address" in report.sources[1].reason
    assert server.seen == []


async def test_doctor_reports_failed_remote_sources_and_counts_no_urls_as_stale_files(
    service: SaidService, server: RemoteServer
) -> None:
    from saidbot.doctor import check_database

    good = server.put("/scaling.md", NOTE)
    await service.ingest([], urls=[good, server.url("/missing.md")])
    lines = [(c.level, c.what) for c in check_database(service.settings)]
    assert ("warn", f"1 of 2 remote source(s) failed on their last fetch (e.g. {server.url('/missing.md')}: "
                    "HTTP 404); what they gave before keeps serving") in lines
    assert not any("not fresh" in what for _, what in lines), lines


async def test_a_start_after_a_recent_fetch_does_not_fetch_again(service: SaidService, server: RemoteServer) -> None:
    url = server.put("/scaling.md", NOTE)
    await service.ingest([], urls=[url])
    server.seen.clear()
    report = await service.ensure_index()  # what a start or `saidbot ask` runs
    assert report is not None and report.sources == [] and server.seen == []
    assert (await service.ask("what did Amodei say about scaling laws?")).status is AnswerStatus.OK
    # The scheduled refresh fetches it whatever its age.
    await service.refresh()
    assert [s.status for s in server.seen] == [304]


async def test_a_source_added_from_chat_survives_a_restart_in_the_real_shared_state(
    tmp_path: Path, server: RemoteServer
) -> None:
    from bot.service import SaidService as Service
    from saidbot.bootstrap import open_core

    settings = settings_for(tmp_path)
    url = server.put("/scaling.md", NOTE)
    async with open_core(settings) as opened:
        assert isinstance(opened.core, Service)
        added = await opened.core.add_source(url, added_by="discord:42")
        assert (added.status, added.documents, added.segments) == ("added", 1, 1)
    async with open_core(settings) as opened:
        assert isinstance(opened.core, Service)
        [listed] = await opened.core.remote_sources()
        assert (listed.url, listed.listed_in, listed.added_by, listed.status) == (url, ["chat"], "discord:42", "ok")
        assert listed.added_at is not None
        server.put("/scaling.md", SECOND)
        report = await opened.core.refresh()
        assert report is not None and [(s.url, s.status) for s in report.sources] == [(url, "changed")]
        assert (await opened.core.ask("what did Amodei say about talent density?")).status is AnswerStatus.OK
        again = await opened.core.add_source(url, added_by="slack:U1")
        assert again.status == "known"


async def test_the_refresh_fetches_sources_other_instances_added_from_chat(tmp_path: Path, server: RemoteServer) -> None:
    state = MemoryState()
    url = server.put("/scaling.md", NOTE)
    await state.add_source(url, added_by="slack:U1")  # added through another instance sharing the state
    service = await SaidService.open(settings_for(tmp_path), shared_state=state)
    try:
        report = await service.refresh()
        assert report is not None and [(s.url, s.status) for s in report.sources] == [(url, "added")]
        assert (await service.ask("what did Amodei say about scaling laws?")).status is AnswerStatus.OK
    finally:
        await service.close()
