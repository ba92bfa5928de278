"""Timestamps as people write them: 1:38:25, 01:38:25, 38:25, 1h38m25s, 1時間38分25秒, `the 1:38:25 mark`."""

from __future__ import annotations

import re
from typing import Final

_CLOCK: Final = r"(?<![\d:.])(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,2}):(?P<s>\d{2})(?:[.,]\d{1,3})?(?![\d:])"
_HMS: Final = r"(?<![\w])(?:(?P<h2>\d{1,2})\s*h\s*)?(?:(?P<m2>\d{1,2})\s*m(?:in)?\s*)(?:(?P<s2>\d{1,2})\s*s)?(?![a-z])"
# A length, not a moment: "約1時間58分間" (for 1 h 58 min), "10分ほど", "5分前" (but "38分前後" is about 38:00).
_JA_LENGTH: Final = r"(?!\s*(?:間|ほど|くらい|ぐらい|程度|近く|以上|以内|未満|弱|強|前(?!後)|後|にわた|もの))"
_JA: Final = (
    rf"(?<!\d)(?:(?P<h3>\d{{1,2}})\s*時間\s*)?(?:(?P<m3>\d{{1,2}})\s*分\s*)(?:(?P<s3>\d{{1,2}})\s*秒)?{_JA_LENGTH}"
)

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


# The longest recording a time may point into; a 400-digit hour was stored as `start = Inf`.
MAX_HOURS = 99


class BadTime(ValueError):
    """A caption or transcript time that no recording has: negative, out of range, or not a clock."""


def clock_seconds(clock: str) -> float:
    """Seconds for a caption clock `[h:]mm:ss[.fff]` (`,` or `.` before the fraction), checked strictly.

    Minutes and seconds under a larger unit must be below 60 and hours at most MAX_HOURS; a lone
    minutes field may run past 60 (`75:10` is 75 minutes, as people write long talks).
    """
    text = clock.strip().replace(",", ".")
    whole, _, fraction = text.partition(".")
    parts = whole.split(":")
    if not 2 <= len(parts) <= 3 or not all(p.isdigit() and p.isascii() and len(p) <= 3 for p in parts):
        raise BadTime(f"{clock!r} is not a time")
    if fraction and not (fraction.isdigit() and fraction.isascii() and len(fraction) <= 3):
        raise BadTime(f"{clock!r} is not a time")
    if len(parts[-1]) != 2 or (len(parts) == 3 and len(parts[1]) != 2):
        raise BadTime(f"{clock!r} is not a time (two digits of seconds and of minutes under an hour)")
    numbers = [int(p) for p in parts]
    if numbers[-1] >= 60 or (len(numbers) == 3 and numbers[1] >= 60):
        raise BadTime(f"{clock!r} is not a time (minutes and seconds run to 59)")
    hours = numbers[0] if len(numbers) == 3 else numbers[0] // 60
    if hours > MAX_HOURS:
        raise BadTime(f"{clock!r} is past {MAX_HOURS} hours")
    seconds = float(numbers[-1]) + (float("0." + fraction) if fraction else 0.0)
    return seconds + numbers[-2] * 60 + (numbers[0] * 3600 if len(numbers) == 3 else 0)


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
