"""What arrives at the Interactions Endpoint: the signature check and the interaction it carries.

The signature is checked first, on the raw bytes, before anything parses the body: Ed25519 over
`X-Signature-Timestamp + body` with the application's public key. The library is `cryptography`
(PyCA's, OpenSSL underneath, kept by the same people as pip's TLS stack and already on every machine
this runs on; it also makes the tests' keys), rather than PyNaCl, which would add libsodium for the
one call. A missing or bad signature, or a timestamp more than five minutes off, fails the check;
Discord itself sends forged requests now and then to see that they are refused. A signed body that
is not an interaction Discord would send is `Unreadable`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import discord
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from bot import i18n
from bot.request_json import NotAnObject, json_object

from .compat import Malformed, check_interaction

Json = dict[str, Any]

# A signed request older (or newer) than this is refused: a replay, or a clock far off.
MAX_AGE_SECONDS: Final = 300
MAX_DEPTH: Final = 32
PING: Final = 1
MANAGE_GUILD: Final = 1 << 5


class Unreadable(ValueError):
    """A signed body that is not an interaction."""


def public_key(hex_key: str) -> Ed25519PublicKey:
    """The application's public key from its 64 hex characters; ValueError otherwise."""
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(hex_key))


def signed(key: Ed25519PublicKey, body: bytes, timestamp: str | None, signature: str | None, now: float) -> bool:
    """Whether `body` carries a valid, fresh signature; never raises, whatever the headers hold."""
    if timestamp is None or signature is None or not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if len(timestamp) > 12 or abs(now - int(timestamp)) > MAX_AGE_SECONDS or len(signature) != 128:
        return False
    try:
        key.verify(bytes.fromhex(signature), timestamp.encode() + body)
    except (ValueError, InvalidSignature):
        return False
    return True


def read_interaction(body: bytes) -> Json:
    """The interaction in a signed body; `Unreadable` for anything Discord would not send."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable("not UTF-8") from exc
    try:
        data = json_object(text, max_depth=MAX_DEPTH)
    except NotAnObject as exc:
        raise Unreadable(str(exc)) from exc
    if data.get("type") == PING:
        # Discord's endpoint check carries no user: nothing else to read.
        return data
    try:
        check_interaction(data)
    except Malformed as exc:
        raise Unreadable(str(exc)) from exc
    return data


@dataclass(frozen=True)
class Incoming:
    """What the handlers read of one interaction payload (already checked by `check_interaction`)."""

    id: int
    token: str
    kind: int
    lang: str
    user_id: int
    in_server: bool
    manages_server: bool
    data: Json
    message_id: int | None

    @classmethod
    def of(cls, payload: Json) -> Incoming:
        in_server = payload.get("guild_id") is not None
        member = payload.get("member") if in_server else None
        user = member["user"] if isinstance(member, dict) else payload["user"]
        permissions = str(member.get("permissions", "0")) if isinstance(member, dict) else "0"
        message = payload.get("message")
        mid = message.get("id") if isinstance(message, dict) else None
        return cls(
            id=int(payload["id"]), token=payload["token"], kind=payload["type"],
            lang=i18n.normalize_lang(str(payload.get("locale") or "en")), user_id=int(user["id"]),
            in_server=in_server, manages_server=permissions.isdigit() and bool(int(permissions) & MANAGE_GUILD),
            data=payload["data"] if isinstance(payload.get("data"), dict) else {},
            message_id=int(mid) if isinstance(mid, str | int) and str(mid).isdigit() else None,
        )

    @property
    def age(self) -> float:
        """Seconds since Discord created the interaction (from its snowflake id), never negative."""
        return max(0.0, (discord.utils.utcnow() - discord.utils.snowflake_time(self.id)).total_seconds())

    def options(self) -> dict[str, Any]:
        found = self.data.get("options") or []
        return {o["name"]: o.get("value") for o in found if isinstance(o, dict) and isinstance(o.get("name"), str)}


