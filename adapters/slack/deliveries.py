"""Which Slack deliveries were answered already, on any instance: claims in the shared state.

Slack re-sends an event that was not acknowledged in time (up to three times over about five
minutes, maybe to another instance behind the router), the same message may arrive both as
`app_mention` and as `message.im`, and a double click on Share is two actions on one message.
Each delivery is claimed once in `SharedState` (kept DELIVERY_TTL_SECONDS, ten minutes) before any
reply work; whoever loses the claim stays silent.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from bot.shared_state import DELIVERY_TTL_SECONDS, SharedState

log = logging.getLogger(__name__)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def event_key(team: str | None, event: dict[str, Any], event_id: str | None) -> str | None:
    """The message an event is about, so a retry under a fresh event id, or the same message seen
    as a mention and as a DM, is one answer; the event id when the event names no message.

    One claim per event: every retry of an event carries the same message, so the message key
    covers the event id too (and saves a database round trip per delivery).
    """
    client_msg_id = _text(event.get("client_msg_id"))
    channel, ts = _text(event.get("channel")), _text(event.get("ts"))
    if client_msg_id:
        return f"slack:msg:{team or '-'}:{client_msg_id}"
    if channel and ts:
        return f"slack:msg:{team or '-'}:{channel}:{ts}"
    return f"slack:event:{event_id}" if event_id else None


def body_key(kind: str, body: dict[str, Any]) -> str:
    """A slash command or click replayed byte for byte (inside the signature's five minutes) is the
    same delivery; Slack never sends two different commands or clicks with the same body."""
    canonical = json.dumps(body, sort_keys=True, default=str, ensure_ascii=False)
    return f"slack:{kind}:{hashlib.sha256(canonical.encode()).hexdigest()}"


def share_key(team: str | None, channel: str, message_ts: str, action_id: str) -> str:
    """A double Share: two clicks (two bodies, two action_ts) on the same private message and button."""
    return f"slack:share:{team or '-'}:{channel}:{message_ts}:{action_id}"


async def first_time(state: SharedState, key: str | None, kind: str) -> bool:
    """Whether this instance is the one to answer `key`; a delivery naming nothing is answered.

    When the shared database cannot be reached this fails closed: every instance would then answer
    every retry Slack sends (and during an outage acknowledgements are slow, so retries come), in a
    channel everyone reads; a missing answer is one the asker can ask again.
    """
    if key is None:
        return True
    try:
        if await state.claim(key, ttl_seconds=DELIVERY_TTL_SECONDS):
            return True
    except Exception as exc:
        log.error("slack_claim_failed", extra={"kind": kind, "error_type": type(exc).__name__,
                                               "answered": False})
        return False
    log.info("slack_duplicate_event", extra={"kind": kind})
    return False
