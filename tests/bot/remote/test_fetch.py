"""The fetcher's limits against hostile servers the tests start: each a one-line reason, each fast."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.remote.fetch import CheckedResolver, Fetcher, Refused
from bot.remote.urls import FetchError, FetchPolicy, check_url
from tests.support.remote_server import RemoteServer, serving

OPEN = FetchPolicy(timeout_seconds=2.0, max_bytes=1024 * 1024, allow_private=True)


async def _reason(policy: FetchPolicy, url: str) -> str:
    async with Fetcher(policy) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch(url)
    return caught.value.reason


async def test_a_body_and_its_validators_then_a_304() -> None:
    async with serving() as server:
        url = server.put("/notes.md", "# hello\n")
        async with Fetcher(OPEN) as fetcher:
            first = await fetcher.fetch(url)
            again = await fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert first.data == b"# hello\n" and not first.not_modified and first.etag
    assert again.not_modified and again.data == b""
    seen = server.requests_to("/notes.md")
    assert seen[1].if_none_match == first.etag and seen[1].if_modified_since == first.last_modified
    assert seen[0].user_agent is not None and seen[0].user_agent.startswith("saidbot/")


async def test_a_2_gb_body_costs_at_most_the_limit() -> None:
    server = RemoteServer()
    server.routes["/claims"] = server.endless
    server.routes["/streams"] = lambda request: server.endless(request, claim=None)
    async with serving(server):
        began = time.perf_counter()
        claimed = await _reason(OPEN, server.url("/claims"))
        streamed = await _reason(OPEN, server.url("/streams"))
        seconds = time.perf_counter() - began
    assert claimed.startswith("larger than 1 MB") and "2.05e+03 MB announced" in claimed
    assert streamed == "larger than 1 MB"
    assert seconds < 3
    # The client hung up near the limit: the server got nowhere near 2 GB out.
    assert server.sent.get("/streams", 0) < 64 * 1024 * 1024


async def test_a_slow_drip_stops_at_the_deadline() -> None:
    server = RemoteServer()
    server.routes["/drip"] = server.drip
    async with serving(server):
        began = time.perf_counter()
        reason = await _reason(FetchPolicy(timeout_seconds=0.5, allow_private=True), server.url("/drip"))
    assert reason == "timed out after 0.5 s"
    assert time.perf_counter() - began < 1.5


async def test_a_redirect_loop_and_too_many_redirects() -> None:
    server = RemoteServer()

    async def loop_a(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/b")

    async def loop_b(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/a")

    async def chain(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"/chain{int(request.query.get('n', '0')) + 1}?n={int(request.query.get('n', '0')) + 1}")

    server.routes.update({"/a": loop_a, "/b": loop_b})
    for n in range(10):
        server.routes[f"/chain{n}" if n else "/chain"] = chain
    async with serving(server):
        looped = await _reason(OPEN, server.url("/a"))
        chained = await _reason(OPEN, server.url("/chain"))
    assert looped == "redirect loop"
    assert chained == "more than 5 redirects"


async def test_http_errors_are_named() -> None:
    server = RemoteServer()

    async def broken(request: web.Request) -> web.StreamResponse:
        return web.Response(status=500, text="boom")

    server.routes["/500"] = broken
    async with serving(server):
        assert await _reason(OPEN, server.url("/500")) == "HTTP 500"
        assert await _reason(OPEN, server.url("/missing")) == "HTTP 404"


async def test_loopback_is_refused_without_the_variable_and_no_request_arrives() -> None:
    strict = FetchPolicy(timeout_seconds=2.0)
    async with serving() as server:
        server.put("/notes.md", "# secret\n")
        literal = await _reason(strict, server.url("/notes.md"))
        by_name = await _reason(strict, f"http://localhost:{server.port}/notes.md")
    assert literal == ("refused: 127.0.0.1 is a private address (set SAIDBOT_ALLOW_PRIVATE_URLS=1 for intranet "
                       "feeds)")
    assert by_name.startswith("refused: ") and "is a private address" in by_name
    assert server.seen == []


async def test_private_literal_addresses_are_refused_before_connecting() -> None:
    strict = FetchPolicy(timeout_seconds=2.0)
    async with Fetcher(strict) as fetcher:
        # The first hop is checked too: a literal private address never reaches a socket.
        for address in ("10.0.0.1", "169.254.169.254", "[::1]", "224.0.0.1", "0.0.0.0"):
            with pytest.raises(FetchError, match="is a private address"):
                await asyncio.wait_for(fetcher.fetch(f"http://{address}/latest/meta-data/"), 2)


@pytest.mark.parametrize(("url", "reason"), [
    ("ftp://example.com/feed.xml", "only http and https URLs are fetched, not 'ftp'"),
    ("file:///etc/passwd", "only http and https URLs are fetched, not 'file'"),
    ("https://user:pw@example.com/", "URLs with a user name or password are not fetched"),
    ("https:///nohost", "the URL has no host name"),
    ("https://example.com:port/", "the URL's port is not a number"),
])
def test_urls_that_are_never_fetched(url: str, reason: str) -> None:
    with pytest.raises(FetchError) as caught:
        check_url(url)
    assert caught.value.reason == reason


def test_a_url_is_kept_without_its_fragment() -> None:
    assert check_url("HTTPS://Example.com/feed.xml?x=1#top") == "https://Example.com/feed.xml?x=1"


async def test_a_compressed_bomb_is_cut_at_the_limit_of_what_it_expands_to() -> None:
    import gzip

    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    server = RemoteServer()

    async def compressed(request: web.Request) -> web.StreamResponse:
        return web.Response(body=bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/plain"})

    server.routes["/bomb"] = compressed
    async with serving(server):
        began = time.perf_counter()
        reason = await _reason(OPEN, server.url("/bomb"))
    assert len(bomb) < 1024 * 1024 and reason == "larger than 1 MB"
    assert time.perf_counter() - began < 3


def test_private_feed_tokens_stay_out_of_the_logs() -> None:
    from bot.remote.urls import loggable, token_like

    url = "https://feeds.example.com/private.xml?auth=abcdef0123456789abcdef&format=rss"
    assert loggable(url) == "https://feeds.example.com/private.xml"
    assert token_like(url) == ["abcdef0123456789abcdef"]
    assert loggable("https://example.com/feed.xml") == "https://example.com/feed.xml"


class _Answers(AbstractResolver):
    """A resolver that answers from a table (what a hostile DNS server would say)."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[ResolveResult]:
        return [{"hostname": host, "host": address, "port": port, "family": family, "proto": 0, "flags": 0}
                for address in self.table[host]]

    async def close(self) -> None:
        return None


async def test_a_name_that_resolves_to_a_private_address_is_refused_at_connect_time() -> None:
    checked = CheckedResolver(_Answers({
        "feed.example.com": ["93.184.216.34"],
        "rebound.example.com": ["127.0.0.1"],
        "mixed.example.com": ["93.184.216.34", "10.1.2.3"],
        "mapped.example.com": ["::ffff:169.254.169.254"],
    }))
    assert [r["host"] for r in await checked.resolve("feed.example.com", 443)] == ["93.184.216.34"]
    for name, address in (("rebound.example.com", "127.0.0.1"), ("mixed.example.com", "10.1.2.3"),
                          ("mapped.example.com", "::ffff:169.254.169.254")):
        with pytest.raises(Refused) as caught:
            await checked.resolve(name, 443)
        assert caught.value.reason.startswith(f"refused: {address} is a private address")
