"""Small readers for what the fake Discord recorded, and a fake core."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from bot.models import Citation
from tests.adapters.discord.conftest import VIDEO_ID
from tests.fakes.core import FakeCore
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


PASSAGES: Final = (
    ("01:38:37", "Talent density beats talent mass."),
    ("01:39:15", "Curiosity and open-mindedness matter more than raw technical skill when we hire."),
    ("01:40:02", "We slowed our hiring on purpose to protect talent density."),
    ("01:41:30", "Talent density sets the tone for the whole company."),
    ("01:42:10", "Bureaucracy grows when you cannot trust the people around you."),
)


def _citation(timestamp: str, text: str) -> Citation:
    h, m, s = (int(part) for part in timestamp.split(":"))
    second = h * 3600 + m * 60 + s
    return Citation(
        text=text, speaker="Dario Amodei", episode="Lex Fridman Podcast #452 — Dario Amodei",
        show="Lex Fridman Podcast", start_seconds=second, timestamp=timestamp,
        url=f"https://www.youtube.com/watch?v={VIDEO_ID}&t={second}s", source="notes/talent.md", kind="quote",
        language="en",
    )


HELP: Final = "Ask me what someone said about a topic."


def dario_core(*, delay: float = 0.0, failures: Iterable[str] = ()) -> FakeCore:
    """The shared fake core with five passages by Dario Amodei and an answer to "help"."""
    return FakeCore(citations=[_citation(*passage) for passage in PASSAGES], help_text=HELP, delay=delay,
                          failures=failures)


