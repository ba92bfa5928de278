"""Which parser reads a file: chosen by extension, then by what the text looks like."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Final

import yaml

from bot.ingest.document import ParsedDocument, ParseError
from bot.ingest.frontmatter import load_yaml, split_front_matter
from bot.ingest.notes import parse_note
from bot.ingest.quotes import looks_like_quote_collection, parse_quote_collection
from bot.ingest.transcripts import looks_like_transcript, parse_subtitles, parse_text_transcript
from bot.ingest.youtube_feed import looks_like_youtube_feed, parse_youtube_feed

TEXT_SUFFIXES: Final = {".md", ".markdown", ".txt", ".vtt", ".srt"}
SIDECAR_SUFFIXES: Final = (".meta.yaml", ".meta.yml", ".meta.json")
# Folder documentation, not notes: a README beside the notes describes them.
IGNORED_NAMES: Final = re.compile(r"^(?:readme|sources?|license|licence|changelog|contributing)(?:\.[a-z]+)?$", re.I)
_LANG_SUFFIX: Final = re.compile(r"^(?P<stem>.+?)[._-](?P<lang>en|ja|zh|ko|fr|de|es|pt|it|ru|zh-hans|zh-hant)$", re.I)


def is_ingestible(path: Path) -> bool:
    name = path.name
    if name.startswith(".") or IGNORED_NAMES.match(name):
        return False
    if name.endswith(SIDECAR_SUFFIXES):
        return False
    return path.suffix.lower() in TEXT_SUFFIXES


def group_and_lang(path: Path) -> tuple[str, str | None]:
    """`talk-en.md` and `talk-ja.md` are one note in two languages: group `talk`."""
    stem = path.name.split(".", 1)[0] if path.suffix else path.name
    match = _LANG_SUFFIX.match(stem)
    if match:
        return match.group("stem"), match.group("lang").lower()
    return stem, None


def read_sidecar(path: Path) -> dict[str, Any]:
    """Episode metadata for a transcript: `NAME.meta.yaml` (or .yml/.json) beside `NAME.ext`."""
    base = path.with_suffix("")
    for suffix in SIDECAR_SUFFIXES:
        candidate = base.with_name(base.name + suffix)
        if candidate.exists():
            # The sidecar's faults are the sidecar's: reported with its path and its line.
            where = str(candidate)
            try:
                data_bytes = candidate.read_bytes()
            except OSError as exc:
                raise ParseError(f"cannot read sidecar: {exc.strerror}", path=where) from exc
            try:
                raw = data_bytes.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ParseError(
                    "sidecar is not UTF-8 text", data_bytes[: exc.start].count(b"\n") + 1, path=where
                ) from exc
            try:
                data = json.loads(raw) if suffix.endswith("json") else load_yaml(raw)
            except (yaml.YAMLError, json.JSONDecodeError, RecursionError) as exc:
                mark = getattr(exc, "problem_mark", None)
                line = mark.line + 1 if mark is not None else getattr(exc, "lineno", None)
                problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
                raise ParseError(f"sidecar is not valid: {problem}", line, path=where) from exc
            if not isinstance(data, dict):
                raise ParseError("sidecar must be a mapping of fields", path=where)
            return {str(k).lower(): v for k, v in data.items()}
    return {}


def parse_file(path: Path, text: str) -> ParsedDocument:
    name = str(path)
    _, file_lang = group_and_lang(path)
    sidecar = read_sidecar(path)
    suffix = path.suffix.lower()
    if suffix in (".vtt", ".srt"):
        return parse_subtitles(name, text, sidecar, file_lang, vtt=suffix == ".vtt")
    fields, body, first_line = split_front_matter(text)
    fields = {**sidecar, **fields}
    if looks_like_youtube_feed(fields, body):
        return parse_youtube_feed(name, fields, body, first_line, file_lang)
    if looks_like_quote_collection(body):
        return parse_quote_collection(name, fields, body, first_line, file_lang)
    if looks_like_transcript(body):
        return parse_text_transcript(name, fields, body, first_line, file_lang)
    return parse_note(name, fields, body, first_line, file_lang)
