"""`sources.txt` (walk.SOURCE_LIST_NAME): the remote sources a notes folder lists, one URL a line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.models import IngestProblem
from bot.remote.urls import FetchError, check_url

# The origin of sources added from chat (others: "command line", or the path of a sources.txt).
CHAT_ORIGIN: Final = "chat"
COMMAND_LINE_ORIGIN: Final = "command line"


@dataclass(frozen=True)
class Requested:
    """A remote source to fetch in a run, and who asked for it: a `sources.txt` path, "chat" or "command line"."""

    url: str
    origin: str


def read_source_list(path: str, text: str) -> tuple[list[Requested], list[IngestProblem]]:
    """The URLs listed in `text` (blank lines and `#` comments skipped); a bad line is reported, the rest used.

    A comment starts a line or follows whitespace: a `#` inside a URL is its fragment, not a comment.
    """
    found: list[Requested] = []
    problems: list[IngestProblem] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        for mark in (" #", "\t#"):
            if mark in line:
                line = line.split(mark, 1)[0].strip()
        if " " in line or "\t" in line:
            problems.append(IngestProblem(path=path, line=number, reason="one URL a line (this one holds spaces)"))
            continue
        try:
            url = check_url(line)
        except FetchError as exc:
            problems.append(IngestProblem(path=path, line=number, reason=f"not a source URL: {exc.reason}"))
            continue
        if url not in seen:
            seen.add(url)
            found.append(Requested(url, path))
    return found, problems
