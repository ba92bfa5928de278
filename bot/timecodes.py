"""Timestamps as people write them: 1:38:25, 01:38:25, 38:25, 1h38m25s, 1時間38分25秒, `the 1:38:25 mark`."""

from __future__ import annotations

import re
from typing import Final

_CLOCK: Final = r"(?<![\d:.])(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,2}):(?P<s>\d{2})(?:[.,]\d{1,3})?(?![\d:])"
_HMS: Final = r"(?<![\w])(?:(?P<h2>\d{1,2})\s*h\s*)?(?:(?P<m2>\d{1,2})\s*m(?:in)?\s*)(?:(?P<s2>\d{1,2})\s*s)?(?![a-z])"
_JA: Final = r"(?:(?P<h3>\d{1,2})\s*時間\s*)?(?:(?P<m3>\d{1,2})\s*分\s*)(?:(?P<s3>\d{1,2})\s*秒)?"

CLOCK_RE: Final = re.compile(_CLOCK)
ANY_TIME_RE: Final = re.compile(f"{_CLOCK}|{_HMS}|{_JA}", re.IGNORECASE)


def _to_seconds(h: str | None, m: str | None, s: str | None) -> int | None:
    hours = int(h) if h else 0
    minutes = int(m) if m else 0
    secs = int(s) if s else 0
    if minutes >= 60 and hours == 0 and h is None:
        # "75:10" in a transcript is 75 minutes; allowed.
        pass
    elif minutes >= 60 or secs >= 60:
        return None
    return hours * 3600 + minutes * 60 + secs


_PARSED: dict[str, int | None] = {}


def parse_timestamp(text: str) -> int | None:
    """Seconds for a string that is just a timestamp, or None."""
    # Transcripts repeat the same few thousand times across files; ingest asks this once per turn.
    if text in _PARSED:
        return _PARSED[text]
    match = ANY_TIME_RE.fullmatch(text.strip())
    seconds = _seconds(match) if match else None
    if len(_PARSED) > 100_000:
        _PARSED.clear()
    _PARSED[text] = seconds
    return seconds


def _seconds(match: re.Match[str]) -> int | None:
    g = match.groupdict()
    if g["m"] is not None:
        if g["h"] is None and int(g["m"]) >= 60:
            return int(g["m"]) * 60 + int(g["s"])
        return _to_seconds(g["h"], g["m"], g["s"])
    if g["m2"] is not None:
        return _to_seconds(g["h2"], g["m2"], g["s2"])
    if g["m3"] is not None:
        return _to_seconds(g["h3"], g["m3"], g["s3"])
    return None


def find_timestamps(text: str) -> list[int]:
    """Every timestamp mentioned in running text, in order."""
    found: list[int] = []
    for match in ANY_TIME_RE.finditer(text):
        if not match.group().strip():
            continue
        value = _seconds(match)
        if value is not None:
            found.append(value)
    return found
