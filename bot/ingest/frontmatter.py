"""YAML front matter, and the episode fields notes and transcripts put in it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

from bot.ingest.document import ParseError
from bot.ingest.links import normalize_url, youtube_id
from bot.models import Episode

# libyaml's loader when PyYAML was built with it: the pure-Python scanner was a fifth of parsing time.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(raw: str) -> Any:
    return yaml.load(raw, Loader=_LOADER)


def split_front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """(fields, body, line number of the body's first line). Raises ParseError with the line."""
    if not text.startswith("---"):
        return {}, text, 1
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text, 1
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            raw = "\n".join(lines[1:index])
            try:
                data = load_yaml(raw) if raw.strip() else {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = mark.line + 2 if mark is not None else 1
                problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
                raise ParseError(f"front matter is not valid YAML: {problem}", line) from exc
            if data is None:
                data = {}
            if not isinstance(data, dict):
                raise ParseError("front matter must be a mapping of fields", 2)
            return {str(k).lower(): v for k, v in data.items()}, "\n".join(lines[index + 1 :]), index + 2
    raise ParseError("front matter starts with '---' but never ends", 1)


def as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()[:10]
    text = str(value).strip()
    return text or None


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,;、]", value) if part.strip()]
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value if str(item).strip()]
    return [str(value)]


def _first(fields: dict[str, Any], *names: str) -> Any:
    for name in names:
        if fields.get(name) not in (None, ""):
            return fields[name]
    return None


def episode_from_fields(fields: dict[str, Any], *, title_is_episode: bool) -> Episode:
    """The episode a note or transcript describes, from its front matter (or a sidecar)."""
    video = as_text(_first(fields, "youtube", "youtube_id", "video_id", "video", "youtube_url", "video_url"))
    url = as_text(_first(fields, "url"))
    video_id = youtube_id(video) if video else None
    if video_id is None and url:
        video_id = youtube_id(url)
    transcript = as_text(_first(fields, "transcript_url", "transcript"))
    number_raw = _first(fields, "episode", "episode_number", "number")
    number: int | None = None
    if number_raw is not None:
        digits = re.search(r"\d+", str(number_raw))
        number = int(digits.group()) if digits else None
    title = as_text(_first(fields, "episode_title"))
    if title is None and title_is_episode:
        title = as_text(fields.get("title"))
    speakers = as_list(_first(fields, "speakers"))
    for key in ("host", "hosts", "guest", "guests"):
        for name in as_list(fields.get(key)):
            if name not in speakers:
                speakers.append(name)
    return Episode(
        show=as_text(_first(fields, "show", "podcast", "series", "channel")),
        number=number,
        title=title,
        date=as_text(_first(fields, "date", "upload_date", "published", "aired")),
        video_id=video_id,
        transcript_url=normalize_url(transcript) if transcript else None,
        speakers=speakers,
    )
