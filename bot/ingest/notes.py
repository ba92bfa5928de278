"""Markdown notes: front matter, speaker-attributed timestamped passages, and statements."""

from __future__ import annotations

import re
from typing import Any, Final

from bot.ingest.document import ParsedDocument
from bot.ingest.frontmatter import as_list, as_text, episode_from_fields
from bot.ingest.links import plain_text, transcript_urls, youtube_ids
from bot.models import Episode, Segment
from bot.passages import note_statement, speaker_passage
from bot.text import detect_language, is_cjk, strip_quotes
from bot.timecodes import find_timestamps, parse_timestamp

_CONTINUED: Final = re.compile(r"^(?:continued|cont(?:'d|inued)?\.?|続き|続く|つづき|接上|续)$", re.IGNORECASE)
# **Dario Amodei (01:38:37):**  or  **Dario Amodei (continued):** text  or  **ダリオ（1時間38分37秒）：**
_PASSAGE: Final = re.compile(
    r"^\*\*(?P<name>[^*()（）\n]{1,60}?)\s*[(（](?P<when>[^)）]{1,30})[)）]\s*[:：]?\s*\*\*\s*[:：]?\s*(?P<rest>.*)$"
)
# The closing `#`s are stripped in Python: `(.*?)\s*#*\s*$` retried the tail at every character (quadratic).
_HEADING: Final = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET: Final = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_BOLD_LABEL: Final = re.compile(r"^\*\*([^*]{2,80}?)\*\*\s*[:：]?")
# Each name starts where no name character precedes it, or `A-A-A-…` starts a scan to the end at every letter.
_EPISODE_IN_TEXT: Final = re.compile(r"(?<![\w'’.-])([A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,4} Podcast)\s*#\s*(\d{1,5})")
_ALIAS_CJK_LATIN: Final = re.compile(
    r"([\u3005\u3041-\u309f\u30a0-\u30ff\u4e00-\u9fff]{2,12})\s*[（(]\s*([A-Za-z][A-Za-z0-9 '’-]{1,40}?)\s*[)）]"
)
_ALIAS_LATIN_CJK: Final = re.compile(
    r"(?<![A-Za-z0-9'’-])([A-Za-z][A-Za-z0-9'’-]*(?: [A-Za-z][A-Za-z0-9'’-]*){0,3})\s*[（(]\s*"
    r"([\u3005\u3041-\u309f\u30a0-\u30ff\u4e00-\u9fff]{2,12})\s*[)）]"
)
_OPENING_QUOTES: Final = ("“", '"', "「", "『", "‘", "'")
_RULE: Final = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")


_PARTICLE: Final = re.compile(r"^.*[がをはにのとでもへや]")


def mine_aliases(text: str) -> list[tuple[str, str]]:
    """Terms a note states in two scripts, like タレント密度（talent density）."""
    text = "\n".join(line for line in text.split("\n") if not _PASSAGE.match(line.strip()))
    pairs = [(a, b.strip()) for a, b in _ALIAS_CJK_LATIN.findall(text)]
    pairs += [(b, a.strip()) for a, b in _ALIAS_LATIN_CJK.findall(text)]
    # The Japanese side of the match can start with the words before the term: keep what follows
    # the last particle ("とタレント量" -> "タレント量").
    pairs = [(_PARTICLE.sub("", a), b) for a, b in pairs]
    return list(dict.fromkeys((a, b) for a, b in pairs if len(a) >= 2 and len(b) >= 2))


def _blocks(body: str, first_line: int) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks with the file line number of their first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = first_line
    in_fence = False
    for offset, line in enumerate(body.split("\n")):
        number = first_line + offset
        if line.strip().startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if not line.strip():
            if current:
                blocks.append((start, current))
                current = []
            continue
        if not current:
            start = number
        current.append(line.rstrip())
    if current:
        blocks.append((start, current))
    return blocks


class _NoteParser:
    def __init__(self, path: str, fields: dict[str, Any], body: str, first_line: int, lang: str) -> None:
        self.path = path
        self.fields = fields
        self.body = body
        self.first_line = first_line
        self.doc = ParsedDocument(format="note", lang=lang, title=as_text(fields.get("title")))
        self.heading: str | None = None
        self.section_time: int | None = None
        self.last_passage: tuple[str, int | None, int] | None = None
        self.ordinal = 0
        self.pending: tuple[str, int | None, int, int] | None = None

    def episode(self) -> Episode:
        episode = episode_from_fields(self.fields, title_is_episode=False)
        ids = youtube_ids(self.body)
        if episode.video_id is None and ids:
            episode.video_id = ids[0]
        if episode.transcript_url is None:
            found = transcript_urls(self.body)
            episode.transcript_url = found[0] if found else None
        if episode.show is None or episode.number is None:
            match = _EPISODE_IN_TEXT.search(self.body)
            if match:
                episode.show = episode.show or match.group(1)
                episode.number = episode.number if episode.number is not None else int(match.group(2))
        return episode

    def parse(self) -> ParsedDocument:
        episode = self.episode()
        has_episode = any(
            (episode.video_id, episode.transcript_url, episode.show, episode.title, episode.number)
        )
        self.episode_index = self.doc.add_episode(episode) if has_episode else None
        for name in as_list(self.fields.get("topics")) + as_list(self.fields.get("tags")):
            self.doc.topics.append(name)
        self.doc.aliases.extend(mine_aliases(self.body))
        for line_no, lines in _blocks(self.body, self.first_line):
            self.block(line_no, lines)
        if self.pending is not None:
            name, _, _, line_no = self.pending
            self.doc.warn(self.path, line_no, f"passage header for {name} has no text after it")
        return self.doc

    def block(self, line_no: int, lines: list[str]) -> None:
        first = lines[0].strip()
        heading = _HEADING.match(first)
        if heading:
            self.heading = plain_text(heading.group(2).rstrip().rstrip("#").rstrip()) or None
            self.section_time = None
            if self.heading:
                self.doc.topics.append(self.heading)
            if len(lines) > 1:
                self.block(line_no + 1, lines[1:])
            return
        if _RULE.match(first):
            if len(lines) > 1:
                self.block(line_no + 1, lines[1:])
            return
        passage = _PASSAGE.match(first)
        if passage:
            self.passage_header(passage, line_no)
            rest = [passage.group("rest")] if passage.group("rest").strip() else []
            rest += [line.strip() for line in lines[1:]]
            if rest:
                self.passage_text(" ".join(rest))
            return
        if self.pending is not None:
            self.passage_text(" ".join(line.strip() for line in lines))
            return
        # A paragraph may lead straight into a list without a blank line between them.
        paragraph: list[str] = []
        for index, line in enumerate(lines):
            if _BULLET.match(line):
                if paragraph:
                    self.statement(" ".join(paragraph))
                self.bullets(lines[index:])
                return
            paragraph.append(line.strip())
        self.statement(" ".join(paragraph))

    def passage_header(self, match: re.Match[str], line_no: int) -> None:
        if self.pending is not None:
            name, _, _, pending_line = self.pending
            self.doc.warn(self.path, pending_line, f"passage header for {name} has no text after it")
        name = plain_text(match.group("name")).strip()
        when = match.group("when").strip()
        if _CONTINUED.match(when):
            if self.last_passage is None:
                self.doc.warn(self.path, line_no, "a continued passage with no passage before it")
                start, part = None, 0
            else:
                _, start, part = self.last_passage
                part += 1
        else:
            start = parse_timestamp(when)
            part = 0
            if start is None:
                self.doc.warn(self.path, line_no, f"cannot read the time {when!r}; kept without a time")
        self.pending = (name, start, part, line_no)
        self.last_passage = (name, start, part)
        if start is not None:
            self.section_time = start

    def passage_text(self, text: str) -> None:
        assert self.pending is not None
        name, start, part, _ = self.pending
        self.pending = None
        plain = plain_text(text)
        clean = strip_quotes(plain)
        # Words in quotation marks are the speaker's own; anything else is the note retelling them.
        verbatim = plain[:1] in _OPENING_QUOTES
        self.doc.add(
            Segment(
                speaker=name,
                start=start,
                text=clean,
                lang=self.doc.lang,
                kind="quote" if verbatim else "note",
                passage_key=speaker_passage(name, start, part),
                heading=self.heading,
            ),
            self.episode_index,
        )

    def bullets(self, lines: list[str]) -> None:
        items: list[str] = []
        for line in lines:
            match = _BULLET.match(line)
            if match and not line.startswith((" ", "\t")):
                items.append(match.group(1))
            elif items:
                items[-1] += " " + line.strip()
            else:
                items.append(line.strip())
        for item in items:
            label = _BOLD_LABEL.match(item)
            if label:
                self.doc.topics.append(plain_text(label.group(1)))
            self.statement(item)

    def statement(self, markdown: str) -> None:
        text = plain_text(markdown)
        if len(text) < 3 or not re.search(r"\w", text):
            return
        times = find_timestamps(text)
        if times:
            self.section_time = times[0]
        self.ordinal += 1
        self.doc.add(
            Segment(
                speaker=None,
                start=times[0] if times else self.section_time,
                text=text,
                lang=self.doc.lang,
                kind="note",
                passage_key=note_statement(self.ordinal),
                heading=self.heading,
            ),
            self.episode_index,
        )


def parse_note(path: str, fields: dict[str, Any], body: str, first_line: int, file_lang: str | None) -> ParsedDocument:
    lang = as_text(fields.get("lang") or fields.get("language")) or file_lang
    if not lang:
        sample = body[:4000]
        lang = detect_language(sample) if is_cjk(sample) else "en"
    return _NoteParser(path, fields, body, first_line, lang.lower()[:5]).parse()
