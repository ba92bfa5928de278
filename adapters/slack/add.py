"""/add URL on Slack: an admin (SAIDBOT_SLACK_ADMIN_IDS) adds a remote source, answered privately.

The same rule as Discord's /add: only configured admins; the core checks and fetches the URL and
keeps it. Anyone else is told so and nothing is fetched.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, Final

from adapters.slack.format import escape, unescape
from adapters.slack.guard import Turn
from adapters.slack.locales import UserLocales
from bot import i18n
from bot.port import Core
from bot.present import add_source_summary

log = logging.getLogger(__name__)

COMMAND: Final = "/add"
# Slack sends a pasted link as `<https://…>` or `<https://…|label>`: the target is the URL.
_LINK: Final = re.compile(r"^<([^<>|]+)(?:\|[^<>]*)?>$")

Private = Callable[..., Awaitable[None]]


def url_of(text: str) -> str:
    """The URL a command's text holds, with Slack's link markup and entities undone."""
    text = (text or "").strip()
    match = _LINK.match(text)
    return unescape(match.group(1) if match else text).strip()


async def add(core: Core, admins: frozenset[str], locales: UserLocales, command: dict[str, Any], client: Any,
              private: Private) -> None:
    """Answer one /add command through `private` (the response_url, else an ephemeral message)."""
    user = command.get("user_id") if isinstance(command.get("user_id"), str) else ""
    text = command.get("text") if isinstance(command.get("text"), str) else ""

    async def say(message: str) -> None:
        await private(text=escape(message))

    # Adding a feed fetches its episodes: it may take as long as a first build, not a question's time.
    turn = Turn("add", say, warming_up=True, channel=command.get("channel_id"))
    async with turn.guard():
        turn.lang = await locales.lang(client, str(user)) or "en"
        if user not in admins:
            turn.outcome = "refused"
            log.info("slack_add_refused", extra={"user_id": user})
            await say(i18n.t("not_allowed_admins", turn.lang))
            return
        url = url_of(str(text))
        if not url:
            turn.outcome = "usage"
            await say(i18n.t("add_usage", turn.lang))
            return
        result = await core.add_source(url, added_by=f"slack:{user}")
        turn.outcome = result.status
        await say(add_source_summary(result, turn.lang))
