"""Small readers for what the fake Discord recorded."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.models import Answer
from bot.service import SaidService
from tests.fakes.discord_server import EPHEMERAL, FakeDiscord, FakeInteraction, buttons

Json = dict[str, Any]


def text_of(message: Json) -> str:
    """Everything a reader sees in a message: content and every embed's text."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [
            embed.get("title") or "",
            embed.get("description") or "",
            (embed.get("author") or {}).get("name") or "",
            (embed.get("footer") or {}).get("text") or "",
        ]
        parts += [f"{f.get('name')} {f.get('value')}" for f in embed.get("fields") or []]
    return "\n".join(parts)


def button(message: Json, action: str) -> Json:
    for item in buttons(message):
        if str(item.get("custom_id", "")).startswith(f"saidbot:{action}:"):
            return item
    raise AssertionError(f"no {action} button in {buttons(message)}")


def is_ephemeral(message: Json) -> bool:
    return bool(message["flags"] & EPHEMERAL)


def followups(fake: FakeDiscord, it: FakeInteraction) -> list[Json]:
    return [fake.messages[i] for i in it.followup_ids if i in fake.messages]


def timestamps(message: Json) -> list[str]:
    """The hh:mm:ss of each citation's masked link, in order."""
    found = []
    for embed in message.get("embeds") or []:
        description = embed.get("description") or ""
        if "](" in description:
            found.append(description.rsplit("[", 1)[1].split("]", 1)[0])
    return found


class SlowService(SaidService):
    """A core held up (a re-index holding the database, a cold start) for `delay` seconds per ask."""

    delay = 3.0

    async def ask(self, question: str, **kwargs: Any) -> Answer:
        await asyncio.sleep(self.delay)
        return await super().ask(question, **kwargs)


class BrokenService(SaidService):
    """A core whose ask fails after `delay` seconds."""

    delay = 0.0

    async def ask(self, question: str, **kwargs: Any) -> Answer:
        await asyncio.sleep(self.delay)
        raise RuntimeError("database is on fire")

    def speaker_names(self, prefix: str = "", limit: int = 25) -> list[str]:
        raise RuntimeError("speaker cache is on fire")
