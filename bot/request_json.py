"""A JSON object out of a request body someone else wrote: the rule both chat platforms' endpoints use.

`json.loads` recurses once per nesting level, so a body of a few kilobytes of `[[[[…` could exhaust
the stack; the depth is counted first, in one pass, and what no platform sends is refused by name.
"""

from __future__ import annotations

import json
from typing import Any


class NotAnObject(ValueError):
    """The text is not one JSON object within the depth allowed; the message says which way it fails."""


def nesting_depth(text: str) -> int:
    """How deeply brackets nest in `text` (strings included: an over-count only refuses sooner)."""
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def json_object(text: str, *, max_depth: int) -> dict[str, Any]:
    if nesting_depth(text) > max_depth:
        raise NotAnObject("nested too deep")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise NotAnObject("not JSON") from exc
    if not isinstance(value, dict):
        raise NotAnObject(f"JSON {type(value).__name__}, not an object")
    return value
