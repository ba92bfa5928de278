"""What a More / Share button needs, kept where every instance can read it.

A button's custom_id is `saidbot:<action>:<key>`. The key names an `AskState` that is put in the
shared state (kind `discord_button`) when the answer is drawn and again after every page, so a click
can land on any instance — another web dyno, another gateway shard, the same bot after a restart —
and still page on or share. Once the state has expired (or was never there) the click gets the
polite "expired" note, as before.

Both front ends (the gateway's views and the HTTP interactions endpoint) use these pieces, so the
buttons look and behave alike: the same labels, the same custom ids, the same state, the same claim
that makes a double Share one public post wherever the two clicks land.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any, Final

import discord

from bot import i18n
from bot.models import Answer
from bot.port import Core
from bot.present import has_more
from bot.shared_state import SharedState

log = logging.getLogger(__name__)

# Interaction tokens (used to disable the buttons when the view times out) live 15 minutes; the
# timeout restarts on every click, and each click brings a fresh token.
VIEW_TIMEOUT: Final = 600.0
# The kind under which button state is kept in the shared state.
BUTTON_KIND: Final = "discord_button"
QUESTION_MAX: Final = 500

_CUSTOM_ID = re.compile(r"saidbot:(?P<action>more|share):(?P<key>[0-9a-f]{16})")


@dataclass(frozen=True)
class ButtonRef:
    action: str
    key: str


def parse_custom_id(custom_id: object) -> ButtonRef | None:
    """The action and state key of one of our buttons, or None for anything else."""
    if not isinstance(custom_id, str):
        return None
    match = _CUSTOM_ID.fullmatch(custom_id)
    return ButtonRef(match["action"], match["key"]) if match else None


def new_key() -> str:
    return secrets.token_hex(8)


def custom_id(action: str, key: str) -> str:
    return f"saidbot:{action}:{key}"


@dataclass
class AskState:
    """Enough to ask the core for the next page, and to share the page shown.

    `offset` and `shown` say which page is on the message; `answer` is that page when this process
    drew it (never shared: another instance asks the core for it again).
    """

    question: str
    speaker: str | None
    lang: str
    private: bool
    page_size: int
    offset: int = 0
    shown: int = 0
    more: bool = False
    # Who asked: only they page the message itself; anyone else gets their own private page.
    asker_id: int | None = None
    answer: Answer | None = None

    @classmethod
    def for_answer(
        cls, answer: Answer, *, question: str, speaker: str | None, lang: str, private: bool, page_size: int,
        asker_id: int | None,
    ) -> AskState:
        state = cls(question, speaker, lang, private, page_size, asker_id=asker_id)
        state.showing(answer)
        return state

    def showing(self, answer: Answer) -> None:
        """The message now shows `answer`."""
        self.answer = answer
        self.offset = answer.offset
        self.shown = len(answer.citations)
        self.more = has_more(answer)

    @property
    def next_offset(self) -> int:
        return self.offset + self.shown

    def record(self) -> dict[str, Any]:
        return {
            "question": self.question, "speaker": self.speaker, "lang": self.lang, "private": self.private,
            "page_size": self.page_size, "offset": self.offset, "shown": self.shown, "more": self.more,
            "asker_id": str(self.asker_id) if self.asker_id is not None else None,
        }

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> AskState | None:
        """The state `record()` wrote, or None for anything else (an older version's, a damaged row)."""
        try:
            question, lang, speaker = data["question"], data["lang"], data.get("speaker")
            numbers = [data["page_size"], data["offset"], data["shown"]]
            asker = data.get("asker_id")
            if not (isinstance(question, str) and 0 < len(question) <= QUESTION_MAX and isinstance(lang, str)
                    and (speaker is None or isinstance(speaker, str))
                    and all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= 10_000 for n in numbers)
                    and numbers[0] > 0 and (asker is None or (isinstance(asker, str) and asker.isdigit()))):
                return None
            return cls(question, speaker, i18n.normalize_lang(lang), bool(data["private"]), numbers[0],
                       offset=numbers[1], shown=numbers[2], more=bool(data["more"]),
                       asker_id=int(asker) if asker is not None else None)
        except (KeyError, TypeError, ValueError):
            return None


async def remember(store: SharedState, key: str, state: AskState, ttl_seconds: float = VIEW_TIMEOUT) -> None:
    """Keep `state` for clicks on any instance; a failure only costs the cross-instance clicks."""
    try:
        await store.put(BUTTON_KIND, key, state.record(), ttl_seconds=ttl_seconds)
    except Exception:
        log.exception("discord_button_state_unsaved", extra={"key": key})


async def recall(store: SharedState, key: str) -> AskState | None:
    """The state a button click needs, or None when it is gone, expired or unreadable."""
    kept = await store.get(BUTTON_KIND, key)
    return AskState.from_record(kept) if kept is not None else None


def share_claim(message_id: int | str, state: AskState) -> str:
    """One public post per page of one message, whichever instance the clicks land on."""
    return f"discord:share:{message_id}:{state.offset}"


def interaction_claim(interaction_id: int | str) -> str:
    return f"discord:interaction:{interaction_id}"


def answer_buttons(key: str, state: AskState, *, shared: bool = False) -> list[discord.ui.Button[Any]]:
    """The buttons under an answer: More (disabled on the last page) and, on a private answer, Share."""
    more = discord.ui.Button[Any](label=i18n.t("more", state.lang), style=discord.ButtonStyle.primary,
                                  custom_id=custom_id("more", key), disabled=not state.more)
    found: list[discord.ui.Button[Any]] = [more]
    if state.private:
        found.append(discord.ui.Button[Any](label=i18n.t("share", state.lang), style=discord.ButtonStyle.secondary,
                                            custom_id=custom_id("share", key), disabled=shared))
    return found


async def next_page(core: Core, state: AskState, lang: str) -> Answer:
    """The page after the one shown, in `lang` (the asker's, or another member's for their own copy)."""
    return await core.ask(state.question, speaker=state.speaker, lang=lang, limit=state.page_size,
                          offset=state.next_offset)


async def shown_page(core: Core, state: AskState) -> Answer:
    """The page on the message: kept by the process that drew it, asked again anywhere else."""
    if state.answer is not None:
        return state.answer
    return await core.ask(state.question, speaker=state.speaker, lang=state.lang, limit=state.page_size,
                          offset=state.offset)
