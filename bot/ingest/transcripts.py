"""Transcripts: `Speaker (hh:mm:ss) text`, `[hh:mm:ss] text`, `**mm:ss** · text`, WebVTT and SRT.

The WebVTT and SRT readers stay here rather than in a subtitle library: webvtt-py and pysubs2 drop a
malformed cue without saying where (pysubs2 also glues its text to the cue before and loses `<v Name>`
voices), and srt stops at the first bad block unless told to skip it silently; saidbot names the file and
line of a cue it cannot place and reads the rest.
"""

from __future__ import annotations

import re
from typing import Any, Final

from bot.ingest.captions import Cue, merge_cues
from bot.ingest.document import ParsedDocument, ParseError
from bot.ingest.frontmatter import as_text, episode_from_fields
from bot.ingest.links import plain_text
from bot.models import Segment
from bot.text import detect_language
from bot.timecodes import BadTime, clock_seconds, parse_timestamp

_TIME: Final = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
# Lex Fridman (01:38:37) text…   (text may follow on the next line)
SPEAKER_TURN: Final = re.compile(
    rf"^(?P<speaker>[A-Z\u3040-\u30ff\u4e00-\u9fff][\w.'’\- \u3040-\u30ff\u4e00-\u9fff]{{0,40}}?)"
    rf"\s*[(（\[](?P<time>{_TIME})[)）\]]\s*[:：]?\s*(?P<text>.*)$"
)
# What looks like a clock, impossible ones included (`[-1:00]`, `[99:99:99]`): they are matched so that
# they can be refused with their line (bot.timecodes.clock_seconds), not read as text.
_LOOSE_TIME: Final = r"-?\d+(?::-?\d+){1,2}(?:[.,]\d+)?"
# [01:38:25] text  /  [01:38:25] Speaker: text
BRACKET_LINE: Final = re.compile(rf"^\[(?P<time>{_LOOSE_TIME})\]\s*(?P<text>.*)$")
# **01:38** · text
BOLD_LINE: Final = re.compile(rf"^\*\*(?P<time>{_LOOSE_TIME})\*\*\s*[·•|:\-–—]?\s*(?P<text>.*)$")
LABEL: Final = re.compile(
    r"^(?P<speaker>[A-Z][\w.'’\-]*(?: [A-Z][\w.'’\-]*){0,3}|[\u3040-\u30ff\u4e00-\u9fff・]{2,12})"
    r"\s*[:：]\s+(?P<text>.+)$"
)
_VTT_TIME: Final = re.compile(r"^(?P<a>-?[\d:.,]+)\s*-->\s*(?P<b>-?[\d:.,]+)")
_VTT_VOICE: Final = re.compile(r"^<v(?:\.[^ >]*)?\s+([^>]+)>")
# `[^<>]`: a tag cannot contain `<`, so a line of `<<<<…` is one pass, not one scan per `<`.
_VTT_TAG: Final = re.compile(r"<[^<>]+>")


def looks_like_transcript(body: str) -> bool:
    lines = [line.strip() for line in body.split("\n") if line.strip()]
    if not lines:
        return False
    hits = sum(
        1 for line in lines if SPEAKER_TURN.match(line) or BRACKET_LINE.match(line) or BOLD_LINE.match(line)
    )
    return hits >= 3 and hits >= 0.3 * len(lines)


def caption_document(fields: dict[str, Any], lang: str | None, body: str, fmt: str) -> tuple[ParsedDocument, int]:
    lang = as_text(fields.get("lang") or fields.get("language")) or lang or detect_language(body[:4000])
    doc = ParsedDocument(format=fmt, lang=lang, title=as_text(fields.get("title")))
    episode = episode_from_fields(fields, title_is_episode=True)
    return doc, doc.add_episode(episode)


def parse_text_transcript(
    path: str, fields: dict[str, Any], body: str, first_line: int, lang: str | None
) -> ParsedDocument:
    doc, episode = caption_document(fields, lang, body, "transcript")
    turns: list[Cue] = []
    captions: list[Cue] = []
    pending_turn: Cue | None = None
    for offset, raw in enumerate(body.split("\n")):
        line = raw.strip()
        number = first_line + offset
        if not line or line.startswith("#"):
            pending_turn = None if pending_turn and pending_turn.text else pending_turn
            continue
        turn = SPEAKER_TURN.match(line)
        if turn:
            start = parse_timestamp(turn.group("time").split(".")[0].split(",")[0])
            if start is None:
                doc.warn(path, number, f"cannot read the time {turn.group('time')!r}")
                continue
            pending_turn = Cue(start, None, plain_text(turn.group("text")), turn.group("speaker").strip(), number)
            turns.append(pending_turn)
            continue
        timed = BRACKET_LINE.match(line) or BOLD_LINE.match(line)
        if timed:
            try:
                start_f = clock_seconds(timed.group("time"))
            except BadTime as exc:
                doc.warn(path, number, f"impossible time: {exc}; line skipped")
                pending_turn = None
                continue
            text = plain_text(timed.group("text"))
            speaker = None
            label = LABEL.match(text)
            if label:
                speaker, text = label.group("speaker"), label.group("text")
            captions.append(Cue(start_f, None, text, speaker, number))
            pending_turn = None
            continue
        if pending_turn is not None:
            pending_turn.text = f"{pending_turn.text} {plain_text(line)}".strip()
        elif captions:
            captions[-1].text = f"{captions[-1].text} {plain_text(line)}"
        else:
            doc.warn(path, number, "text before the first timestamp; skipped")
    if not turns and not captions:
        raise ParseError("no timestamped lines found (expected `Speaker (hh:mm:ss)`, `[hh:mm:ss]` or `**mm:ss**`)")
    add_cues(doc, turns, episode, merge=False)
    add_cues(doc, captions, episode, merge=True)
    return doc


def add_cues(doc: ParsedDocument, cues: list[Cue], episode: int, *, merge: bool) -> None:
    for cue in merge_cues(cues) if merge else cues:
        if cue.speaker and cue.speaker not in doc.episodes[episode].speakers:
            doc.episodes[episode].speakers.append(cue.speaker)
        doc.add(
            Segment(
                speaker=cue.speaker,
                speaker_verified=cue.speaker is not None,
                start=cue.start,
                end=cue.end,
                text=cue.text,
                lang=doc.lang,
                kind="quote",
            ),
            episode,
        )


def parse_subtitles(path: str, text: str, fields: dict[str, Any], lang: str | None, *, vtt: bool) -> ParsedDocument:
    """WebVTT and SRT: cue blocks of a timing line and text lines.

    Rolling captions (YouTube's auto-captions) show each line twice, once as it is spoken and again
    above the next line: a line the previous cue already showed is dropped, so the words come out once.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if vtt and not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        raise ParseError("a WebVTT file must start with 'WEBVTT'", 1)
    body_text = "\n".join(lines)
    doc, episode = caption_document(fields, lang, body_text, "vtt" if vtt else "srt")
    cues: list[Cue] = []
    shown: set[str] = set()
    speaker: str | None
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        timing = _VTT_TIME.match(stripped)
        if not timing:
            if stripped.startswith("NOTE"):
                while index < len(lines) and lines[index].strip():
                    index += 1
            elif "-->" in stripped:
                doc.warn(path, index + 1, "cannot read the cue timing; cue skipped")
                while index < len(lines) and lines[index].strip():
                    index += 1
            index += 1
            continue
        number = index + 1
        try:
            start, end = clock_seconds(timing.group("a")), clock_seconds(timing.group("b"))
        except BadTime as exc:
            doc.warn(path, number, f"impossible time: {exc}; cue skipped")
            index += 1
            while index < len(lines) and lines[index].strip():
                index += 1
            continue
        if end < start:
            doc.warn(path, number, "cue ends before it starts; kept with its start time")
        index += 1
        # YouTube's rolling cues open with a line of one space: not the cue's end, which is an empty line.
        if index < len(lines) and lines[index] and not lines[index].strip():
            index += 1
        parts: list[tuple[str | None, str]] = []
        speaker = None
        seen_here: set[str] = set()
        while index < len(lines) and lines[index].strip():
            cue_line = lines[index].strip()
            voice = _VTT_VOICE.match(cue_line)
            if voice:
                speaker = voice.group(1).strip()
            plain = " ".join(_VTT_TAG.sub("", cue_line).split())
            index += 1
            if not plain:
                continue
            seen_here.add(plain)
            if plain in shown:
                continue
            if parts and parts[-1][0] == speaker:
                parts[-1] = (speaker, f"{parts[-1][1]} {plain}")
            else:
                parts.append((speaker, plain))
        shown = seen_here
        for who, words in parts:
            label = LABEL.match(words)
            if who is None and label:
                who, words = label.group("speaker"), label.group("text")
            cues.append(Cue(start, end, words, who, number))
    if not cues:
        raise ParseError("no cues found")
    add_cues(doc, cues, episode, merge=True)
    return doc
