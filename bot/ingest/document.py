"""What a parser hands to the store: one document's episodes, segments, speakers and topics."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.models import Episode, IngestProblem, Segment


class ParseError(Exception):
    """The whole file cannot be read; names the line when one is to blame.

    `path` names another file to blame (a transcript's sidecar), when the fault is in that one.
    """

    def __init__(self, reason: str, line: int | None = None, *, path: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.path = path


@dataclass
class ParsedSegment:
    segment: Segment
    # Index into ParsedDocument.episodes; None when the document names no episode.
    episode: int | None


@dataclass
class ParsedDocument:
    format: str
    lang: str
    title: str | None = None
    episodes: list[Episode] = field(default_factory=list)
    segments: list[ParsedSegment] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    # Pairs of terms the document states in two scripts, e.g. ("タレント密度", "talent density").
    aliases: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[IngestProblem] = field(default_factory=list)

    def add_episode(self, episode: Episode) -> int:
        self.episodes.append(episode)
        return len(self.episodes) - 1

    def add(self, segment: Segment, episode: int | None) -> None:
        if segment.text.strip():
            self.segments.append(ParsedSegment(segment, episode))

    def warn(self, path: str, line: int | None, reason: str) -> None:
        self.warnings.append(IngestProblem(path=path, line=line, reason=reason))
