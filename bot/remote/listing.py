"""Every remote source a deployment knows, for `saidbot sources`: where it is listed and how it was fetched."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from bot.ingest.walk import walk
from bot.models import RemoteSource
from bot.remote.lists import CHAT_ORIGIN, Requested, read_source_list
from bot.shared_state import ChatSource
from bot.store import Store


def _listed(root: Path | None) -> list[Requested]:
    if root is None:
        return []
    found: list[Requested] = []
    for path, real in walk([root]).source_lists:
        try:
            text = Path(real).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue  # `saidbot ingest` reports it; a listing shows what can be read
        found += read_source_list(path, text)[0]
    return found


async def list_sources(store: Store, root: Path | None, chat: Sequence[ChatSource]) -> list[RemoteSource]:
    by_url: dict[str, RemoteSource] = {}

    def entry(url: str) -> RemoteSource:
        return by_url.setdefault(url, RemoteSource(url=url))

    for request in await asyncio.to_thread(_listed, root):
        entry(request.url).listed_in.append(request.origin)
    for source in chat:
        item = entry(source.url)
        item.listed_in.append(CHAT_ORIGIN)
        item.added_by, item.added_at = source.added_by, source.added_at
    for url, state in (await store.remote_states(counts=True)).items():
        item = entry(url)
        if not item.listed_in and state.origin:
            item.listed_in.append(state.origin)
        item.status, item.reason = state.status, state.reason
        item.last_fetched, item.last_ok = state.fetched_at, state.ok_at
        item.etag, item.last_modified = bool(state.etag), bool(state.last_modified)
        item.documents, item.segments = state.documents, state.segments
    return sorted(by_url.values(), key=lambda s: s.url)
