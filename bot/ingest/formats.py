"""Which parser reads a file: chosen by extension, then by what the text looks like."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import yaml

from bot.ingest.document import ParsedDocument, ParseError
from bot.ingest.frontmatter import load_yaml, split_front_matter
from bot.ingest.notes import parse_note
from bot.ingest.podcast import looks_like_feed
from bot.ingest.quotes import looks_like_quote_collection, parse_quote_collection
from bot.ingest.stt import load_json, looks_like_otter, parse_json_transcript, parse_otter, relabel
from bot.ingest.timed import apply_chapters, decode, parse_html_transcript
from bot.ingest.transcripts import looks_like_transcript, parse_subtitles, parse_text_transcript
from bot.ingest.youtube_feed import looks_like_youtube_feed, parse_youtube_feed
from bot.ingest.ytdlp import INFO_SUFFIX, caption_lang, info_path, parse_json3, read_info

TEXT_SUFFIXES: Final = {".md", ".markdown", ".txt", ".vtt", ".srt", ".json", ".json3", ".html", ".htm"}
# Metadata beside a document, never a document: sidecars, yt-dlp's info.json, a podcast's chapters.
SIDECAR_SUFFIXES: Final = (".meta.yaml", ".meta.yml", ".meta.json", INFO_SUFFIX, ".chapters.json")
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
    if suffix in (".vtt", ".srt", ".json3"):
        # yt-dlp's captions: the info.json beside them says which video, channel and chapters.
        info = info_path(path)
        fields, chapters = read_info(info) if info else ({}, [])
        fields = {**fields, **sidecar}
        lang = file_lang or caption_lang(path)
        if suffix == ".json3":
            doc = parse_json3(name, text, fields, lang)
        else:
            doc = relabel(parse_subtitles(name, text, fields, lang, vtt=suffix == ".vtt"), fields)
        return apply_chapters(doc, chapters)
    if suffix == ".json":
        return _parse_json(name, text, sidecar, file_lang)
    if suffix in (".html", ".htm"):
        return parse_html_transcript(name, text, sidecar, file_lang)
    return _parse_text(name, text, sidecar, file_lang)


def _parse_json(name: str, text: str, fields: dict[str, Any], lang: str | None) -> ParsedDocument:
    data = load_json(text)
    if isinstance(data, dict) and isinstance(data.get("events"), list):
        return parse_json3(name, text, fields, lang)  # YouTube captions saved as plain .json
    return parse_json_transcript(name, text, fields, lang, data)


def _parse_text(name: str, text: str, sidecar: dict[str, Any], file_lang: str | None) -> ParsedDocument:
    fields, body, first_line = split_front_matter(text)
    fields = {**sidecar, **fields}
    if looks_like_youtube_feed(fields, body):
        return parse_youtube_feed(name, fields, body, first_line, file_lang)
    if looks_like_quote_collection(body):
        return parse_quote_collection(name, fields, body, first_line, file_lang)
    if looks_like_otter(body):
        return parse_otter(name, body, fields, first_line, file_lang)
    if looks_like_transcript(body):
        return relabel(parse_text_transcript(name, fields, body, first_line, file_lang), fields)
    return parse_note(name, fields, body, first_line, file_lang)


_REMOTE_TYPES: Final = {
    "text/vtt": ".vtt", "text/webvtt": ".vtt", "application/x-subrip": ".srt", "application/srt": ".srt",
    "text/srt": ".srt", "text/x-subrip": ".srt", "application/json": ".json", "text/json": ".json",
    "text/html": ".html", "application/xhtml+xml": ".html", "text/markdown": ".md", "text/x-markdown": ".md",
}
_SRT_START: Final = re.compile(r"^\s*\d+\s*\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->")


def _remote_kind(url: str, text: str, content_type: str | None) -> str:
    """The suffix a fetched document would have as a file: from its content type, its URL, then its text."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in _REMOTE_TYPES:
        return _REMOTE_TYPES[kind]
    path = urlsplit(url).path.lower()
    for suffix in (".json3", ".vtt", ".srt", ".json", ".html", ".htm", ".md", ".markdown", ".txt"):
        if path.endswith(suffix):
            return suffix
    head = text.lstrip("\ufeff \t\r\n")[:512]
    if head.startswith("WEBVTT"):
        return ".vtt"
    if head.startswith(("{", "[")):
        return ".json"
    if head[:1] == "<":
        return ".html"
    if _SRT_START.match(head.replace("\r\n", "\n")):
        return ".srt"
    return ".txt"


def parse_remote(url: str, data: bytes, content_type: str | None) -> ParsedDocument:
    """A fetched document that is not a feed (transcript page, captions, JSON or text transcript, note),
    read by its content type, else its URL's suffix, else what its text looks like."""
    if looks_like_feed(data, content_type):
        raise ParseError("this is a podcast feed, not a transcript (read it with bot.ingest.podcast.parse_feed)")
    text = decode(data)
    suffix = _remote_kind(url, text, content_type)
    lang = caption_lang(Path(urlsplit(url).path or "/doc"))
    if suffix in (".vtt", ".srt"):
        return parse_subtitles(url, text, {}, lang, vtt=suffix == ".vtt")
    if suffix == ".json3":
        return parse_json3(url, text, {}, lang)
    if suffix == ".json":
        return _parse_json(url, text, {}, lang)
    if suffix in (".html", ".htm"):
        return parse_html_transcript(url, text, {}, None)
    return _parse_text(url, text, {}, None)
