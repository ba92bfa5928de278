"""Small readers for what the fake Discord recorded, and a fake core."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, Final

from bot.models import Answer, AnswerStatus, Citation, IngestReport, StoreStats
from bot.port import Core
from tests.adapters.discord.conftest import VIDEO_ID
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


class FakeCore:
    """A `bot.port.Core` in memory, handed to `create_client` in place of the real service.

    It answers "help" with `HELP`, and every other question with the same five passages by Dario
    Amodei, paged by offset and limit. `delay` holds up every async call (a re-index holding the database, a cold start);
    `failures` names calls that raise instead: "ask", "more" (an ask for a later page),
    "stats", "reload", "speaker_names".
    """

    def __init__(self, *, delay: float = 0.0, failures: Iterable[str] = ()) -> None:
        self.delay = delay
        self.failures = set(failures)
        self.calls: list[str] = []

    async def _enter(self, call: str) -> None:
        self.calls.append(call)
        await asyncio.sleep(self.delay)
        if call in self.failures:
            raise RuntimeError(f"{call} is on fire")

    @property
    def ready(self) -> bool:
        return True

    async def ask(
        self, question: str, *, speaker: str | None = None, lang: str | None = None, limit: int = 3, offset: int = 0
    ) -> Answer:
        await self._enter("more" if offset else "ask")
        if question == "help":
            return Answer(question=question, speaker=None, topic="", language=lang or "en", status=AnswerStatus.HELP,
                          message=HELP)
        citations = [_citation(*passage) for passage in PASSAGES]
        return Answer(
            question=question, speaker="Dario Amodei", topic="talent density", language=lang or "en",
            status=AnswerStatus.OK, citations=citations[offset : offset + limit], total=len(citations), offset=offset,
        )

    async def reload(self) -> IngestReport:
        await self._enter("reload")
        return IngestReport(added=1, segments=len(PASSAGES), seconds=0.01)

    async def stats(self) -> StoreStats:
        await self._enter("stats")
        return StoreStats(
            segments=len(PASSAGES), sources=1, notes=1, transcripts=0, episodes=[], speakers=["Dario Amodei"],
            last_ingest=None, languages=["en"],
        )

    def speaker_names(self, prefix: str = "", limit: int = 25) -> list[str]:
        self.calls.append("speaker_names")
        if "speaker_names" in self.failures:
            raise RuntimeError("speaker cache is on fire")
        return [n for n in ("Dario Amodei",) if n.casefold().startswith(prefix.casefold())][:limit]

    def index_age_seconds(self) -> float | None:
        return 0.0


def _satisfies_the_port(fake: FakeCore) -> Core:
    return fake  # mypy checks that FakeCore is a `Core`
