"""A timeline of someone's view: the best passage per episode, oldest episode first.

"how has Dario's view on X changed?", "Amodei on X over time", "アモデイのXについての考えの変化":
`read_timeline` tells such a question apart and splits it into who and what; the pipeline then
ranks passages as for any answer, and `per_episode` keeps each episode's best one and orders them
by the episode's date. Pure functions, no store access.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot.scoring import Ranked

# A timeline shows this many episodes on a page at least, whatever page size the platform asks
# for: three entries are no timeline. Discord holds ten embeds per message.
TIMELINE_PAGE: Final = 10

_VIEW: Final = (
    r"(?:views?|thinking|thoughts?|opinions?|position|positions|stance|take|takes|outlook|perspective|mind|ideas?|"
    r"attitude|beliefs?)"
)
_CHANGE: Final = r"(?:changed?|evolved?|shifted|shift|developed|develop|moved|changing|evolving|shifting)"
_ABOUT: Final = r"(?:on|about|of|regarding|towards?)"
_OVER_TIME: Final = r"(?:over\s+(?:time|the\s+years)|through\s+the\s+years|across\s+episodes|through\s+time)"

_EN: Final = (
    # how has Dario's view on X changed (over time)?  how did Dario's thinking about X evolve?
    re.compile(
        rf"^how\s+(?:has|have|did|does|do|is|was)\s+(?P<spk>.+?)(?:'s|’s|')\s+{_VIEW}\s+{_ABOUT}\s+(?P<topic>.+?)"
        rf"\s+(?:been\s+)?{_CHANGE}(?:\s+{_OVER_TIME})?$",
        re.I,
    ),
    # how has the view of Dario on X changed?
    re.compile(
        rf"^how\s+(?:has|have|did|does|do)\s+(?:the\s+)?{_VIEW}\s+of\s+(?P<spk>.+?)\s+{_ABOUT}\s+(?P<topic>.+?)"
        rf"\s+{_CHANGE}(?:\s+{_OVER_TIME})?$",
        re.I,
    ),
    # has Dario changed his mind on X?  how has Dario changed his view on X?
    re.compile(
        rf"^(?:how\s+)?(?:has|have|did)\s+(?P<spk>.+?)\s+(?:changed?|shifted|shift)\s+(?:his|her|their)\s+{_VIEW}\s+"
        rf"{_ABOUT}\s+(?P<topic>.+?)(?:\s+{_OVER_TIME})?$",
        re.I,
    ),
    # Dario on X over time / Dario's views on X over the years ("loose": the first words may be topic words)
    re.compile(rf"^(?P<loose>.+?)(?:(?:'s|’s)\s+{_VIEW})?\s+{_ABOUT}\s+(?P<topic>.+?)\s+{_OVER_TIME}$", re.I),
    # timeline of Dario on X / Dario's timeline on X
    re.compile(rf"^(?:a\s+)?timeline\s+(?:of|for)\s+(?P<spk>.+?)\s+{_ABOUT}\s+(?P<topic>.+)$", re.I),
    # how has the view on X changed (nobody named)
    re.compile(
        rf"^how\s+(?:has|have|did)\s+(?:the\s+)?{_VIEW}\s+{_ABOUT}\s+(?P<topic>.+?)\s+{_CHANGE}(?:\s+{_OVER_TIME})?$",
        re.I,
    ),
)

_JA_VIEW: Final = r"(?:考え方?|意見|見解|立場|姿勢|見方|主張|スタンス|発言|捉え方)"
_JA_CHANGE: Final = r"(?:変化|変遷|移り変わり|推移|変わり方|はどう変わった|はどのように変わった|はどう変化した)"
_JA_ABOUT: Final = r"(?:について|に関して|に関する|に対する|に対して|への)の?"
_JA: Final = (
    # アモデイのXについての考えの変化
    re.compile(rf"^(?P<spk>.+?)の(?P<topic>.+?){_JA_ABOUT}{_JA_VIEW}の?{_JA_CHANGE}"),
    # Xについてのアモデイの意見の変遷
    re.compile(rf"^(?P<topic>.+?){_JA_ABOUT}(?P<spk>.+?)の{_JA_VIEW}の?{_JA_CHANGE}"),
    # アモデイはXについての考えをどう変えた / 時系列で
    re.compile(rf"^(?P<spk>.+?)は(?P<topic>.+?){_JA_ABOUT}{_JA_VIEW}を(?:どう|どのように)(?:変えた|変化させた)"),
    re.compile(rf"^(?P<spk>.+?)の(?P<topic>.+?){_JA_ABOUT}{_JA_VIEW}の?(?:時系列|年表)"),
)
_TRAILING: Final = re.compile(r"[\s?？!！。.]+$")
_EDGES: Final = re.compile(r"^[\s\"'“”‘’「」『』]+|[\s\"'“”‘’「」『』]+$")


@dataclass(frozen=True)
class TimelineAsk:
    """A timeline question split into who (as written, None when nobody is named) and what."""

    speaker: str | None
    topic: str
    # "X on Y over time": X is a speaker when it names one, else part of the topic ("prices on energy over time").
    loose: bool = False


def read_timeline(text: str) -> TimelineAsk | None:
    """Who and what a timeline question asks about, or None when `text` asks for no timeline."""
    text = _TRAILING.sub("", " ".join(text.split()))
    for pattern in (*_EN, *_JA):
        match = pattern.match(text)
        if match is None:
            continue
        groups = match.groupdict()
        topic = _EDGES.sub("", groups.get("topic") or "")
        topic = re.sub(r"^(?:the|a|an)\s+", "", topic, flags=re.I)
        loose = groups.get("loose")
        speaker = _EDGES.sub("", groups.get("spk") or loose or "") or None
        if topic:
            return TimelineAsk(speaker=speaker, topic=topic, loose=loose is not None)
    return None


_DATE: Final = re.compile(r"^\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?")


def date_key(date: str | None) -> tuple[int, int, int] | None:
    """(year, month, day) of an episode's date as stored ("2024-11-11", "2024-11", "2024"), None when undated."""
    match = _DATE.match(date or "")
    if match is None:
        return None
    year, month, day = match.groups()
    return int(year), int(month or 0), int(day or 0)


def per_episode(ranked: Sequence[Ranked], speaker: str | None) -> list[Ranked]:
    """Each episode's best passage, oldest episode first, undated episodes last.

    With a speaker, only their own words and notes about them count: a host's question or words
    nobody is known to have said are never the speaker's view, however well they match.
    """
    best: dict[int, Ranked] = {}
    for item in ranked:
        episode = item.hit.episode_id
        if episode is None or episode in best:
            continue
        if speaker is not None and item.attributed_to != speaker and item.hit.kind != "note":
            continue
        best[episode] = item

    def when(item: Ranked) -> tuple[int, tuple[int, int, int], float, int]:
        key = date_key(item.hit.episode.date if item.hit.episode else None)
        return (0, key, item.hit.start or 0.0, item.hit.id) if key else (1, (0, 0, 0), -item.score, item.hit.id)

    return sorted(best.values(), key=when)


def year_span(items: Sequence[Ranked]) -> tuple[int, int] | None:
    """The first and last year of the dated episodes, None when none is dated."""
    years = [key[0] for item in items if (key := date_key(item.hit.episode.date if item.hit.episode else None))]
    return (min(years), max(years)) if years else None
