"""yt-dlp output: `NAME.LANG.vtt` or `NAME.LANG.json3` captions beside `NAME.info.json`.

The caption file is the document; its info.json is metadata (video id for deep links, channel as the
show, upload date, chapters as headings), read like a sidecar. An info.json alone is not a document.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Final

from bot.ingest.captions import Cue
from bot.ingest.document import ParsedDocument, ParseError
from bot.ingest.transcripts import add_cues, caption_document

INFO_SUFFIX: Final = ".info.json"
# yt-dlp writes `NAME.en.vtt`, `NAME.en-US.vtt`, `NAME.en-orig.vtt`, `NAME.ja.json3`.
_CAPTION_LANG: Final = re.compile(r"^(?P<base>.+)\.(?P<lang>[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)$")


def caption_lang(path: Path) -> str | None:
    match = _CAPTION_LANG.match(path.name[: -len(path.suffix)] if path.suffix else path.name)
    return match.group("lang").split("-")[0].lower() if match else None


def info_path(path: Path) -> Path | None:
    """The `NAME.info.json` a caption file `NAME.LANG.ext` (or `NAME.ext`) came with, when it is there."""
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    match = _CAPTION_LANG.match(stem)
    for base in ([match.group("base")] if match else []) + [stem]:
        candidate = path.with_name(base + INFO_SUFFIX)
        if candidate.is_file():
            return candidate
    return None


def read_info(path: Path) -> tuple[dict[str, Any], list[tuple[float, str]]]:
    """(episode fields, chapters) from an info.json; ParseError names the info.json when it is bad."""
    where = str(path)
    try:
        raw = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise ParseError(f"cannot read {path.name}: {exc.strerror}", path=where) from exc
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ParseError(f"{path.name} is not valid JSON: {exc}", path=where) from exc
    if not isinstance(raw, dict):
        raise ParseError("a yt-dlp info.json must be an object", path=where)
    return info_fields(raw), info_chapters(raw)


def info_fields(raw: dict[str, Any]) -> dict[str, Any]:
    date = str(raw.get("upload_date") or "")
    fields: dict[str, Any] = {
        "title": raw.get("title"),
        "video_id": raw.get("id") if raw.get("extractor_key", "Youtube").lower().startswith("youtube") else None,
        "channel": raw.get("channel") or raw.get("uploader"),
        "date": f"{date[:4]}-{date[4:6]}-{date[6:8]}" if re.fullmatch(r"\d{8}", date) else None,
        "url": raw.get("webpage_url"),
    }
    if isinstance(raw.get("language"), str):
        fields["lang"] = raw["language"].split("-")[0]
    return {k: v for k, v in fields.items() if v not in (None, "")}


def info_chapters(raw: dict[str, Any]) -> list[tuple[float, str]]:
    chapters = raw.get("chapters")
    if not isinstance(chapters, list):
        return []
    found = []
    for item in chapters:
        if isinstance(item, dict) and isinstance(item.get("start_time"), int | float) and item.get("title"):
            found.append((float(item["start_time"]), " ".join(str(item["title"]).split())))
    return sorted(found)


def parse_json3(path: str, text: str, fields: dict[str, Any], lang: str | None) -> ParsedDocument:
    """YouTube's json3 captions: `events` of `tStartMs`, `dDurationMs` and `segs` of `utf8` text.

    Auto-captions add `aAppend` events that only break the line; their text is a newline and adds nothing.
    """
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ParseError(f"not valid JSON: {exc}", getattr(exc, "lineno", None)) from exc
    events = raw.get("events") if isinstance(raw, dict) else None
    if not isinstance(events, list):
        raise ParseError("json3 captions must hold an `events` list (tStartMs, dDurationMs, segs)")
    cues: list[Cue] = []
    for event in events:
        if not isinstance(event, dict) or not isinstance(event.get("segs"), list):
            continue
        start = event.get("tStartMs")
        if not isinstance(start, int | float):
            continue
        words = "".join(str(seg.get("utf8") or "") for seg in event["segs"] if isinstance(seg, dict))
        words = " ".join(words.split())
        if not words:
            continue
        duration = event.get("dDurationMs")
        end = (start + duration) / 1000 if isinstance(duration, int | float) else None
        cues.append(Cue(start / 1000, end, words))
    if not cues:
        raise ParseError("json3 captions hold no text")
    doc, episode = caption_document(fields, lang, " ".join(c.text for c in cues[:400]), "vtt")
    add_cues(doc, cues, episode, merge=True)
    return doc
