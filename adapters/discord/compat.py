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


class Malformed(ValueError):
    """An interaction that Discord would never send in this shape."""


def _need(ok: bool, what: str) -> None:
    if not ok:
        raise Malformed(what)


def _snowflake(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 < value < 2**64
    return isinstance(value, str) and value.isdigit() and 0 < len(value) <= 20


def check_interaction(data: dict[str, Any]) -> None:
    """Raise `Malformed` when fields discord.py and our handlers read have types Discord never sends."""
    kind = data.get("type")
    _need(isinstance(kind, int) and not isinstance(kind, bool) and 1 <= kind <= 5, "type")
    _need(_snowflake(data.get("id")) and isinstance(data.get("token"), str), "id or token")
    for key in ("guild_id", "channel_id", "application_id"):
        _need(key not in data or data[key] is None or _snowflake(data[key]), key)
    for key in ("locale", "guild_locale"):
        _need(key not in data or isinstance(data[key], str), key)
    member, user = data.get("member"), data.get("user")
    # discord.py reads `member` only inside a guild, `user` otherwise.
    if data.get("guild_id") is None:
        member = None
    if member is not None:
        _need(isinstance(member, dict) and isinstance(member.get("user"), dict), "member")
        user = member["user"]
    _need(isinstance(user, dict) and _snowflake(user.get("id")), "user")
    if kind == 1:
        return
    inner: Any = data.get("data")
    _need(isinstance(inner, dict), "data")
    if kind in (2, 4):
        _need(isinstance(inner.get("name"), str) and isinstance(inner.get("type", 1), int), "data.name")
        options = inner.get("options", [])
        _need(isinstance(options, list) and all(isinstance(o, dict) and isinstance(o.get("name"), str)
                                                for o in options), "data.options")
        _need(kind == 2 or any(o.get("focused") for o in options), "autocomplete without a focused option")
    if kind == 3:
        _need(isinstance(inner.get("custom_id"), str) and isinstance(inner.get("component_type", 2), int),
              "data.custom_id")
        _need(isinstance(data.get("message"), dict), "message")


def harden_interaction_parser(client: discord.Client) -> None:
    """Wrap discord.py's INTERACTION_CREATE parser with the defaults above and a safety net."""
    parsers: dict[str, Callable[[Any], None]] = client._connection.parsers
    parse = parsers["INTERACTION_CREATE"]

    def tolerant_parse(data: Any) -> None:
        try:
            if not isinstance(data, dict):
                raise Malformed("not an object")
            check_interaction(data)
            fill_interaction_defaults(data, client.application_id)
            parse(data)
        except Exception as exc:
            # Nothing can answer an interaction we cannot read; keep the connection for the next one.
            # One line, no traceback: anything on the wire can trigger this, it is not our bug.
            ident = data.get("id") if isinstance(data, dict) else None
            log.warning("discord_interaction_dropped", extra={
                "interaction_id": str(ident)[:32] if ident is not None else None, "error_type": type(exc).__name__,
            })

    parsers["INTERACTION_CREATE"] = tolerant_parse
