"""Tolerance for INTERACTION_CREATE payloads leaner than the ones Discord sends today.

discord.py 2.7 indexes some fields directly (e.g. `attachment_size_limit`, a member's `flags`, a
user's `avatar`), and an exception while parsing a gateway event ends the whole connection loop:
one unexpected payload would take the bot down. Before discord.py parses an interaction we fill
the fields it insists on with the values Discord documents as their defaults; an interaction it
still cannot read is logged and dropped, and the bot stays up.

This reaches into `ConnectionState.parsers`, a discord.py internal (stable since 1.0), because
the library offers no hook before it parses an event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final

import discord

log = logging.getLogger(__name__)

ATTACHMENT_SIZE_LIMIT: Final = 10 * 1024 * 1024  # Discord's limit without server boosts

_USER_DEFAULTS: Final[dict[str, Any]] = {"discriminator": "0", "avatar": None, "username": "unknown"}
_MEMBER_DEFAULTS: Final[dict[str, Any]] = {"roles": [], "flags": 0}
_MESSAGE_DEFAULTS: Final[dict[str, Any]] = {"type": 0, "content": "", "embeds": [], "components": []}


def _fill_user(user: Any) -> None:
    if isinstance(user, dict):
        for key, value in _USER_DEFAULTS.items():
            user.setdefault(key, value)


def fill_interaction_defaults(data: dict[str, Any], application_id: int | None) -> None:
    """Add, in place, what discord.py needs and Discord would have sent."""
    data.setdefault("version", 1)
    data.setdefault("attachment_size_limit", ATTACHMENT_SIZE_LIMIT)
    if application_id is not None:
        data.setdefault("application_id", str(application_id))
    member = data.get("member")
    if isinstance(member, dict):
        for key, value in _MEMBER_DEFAULTS.items():
            member.setdefault(key, list(value) if isinstance(value, list) else value)
        _fill_user(member.get("user"))
    _fill_user(data.get("user"))
    inner = data.get("data")
    if data.get("type") == discord.InteractionType.component.value and isinstance(inner, dict):
        inner.setdefault("component_type", discord.ComponentType.button.value)
    message = data.get("message")
    if isinstance(message, dict):
        for key, value in _MESSAGE_DEFAULTS.items():
            message.setdefault(key, list(value) if isinstance(value, list) else value)
        message.setdefault("channel_id", data.get("channel_id"))
        _fill_user(message.get("author"))


def harden_interaction_parser(client: discord.Client) -> None:
    """Wrap discord.py's INTERACTION_CREATE parser with the defaults above and a safety net."""
    parsers: dict[str, Callable[[Any], None]] = client._connection.parsers
    parse = parsers["INTERACTION_CREATE"]

    def tolerant_parse(data: Any) -> None:
        if isinstance(data, dict):
            fill_interaction_defaults(data, client.application_id)
        try:
            parse(data)
        except Exception:
            # Nothing can answer an interaction we cannot read; keep the connection for the next one.
            ident = data.get("id") if isinstance(data, dict) else None
            log.exception("discord_interaction_dropped", extra={"interaction_id": ident})

    parsers["INTERACTION_CREATE"] = tolerant_parse
