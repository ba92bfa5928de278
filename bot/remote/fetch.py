"""Fetching a remote source safely: http(s) only, public addresses only, bounded in size, time and redirects.

A URL someone pastes in chat or lists in `sources.txt` is fetched by the server, so it must not reach
what only the server can reach (the cloud's metadata address, a database on localhost, the intranet).
The addresses a name resolves to are checked when the connection is made (a resolver in front of
aiohttp's own), so a DNS name pointing at 127.0.0.1 or a redirect to one is refused as well as a
literal address; redirects are followed here, one checked hop at a time. aiohttp is the HTTP client
already used by the project; its resolver hook is the one place every connection's addresses pass.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import dataclass
from importlib import metadata
from typing import Final
from urllib.parse import urljoin

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from bot.remote.urls import FetchError, FetchPolicy, address_allowed, check_url, literal_refused, private_reason

log = logging.getLogger(__name__)

_READ_CHUNK: Final = 64 * 1024


def user_agent() -> str:
    try:
        version = metadata.version("saidbot")
    except metadata.PackageNotFoundError:
        version = "0"
    # Names the program and what it does, so a feed's operator can tell it from a scraper; the project has
    # no public address to point to yet.
    return f"saidbot/{version} (podcast transcript indexer; conditional requests)"


class Refused(OSError):
    """An address the policy does not allow (raised from the resolver, so an OSError for aiohttp)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CheckedResolver(AbstractResolver):
    """Resolves with the system resolver, then refuses the name if any address it gave is not allowed.

    Every address, not only the first: a name answering with a public and a private address would
    otherwise reach the private one on the second try.
    """

    def __init__(self, inner: AbstractResolver | None = None) -> None:
        self._inner = inner or ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        for entry in found:
            if not address_allowed(entry["host"]):
                raise Refused(private_reason(entry["host"]))
        return found

    async def close(self) -> None:
        await self._inner.close()


@dataclass(frozen=True)
class Fetched:
    """What a fetch brought back. `not_modified`: the server answered 304 to the conditional request."""

    url: str  # after redirects
    not_modified: bool
    data: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None


def _megabytes(limit: int) -> str:
    return f"{limit / 1048576:.3g} MB"


def _refusal(exc: BaseException) -> Refused | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, Refused):
            return seen
        seen = getattr(seen, "os_error", None) or seen.__cause__
    return None


class Fetcher:
    """One HTTP session for a run of fetches; `async with Fetcher(policy) as fetch:`."""

    def __init__(self, policy: FetchPolicy | None = None) -> None:
        self.policy = policy or FetchPolicy()
        self._session: aiohttp.ClientSession | None = None
        # How many requests went out (tests hold refreshes to one conditional request per source).
        self.requests = 0

    async def __aenter__(self) -> Fetcher:
        resolver = None if self.policy.allow_private else CheckedResolver()
        # No DNS cache: the check runs at every connection, so a name cannot change its answer after it.
        connector = aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False, limit=8)
        self._session = aiohttp.ClientSession(
            connector=connector, headers={"User-Agent": user_agent()}, trust_env=False,
            timeout=aiohttp.ClientTimeout(total=None, connect=self.policy.timeout_seconds),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """GET `url` within the policy; FetchError with a one-line reason for anything else than a body or 304."""
        seconds = self.policy.timeout_seconds
        try:
            async with asyncio.timeout(seconds):
                return await self._follow(check_url(url), etag, last_modified)
        except TimeoutError:
            raise FetchError(f"timed out after {seconds:g} s") from None
        except aiohttp.ClientError as exc:
            refused = _refusal(exc)
            if refused is not None:
                raise FetchError(refused.reason) from None
            raise FetchError(_client_error(exc)) from None

    async def _follow(self, url: str, etag: str | None, last_modified: str | None) -> Fetched:
        assert self._session is not None, "use the fetcher as `async with`"
        visited = [url]
        conditional: dict[str, str] = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        while True:
            literal_refused(url, self.policy)
            self.requests += 1
            async with self._session.get(url, headers=conditional, allow_redirects=False) as response:
                if response.status in (301, 302, 303, 307, 308):
                    target = response.headers.get("Location")
                    if not target:
                        raise FetchError(f"HTTP {response.status} without a Location")
                    url = check_url(urljoin(url, target))
                    if url in visited:
                        raise FetchError("redirect loop")
                    visited.append(url)
                    if len(visited) > self.policy.max_redirects + 1:
                        raise FetchError(f"more than {self.policy.max_redirects} redirects")
                    continue
                if response.status == 304:
                    return Fetched(url=url, not_modified=True, etag=response.headers.get("ETag") or etag,
                                   last_modified=response.headers.get("Last-Modified") or last_modified)
                if response.status != 200:
                    raise FetchError(f"HTTP {response.status}")
                data = await self._body(response)
                return Fetched(
                    url=url, not_modified=False, data=data, content_type=response.headers.get("Content-Type"),
                    etag=response.headers.get("ETag"), last_modified=response.headers.get("Last-Modified"),
                )

    async def _body(self, response: aiohttp.ClientResponse) -> bytes:
        """The body up to the limit; the rest is never read (a 2 GB body costs at most the limit)."""
        limit = self.policy.max_bytes
        claimed = response.content_length
        if claimed is not None and claimed > limit:
            raise FetchError(f"larger than {_megabytes(limit)} ({claimed / 1048576:.3g} MB announced)")
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = await response.content.read(_READ_CHUNK)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:
                raise FetchError(f"larger than {_megabytes(limit)}")
            chunks.append(chunk)


def _client_error(exc: aiohttp.ClientError) -> str:
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "the host name does not resolve"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot connect: {exc.os_error.strerror or exc.os_error}"
    if isinstance(exc, aiohttp.InvalidURL):
        return "not a valid URL"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "the server broke off the response"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "the server closed the connection"
    return f"request failed: {type(exc).__name__}"

