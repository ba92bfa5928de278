"""What a Slack user typed, as plain words for the core.

Slack sends message text with its own markup: `<@U…>` for people, `<#C…|name>` for channels,
`<!here>` and friends for broadcasts, `<url|label>` for links, and `&`, `<`, `>` escaped as
entities. The core wants none of that: mentions of the bot and broadcasts are dropped, other
references become their visible label, and entities are decoded (output escapes them again).
Whether the words ask for help is the core's call, not this module's.
"""

from __future__ import annotations

import re
from typing import Final

from adapters.slack.format import unescape

_ANGLE: Final = re.compile(r"<([^<>]*)>")
_SPACES: Final = re.compile(r"[ \t\u00a0]+")
_LEADING_PUNCT: Final = ":,;、，：；"


def _replace(ref: str, bot_user_id: str | None) -> str:
    target, _, label = ref.partition("|")
    if target.startswith("@"):
        # A person: their label when Slack sent one, never the bare id; the bot itself vanishes.
        return "" if target[1:] == bot_user_id else label.lstrip("@")
    if target.startswith("#"):
        return f"#{label}" if label else ""
    if target.startswith("!"):
        # Broadcasts (<!here>, <!channel>, <!everyone>) carry no words; a user group or a date
        # keeps its visible fallback.
        return label.lstrip("@") if target.startswith(("!subteam^", "!date^")) else ""
    return label or target


def question_text(text: str, bot_user_id: str | None = None) -> str:
    """The question in a message or slash command, with Slack's markup resolved to plain words."""
    plain = _ANGLE.sub(lambda m: _replace(m.group(1), bot_user_id), text or "")
    # "@saidbot: what did …" leaves the colon behind once the mention is gone.
    return _SPACES.sub(" ", unescape(plain)).strip().lstrip(_LEADING_PUNCT).strip()

