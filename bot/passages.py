"""Passage keys: which stored segments say the same thing, so an answer shows each passage once.

A note and its translation (`talk-en.md`, `talk-ja.md`) number their statements alike, and a
speaker's passage is the same passage wherever it is quoted, in a note or a quote collection. The
keys are built in two steps: the parser names the passage within its file, and the ingest run
scopes that name to what makes it unique (the note group for statements, the episode for a
speaker's words).
"""

from __future__ import annotations

from typing import Final

_SPEAKER: Final = "p|"
_STATEMENT: Final = "n|"


def speaker_passage(speaker: str, start: float | int | None, part: int) -> str:
    """A speaker's words at a time; `part` counts the continuations of one turn."""
    return f"{_SPEAKER}{speaker.lower()}|{start}|{part}"


def note_statement(ordinal: int) -> str:
    """The n-th statement of a note: the same n in each translation of that note."""
    return f"{_STATEMENT}{ordinal}"


def within_note_group(key: str | None, group_key: str) -> str | None:
    """A note statement's key scoped to its note group (translations of one note share a group)."""
    if key and key.startswith(_STATEMENT):
        return f"{group_key}|{key}"
    return key


def within_episode(key: str | None, episode_id: int | None) -> str | None:
    """A speaker passage's key scoped to its episode, so a note and a quote file agree on it."""
    if key and key.startswith(_SPEAKER) and episode_id is not None:
        return f"e{episode_id}|{key}"
    return key
