"""Which URLs saidbot fetches, and the limits of a fetch: plain rules, no network (bot/remote/fetch.py fetches)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qsl, urlsplit, urlunsplit

DEFAULT_TIMEOUT_SECONDS: Final = 20.0
DEFAULT_MAX_BYTES: Final = 20 * 1024 * 1024
MAX_REDIRECTS: Final = 5


class FetchError(Exception):
    """A source could not be fetched; `reason` is the sentence the per-source report shows."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def private_reason(address: str) -> str:
    return f"refused: {address} is a private address (set SAIDBOT_ALLOW_PRIVATE_URLS=1 for intranet feeds)"


def address_allowed(address: str) -> bool:
    """Only globally routable unicast addresses: no loopback, private, link-local, multicast or reserved."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class FetchPolicy:
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = MAX_REDIRECTS
    allow_private: bool = False


def check_url(url: str) -> str:
    """The URL to fetch (fragment dropped), or FetchError saying why it is not one saidbot fetches."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(f"only http and https URLs are fetched, not {parts.scheme or 'this'!r}")
    if not parts.hostname:
        raise FetchError("the URL has no host name")
    if parts.username or parts.password:
        raise FetchError("URLs with a user name or password are not fetched")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise FetchError("the URL's port is not a number") from None
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path or "/", parts.query, ""))


def literal_refused(url: str, policy: FetchPolicy) -> None:
    """An address written in the URL never reaches the resolver, so it is checked here."""
    host = urlsplit(url).hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return
    if not policy.allow_private and not address_allowed(host):
        raise FetchError(private_reason(host))


def loggable(url: str) -> str:
    """A URL for the logs: without its query, where private feeds carry their access tokens."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.hostname or "", parts.path, "", "")) if parts.query else url


# Query values at least this long are taken for access tokens (private feeds: `?token=…`, `?auth=…`).
TOKEN_MIN_LENGTH: Final = 16


def token_like(url: str) -> list[str]:
    return [value for _, value in parse_qsl(urlsplit(url).query) if len(value) >= TOKEN_MIN_LENGTH]
