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
_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Aliases a document may use. Each alias can double what its anchor expands to, so 557 bytes of nested
# aliases ("billion laughs") took 119 s and 2.75 GB; front matter has no use for more than a few.
MAX_ALIASES = 16


class _Loader(_BASE_LOADER):  # type: ignore[misc]
    """The safe loader, whose bad dates say where they are (the stock one raises a bare ValueError)."""


def _timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"not a date: {node.value!r} ({exc})", node.start_mark
        ) from exc


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _check_aliases(raw: str) -> None:
    """Refuse a document with more than MAX_ALIASES aliases, before anything expands them."""
    if "*" not in raw:  # no alias without one; the common case costs a scan of the text
        return
    count = 0
    for event in yaml.parse(raw, Loader=_BASE_LOADER):
        if isinstance(event, yaml.AliasEvent):
            count += 1
            if count > MAX_ALIASES:
                raise yaml.constructor.ConstructorError(
                    None, None, f"more than {MAX_ALIASES} YAML aliases (refused: they can expand without bound)",
                    event.start_mark,  # type: ignore[arg-type]  # libyaml's Mark has the same fields
                )


def load_yaml(raw: str) -> Any:
    """Safe YAML with a bound on aliases; errors are yaml.YAMLError with a mark where one is known."""
    _check_aliases(raw)
    return yaml.load(raw, Loader=_Loader)


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
            except (yaml.YAMLError, RecursionError) as exc:  # deep nesting overflows the constructor
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
    # A recording's audio file (a Whisper transcript of an mp3): links play it from the passage's second.
    audio = as_text(_first(fields, "audio_url", "audio", "enclosure"))
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
        audio_url=audio if audio and audio.startswith(("https://", "http://")) else None,
    )
