"""Caption-sized lines merged into sentence-level segments that keep their first line's start."""

from __future__ import annotations

from dataclasses import dataclass

from bot.text import is_cjk

_ENDS = (".", "!", "?", "。", "！", "？", "…", '."', '?"', "!\"", ".”", "?”", "!”", "」", "』")
# Long enough to be a quote, short enough to read in chat.
TARGET_CHARS = 240
MAX_CHARS = 900


@dataclass
class Cue:
    start: float
    end: float | None
    text: str
    speaker: str | None = None
    line: int = 0


def _join(left: str, right: str) -> str:
    if not left:
        return right
    if is_cjk(left[-1:]) and is_cjk(right[:1]):
        return left + right
    return f"{left} {right}"


def merge_cues(cues: list[Cue]) -> list[Cue]:
    """Merge caption lines so no segment starts or ends mid-sentence.

    A segment closes only after a line that ends a sentence, once it is long enough, or when the
    speaker changes; a runaway sentence is closed at MAX_CHARS so one bad line cannot swallow a file.
    """
    merged: list[Cue] = []
    current: Cue | None = None
    for cue in cues:
        text = " ".join(cue.text.split())
        if not text:
            continue
        if current is not None and cue.speaker is not None and cue.speaker != current.speaker:
            merged.append(current)
            current = None
        if current is None:
            current = Cue(cue.start, cue.end, text, cue.speaker, cue.line)
        else:
            current.text = _join(current.text, text)
            current.end = cue.end if cue.end is not None else current.end
        ends_sentence = current.text.rstrip().endswith(_ENDS)
        if (ends_sentence and len(current.text) >= TARGET_CHARS) or len(current.text) >= MAX_CHARS:
            merged.append(current)
            current = None
    if current is not None:
        merged.append(current)
    return merged
