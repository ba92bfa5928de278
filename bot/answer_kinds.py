"""What kind of answer a question asks for, and whether a passage gives one.

Some questions say what their answer looks like as well as what it is about: "how confident is Dario that
…" is answered by the passage that puts a number on it ("I'm at 90% on that"), "how did Claude Code come
about?" by the one that tells how it began ("Internally people created something called …"). Both
passages may hold the topic equally well; the kind of answer tells them apart.
"""

from __future__ import annotations

import re
from typing import Final

from bot.text import normalize

# Each kind: (how a question asks for it, how a passage gives it), in English and Japanese.
_KINDS: Final[dict[str, tuple[re.Pattern[str], re.Pattern[str]]]] = {
    "likelihood": (
        re.compile(
            r"\bhow\s+(?:confident|likely|sure|certain|probable)\b|\b(?:odds|probability|likelihood|chances?)\b|"
            r"\bwhat\s+percent|確率|確信|可能性|見込み|何\s*[%％]|何パーセント|どのくらい確か",
            re.I,
        ),
        re.compile(r"\d\s*(?:%|％|percent\b|パーセント)|\b(?:odds|\d+\s*(?:in|out of)\s*\d+)\b", re.I),
    ),
    "share": (
        # "how much of his time does Dario spend on management": a share, answered by "a third, maybe 40%".
        re.compile(
            r"\bhow\s+much\s+of\s+(?:(?:his|her|their|its|the|a|your|my)\s+)?(?:\w+\s+)?(?:time|week|day|days|"
            r"weeks|hours|money|budget|revenue|code|work|effort|compute)\b|\bwhat\s+(?:share|fraction|portion|"
            r"proportion)\b|(?:時間|一週間|週|予算|売上|コード|仕事)の(?:どのくらい|どれくらい|どれだけ|何割)|何割",
            re.I,
        ),
        re.compile(
            r"\d\s*(?:%|％|percent\b|パーセント)|\b(?:a|one|two)[\s-]+(?:thirds?|quarters?|fifths?)\b|\bhalf\b|"
            r"\d+\s*分の\s*\d+|[0-9一二三四五六七八九十]+割|半分",
            re.I,
        ),
    ),
    "origin": (
        re.compile(
            r"\b(?:come\s+about|came\s+about|get\s+started|got\s+started|come\s+from|came\s+from|origins?|"
            r"how\s+(?:did|was)\s+.{1,60}?\s+(?:start|started|begin|began|born|created|invented)|start\s+out)\b|"
            r"生まれ|始まっ|始まり|きっかけ|起源|誕生|由来|経緯",
            re.I,
        ),
        re.compile(
            r"\b(?:started|began|begun|created|founded|originally|initially|at\s+first|in\s+the\s+beginning|"
            r"came\s+out\s+of|grew\s+out\s+of|was\s+born|internally)\b|始め|始まっ|生まれ|最初|もともと|社内",
            re.I,
        ),
    ),
}


def asked_kinds(question: str) -> frozenset[str]:
    """The kinds of answer a question asks for ("likelihood", "origin"); usually none."""
    text = normalize(question)
    return frozenset(kind for kind, (asks, _) in _KINDS.items() if asks.search(text))


def gives_kind(kinds: frozenset[str], passage: str) -> bool:
    """Whether a passage gives an answer of one of `kinds`."""
    if not kinds:
        return False
    text = normalize(passage)
    return any(_KINDS[kind][1].search(text) for kind in kinds)
